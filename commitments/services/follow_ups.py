"""Follow-ups: what happened on a commitment, and the only way its status and progress move.

A follow-up is never changed or deleted once recorded (the log is what both sides rely on); a
mistaken one is corrected by a new follow-up that names it (`corrects`). Recording one moves the
commitment's last activity to its date when that is later: a backdated follow-up does not make
a commitment look active today.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import access, cache
from ..models import (
    Commitment,
    EntryKind,
    FollowUp,
    Status,
    WorkingGroup,
    known_relations,
    status_progress_error,
)
from ..rules import is_visible, parse_progress
from ..search import search_text
from .commitments import current_version_with_leads, last_activity
from .tallies import counted, sides_of, tally_change


def _parse_progress(progress) -> int | None:
    """rules.parse_progress, its message at the progress field."""
    try:
        return parse_progress(progress)
    except ValidationError as error:
        raise ValidationError({"progress": error.messages}) from None


def implied_progress(status: str, progress: int | None, current: int) -> int:
    """The progress a follow-up leaves: the one given; without one, 100 when the status is
    completed, 0 when it is not started, else the `current` one."""
    if progress is not None:
        return progress
    if status == Status.COMPLETED:
        return 100
    if status == Status.NOT_STARTED:
        return 0
    return current


def recorded_change(current: Commitment, status: str, progress: int) -> dict[str, Any]:
    """What a follow-up moving `current` to `status` and `progress` records: each of them,
    before and after, only when it changes, and the version it makes the commitment."""
    status_changed = status != current.status
    progress_changed = progress != current.progress
    return {
        "status_before": current.status if status_changed else "",
        "status_after": status if status_changed else "",
        "progress_before": current.progress if progress_changed else None,
        "progress_after": progress if progress_changed else None,
        "commitment_version": current.version + 1,
    }


def apply_follow_up(
    current: Commitment,
    *,
    occurred_on: datetime.date,
    status_after: str,
    progress_after: int | None,
) -> None:
    """Move `current` (in memory, not saved) by a follow-up of `occurred_on` that recorded
    `status_after` and `progress_after` (`recorded_change`): its status and progress, its
    version, its last activity (`last_activity`) and the day it was first completed. Not its
    search text: follow_up_record adds the follow-up's words to the stored text, the sample
    data computes it once (`commitment_search_text`)."""
    if status_after:
        current.status = status_after
    if progress_after is not None:
        current.progress = progress_after
    current.version += 1
    current.last_activity_on = last_activity(current.last_activity_on, occurred_on)
    if status_after == Status.COMPLETED:
        # The burn-up counts a commitment as completed from its first completing follow-up.
        first = current.first_completed_on
        current.first_completed_on = min(first or occurred_on, occurred_on)


def _prepare(
    current: Commitment,
    *,
    author,
    note: str,
    occurred_on: datetime.date | None = None,
    status: str | None = None,
    progress=None,
    evidence_url: str = "",
    external_reference: str = "",
    corrects: FollowUp | None = None,
) -> FollowUp:
    """The follow-up to store on `current`, its status and progress checked (the model's
    own rules are checked by `full_clean`); `status_after`/`progress_after` say where the
    commitment moves."""
    status = status or None
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"“{status}” is not a status we know."})
    new_status = status or current.status
    new_progress = implied_progress(new_status, _parse_progress(progress), current.progress)
    message = status_progress_error(new_status, new_progress)
    if message:
        raise ValidationError({"progress": message})
    return FollowUp(
        working_group_id=current.working_group_id,
        commitment=current,
        kind=EntryKind.FOLLOW_UP,
        author=author,
        occurred_on=occurred_on or timezone.localdate(),
        note=note if is_visible(note) else "",  # only invisible characters: no note
        evidence_url=evidence_url,
        external_reference=external_reference,
        corrects=corrects,
        **recorded_change(current, new_status, new_progress),
    )


def _require_follow_up_right(author, group: WorkingGroup, known=None) -> None:
    """`known`: the author's GroupAccess to this group, when the caller already has it (a view
    that checked who is asking), which saves looking the role up again."""
    if known is None or known.group.pk != group.pk:
        known = access.access_for(author, group)
    if not known.can_follow_up:
        raise PermissionDenied("Only analysts and coordinators of this group can log follow-ups.")


# The follow-up's own fields are checked in Python (`full_clean`), its relations and
# constraints by construction here and by the database (every CheckConstraint and the unique
# version stay in the schema): checking them again in Python would cost a query each.
_CHECKED_BY_CONSTRUCTION = {
    "exclude": ["working_group", "commitment", "author", "corrects", "commitment_version"],
    "validate_unique": False,
    "validate_constraints": False,
}
_MOVED = [
    "status",
    "progress",
    "version",
    "last_activity_on",
    "first_completed_on",
    "search_text",
    "updated_at",
]


def follow_up_validate(*, commitment: Commitment, author, **fields: Any) -> None:
    """Raise the PermissionDenied or ValidationError `follow_up_record` would raise for the
    commitment as it is stored, given the same arguments but `expected_version` (the version
    is checked by the write); write nothing."""
    current = Commitment.objects.select_related("working_group").get(pk=commitment.pk)
    _require_follow_up_right(author, current.working_group)
    _prepare(current, author=author, **fields).full_clean(exclude=["commitment_version"])


@transaction.atomic
def follow_up_record(
    *,
    commitment: Commitment,
    author,
    note: str,
    expected_version: int,
    occurred_on: datetime.date | None = None,
    status: str | None = None,
    progress: int | None = None,
    evidence_url: str = "",
    external_reference: str = "",
    corrects: FollowUp | None = None,
    author_access=None,
) -> FollowUp:
    """Log what happened on a commitment and, optionally, change its status and progress.

    One transaction: locks the commitment, refuses a stale `expected_version` (ConflictError),
    stores the follow-up, and moves status, progress, version, last activity and the search
    text together. Choosing "completed" or "not started" without a progress sets it to 100
    or 0. `corrects` names an earlier entry of the same commitment this one corrects.
    `author_access` is the author's GroupAccess when the caller already looked it up.

    About half a dozen statements: the row lock with the lead agencies (one), the follow-up,
    the commitment and its history rows (see tests/test_views_budgets.py).
    """
    _require_follow_up_right(author, commitment.working_group, author_access)
    current, leads = current_version_with_leads(commitment, expected_version)
    sides = sides_of(leads)
    before = counted(current, sides)
    follow_up = _prepare(
        current,
        author=author,
        note=note,
        occurred_on=occurred_on,
        status=status,
        progress=progress,
        evidence_url=evidence_url,
        external_reference=external_reference,
        corrects=corrects,
    )
    follow_up.full_clean(**_CHECKED_BY_CONSTRUCTION)
    follow_up.save()

    apply_follow_up(
        current,
        occurred_on=follow_up.occurred_on,
        status_after=follow_up.status_after,
        progress_after=follow_up.progress_after,
    )
    current.search_text = search_text(
        [current.search_text, follow_up.note, follow_up.external_reference]
    )
    # Status and progress were checked together above (status_progress_error), the rest is
    # unchanged: the database's constraints hold the line.
    current._history_user = author
    # Its history copies the lead agencies just read, under the lock, without reading them again.
    known_relations(
        current,
        lead_agencies=[
            {"id": row, "commitment_id": current.pk, "agency_id": agency}
            for row, agency, _ in leads
        ],
    )
    current.save(update_fields=_MOVED)
    tally_change(current.working_group_id, before, counted(current, sides))
    cache.changed([current.working_group_id])
    # Hand the caller the fresh state without another query.
    for name in (n for n in _MOVED if n != "updated_at"):
        setattr(commitment, name, getattr(current, name))
    follow_up.commitment = commitment
    return follow_up


@transaction.atomic
def commitment_withdraw(
    *, commitment: Commitment, author, reason: str, expected_version: int
) -> FollowUp:
    """Withdraw a commitment: a follow-up that sets the status to “Withdrawn” and says why."""
    if not (reason or "").strip():
        raise ValidationError({"note": "Say why it is withdrawn: both sides will read it."})
    return follow_up_record(
        commitment=commitment,
        author=author,
        note=reason,
        expected_version=expected_version,
        status=Status.WITHDRAWN,
    )
