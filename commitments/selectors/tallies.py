"""The group's maintained counts (`models.Tally`, kept by `services.tallies`) as pages read
them: two queries, whatever the number of commitments."""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q, Sum

from .. import rules
from ..models import Status, Tally, WorkingGroup
from ..models import tallies as tally


@dataclass
class Tallies:
    """A group's counts, as the dashboard and the burn-up read them."""

    by_area_status: dict[tuple[int, str], tuple[int, int]]  # (area, status): (n, progress)
    agreed: dict[tuple[int, int, bool], int]  # (area, meeting, withdrawn): n
    completed: dict[tuple[int, str], int]  # (area, "YYYY-MM" first completed): n
    overdue: int
    due_soon: int
    inactive: int

    def figures(self, area_id: int | None = None) -> dict:
        """What `StatusSummary.from_row` reads (the count per status, the total, the average
        progress of those not withdrawn), for one area or, with None, the whole group."""
        figures = {f"n_{value}": 0 for value in Status.values}
        figures["total"] = counted = progress = 0
        for (area, status), (n, progress_sum) in self.by_area_status.items():
            if area_id is not None and area != area_id:
                continue
            figures[f"n_{status}"] += n
            figures["total"] += n
            if status != Status.WITHDRAWN:
                counted += n
                progress += progress_sum
        figures["avg_progress"] = progress / counted if counted else None
        return figures

    def per_meeting(self) -> dict[int, int]:
        """How many commitments each meeting agreed (withdrawn ones included)."""
        found: dict[int, int] = {}
        for (_area, meeting, _withdrawn), n in self.agreed.items():
            found[meeting] = found.get(meeting, 0) + n
        return found


def attention_counts(group: WorkingGroup, *, today: datetime.date, quiet_before: datetime.date):
    """How many open commitments are overdue, due within DUE_SOON_DAYS and inactive: sums over
    the dated tallies, in the database, over ranges of the unique index: the days before, one
    row a day (`models.tallies.before_day`; tests/test_query_plans.py). A queryset of
    one row (none without tallies)."""
    soon = rules.due_soon_until(today)
    overdue = tally.before_day(tally.DUE, today.isoformat())
    due_soon = (Q(kind=tally.DUE, key__gte=today.isoformat(), key__lte=soon.isoformat()),)
    inactive = tally.before_day(tally.ACTIVITY, quiet_before.isoformat())
    return (
        Tally.objects.filter(_in_ranges(group.pk, *overdue, *due_soon, *inactive))
        .values("working_group")
        .annotate(
            overdue=Sum("n", filter=_either(overdue)),
            due_soon=Sum("n", filter=_either(due_soon)),
            inactive=Sum("n", filter=_either(inactive)),
        )
        .order_by()
    )


def _either(ranges) -> Q:
    return reduce(operator.or_, ranges)


def _in_ranges(group_id: int, *ranges: Q) -> Q:
    """Rows of the group in any of the ranges: the group within each range, so that each is
    a range of the unique index (SQLite then reads each one, then sums; with the group apart,
    it would read every row of the group)."""
    return _either(Q(r, working_group_id=group_id) for r in ranges)


def _tally_rows(group: WorkingGroup, *kinds: str):
    """The group's non-zero tallies of these kinds as (kind, key, n, total)."""
    return (
        Tally.objects.filter(working_group=group, kind__in=kinds)
        .exclude(n=0)
        .values_list("kind", "key", "n", "total")
    )


def group_tallies(
    *, group: WorkingGroup, today: datetime.date, quiet_before: datetime.date
) -> Tallies:
    """The group's counts from its tallies (2 queries): the dated kinds are summed in the
    database over a range of their index, the others are a few rows per area."""
    by_area_status, agreed, completed = {}, {}, {}
    for kind, key, n, total in _tally_rows(group, tally.STATUS, tally.AGREED, tally.COMPLETED):
        if kind == tally.STATUS:
            area, status = key.split(":")
            by_area_status[int(area), status] = (n, total)
        elif kind == tally.AGREED:
            area, meeting, withdrawn = key.split(":")
            agreed[int(area), int(meeting), withdrawn == "1"] = n
        else:
            area, month = key.split(":")
            completed[int(area), month] = n
    # One row, none without tallies (not .first(): its order would split the sums).
    attention = next(iter(attention_counts(group, today=today, quiet_before=quiet_before)), {})
    return Tallies(
        by_area_status=by_area_status,
        agreed=agreed,
        completed=completed,
        overdue=attention.get("overdue") or 0,
        due_soon=attention.get("due_soon") or 0,
        inactive=attention.get("inactive") or 0,
    )


