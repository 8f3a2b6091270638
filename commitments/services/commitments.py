"""Commitments and their follow-ups.

Changes to a commitment are guarded by optimistic locking: the caller passes the `version` it
saw, and a stale one raises `ConflictError` carrying the current state, so nobody overwrites a
change they have not seen. Status and progress change only through `follow_up_record`, so every
such change has a follow-up that says who, when and why.

The checks each write makes are also exposed without writing (`commitment_validate_create`,
`commitment_validate_update`, `follow_up_validate`), for forms that must show every refusal at
its field before anything is saved (the admin); the writes run the very same checks.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from .. import access
from ..models import (
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    Meeting,
    SourceDocument,
    Status,
    WorkingGroup,
    status_progress_error,
)
from . import base

# --------------------------------------------------------------------------- conflicts


class ConflictError(Exception):
    """Someone else changed the commitment since the caller read it."""

    def __init__(self, *, current: Commitment, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"{current.reference} was changed by someone else (you saw version "
            f"{expected_version}, it is now at version {current.version})."
        )

    def changes_since(self) -> list[FollowUp]:
        """The follow-ups recorded after the version the caller saw, oldest first."""
        return list(
            self.current.follow_ups.filter(commitment_version__gt=self.expected_version)
            .select_related("author")
            .order_by("commitment_version")
        )


@dataclass
class Conflict:
    """What changed since the user loaded a commitment: the one account of a conflict that
    every door shows (the commitment page, the list's quick change, the admin)."""

    reference: str
    changes: list[FollowUp]
    status_label: str
    progress: int
    version: int
    seen_version: int

    @classmethod
    def from_error(cls, error: ConflictError) -> Conflict:
        current = error.current
        return cls(
            reference=current.reference,
            changes=error.changes_since(),
            status_label=current.get_status_display(),
            progress=current.progress,
            version=current.version,
            seen_version=error.expected_version,
        )

    @property
    def authors(self) -> list[str]:
        return sorted({fu.author.get_full_name() or fu.author.username for fu in self.changes})

    @property
    def explanation(self) -> str:
        """The whole account as one plain text (where no page can show the changes as a
        list, e.g. a form error in the admin): versions, and each change with its note."""
        lines = [
            f"{self.reference} was changed by someone else while you were editing it "
            f"(you loaded version {self.seen_version}, it is now at version {self.version}). "
            "Nothing was saved. Open it again to see the current state, then redo your change."
        ]
        for fu in self.changes:
            author = fu.author.get_full_name() or fu.author.username
            lines.append(f"{author} on {fu.occurred_on}: {Truncator(fu.note).chars(80)}")
        return " · ".join(lines)

    @property
    def summary(self) -> str:
        by = f" by {', '.join(self.authors)}" if self.authors else ""
        return (
            f"It was changed{by} since you loaded it: it is now “{self.status_label}”, "
            f"{self.progress}%. Check and try again."
        )


# --------------------------------------------------------------------------- commitments

_REFERENCE_TAIL = re.compile(r"-(\d+)$")


def _next_reference(*, group: WorkingGroup, meeting: Meeting, area: ActionArea) -> str:
    """`<GROUP>-<meeting>-<AREA>-<nn>`, one more than the highest in use for that meeting and
    area. The caller holds the working group's row lock, so two creates cannot race."""
    prefix = f"{group.short_name}-{meeting.number}-{area.code}-"
    used = Commitment.objects.filter(working_group=group, reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    highest = 0
    for reference in used:
        match = _REFERENCE_TAIL.search(reference)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1:02d}"


def _lock_group(group: WorkingGroup) -> WorkingGroup:
    return WorkingGroup.objects.select_for_update().get(pk=group.pk)


EDITABLE_FIELDS = (
    "action_area",
    "meeting",
    "title",
    "description",
    "owner",
    "priority",
    "due_date",
    "source_document",
    "source_locator",
    "source_excerpt",
)


def _check(commitment: Commitment, lead_agencies: list[Agency] | None, *, exclude=()) -> None:
    """The model's checks and the lead agencies' (agencies of the group's parties), reported
    together in one ValidationError."""
    errors: dict[str, list] = {}
    try:
        commitment.full_clean(exclude=list(exclude) or None)
    except ValidationError as error:
        errors.update(error.message_dict)
    if lead_agencies is not None:
        party_ids = set(commitment.working_group.parties.values_list("id", flat=True))
        strangers = [a for a in lead_agencies if a.party_id not in party_ids]
        if strangers:
            names = ", ".join(str(a) for a in strangers)
            errors.setdefault("lead_agencies", []).append(
                f"Not an agency of a party to this working group: {names}."
            )
    if errors:
        raise ValidationError(errors)


def _new_commitment(working_group: WorkingGroup, **fields: Any) -> Commitment:
    return Commitment(working_group=working_group, status=Status.NOT_STARTED, progress=0, **fields)


def commitment_validate_create(
    *, working_group: WorkingGroup, lead_agencies: Iterable[Agency] = (), **fields: Any
) -> None:
    """Raise the ValidationError `commitment_create` would raise; write nothing."""
    _check(_new_commitment(working_group, **fields), list(lead_agencies), exclude=["reference"])


@transaction.atomic
def commitment_create(
    *,
    working_group: WorkingGroup,
    action_area: ActionArea,
    meeting: Meeting,
    title: str,
    description: str = "",
    lead_agencies: Iterable[Agency] = (),
    owner=None,
    priority: str = Commitment.Priority.MEDIUM,
    due_date: datetime.date | None = None,
    source_document: SourceDocument | None = None,
    source_locator: str = "",
    source_excerpt: str = "",
    reference: str | None = None,
    actor=None,
) -> Commitment:
    """Create a commitment, not started, with a generated reference (or the given one, for
    imports that must keep references stable)."""
    group = _lock_group(working_group)
    commitment = _new_commitment(
        group,
        action_area=action_area,
        meeting=meeting,
        title=title,
        description=description,
        owner=owner,
        priority=priority,
        due_date=due_date,
        source_document=source_document,
        source_locator=source_locator,
        source_excerpt=source_excerpt,
    )
    lead_agencies = list(lead_agencies)
    # Check first so a bad area or meeting gives a field message, not a KeyError.
    _check(commitment, lead_agencies, exclude=["reference"])
    commitment.reference = reference or _next_reference(
        group=group, meeting=meeting, area=action_area
    )
    base.save(commitment, actor=actor)
    commitment.lead_agencies.set(lead_agencies)
    return commitment


def _current(commitment: Commitment, expected_version: int, *, lock: bool) -> Commitment:
    queryset = Commitment.objects.select_related("working_group")
    if lock:
        queryset = queryset.select_for_update()
    current = queryset.get(pk=commitment.pk)
    if current.version != expected_version:
        raise ConflictError(current=current, expected_version=expected_version)
    return current


def _apply_changes(current: Commitment, changes: dict[str, Any], lead_agencies) -> list | None:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"commitment_update cannot change {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(current, field, value)
    lead_agencies = list(lead_agencies) if lead_agencies is not None else None
    _check(current, lead_agencies)
    return lead_agencies


def commitment_validate_update(
    *,
    commitment: Commitment,
    expected_version: int,
    lead_agencies: Iterable[Agency] | None = None,
    **changes: Any,
) -> None:
    """Raise the ConflictError or ValidationError `commitment_update` would raise; write
    nothing. (A caller that must be sure the write then succeeds locks the row first.)"""
    current = _current(commitment, expected_version, lock=False)
    _apply_changes(current, changes, lead_agencies)


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    expected_version: int,
    actor=None,
    lead_agencies: Iterable[Agency] | None = None,
    **changes: Any,
) -> Commitment:
    """Change a commitment's descriptive fields. Status and progress are not among them: they
    change only with a follow-up (`follow_up_record`)."""
    current = _current(commitment, expected_version, lock=True)
    lead_agencies = _apply_changes(current, changes, lead_agencies)
    current.version += 1
    base.save(current, actor=actor)
    if lead_agencies is not None:
        current.lead_agencies.set(lead_agencies)
    return current


