"""What changed between two snapshots, or between a snapshot and now: new, completed,
withdrawn, newly overdue, newly inactive, status and progress moves, due dates moved, per
action area and per side. Plain data: the page renders it and the briefing pack prints it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import OPEN_STATUSES, Commitment, Party, Snapshot, SnapshotRow, Status
from .common import inactive_after_days

# The kinds of change, in the order the page lists them, with their headings.
KINDS = {
    "new": "New",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "overdue": "Newly overdue",
    "inactive": "Newly inactive",
    "status": "Status moved",
    "progress": "Progress moved",
    "due": "Due date moved",
}


@dataclass(frozen=True)
class State:
    """A commitment as a snapshot (or now) has it."""

    commitment_id: int
    reference: str
    title: str
    area_id: int
    area_name: str
    status: str
    progress: int
    due_date: datetime.date | None
    last_activity_on: datetime.date
    sides: tuple[str, ...]  # party codes of its lead agencies

    def overdue(self, day: datetime.date) -> bool:
        return self.status in OPEN_STATUSES and self.due_date is not None and self.due_date < day

    def inactive(self, day: datetime.date) -> bool:
        limit = day - datetime.timedelta(days=inactive_after_days())
        return self.status in OPEN_STATUSES and self.last_activity_on < limit


@dataclass(frozen=True)
class Change:
    before: State | None
    after: State
    kinds: tuple[str, ...]

    @property
    def status_labels(self) -> tuple[str, str]:
        return (
            Status(self.before.status).label if self.before else "",
            Status(self.after.status).label,
        )

    @property
    def progress_delta(self) -> int:
        return self.after.progress - (self.before.progress if self.before else 0)


@dataclass
class Group:
    """The changes of one area or one side, with a count per kind."""

    name: str
    changes: list[Change] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(k in c.kinds for c in self.changes) for k in KINDS}


@dataclass
class Changes:
    before: Snapshot
    after: Snapshot | None  # None: now
    before_day: datetime.date
    after_day: datetime.date
    changes: list[Change]
    by_area: list[Group]
    by_side: list[Group]

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(k in c.kinds for c in self.changes) for k in KINDS}

    @property
    def kinds(self) -> dict[str, str]:
        return KINDS


def _kinds(before: State | None, after: State, day0, day1) -> tuple[str, ...]:
    if before is None:
        return ("new",)
    kinds = []
    if after.status != before.status:
        if after.status == Status.COMPLETED:
            kinds.append("completed")
        elif after.status == Status.WITHDRAWN:
            kinds.append("withdrawn")
        else:
            kinds.append("status")
    if after.overdue(day1) and not before.overdue(day0):
        kinds.append("overdue")
    if after.inactive(day1) and not before.inactive(day0):
        kinds.append("inactive")
    if after.progress != before.progress:
        kinds.append("progress")
    if after.due_date != before.due_date:
        kinds.append("due")
    return tuple(kinds)


def _day(snapshot: Snapshot | None) -> datetime.date:
    return timezone.localdate(snapshot.taken_at) if snapshot else timezone.localdate()


def snapshots(*, group) -> list[Snapshot]:
    """The group's snapshots, the latest first (1 query)."""
    return list(Snapshot.objects.in_group(group).order_by("-taken_at", "-pk"))


def _states_of(snapshot: Snapshot) -> dict[int, State]:
    """The snapshot's rows as states, read as plain rows in State's order (one query)."""
    rows = SnapshotRow.objects.filter(snapshot=snapshot).values_list(
        "commitment_id", "reference", "title", "action_area_id", "area_name", "status",
        "progress", "due_date", "last_activity_on", "leads",
    )  # fmt: skip
    return {
        row[0]: State(*row[:-1], sides=tuple(sorted({code for _acronym, code in row[-1]})))
        for row in rows
    }


def _states_now(group) -> dict[int, State]:
    """Every commitment of the group as it stands (two queries): no model instances, and no
    IN list of their ids (PostgreSQL refuses past 65,535 parameters)."""
    sides: dict[int, set[str]] = {}
    for commitment_id, code in Commitment.lead_agencies.through.objects.filter(
        commitment__working_group=group
    ).values_list("commitment_id", "agency__party__code"):
        sides.setdefault(commitment_id, set()).add(code)
    rows = Commitment.objects.in_group(group).values_list(
        "pk", "reference", "title", "action_area_id", "action_area__name", "status",
        "progress", "due_date", "last_activity_on",
    )  # fmt: skip
    return {row[0]: State(*row, sides=tuple(sorted(sides.get(row[0], ())))) for row in rows}


def changes_between(*, group, before: Snapshot, after: Snapshot | None = None) -> Changes:
    """The changes from `before` to `after` (None: now), in a fixed number of queries: the two
    sets of rows (now: the commitments and their lead agencies) and the group's parties."""
    day0, day1 = _day(before), _day(after)
    old = _states_of(before)
    new = _states_of(after) if after is not None else _states_now(group)
    names = dict(Party.objects.filter(working_groups=group).values_list("code", "name"))
    found = []
    for commitment_id, state in sorted(new.items(), key=lambda item: item[1].reference):
        kinds = _kinds(old.get(commitment_id), state, day0, day1)
        if kinds:
            found.append(Change(before=old.get(commitment_id), after=state, kinds=kinds))
    by_area: dict[int, Group] = {}
    by_side: dict[str, Group] = {
        code: Group(name) for code, name in sorted(names.items(), key=lambda i: i[1])
    }
    for change in found:
        by_area.setdefault(change.after.area_id, Group(change.after.area_name)).changes.append(
            change
        )
        for code in change.after.sides or ():
            by_side.setdefault(code, Group(names.get(code, code))).changes.append(change)
    return Changes(
        before=before,
        after=after,
        before_day=day0,
        after_day=day1,
        changes=found,
        by_area=sorted(by_area.values(), key=lambda g: g.name),
        by_side=list(by_side.values()),
    )