# The list's filters a count from the tallies can answer (the sort changes no count).
COUNTABLE = frozenset({"area", "status", "sort"})


def counted(*, group: WorkingGroup, filters: dict) -> int | None:
    """How many of the group's commitments the list's `filters` match, from the tallies (one
    short read, whatever the number of commitments) when they can say it: no filter, an area,
    a status or both (the status kind counts every commitment by area and status). None for
    any other filter: the caller counts the rows."""
    if not set(filters) <= COUNTABLE:
        return None
    area, status = filters.get("area"), filters.get("status")
    total = 0
    for _, key, n, _ in _tally_rows(group, tally.STATUS):
        area_id, _, key_status = key.partition(":")
        if (area is None or int(area_id) == area.pk) and (not status or key_status == status):
            total += n
    return total


@dataclass
class SideCounts:
    """One side's figures: the commitments its agencies lead, per status with their progress
    summed, how many it leads alone, and how many of them are overdue or inactive."""

    by_status: dict[str, tuple[int, int]]  # status: (n, progress summed)
    alone: int = 0
    overdue: int = 0
    inactive: int = 0

    @property
    def led(self) -> int:
        return sum(n for n, _ in self.by_status.values())

    def figures(self) -> dict:
        """What `StatusSummary.from_row` reads."""
        counted = sum(n for s, (n, _) in self.by_status.items() if s != Status.WITHDRAWN)
        progress = sum(p for s, (_, p) in self.by_status.items() if s != Status.WITHDRAWN)
        figures = {f"n_{value}": self.by_status.get(value, (0, 0))[0] for value in Status.values}
        figures.update(total=self.led, avg_progress=progress / counted if counted else None)
        return figures


def _side_attention(group_id: int, parties: tuple[int, ...], today: str, quiet: str):
    """Each party's overdue and inactive sums, in the order of `parties` (one row, none
    without tallies)."""
    sums, ranges = {}, []
    for p in parties:
        # Keys "<party>:…": the ranges after "<party>:" are that side's (":" sorts after the
        # digits, so "12:…" never falls in "1:"'s ranges).
        overdue = tally.before_day(tally.SIDE_DUE, today, prefix=f"{p}:")
        inactive = tally.before_day(tally.SIDE_ACTIVITY, quiet, prefix=f"{p}:")
        sums[f"overdue_{p}"] = Sum("n", filter=_either(overdue))
        sums[f"inactive_{p}"] = Sum("n", filter=_either(inactive))
        ranges += [*overdue, *inactive]
    return (
        Tally.objects.filter(_in_ranges(group_id, *ranges))
        .values("working_group")
        .annotate(**sums)
        .order_by()
    )


def side_tallies(
    *, group: WorkingGroup, parties, today: datetime.date, quiet_before: datetime.date
) -> tuple[dict[int, SideCounts], int, int]:
    """Each party's `SideCounts`, and how many commitments are shared (led by two sides or
    more) and unled: two queries, whatever the number of commitments."""
    sides = {p.pk: SideCounts(by_status={}) for p in parties}
    totals = {"shared": 0, "unled": 0}
    for kind, key, n, total in _tally_rows(group, tally.SIDE, tally.SIDE_ALONE, tally.SIDES):
        if kind == tally.SIDES:
            totals[key] = n
            continue
        party, _, status = key.partition(":")
        if int(party) not in sides:
            continue  # an agency of a party no longer in the group
        if kind == tally.SIDE:
            sides[int(party)].by_status[status] = (n, total)
        else:
            sides[int(party)].alone = n
    if sides:
        found = _side_attention(
            group.pk, tuple(sides), today=today.isoformat(), quiet=quiet_before.isoformat()
        )
        sums = next(iter(found), {})  # one row, none without tallies
        for party, side in sides.items():
            side.overdue = sums.get(f"overdue_{party}") or 0
            side.inactive = sums.get(f"inactive_{party}") or 0
    return sides, totals["shared"], totals["unled"]
