"""What the selectors of several pages share: the status summary, the day after which an open
commitment is inactive, the related rows shown with each log entry, and a page of results."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, DecimalField, OuterRef, Q, QuerySet, Subquery

from ..models import Indicator, Measurement, Status
from ..rules import inactive_after_days, inactive_before  # noqa: F401 (the selectors' API)

# What a page shows with each log entry: its author's agency and side, the entry it corrects.
ENTRY_RELATED = ("author__affiliation__agency__party", "corrects")


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # percentage of the total, for drawing


@dataclass
class StatusSummary:
    """How many commitments are in each status, and the average progress of those that count
    (withdrawn ones do not)."""

    total: int
    counts: list[StatusCount]
    progress: int

    @classmethod
    def from_row(cls, row) -> StatusSummary:
        """From the values of `status_annotations()`: a dict (aggregate) or an object."""
        values = row if isinstance(row, dict) else vars(row)
        total = values["total"] or 0
        counts = [
            StatusCount(value, label, n, 100 * n / total if total else 0)
            for value, label in Status.choices
            for n in [values[f"n_{value}"] or 0]
        ]
        return cls(total=total, counts=counts, progress=round(values["avg_progress"] or 0))


def status_annotations(path: str = "") -> dict:
    """Count per status and the average progress, through `path` (e.g. "commitments__")."""
    pk = path + "pk" if path else "pk"
    annotations = {
        f"n_{value}": Count(pk, filter=Q(**{path + "status": value})) for value in Status.values
    }
    annotations["total"] = Count(pk)
    annotations["avg_progress"] = Avg(
        path + "progress", filter=~Q(**{path + "status": Status.WITHDRAWN})
    )
    return annotations


def with_latest_measurement(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """The indicators, each with the value and the period end of its latest measurement."""
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
    return indicators.annotate(
        latest_value=Subquery(
            latest.values("value")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        latest_period_end=Subquery(latest.values("period_end")[:1]),
    )


def paginate(queryset, page_number, per_page: int, *, count: int | None = None) -> Page:
    """A page of results; a page number out of range or not a number gives the nearest page.
    A caller that already counted the rows passes `count`, which saves the COUNT query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(page_number)
