"""Meetings of a working group and who took part in them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
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


# --------------------------------------------------------------------------- the coordinators' form


def _people(participants: Iterable[dict], actor) -> list[tuple[Person, str]]:
    """(person, role) for each participant: a known person, or one created (or found) from a
    name, title and agency. A person listed twice is refused."""
    chosen: list[tuple[Person, str]] = []
    for item in participants:
        person = item.get("person")
        if person is None:
            person, _ = base.ensure(
                Person,
                lookup={"name": item["name"], "agency": item.get("agency")},
                defaults={"title": item.get("title", "")},
                actor=actor,
            )
        chosen.append((person, item["role"]))
    seen: set[int] = set()
    for person, _role in chosen:
        if person.pk in seen:
            raise ValidationError({"participants": f"{person.name} is listed twice."})
        seen.add(person.pk)
    return chosen


def _document(group: WorkingGroup, new_document: dict | None, actor) -> SourceDocument | None:
    if not new_document:
        return None
    return base.create(SourceDocument, actor=actor, working_group=group, **new_document)


@transaction.atomic
def meeting_record(
    *,
    working_group: WorkingGroup,
    participants: Iterable[dict] = (),
    source_documents: Iterable[SourceDocument] = (),
    new_document: dict | None = None,
    actor=None,
    **fields: Any,
) -> Meeting:
    """A meeting of the group, as a coordinator records it: its details, who took part (known
    people, or new ones created with their agency) and the documents that record it (chosen,
    or one new citation with its text)."""
    WorkingGroup.objects.select_for_update().filter(pk=working_group.pk).exists()
    meeting = base.save(Meeting(working_group=working_group, **fields), actor=actor)
    for person, role in _people(participants, actor):
        base.save(Participation(meeting=meeting, person=person, role=role), actor=actor)
    documents = list(source_documents)
    document = _document(working_group, new_document, actor)
    if document is not None:
        documents.append(document)
    meeting.source_documents.set(documents)
    return meeting


@transaction.atomic
def meeting_revise(
    *,
    meeting: Meeting,
    participants: Iterable[dict] = (),
    source_documents: Iterable[SourceDocument] = (),
    new_document: dict | None = None,
    actor=None,
    **changes: Any,
) -> Meeting:
    """Change a meeting as its form shows it: the details, the whole list of participants
    (those left out are removed, roles updated) and of documents."""
    chosen = _people(participants, actor)
    documents = list(source_documents)
    document = _document(meeting.working_group, new_document, actor)
    if document is not None:
        documents.append(document)
    meeting = meeting_update(meeting=meeting, actor=actor, source_documents=documents, **changes)
    current = {p.person_id: p for p in meeting.participations.all()}
    wanted = {person.pk: (person, role) for person, role in chosen}
    for person_id, participation in current.items():
        if person_id not in wanted:
            base.delete(participation, actor=actor)
        elif participation.role != wanted[person_id][1]:
            base.update(participation, actor=actor, role=wanted[person_id][1])
    for person_id, (person, role) in wanted.items():
        if person_id not in current:
            base.save(Participation(meeting=meeting, person=person, role=role), actor=actor)
    return meeting
