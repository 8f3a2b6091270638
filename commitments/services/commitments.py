"""Commitments: created as agreed, their details edited, withdrawn.

Changes to a commitment are guarded by optimistic locking: the caller passes the `version` it
saw, and a stale one raises `ConflictError` carrying the current state, so nobody overwrites a
change they have not seen. Every change of a commitment leaves an entry in its log: status and
progress change only with a follow-up (`follow_ups.follow_up_record`), and an edit of its
details (`commitment_update`) records an *edit* entry saying what changed, who changed it and
why, so both sides see it in the timeline. Nobody can quietly move a deadline.

The checks each write makes are also exposed without writing (`commitment_validate_create`,
`commitment_validate_update`), for forms that must show every refusal at its field before
anything is saved (the admin); the writes run the very same checks.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format

from ..models import (
    ActionArea,
    Agency,
    Commitment,
    EntryKind,
    FollowUp,
    Meeting,
    Membership,
    SourceDocument,
    Status,
    WorkingGroup,
)
from ..search import search_text
from . import base
from .conflicts import ConflictError
from .tallies import counted, recount, tally_change

_REFERENCE_TAIL = re.compile(r"-(\d+)$")

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
# Fields whose old and new values an edit entry spells out (the others it only names).
_SPELLED_OUT = {"action_area", "meeting", "title", "owner", "priority", "due_date"}


def _reference_prefix(group: WorkingGroup, meeting: Meeting, area: ActionArea) -> str:
    return f"{group.short_name}-{meeting.number}-{area.code}-"


def commitment_reference(
    *, group: WorkingGroup, meeting: Meeting, area: ActionArea, number: int
) -> str:
    """The reference of the `number`th commitment of a meeting in an area,
    `<GROUP>-<meeting>-<AREA>-<nn>`: DPEWG-1-PC-01 is the first of meeting 1 in area PC."""
    return f"{_reference_prefix(group, meeting, area)}{number:02d}"


def _next_reference(*, group: WorkingGroup, meeting: Meeting, area: ActionArea) -> str:
    """The `commitment_reference` one more than the highest in use for that meeting and area.
    The caller holds the working group's row lock, so two creates cannot race."""
    prefix = _reference_prefix(group, meeting, area)
    used = Commitment.objects.filter(working_group=group, reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    highest = 0
    for reference in used:
        match = _REFERENCE_TAIL.search(reference)
        if match:
            highest = max(highest, int(match.group(1)))
    return commitment_reference(group=group, meeting=meeting, area=area, number=highest + 1)


def _lock_group(group: WorkingGroup) -> WorkingGroup:
    return WorkingGroup.objects.select_for_update().get(pk=group.pk)


def _check(commitment: Commitment, lead_agencies: list[Agency] | None, *, exclude=()) -> None:
    """The model's checks, the lead agencies' (agencies of the group's parties) and the
    owner's (a member of the group), reported together in one ValidationError."""
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
    if (
        commitment.owner_id
        and not Membership.objects.filter(
            user_id=commitment.owner_id, working_group_id=commitment.working_group_id
        ).exists()
    ):
        errors.setdefault("owner", []).append(
            "The owner must be a member of the working group: choose one of its members."
        )
    if errors:
        raise ValidationError(errors)


def last_activity(
    agreed_on: datetime.date, reported_on: datetime.date | None = None
) -> datetime.date:
    """A commitment's last activity: the date of its last follow-up (`reported_on`), or the
    day it was agreed (its meeting's last day) when that is later or it has none. A new
    follow-up moves it the same way: `last_activity(<the last activity so far>, <its date>)`.
    `refresh_last_activity` says the same in SQL, for many commitments at once."""
    return agreed_on if reported_on is None else max(agreed_on, reported_on)


def new_commitment(working_group: WorkingGroup, **fields: Any) -> Commitment:
    """A commitment as agreed, not saved: not started, at 0%, at version 1, and, when its
    meeting is given, active from the day it was agreed."""
    meeting = fields.get("meeting")
    return Commitment(
        working_group=working_group,
        status=Status.NOT_STARTED,
        progress=0,
        last_activity_on=None if meeting is None else last_activity(meeting.end_date),
        **fields,
    )


def commitment_search_text(
    commitment: Commitment,
    agencies: Iterable[Agency],
    follow_ups: Iterable[tuple[str, str]] = (),
) -> str:
    """What the list's search finds a commitment by (see commitments.search): its reference,
    title, description and agreed words, its lead agencies' acronyms and names, and its
    follow-ups' notes and external references, given as (note, external reference) pairs.
    (`follow_ups.follow_up_record` adds a new follow-up's pair to the stored text.)"""
    parts = [
        commitment.reference,
        commitment.title,
        commitment.description,
        commitment.source_excerpt,
        *(f"{a.acronym} {a.name}" for a in agencies),
    ]
    for note, reference in follow_ups:
        parts += [note, reference]
    return search_text(parts)


def refresh_search_text(commitment: Commitment) -> None:
    """Recompute what the list's search finds the commitment by (`commitment_search_text`)."""
    commitment.search_text = commitment_search_text(
        commitment,
        commitment.lead_agencies.all(),
        commitment.follow_ups.values_list("note", "external_reference"),
    )
    Commitment.objects.filter(pk=commitment.pk).update(search_text=commitment.search_text)


def refresh_last_activity(commitments: QuerySet[Commitment]) -> None:
    """Set each commitment's last activity (`last_activity`: its last follow-up's date, or its
    meeting's last day when that is later or there is none), in one UPDATE."""
    last_report = (
        FollowUp.objects.filter(commitment=OuterRef("pk"), kind=EntryKind.FOLLOW_UP)
        .order_by()
        .values("commitment")
        .annotate(last=Max("occurred_on"))
        .values("last")
    )
    agreed = Meeting.objects.filter(pk=OuterRef("meeting_id")).values("end_date")
    commitments.update(
        last_activity_on=Greatest(
            Subquery(agreed[:1]), Coalesce(Subquery(last_report), Subquery(agreed[:1]))
        )
    )


def commitment_validate_create(
    *, working_group: WorkingGroup, lead_agencies: Iterable[Agency] = (), **fields: Any
) -> None:
    """Raise the ValidationError `commitment_create` would raise; write nothing."""
    _check(
        new_commitment(working_group, **fields),
        list(lead_agencies),
        exclude=["reference", "last_activity_on"],
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
    imports that must keep references stable). It counts as active from the day it was agreed:
    its meeting's last day."""
    group = _lock_group(working_group)
    commitment = new_commitment(
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
    _check(commitment, lead_agencies, exclude=["reference", "last_activity_on"])
    commitment.reference = reference or _next_reference(
        group=group, meeting=meeting, area=action_area
    )
    commitment.search_text = commitment_search_text(commitment, lead_agencies)
    base.save(commitment, actor=actor)
    commitment.lead_agencies.set(lead_agencies)
    tally_change(group.pk, after=counted(commitment, {a.party_id for a in lead_agencies}))
    return commitment


def _stored(pk: int, *, lock: bool) -> QuerySet[Commitment]:
    queryset = Commitment.objects.select_related("working_group", "meeting").filter(pk=pk)
    # The commitment's row only: a plain FOR UPDATE would lock its group's and its meeting's
    # rows too, and every follow-up of a group would then wait for the one before it.
    return queryset.select_for_update(of=("self",)) if lock else queryset


def current_version(commitment: Commitment, expected_version: int, *, lock: bool) -> Commitment:
    """The commitment as stored (locked for the transaction if `lock`); ConflictError when its
    version is not the one the caller saw."""
    current = _stored(commitment.pk, lock=lock).first()
    if current is None:
        raise Commitment.DoesNotExist(f"No commitment {commitment.pk}.")
    if current.version != expected_version:
        raise ConflictError(current=current, expected_version=expected_version)
    return current


@functools.cache
def _locked_with_leads_sql(vendor: str) -> str:
    """The commitment's row, locked (its own row only), LEFT JOINed to its lead agencies' rows
    and their parties: one row per lead agency, or one with NULLs when it has none. Names from
    the models; the ORM cannot join an auto-created through model from the commitment."""
    q = connection.ops.quote_name
    through = Commitment.lead_agencies.through._meta
    commitment, agency = Commitment._meta, Agency._meta

    def column(meta, name: str) -> str:
        return q(meta.get_field(name).column)

    columns = ", ".join(f"c.{q(field.column)}" for field in commitment.concrete_fields)
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT {columns}, la.{column(through, 'id')} AS lead_row, "  # noqa: S608 (names)
        f"la.{column(through, 'agency')} AS lead_agency, ag.{column(agency, 'party')} AS lead_party "
        f"FROM {q(commitment.db_table)} c "
        f"LEFT JOIN {q(through.db_table)} la "
        f"ON la.{column(through, 'commitment')} = c.{column(commitment, 'id')} "
        f"LEFT JOIN {q(agency.db_table)} ag ON ag.{column(agency, 'id')} = la.{column(through, 'agency')} "
        f"WHERE c.{column(commitment, 'id')} = %s{lock}"
    )


def current_version_with_leads(
    commitment: Commitment, expected_version: int
) -> tuple[Commitment, list[tuple[int, int, int]]]:
    """`current_version(lock=True)` and `tallies.lead_rows` in one statement, for a follow-up
    (its hot path): the commitment as stored, locked, and its lead agencies as (row id, agency
    id, party id). On a conflict, the ConflictError carries the commitment as current_version
    reads it (with its group and meeting)."""
    rows = list(Commitment.objects.raw(_locked_with_leads_sql(connection.vendor), [commitment.pk]))
    if not rows:
        raise Commitment.DoesNotExist(f"No commitment {commitment.pk}.")
    current = rows[0]
    if current.version != expected_version:
        stored = _stored(commitment.pk, lock=True).get()  # locked already: the same row
        raise ConflictError(current=stored, expected_version=expected_version)
    leads = [(r.lead_row, r.lead_agency, r.lead_party) for r in rows if r.lead_row is not None]
    return current, leads


# --------------------------------------------------------------------------- edits


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    if field == "owner":
        return value.get_full_name() or value.get_username()
    if field == "meeting":
        return f"meeting {value.number}"
    if field == "priority":
        return Commitment.Priority(value).label.lower()
    return str(value)


def _leads_shown(agencies: Iterable[Agency]) -> str:
    return ", ".join(sorted(str(a) for a in agencies)) or "none"


def _edit(current: Commitment, changes: dict[str, Any], lead_agencies) -> tuple[list, list | None]:
    """Apply `changes` to `current` (not saved) and say what differs: the edit entry's list of
    changes, and the new lead agencies if they differ (else None)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"commitment_update cannot change {', '.join(sorted(unknown))}")
    described = []
    for field, value in changes.items():
        before = getattr(current, field)
        if before == value:
            continue
        label = str(Commitment._meta.get_field(field).verbose_name).capitalize()
        entry = {"field": field, "label": label, "before": None, "after": None}
        if field in _SPELLED_OUT:
            entry.update(before=_shown(field, before), after=_shown(field, value))
        described.append(entry)
        setattr(current, field, value)
    new_leads = None
    if lead_agencies is not None:
        new_leads = list(lead_agencies)
        old_leads = list(current.lead_agencies.select_related("party"))
        if {a.pk for a in new_leads} != {a.pk for a in old_leads}:
            described.append(
                {
                    "field": "lead_agencies",
                    "label": "Lead agencies",
                    "before": _leads_shown(old_leads),
                    "after": _leads_shown(new_leads),
                }
            )
        else:
            new_leads = None
    return described, new_leads


def _check_edit(current: Commitment, described: list, new_leads, reason: str) -> None:
    errors: dict[str, list] = {}
    try:
        _check(current, new_leads)
    except ValidationError as error:
        errors.update(error.message_dict)
    moved = any(c["field"] == "due_date" and c["before"] != "none" for c in described)
    if moved and not (reason or "").strip():
        errors.setdefault("reason", []).append(
            "Say why the due date moves: both sides see the change and its reason."
        )
    if errors:
        raise ValidationError(errors)


def commitment_validate_update(
    *,
    commitment: Commitment,
    expected_version: int,
    lead_agencies: Iterable[Agency] | None = None,
    reason: str = "",
    **changes: Any,
) -> None:
    """Raise the ConflictError or ValidationError `commitment_update` would raise; write
    nothing. (A caller that must be sure the write then succeeds locks the row first.)"""
    current = current_version(commitment, expected_version, lock=False)
    described, new_leads = _edit(current, changes, lead_agencies)
    _check_edit(current, described, new_leads, reason)


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    expected_version: int,
    actor,
    lead_agencies: Iterable[Agency] | None = None,
    reason: str = "",
    **changes: Any,
) -> Commitment:
    """Change a commitment's details (not its status or progress: those change only with a
    follow-up). Records an edit entry in its log with what changed, by whom and why; moving
    the due date needs a reason. Nothing that differs, nothing written."""
    current = current_version(commitment, expected_version, lock=True)
    before = counted(current)
    described, new_leads = _edit(current, changes, lead_agencies)
    _check_edit(current, described, new_leads, reason)
    if not described:
        return current
    current.version += 1
    base.save(
        FollowUp(
            working_group=current.working_group,
            commitment=current,
            kind=EntryKind.EDIT,
            author=actor,
            occurred_on=timezone.localdate(),
            note=(reason or "").strip(),
            changes=described,
            commitment_version=current.version,
        ),
        actor=actor,
    )
    base.save(current, actor=actor)
    if new_leads is not None:
        current.lead_agencies.set(new_leads)
    fields = {c["field"] for c in described}
    if fields & {"title", "description", "source_excerpt", "lead_agencies"}:
        refresh_search_text(current)
    if "meeting" in fields:
        refresh_last_activity(Commitment.objects.filter(pk=current.pk))
        current.refresh_from_db(fields=["last_activity_on"])
    after = counted(current, None if new_leads is None else {a.party_id for a in new_leads})
    tally_change(current.working_group_id, before, after)
    return current


@transaction.atomic
def commitment_delete(*, commitment: Commitment, actor=None) -> None:
    """Delete a commitment recorded by mistake. One with entries in its log cannot be deleted
    (they are PROTECTed): withdraw it instead."""
    stored = Commitment.objects.select_for_update().filter(pk=commitment.pk).first()
    before = counted(stored) if stored is not None else None
    base.delete(commitment, actor=actor)
    if stored is not None:
        tally_change(stored.working_group_id, before=before)


def meeting_dates_changed(meeting: Meeting) -> None:
    """A meeting's last day moved: its commitments' last activity may have moved with it."""
    agreed = Commitment.objects.filter(meeting=meeting)
    before = recount(agreed)
    refresh_last_activity(agreed)
    tally_change(meeting.working_group_id, before, recount(agreed))


__all__ = [
    "EDITABLE_FIELDS",
    "commitment_create",
    "commitment_delete",
    "commitment_reference",
    "commitment_search_text",
    "commitment_update",
    "commitment_validate_create",
    "commitment_validate_update",
    "current_version",
    "current_version_with_leads",
    "last_activity",
    "meeting_dates_changed",
    "new_commitment",
    "refresh_last_activity",
    "refresh_search_text",
]
