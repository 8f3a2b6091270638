"""Meetings of a working group and who took part in them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import Meeting, Participation, Person, SourceDocument, WorkingGroup
from . import base
from .commitments import meeting_dates_changed


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
    meeting, created = base.ensure(
        Meeting,
        lookup={"working_group": working_group, "number": number},
        defaults=fields,
        actor=actor,
    )
    if created:
        for person, role in participants:
            base.save(Participation(meeting=meeting, person=person, role=role), actor=actor)
        meeting.source_documents.set(source_documents)
    return meeting, created


@transaction.atomic
def meeting_create(*, actor=None, **fields: Any) -> Meeting:
    return base.create(Meeting, actor=actor, **fields)


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor=None, **changes: Any) -> Meeting:
    end_date = meeting.end_date
    meeting, _ = base.update(meeting, actor=actor, **changes)
    if meeting.end_date != end_date:
        meeting_dates_changed(meeting)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor=None) -> None:
    base.delete(meeting, actor=actor)


@transaction.atomic
def meeting_add_source_document(
    *, meeting: Meeting, source_document: SourceDocument, actor=None
) -> Meeting:
    """Cite one more document as a record of the meeting."""
    documents = [*meeting.source_documents.all(), source_document]
    return base.update(meeting, actor=actor, source_documents=documents)[0]


@transaction.atomic
def participation_create(*, actor=None, **fields: Any) -> Participation:
    return base.create(Participation, actor=actor, **fields)


@transaction.atomic
def participation_update(
    *, participation: Participation, actor=None, **changes: Any
) -> Participation:
    return base.update(participation, actor=actor, **changes)[0]


@transaction.atomic
def participation_delete(*, participation: Participation, actor=None) -> None:
    base.delete(participation, actor=actor)
