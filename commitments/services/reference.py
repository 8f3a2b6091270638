"""Reference data: parties, their agencies, people named in documents, source documents.

Each record has `<noun>_ensure` (seeds and imports: create what is missing, keep what exists),
`<noun>_create`, `<noun>_update` and `<noun>_delete` (the admin and the coordinators' pages).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import Agency, Party, Person, SourceDocument, WorkingGroup
from . import base
from .tallies import tally_rebuild

# --------------------------------------------------------------------------- parties


@transaction.atomic
def party_ensure(*, code: str, name: str, actor=None) -> tuple[Party, bool]:
    return base.ensure(Party, lookup={"code": code}, defaults={"name": name}, actor=actor)


@transaction.atomic
def party_create(*, actor=None, **fields: Any) -> Party:
    return base.create(Party, actor=actor, **fields)


@transaction.atomic
def party_update(*, party: Party, actor=None, **changes: Any) -> Party:
    return base.update(party, actor=actor, **changes)[0]


@transaction.atomic
def party_delete(*, party: Party, actor=None) -> None:
    base.delete(party, actor=actor)


# --------------------------------------------------------------------------- agencies


@transaction.atomic
def agency_ensure(*, party: Party, acronym: str, name: str, actor=None) -> tuple[Agency, bool]:
    return base.ensure(
        Agency, lookup={"party": party, "acronym": acronym}, defaults={"name": name}, actor=actor
    )


@transaction.atomic
def agency_create(*, actor=None, **fields: Any) -> Agency:
    return base.create(Agency, actor=actor, **fields)


def _groups_led_by(agency: Agency) -> list[int]:
    return list(
        agency.commitments_led.order_by().values_list("working_group_id", flat=True).distinct()
    )


def _recount(group_ids: list[int]) -> None:
    """An agency's side changed (or it is gone): the sides of what it leads changed with it,
    so the groups' counts by side are counted again (rare: an admin's correction)."""
    for group_id in group_ids:
        tally_rebuild(working_group_id=group_id)


@transaction.atomic
def agency_update(*, agency: Agency, actor=None, **changes: Any) -> Agency:
    party_id = agency.party_id
    agency = base.update(agency, actor=actor, **changes)[0]
    if agency.party_id != party_id:
        _recount(_groups_led_by(agency))
    return agency


@transaction.atomic
def agency_delete(*, agency: Agency, actor=None) -> None:
    groups = _groups_led_by(agency)
    base.delete(agency, actor=actor)
    _recount(groups)


# --------------------------------------------------------------------------- people


@transaction.atomic
def person_ensure(
    *, name: str, title: str = "", agency: Agency | None = None, actor=None
) -> tuple[Person, bool]:
    return base.ensure(
        Person, lookup={"name": name, "agency": agency}, defaults={"title": title}, actor=actor
    )


@transaction.atomic
def person_create(*, actor=None, **fields: Any) -> Person:
    return base.create(Person, actor=actor, **fields)


@transaction.atomic
def person_update(*, person: Person, actor=None, **changes: Any) -> Person:
    return base.update(person, actor=actor, **changes)[0]


@transaction.atomic
def person_delete(*, person: Person, actor=None) -> None:
    base.delete(person, actor=actor)


# --------------------------------------------------------------------------- source documents


@transaction.atomic
def source_document_ensure(
    *, working_group: WorkingGroup, title: str, actor=None, **fields: Any
) -> tuple[SourceDocument, bool]:
    return base.ensure(
        SourceDocument,
        lookup={"working_group": working_group, "title": title},
        defaults=fields,
        actor=actor,
    )


@transaction.atomic
def source_document_create(*, actor=None, **fields: Any) -> SourceDocument:
    return base.create(SourceDocument, actor=actor, **fields)


@transaction.atomic
def source_document_update(
    *, source_document: SourceDocument, actor=None, **changes: Any
) -> SourceDocument:
    return base.update(source_document, actor=actor, **changes)[0]


@transaction.atomic
def source_document_delete(*, source_document: SourceDocument, actor=None) -> None:
    base.delete(source_document, actor=actor)
