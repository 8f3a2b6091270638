"""Every write to the domain goes through here: HTMX forms, admin, seeds and imports alike.

Each service is keyword-only, validates with `full_clean()` (so callers get ValidationError with
field messages rather than IntegrityError) and runs inside one transaction. Changes to a commitment
are guarded by optimistic locking: the caller passes the `version` it saw, and a stale one raises
`ConflictError` carrying the current state, so nobody overwrites a change they have not seen.

Status and progress change only through `follow_up_record`, so every such change has a follow-up
that says who, when and why.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import access
from .models import (
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Person,
    SourceDocument,
    Status,
    WorkingGroup,
    status_progress_error,
)


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


def _save(instance: models.Model, *, actor=None, exclude: Iterable[str] = ()) -> models.Model:
    """Validate, attribute the history row to `actor`, and save."""
    instance.full_clean(exclude=list(exclude) or None)
    if actor is not None:
        instance._history_user = actor
    instance.save()
    return instance


# --------------------------------------------------------------------------- reference data
# Seeds and imports use these "ensure" services: they create what is missing and leave what
# exists alone, so a reload never overwrites what admins or analysts have changed since.


def _ensure(model: type[models.Model], *, lookup: dict[str, Any], defaults: dict[str, Any], actor):
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    return _save(model(**lookup, **defaults), actor=actor), True


@transaction.atomic
def party_ensure(*, code: str, name: str, actor=None) -> tuple[Party, bool]:
    return _ensure(Party, lookup={"code": code}, defaults={"name": name}, actor=actor)


@transaction.atomic
def agency_ensure(*, party: Party, acronym: str, name: str, actor=None) -> tuple[Agency, bool]:
    return _ensure(
        Agency, lookup={"party": party, "acronym": acronym}, defaults={"name": name}, actor=actor
    )


@transaction.atomic
def person_ensure(
    *, name: str, title: str = "", agency: Agency | None = None, actor=None
) -> tuple[Person, bool]:
    return _ensure(
        Person, lookup={"name": name, "agency": agency}, defaults={"title": title}, actor=actor
    )


@transaction.atomic
def working_group_ensure(
    *,
    slug: str,
    name: str,
    short_name: str,
    description: str = "",
    parties: Iterable[Party] = (),
    lead_agencies: Iterable[Agency] = (),
    actor=None,
) -> tuple[WorkingGroup, bool]:
    group, created = _ensure(
        WorkingGroup,
        lookup={"slug": slug},
        defaults={"name": name, "short_name": short_name, "description": description},
        actor=actor,
    )
    if created:
        group.parties.set(parties)
        group.lead_agencies.set(lead_agencies)
    return group, created


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    is_superuser: bool = False,
    reset_password: bool = False,
) -> tuple[Any, bool]:
    """An account with these flags (a superuser is also staff), created with `password` when
    missing. An existing account keeps its password unless `reset_password`."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, email=f"{username}@example.org")
    wanted = {"is_active": True, "is_staff": is_superuser, "is_superuser": is_superuser}
    changed = created or any(getattr(user, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(user, name, value)
    if created or reset_password:
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    return user, created


@transaction.atomic
def membership_set(*, user, working_group: WorkingGroup, role: str, actor=None) -> Membership:
    """Give `user` this role in the group (creating or changing the membership)."""
    membership = Membership.objects.filter(user=user, working_group=working_group).first()
    if membership is None:
        membership = Membership(user=user, working_group=working_group)
    membership.role = role
    return _save(membership, actor=actor)


@transaction.atomic
def action_area_ensure(
    *,
    working_group: WorkingGroup,
    slug: str,
    name: str,
    code: str,
    description: str = "",
    order: int = 0,
    keywords: list[str] | None = None,
    actor=None,
) -> tuple[ActionArea, bool]:
    return _ensure(
        ActionArea,
        lookup={"working_group": working_group, "slug": slug},
        defaults={
            "name": name,
            "code": code,
            "description": description,
            "order": order,
            "keywords": keywords or [],
        },
        actor=actor,
    )


@transaction.atomic
def source_document_ensure(
    *, working_group: WorkingGroup, title: str, actor=None, **fields: Any
) -> tuple[SourceDocument, bool]:
    return _ensure(
        SourceDocument,
        lookup={"working_group": working_group, "title": title},
        defaults=fields,
        actor=actor,
    )


@transaction.atomic
def meeting_ensure(
    *,
    working_group: WorkingGroup,
    number: int,
    participants: Iterable[tuple[Person, str]] = (),
    source_documents: Iterable[SourceDocument] = (),
    actor=None,
    **fields: Any,
) -> tuple[Meeting, bool]:
    meeting, created = _ensure(
        Meeting,
        lookup={"working_group": working_group, "number": number},
        defaults=fields,
        actor=actor,
    )
    if created:
        for person, role in participants:
            _save(Participation(meeting=meeting, person=person, role=role), actor=actor)
        meeting.source_documents.set(source_documents)
    return meeting, created


@transaction.atomic
def indicator_ensure(
    *, working_group: WorkingGroup, name: str, actor=None, **fields: Any
) -> tuple[Indicator, bool]:
    return _ensure(
        Indicator,
        lookup={"working_group": working_group, "name": name},
        defaults=fields,
        actor=actor,
    )


@transaction.atomic
def measurement_record(
    *,
    indicator: Indicator,
    period_end: datetime.date,
    value,
    note: str = "",
    entered_by=None,
) -> Measurement:
    return _save(
        Measurement(
            indicator=indicator,
            period_end=period_end,
            value=value,
            note=note,
            entered_by=entered_by,
        ),
        actor=entered_by,
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


_EDITABLE_FIELDS = (
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
    commitment = Commitment(
        working_group=group,
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
        status=Status.NOT_STARTED,
        progress=0,
    )
    lead_agencies = list(lead_agencies)
    _validate_lead_agencies(group, lead_agencies)
    if reference is None:
        # Validate first so a bad area or meeting gives a field message, not a KeyError.
        commitment.full_clean(exclude=["reference"])
        reference = _next_reference(group=group, meeting=meeting, area=action_area)
    commitment.reference = reference
    _save(commitment, actor=actor)
    commitment.lead_agencies.set(lead_agencies)
    return commitment


def _validate_lead_agencies(group: WorkingGroup, agencies: list[Agency]) -> None:
    party_ids = set(group.parties.values_list("id", flat=True))
    strangers = [a for a in agencies if a.party_id not in party_ids]
    if strangers:
        names = ", ".join(str(a) for a in strangers)
        raise ValidationError(
            {"lead_agencies": f"Not an agency of a party to this working group: {names}."}
        )


def _lock_commitment(commitment: Commitment, expected_version: int) -> Commitment:
    current = (
        Commitment.objects.select_for_update().select_related("working_group").get(pk=commitment.pk)
    )
    if current.version != expected_version:
        raise ConflictError(current=current, expected_version=expected_version)
    return current


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
    unknown = set(changes) - set(_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"commitment_update cannot change {', '.join(sorted(unknown))}")
    current = _lock_commitment(commitment, expected_version)
    for field, value in changes.items():
        setattr(current, field, value)
    if lead_agencies is not None:
        lead_agencies = list(lead_agencies)
        _validate_lead_agencies(current.working_group, lead_agencies)
    current.version += 1
    _save(current, actor=actor)
    if lead_agencies is not None:
        current.lead_agencies.set(lead_agencies)
    return current


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
    group_access = access.access_for(author, commitment.working_group)
    if not group_access.can_follow_up:
        raise PermissionDenied("Only analysts and coordinators of this group can log follow-ups.")

    status = status or None
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"“{status}” is not a status we know."})
    new_progress = _parse_progress(progress)

    current = _lock_commitment(commitment, expected_version)
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
    _save(follow_up, actor=author)

    current.status = new_status
    current.progress = new_progress
    current.version += 1
    current.last_activity_at = timezone.now()
    _save(current, actor=author)
    # Hand the caller the fresh state without another query.
    commitment.status, commitment.progress = current.status, current.progress
    commitment.version, commitment.last_activity_at = current.version, current.last_activity_at
    follow_up.commitment = commitment
    return follow_up