@transaction.atomic
def commitment_delete(*, commitment: Commitment, actor=None) -> None:
    """Delete a commitment recorded by mistake. One with follow-ups cannot be deleted (they are
    PROTECTed): withdraw it instead."""
    base.delete(commitment, actor=actor)


# --------------------------------------------------------------------------- follow-ups


def _parse_progress(progress) -> int | None:
    if progress is None or progress == "":
        return None
    try:
        value = int(progress)
    except (TypeError, ValueError):
        raise ValidationError(
            {"progress": "Progress must be a whole number from 0 to 100."}
        ) from None
    if not 0 <= value <= 100:
        raise ValidationError({"progress": "Progress must be between 0 and 100."})
    return value


def _prepare_follow_up(
    current: Commitment,
    *,
    author,
    note: str,
    occurred_on: datetime.date | None = None,
    status: str | None = None,
    progress=None,
    evidence_url: str = "",
    external_reference: str = "",
) -> FollowUp:
    """The follow-up to store on `current`, its status and progress checked (the model's
    own rules are checked by `full_clean`); `status_after`/`progress_after` say where the
    commitment moves."""
    status = status or None
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"“{status}” is not a status we know."})
    new_progress = _parse_progress(progress)
    new_status = status or current.status
    if new_progress is None:
        if new_status == Status.COMPLETED:
            new_progress = 100
        elif new_status == Status.NOT_STARTED:
            new_progress = 0
        else:
            new_progress = current.progress
    message = status_progress_error(new_status, new_progress)
    if message:
        raise ValidationError({"progress": message})
    status_changed = new_status != current.status
    progress_changed = new_progress != current.progress
    follow_up = FollowUp(
        commitment=current,
        author=author,
        occurred_on=occurred_on or timezone.localdate(),
        note=note,
        status_before=current.status if status_changed else "",
        status_after=new_status if status_changed else "",
        progress_before=current.progress if progress_changed else None,
        progress_after=new_progress if progress_changed else None,
        evidence_url=evidence_url,
        external_reference=external_reference,
        commitment_version=current.version + 1,
    )
    return follow_up


