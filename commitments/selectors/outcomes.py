"""Reads of the outcome pages: an indicator with its measurements, chart and verdicts.

Like every selector, these read objects the caller has already authorised through
`commitments.access` and never decide visibility; each runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from ..models import (
    ActionArea,
    Direction,
    Indicator,
    Measurement,
    Meeting,
    Party,
)
from . import charts
from .catalogue import catalogue
from .tallies import Tallies, group_tallies

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
    trend: charts.Verdict
    on_track: charts.Verdict
    corrections: list[Correction]

    @functools.cached_property
    def chart(self) -> charts.LineChart:
        i = self.indicator
        return charts.indicator_chart(
            _points(self.measurements),
            baseline=i.baseline,
            target=i.target,
            target_date=i.target_date,
        )


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
    """The group's sides, by name."""
    return list(catalogue(group=group).parties)


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

    @functools.cached_property
    def chart(self) -> charts.LineChart:
        return charts.burn_up_chart(self.months, self.total, self.completed)

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


def _running(points: list[tuple], ends: list) -> list[int]:
    """For each of `ends` (in order), the sum of the counts of `points` [(when, n)] at or
    before it: one walk over both, sorted."""
    points = sorted(points)
    sums, i, running = [], 0, 0
    for end in ends:
        while i < len(points) and points[i][0] <= end:
            running += points[i][1]
            i += 1
        sums.append(running)
    return sums


def _series(name, months, agreed, completed) -> BurnUpSeries:
    """`agreed`: [(meeting's last day, n)]; `completed`: [("YYYY-MM", n)]."""
    total = _running(agreed, months)
    done = _running(completed, [f"{m:%Y-%m}" for m in months])
    return BurnUpSeries(name, months, total, done)


def burn_up(*, group, today: datetime.date | None = None) -> BurnUp:
    """Commitments completed over time against the total, for the group and per action area
    (4 queries, whatever the number of commitments: the tallies, the areas and the meetings).
    See `burn_up_from`."""
    today = today or timezone.localdate()
    tallies = group_tallies(group=group, today=today, quiet_before=today)
    return burn_up_from(
        tallies,
        areas=list(ActionArea.objects.in_group(group).order_by("order", "name")),
        meetings=list(Meeting.objects.in_group(group).values("pk", "end_date")),
        today=today,
    )


def burn_up_from(tallies: Tallies, *, areas, meetings, today: datetime.date) -> BurnUp:
    """The burn-up from the group's tallies, its areas and its meetings (dicts with "pk" and
    "end_date"). A commitment counts in
    the total from the last day of the meeting that agreed it, and as completed from the date
    of the first follow-up that completed it (if it is still completed); withdrawn ones are
    left out. Monthly, up to the last BURN_UP_MONTHS months."""
    ends = {m["pk"]: m["end_date"] for m in meetings}
    agreed: dict[int | None, list] = {}
    completed: dict[int | None, list] = {}
    for (area, meeting, withdrawn), n in tallies.agreed.items():
        if not withdrawn and meeting in ends:
            for key in (area, None):
                agreed.setdefault(key, []).append((ends[meeting], n))
    for (area, month), n in tallies.completed.items():
        for key in (area, None):
            completed.setdefault(key, []).append((month, n))
    if not agreed:
        return BurnUp(overall=None, areas=[])
    start = min(day for day, _n in agreed[None])
    months = []
    cursor = _month_end(min(start, today))
    last = _month_end(today)
    while cursor <= last:
        months.append(cursor)
        cursor = _month_end(cursor + datetime.timedelta(days=1))
    months = months[-BURN_UP_MONTHS:]
    return BurnUp(
        overall=_series("All areas", months, agreed[None], completed.get(None, [])),
        areas=[
            _series(area.name, months, agreed[area.pk], completed.get(area.pk, []))
            for area in areas
            if area.pk in agreed
        ],
    )
