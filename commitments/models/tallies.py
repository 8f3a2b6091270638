"""Counts kept up to date by the services, so the dashboard never counts a group's commitments
row by row (issue 13: its cost must not grow with the data).

One row per (working group, kind, key) holds how many of the group's commitments fall under
that key (`n`) and, for the status kind, the sum of their progress (`total`). What each kind
counts, and its key:

* ``status``: every commitment, by action area and status (``"<area id>:<status>"``);
* ``due``: open commitments with a due date, by due date (``"YYYY-MM-DD"``);
* ``activity``: open commitments, by the day of their last activity (``"YYYY-MM-DD"``);
* ``agreed``: every commitment, by area, meeting and whether it is withdrawn
  (``"<area id>:<meeting id>:<0|1>"``);
* ``completed``: completed commitments, by area and the month they were first completed
  (``"<area id>:YYYY-MM"``);
* for each side (party) whose agencies lead a commitment: ``side`` by status
  (``"<party id>:<status>"``, with the progress summed), ``side_alone`` when no other side
  leads it (``"<party id>"``), ``side_due`` and ``side_activity`` like ``due`` and ``activity``
  (``"<party id>:YYYY-MM-DD"``); and ``sides``: ``"shared"`` (led by two sides or more) and
  ``"unled"`` (no lead agency).

Dated keys are ISO strings, so a range of days is a range of keys (the unique index serves
it, `before_day`), and the number of rows is bounded by the calendar, not by the number of
commitments.
`contributions()` is the one definition of what a commitment adds; the services add a
commitment's contributions when it appears, subtract them when it goes, and apply the
difference when it changes (`services.tallies`); `services.tallies.tally_rebuild` counts
everything again from the rows, and the tests compare the two after every kind of change.
"""

from __future__ import annotations

from collections import Counter

from django.db import models

from .commitments import OPEN_STATUSES, Status
from .groups import WorkingGroup

STATUS = "status"
DUE = "due"
ACTIVITY = "activity"
AGREED = "agreed"
COMPLETED = "completed"
SIDE = "side"
SIDE_ALONE = "side_alone"
SIDE_DUE = "side_due"
SIDE_ACTIVITY = "side_activity"
SIDES = "sides"
# The kinds counted by day.
DATED = (DUE, ACTIVITY, SIDE_DUE, SIDE_ACTIVITY)

# What `contributions` reads of a commitment (a model instance or a values() dict).
FIELDS = (
    "action_area_id",
    "meeting_id",
    "status",
    "progress",
    "due_date",
    "last_activity_on",
    "first_completed_on",
)


class Tally(models.Model):
    # Indexed by the unique constraint, which starts with it (no index of its own to keep).
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=40)
    n = models.IntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "kind", "key"], name="tally_one_row_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.n}"


def contributions(commitment, sides: frozenset[int] | set[int] = frozenset()) -> Counter:
    """What one commitment (a model instance or a values() dict of FIELDS), led by agencies of
    the parties `sides`, adds to its group's tallies: a Counter keyed (kind, key, column), the
    column being "n" or "total"."""
    get = commitment.get if isinstance(commitment, dict) else commitment.__dict__.get
    area, status = get("action_area_id"), get("status")
    found: Counter = Counter()
    found[STATUS, f"{area}:{status}", "n"] += 1
    found[STATUS, f"{area}:{status}", "total"] += get("progress") or 0
    withdrawn = int(status == Status.WITHDRAWN)
    found[AGREED, f"{area}:{get('meeting_id')}:{withdrawn}", "n"] += 1
    if status in OPEN_STATUSES:
        if get("due_date") is not None:
            _dated(found, DUE, "", get("due_date"))
        _dated(found, ACTIVITY, "", get("last_activity_on"))
    if status == Status.COMPLETED and get("first_completed_on") is not None:
        found[COMPLETED, f"{area}:{get('first_completed_on'):%Y-%m}", "n"] += 1
    for party in sides:
        found[SIDE, f"{party}:{status}", "n"] += 1
        found[SIDE, f"{party}:{status}", "total"] += get("progress") or 0
        if status in OPEN_STATUSES:
            if get("due_date") is not None:
                _dated(found, SIDE_DUE, f"{party}:", get("due_date"))
            _dated(found, SIDE_ACTIVITY, f"{party}:", get("last_activity_on"))
    if len(sides) == 1:
        found[SIDE_ALONE, str(next(iter(sides))), "n"] += 1
    elif len(sides) > 1:
        found[SIDES, "shared", "n"] += 1
    else:
        found[SIDES, "unled", "n"] += 1
    return found


def _dated(found: Counter, kind: str, prefix: str, day) -> None:
    """Count one commitment under its day."""
    found[kind, prefix + day.isoformat(), "n"] += 1


def before_day(kind: str, day: str, *, prefix: str = "") -> tuple[models.Q, ...]:
    """The range of tallies whose sum counts the commitments of a dated `kind` on every day
    before `day` ("YYYY-MM-DD"), among keys after `prefix`: a range of the unique index, once
    the group is added to it."""
    return (models.Q(kind=kind, key__gte=prefix, key__lt=prefix + day),)