def _require_follow_up_right(author, group: WorkingGroup) -> None:
    if not access.access_for(author, group).can_follow_up:
        raise PermissionDenied("Only analysts and coordinators of this group can log follow-ups.")


def follow_up_validate(*, commitment: Commitment, author, **fields: Any) -> None:
    """Raise the PermissionDenied or ValidationError `follow_up_record` would raise for the
    commitment as it is stored, given the same arguments but `expected_version` (the version
    is checked by the write); write nothing."""
    current = Commitment.objects.select_related("working_group").get(pk=commitment.pk)
    _require_follow_up_right(author, current.working_group)
    _prepare_follow_up(current, author=author, **fields).full_clean(exclude=["commitment_version"])


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
) -> FollowUp:
    """Log what happened on a commitment and, optionally, change its status and progress.

    One transaction: locks the commitment, refuses a stale `expected_version` (ConflictError),
    stores the follow-up, and moves status, progress, version and last activity together.
    Choosing "completed" or "not started" without a progress sets it to 100 or 0.
    """
    _require_follow_up_right(author, commitment.working_group)
    current = _current(commitment, expected_version, lock=True)
    follow_up = _prepare_follow_up(
        current,
        author=author,
        note=note,
        occurred_on=occurred_on,
        status=status,
        progress=progress,
        evidence_url=evidence_url,
        external_reference=external_reference,
    )
    base.save(follow_up, actor=author)

    if follow_up.status_after:
        current.status = follow_up.status_after
    if follow_up.progress_after is not None:
        current.progress = follow_up.progress_after
    current.version += 1
    current.last_activity_at = timezone.now()
    base.save(current, actor=author)
    # Hand the caller the fresh state without another query.
    commitment.status, commitment.progress = current.status, current.progress
    commitment.version, commitment.last_activity_at = current.version, current.last_activity_at
    follow_up.commitment = commitment
    return follow_up


@transaction.atomic
def follow_up_update(*, follow_up: FollowUp, actor=None, **changes: Any) -> FollowUp:
    """Correct the wording of a follow-up (its note, date, evidence): never the state it moved
    the commitment to."""
    allowed = {"note", "occurred_on", "evidence_url", "external_reference"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"follow_up_update cannot change {', '.join(sorted(unknown))}")
    return base.update(follow_up, actor=actor, **changes)[0]


@transaction.atomic
def follow_up_delete(*, follow_up: FollowUp, actor=None) -> None:
    base.delete(follow_up, actor=actor)


__all__ = [
    "EDITABLE_FIELDS",
    "Conflict",
    "ConflictError",
    "commitment_create",
    "commitment_delete",
    "commitment_update",
    "commitment_validate_create",
    "commitment_validate_update",
    "follow_up_delete",
    "follow_up_record",
    "follow_up_update",
    "follow_up_validate",
]
