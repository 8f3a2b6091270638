"""Reads of the outcome pages: an indicator with its measurements, chart and verdicts.

Like every selector, these read objects the caller has already authorised through
`commitments.access` and never decide visibility; each runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from ..models import Commitment, Direction, Indicator, Measurement, Party, Status
from . import charts

CORRECTED_FIELDS = {
    "period_end": "Period end",
    "value": "Value",
    "note": "Note",
    "evidence_url": "Evidence",
    "reported_by_id": "Reported by",
}


@dataclass(frozen=True)
class Correction:
    """One correction of a measurement: who, when, why, and each field's before and after."""

    measurement_id: int
    period_end: datetime.date
    at: datetime.datetime
    by: object
    reason: str
    changes: list[tuple[str, str, str]]


@dataclass
class IndicatorDetail:
    indicator: Indicator
    measurements: list[Measurement]  # latest period first, as the table shows them
    chart: charts.LineChart
    trend: charts.Verdict
    on_track: charts.Verdict
    corrections: list[Correction]


def _points(measurements: list[Measurement]) -> list[charts.Point]:
    return [
        charts.Point(m.period_end, m.value)
        for m in sorted(measurements, key=lambda m: m.period_end)
    ]


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return charts.number(value)
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def _corrections(indicator: Indicator, parties: dict[int, str]) -> list[Correction]:
    """Every correction of the indicator's measurements (1 query): the history rows in order,
    each compared with the one before it of the same measurement."""
    rows = (
        Measurement.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    found = []
    previous = {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if before is None or row.history_type != "~":
            continue
        changes = []
        for name, label in CORRECTED_FIELDS.items():
            old, new = getattr(before, name), getattr(row, name)
            if old != new:
                if name == "reported_by_id":
                    old, new = parties.get(old, "—"), parties.get(new, "—")
                changes.append((label, _shown(old), _shown(new)))
        if changes:
            found.append(
                Correction(
                    measurement_id=row.id,
                    period_end=row.period_end,
                    at=row.history_date,
                    by=row.history_user,
                    reason=row.history_change_reason or "",
                    changes=changes,
                )
            )
    found.sort(key=lambda c: c.at, reverse=True)
    return found


def indicator_detail(
    *, indicator: Indicator, parties: list[Party], today: datetime.date | None = None
) -> IndicatorDetail:
    """The indicator's page (2 queries): its measurements with who entered them and which side
    reported them, and the history of their corrections. `parties` are the group's (read
    once by the caller for the form as well)."""
    today = today or timezone.localdate()
    measurements = list(
        Measurement.objects.filter(indicator=indicator)
        .select_related("entered_by", "reported_by")
        .order_by("-period_end")
    )
    points = _points(measurements)
    higher = indicator.direction == Direction.HIGHER
    return IndicatorDetail(
        indicator=indicator,
        measurements=measurements,
        chart=charts.indicator_chart(
            points,
            baseline=indicator.baseline,
            target=indicator.target,
            target_date=indicator.target_date,
        ),
        trend=charts.trend(points, higher_is_better=higher),
        on_track=charts.on_track(
            points,
            target=indicator.target,
            target_date=indicator.target_date,
            higher_is_better=higher,
            today=today,
        ),
        corrections=_corrections(indicator, {p.pk: p.name for p in parties}),
    )


def group_parties(*, group) -> list[Party]:
    """The group's sides, by name (1 query)."""
    return list(group.parties.order_by("name"))


def user_side(*, user) -> int | None:
    """The id of the side (party) the user speaks for, through their affiliation (1 query)."""
    return (
        Party.objects.filter(agencies__affiliations__user=user).values_list("pk", flat=True).first()
    )


def commitment_indicators(*, commitment) -> QuerySet[Indicator]:
    """The commitment's indicators, by name (lazy: a form's choices read them once)."""
    return Indicator.objects.filter(commitment=commitment).order_by("name")


# --------------------------------------------------------------------------- burn-up


@dataclass
class BurnUpSeries:
    """Commitments agreed (`total`, withdrawn ones left out) and completed by the end of each
    month, and the chart drawn from them."""

    name: str
    months: list[datetime.date]
    total: list[int]
    completed: list[int]
    chart: charts.LineChart

    @property
    def rows(self) -> list[tuple[datetime.date, int, int]]:
        return list(zip(self.months, self.total, self.completed, strict=True))


@dataclass
class BurnUp:
    overall: BurnUpSeries | None
    areas: list[BurnUpSeries]


BURN_UP_MONTHS = 24


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _series(name, months, rows) -> BurnUpSeries:
    total = [sum(1 for agreed, _done in rows if agreed <= m) for m in months]
    completed = [sum(1 for _agreed, done in rows if done is not None and done <= m) for m in months]
    return BurnUpSeries(
        name, months, total, completed, charts.burn_up_chart(months, total, completed)
    )


def burn_up(*, group, today: datetime.date | None = None) -> BurnUp:
    """Commitments completed over time against the total, for the group and per action area
    (1 query). A commitment counts in the total from the last day of the meeting that agreed
    it, and as completed from the date of the follow-up that completed it (if it is still
    completed); withdrawn ones are left out. Monthly, up to the last BURN_UP_MONTHS months."""
    today = today or timezone.localdate()
    done_on = Min("follow_ups__occurred_on", filter=Q(follow_ups__status_after=Status.COMPLETED))
    found = (
        Commitment.objects.in_group(group)
        .exclude(status=Status.WITHDRAWN)
        .values(
            "pk",  # one row per commitment: without it, alike commitments group into one
            "action_area_id",
            "action_area__name",
            "action_area__order",
            "status",
            "meeting__end_date",
        )
        .annotate(done_on=done_on)
        .order_by()
    )
    by_area: dict[tuple, list] = {}
    everything = []
    for r in found:
        done = r["done_on"] if r["status"] == Status.COMPLETED else None
        pair = (r["meeting__end_date"], done)
        everything.append(pair)
        key = (r["action_area__order"], r["action_area__name"], r["action_area_id"])
        by_area.setdefault(key, []).append(pair)
    if not everything:
        return BurnUp(overall=None, areas=[])
    start = min(agreed for agreed, _done in everything)
    months = []
    cursor = _month_end(min(start, today))
    last = _month_end(today)
    while cursor <= last:
        months.append(cursor)
        cursor = _month_end(cursor + datetime.timedelta(days=1))
    months = months[-BURN_UP_MONTHS:]
    return BurnUp(
        overall=_series("All areas", months, everything),
        areas=[_series(key[1], months, rows) for key, rows in sorted(by_area.items())],
    )
