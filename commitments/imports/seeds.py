"""Read a seed file (YAML) and load it through `commitments.services`.

A seed file describes one working group: its parties, agencies and people, the group itself, its
source documents, meetings, action areas, commitments and indicators (see seeds/*.yaml for the
format, documented at the top of each file). Every record is checked here (with
`imports.records.Fields`) before it reaches a service, so a malformed file fails with a
`RecordError` that names the record and the problem instead of a KeyError.

Loading is idempotent: the `*_ensure` services leave existing rows alone, and a commitment whose
reference already exists in the group is kept as it is (status, progress and follow-ups recorded
since are never touched). The caller wraps the whole load in one transaction.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from .. import services
from ..models import (
    ActionArea,
    Agency,
    Commitment,
    Direction,
    Indicator,
    Meeting,
    MeetingFormat,
    ParticipationRole,
    Party,
    Person,
    Priority,
    SourceDocument,
    SourceKind,
    WorkingGroup,
)
from .records import Fields, RecordError, messages_of, record_label

# A seed's excerpt is a short quoted phrase, never a whole passage (we do not copy the source).
EXCERPT_MAX_WORDS = 15

SECTIONS = (
    "parties",
    "agencies",
    "people",
    "working_group",
    "documents",
    "meetings",
    "action_areas",
    "commitments",
    "indicators",
)


# --------------------------------------------------------------------------- reading YAML


class _SeedYamlLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported against its record
    (PyYAML would otherwise fail on 2026-02-30 with a bare ValueError)."""


_SeedYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError("(file)", "no such file", path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RecordError("(file)", f"cannot be read: {error}", path) from None
    try:
        return yaml.load(text, Loader=_SeedYamlLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        record = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        context_mark = getattr(error, "context_mark", None)
        if context and context_mark:
            context += f" started at line {context_mark.line + 1}, column {context_mark.column + 1}"
        detail = f"{context}: {problem}" if context else problem
        raise RecordError(record, f"not valid YAML ({detail})", path) from None


# --------------------------------------------------------------------------- the loader


@dataclass
class Document:
    key: str
    label: str
    paragraphs: int | None
    fields: dict[str, Any]
    obj: SourceDocument | None = None


@dataclass
class LoadResult:
    path: Path
    group: WorkingGroup | None = None
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        names = list(dict.fromkeys([*self.created, *self.kept]))
        parts = [f"{name} {self.created[name]} created, {self.kept[name]} kept" for name in names]
        return "; ".join(parts)


class SeedFile:
    """One seed file, loaded section by section. Call `load()` inside a transaction."""

    def __init__(self, path: Path, *, actor=None):
        self.path = path
        self.actor = actor
        self.result = LoadResult(path=path)
        self.parties: dict[str, Party] = {}
        self.agencies: dict[tuple[str, str], Agency] = {}
        self.people: dict[str, Person] = {}
        self.documents: dict[str, Document] = {}
        self.meetings: dict[int, Meeting] = {}
        self.areas: dict[str, ActionArea] = {}
        self.commitments: dict[str, Commitment] = {}
        self.group: WorkingGroup | None = None
        self.group_parties: list[str] = []
        self.short_name = ""

    def load(self) -> LoadResult:
        try:
            data = read_yaml(self.path)
            top = Fields(data, "(top level)", set(SECTIONS))
            self._read_documents(top)
            self._parties(top)
            self._agencies(top)
            self._people(top)
            self._working_group(top)
            self._create_documents()
            self._meetings(top)
            self._action_areas(top)
            self._commitments(top)
            self._indicators(top)
        except RecordError as error:
            error.path = self.path
            raise
        self.result.group = self.group
        return self.result

    # ------------------------------------------------------------------ helpers

    def _ensure(self, label: str, service, model, *, extra: dict | None = None, **fields):
        """Call an `*_ensure` service with the record's model `fields` (plus `extra` arguments
        such as many-to-many lists), after checking the fields."""
        self._check_fields(label, model, fields)
        obj, created = self._call(label, service, actor=self.actor, **fields, **(extra or {}))
        self._count(model, created)
        return obj

    def _check_fields(self, label: str, model, fields: dict[str, Any]) -> None:
        """Validate each field as the model would (length, choices, format), whether or not the
        record exists yet, so a file is accepted or refused the same way on every load. (The
        services' full_clean also checks constraints, which only matters for new records.)"""
        try:
            model(**fields).clean_fields()
        except ValidationError as error:
            raise RecordError(label, messages_of(error)) from None

    def _call(self, label: str, service, **kwargs):
        try:
            return service(**kwargs)
        except ValidationError as error:
            raise RecordError(label, messages_of(error)) from None
        except IntegrityError as error:
            raise RecordError(label, f"the database refused it ({error})") from None

    def _count(self, model, created: bool) -> None:
        name = str(model._meta.verbose_name_plural)
        (self.result.created if created else self.result.kept)[name] += 1

    def _each(self, top: Fields, section: str, ident: str, allowed: set[str]):
        """The records of a section as Fields, refusing a repeated identifier."""
        seen: set[Any] = set()
        for index, data in enumerate(top.records(section)):
            record = Fields(data, record_label(section, index, data, ident), allowed)
            key = record.data.get(ident)
            if isinstance(key, str | int):
                if key in seen:
                    raise record.error(f"{ident} {key!r} appears more than once in {section}")
                seen.add(key)
            yield record

    def _party(self, record: Fields, key: str = "party") -> Party:
        code = record.text(key)
        if code not in self.parties:
            raise record.error(
                f"{key}: no party {code!r} in this file (known: {self._known(self.parties)})"
            )
        return self.parties[code]

    def _agency(self, record: Fields, party_code: str, acronym: Any, key: str) -> Agency:
        if not isinstance(acronym, str) or (party_code, acronym) not in self.agencies:
            known = ", ".join(a for p, a in self.agencies if p == party_code) or "none"
            raise record.error(
                f"{key}: no agency {acronym!r} of {party_code} in this file (known: {known})"
            )
        return self.agencies[(party_code, acronym)]

    def _agencies_per_side(self, record: Fields, key: str, *, required: bool) -> list[Agency]:
        value = record.data.get(key)
        if value is None:
            if required:
                raise record.error(f"missing field '{key}'")
            return []
        if not isinstance(value, dict) or not value:
            raise record.error(f"{key}: expected one list of acronyms per party, e.g. US: [ONDCP]")
        agencies = []
        for party_code, acronyms in value.items():
            if party_code not in self.group_parties:
                raise record.error(
                    f"{key}: {party_code!r} is not a party to the working group "
                    f"(parties: {', '.join(self.group_parties) or 'none yet'})"
                )
            if not isinstance(acronyms, list) or not acronyms:
                raise record.error(f"{key}: {party_code}: expected a list of acronyms")
            agencies += [self._agency(record, party_code, acronym, key) for acronym in acronyms]
        return agencies

    @staticmethod
    def _known(mapping: dict) -> str:
        return ", ".join(str(key) for key in mapping) or "none"

    def _cite(self, record: Fields) -> list[int]:
        cite = record.mapping("cite", {"document", "paras"})
        document = self._document_ref(cite, "document")
        paras = cite.data.get("paras")
        if (
            not isinstance(paras, list)
            or not paras
            or any(isinstance(p, bool) or not isinstance(p, int) for p in paras)
        ):
            raise cite.error("paras: expected a list of paragraph numbers, e.g. [1, 3]")
        self._check_paragraphs(cite, document, paras)
        return paras

    def _document_ref(self, record: Fields, key: str) -> Document:
        ref = record.text(key)
        if ref not in self.documents:
            raise record.error(
                f"{key}: no document {ref!r} in this file (known: {self._known(self.documents)})"
            )
        return self.documents[ref]

    @staticmethod
    def _check_paragraphs(record: Fields, document: Document, paras: list[int]) -> None:
        limit = document.paragraphs
        for para in paras:
            if para < 1 or (limit is not None and para > limit):
                raise record.error(
                    f"paragraph {para} is not in {document.key} (it has {limit} paragraphs)"
                    if limit
                    else f"paragraph {para} is not a paragraph number"
                )

    # ------------------------------------------------------------------ sections

    def _read_documents(self, top: Fields) -> None:
        allowed = {"key", "title", "publisher", "kind", "published_on", "url", "paragraphs"}
        for record in self._each(top, "documents", "key", allowed):
            key = record.text("key")
            paragraphs = record.data.get("paragraphs")
            if paragraphs is not None:
                paragraphs = record.integer("paragraphs")
                if paragraphs < 1:
                    raise record.error("paragraphs: must be at least 1")
            self.documents[key] = Document(
                key=key,
                label=record.label,
                paragraphs=paragraphs,
                fields={
                    "title": record.text("title"),
                    "publisher": record.text("publisher"),
                    "kind": record.choice("kind", SourceKind),
                    "published_on": record.date("published_on", required=False),
                    "url": record.text("url", required=False),
                },
            )

    def _parties(self, top: Fields) -> None:
        for record in self._each(top, "parties", "code", {"code", "name", "cite"}):
            code = record.text("code")
            name = record.text("name")
            self._cite(record)
            self.parties[code] = self._ensure(
                record.label, services.party_ensure, Party, code=code, name=name
            )

    def _agencies(self, top: Fields) -> None:
        seen: set[tuple[str, str]] = set()
        for index, data in enumerate(top.records("agencies")):
            label = record_label("agencies", index, data, "acronym")
            record = Fields(data, label, {"party", "acronym", "name", "cite"})
            party = self._party(record)
            acronym = record.text("acronym")
            if (party.code, acronym) in seen:
                raise record.error(f"agency {party.code}/{acronym} appears more than once")
            seen.add((party.code, acronym))
            name = record.text("name")
            self._cite(record)
            self.agencies[(record.text("party"), acronym)] = self._ensure(
                label, services.agency_ensure, Agency, party=party, acronym=acronym, name=name
            )

    def _people(self, top: Fields) -> None:
        allowed = {"name", "title", "party", "agency", "cite"}
        for record in self._each(top, "people", "name", allowed):
            name = record.text("name")
            agency = None
            if record.data.get("agency") is not None:
                self._party(record)
                agency = self._agency(record, record.text("party"), record.text("agency"), "agency")
            self._cite(record)
            self.people[name] = self._ensure(
                record.label,
                services.person_ensure,
                Person,
                name=name,
                title=record.text("title", required=False),
                agency=agency,
            )

    def _working_group(self, top: Fields) -> None:
        data = top.data.get("working_group")
        if data is None:
            raise top.error("missing section 'working_group'")
        slug = data.get("slug") if isinstance(data, dict) else None
        label = f"working_group {slug}" if isinstance(slug, str) else "working_group"
        allowed = {"slug", "short_name", "name", "description", "parties", "lead_agencies", "cite"}
        record = Fields(data, label, allowed)
        slug = record.text("slug")
        self.short_name = record.text("short_name")
        self.group_parties = record.texts("parties")
        for code in self.group_parties:
            if code not in self.parties:
                raise record.error(
                    f"parties: no party {code!r} in this file (known: {self._known(self.parties)})"
                )
        lead_agencies = self._agencies_per_side(record, "lead_agencies", required=False)
        self._cite(record)
        self.group = self._ensure(
            label,
            services.working_group_ensure,
            WorkingGroup,
            slug=slug,
            name=record.text("name"),
            short_name=self.short_name,
            description=record.text("description", required=False),
            extra={
                "parties": [self.parties[code] for code in self.group_parties],
                "lead_agencies": lead_agencies,
            },
        )

    def _create_documents(self) -> None:
        for document in self.documents.values():
            document.obj = self._ensure(
                document.label,
                services.source_document_ensure,
                SourceDocument,
                working_group=self.group,
                **document.fields,
            )

    def _meetings(self, top: Fields) -> None:
        allowed = {
            "number",
            "title",
            "start_date",
            "end_date",
            "location",
            "format",
            "opened_by",
            "participants",
            "summary",
            "documents",
            "cite",
        }
        for record in self._each(top, "meetings", "number", allowed):
            number = record.integer("number")
            opened_by = None
            if record.data.get("opened_by") is not None:
                opened_by = self._person(record, record.text("opened_by"), "opened_by")
            participants = []
            for index, data in enumerate(record.records("participants")):
                label = f"{record.label} participants[{index}]"
                participant = Fields(data, label, {"person", "role"})
                person = self._person(participant, participant.text("person"), "person")
                participants.append((person, participant.choice("role", ParticipationRole)))
            documents = []
            for key in record.texts("documents", required=False):
                if key not in self.documents:
                    raise record.error(
                        f"documents: no document {key!r} in this file "
                        f"(known: {self._known(self.documents)})"
                    )
                documents.append(self.documents[key].obj)
            self._cite(record)
            start_date, end_date = record.date("start_date"), record.date("end_date")
            if end_date < start_date:
                raise record.error("end_date: the meeting cannot end before it starts")
            self.meetings[number] = self._ensure(
                record.label,
                services.meeting_ensure,
                Meeting,
                working_group=self.group,
                number=number,
                title=record.text("title"),
                start_date=start_date,
                end_date=end_date,
                location=record.text("location", required=False),
                format=record.choice("format", MeetingFormat, default=MeetingFormat.IN_PERSON),
                opened_by=opened_by,
                summary=record.text("summary", required=False),
                extra={"participants": participants, "source_documents": documents},
            )

    def _person(self, record: Fields, name: str, key: str) -> Person:
        if name not in self.people:
            raise record.error(
                f"{key}: no person {name!r} in this file (known: {self._known(self.people)})"
            )
        return self.people[name]

    def _action_areas(self, top: Fields) -> None:
        allowed = {"code", "slug", "name", "order", "description", "keywords", "cite"}
        slugs: set[str] = set()
        for record in self._each(top, "action_areas", "code", allowed):
            code = record.text("code")
            slug = record.text("slug")
            if slug in slugs:
                raise record.error(f"slug {slug!r} appears more than once in action_areas")
            slugs.add(slug)
            order = record.integer("order", required=False)
            if order < 0:
                raise record.error("order: must be 0 or more")
            self._cite(record)
            self.areas[code] = self._ensure(
                record.label,
                services.action_area_ensure,
                ActionArea,
                working_group=self.group,
                slug=slug,
                name=record.text("name"),
                code=code,
                description=record.text("description", required=False),
                order=order,
                keywords=record.texts("keywords", required=False),
            )

    def _area(self, record: Fields, key: str = "area") -> ActionArea:
        code = record.text(key)
        if code not in self.areas:
            raise record.error(
                f"{key}: no action area {code!r} in this file (known: {self._known(self.areas)})"
            )
        return self.areas[code]

    def _commitments(self, top: Fields) -> None:
        allowed = {
            "reference",
            "meeting",
            "area",
            "title",
            "description",
            "lead_agencies",
            "priority",
            "due_date",
            "source",
        }
        for record in self._each(top, "commitments", "reference", allowed):
            reference = record.text("reference")
            number = record.integer("meeting")
            if number not in self.meetings:
                raise record.error(
                    f"meeting: no meeting {number} in this file "
                    f"(known: {self._known(self.meetings)})"
                )
            area = self._area(record)
            expected = f"{self.short_name}-{number}-{record.text('area')}-"
            if not re.fullmatch(re.escape(expected) + r"\d{2,}", reference):
                raise record.error(
                    f"reference: {reference!r} does not follow the pattern {expected}NN "
                    "(group, meeting, area code, number)"
                )
            fields = {
                "working_group": self.group,
                "action_area": area,
                "meeting": self.meetings[number],
                "title": record.text("title"),
                "description": record.text("description", required=False),
                "priority": record.choice("priority", Priority, default=Priority.MEDIUM),
                "due_date": record.date("due_date", required=False),
                **self._commitment_source(record),
            }
            lead_agencies = self._agencies_per_side(record, "lead_agencies", required=True)
            self._check_fields(record.label, Commitment, {**fields, "reference": reference})
            existing = Commitment.objects.filter(
                working_group=self.group, reference=reference
            ).first()
            if existing is not None:
                self.commitments[reference] = existing
                self._count(Commitment, False)
                continue
            self.commitments[reference] = self._call(
                record.label,
                services.commitment_create,
                reference=reference,
                lead_agencies=lead_agencies,
                actor=self.actor,
                **fields,
            )
            self._count(Commitment, True)

    def _commitment_source(self, record: Fields) -> dict[str, Any]:
        source = record.mapping("source", {"document", "locator", "excerpt"})
        document = self._document_ref(source, "document")
        locator = source.text("locator")
        excerpt = source.text("excerpt")
        paras = [int(n) for n in re.findall(r"\d+", locator)] if "para" in locator else []
        self._check_paragraphs(source, document, paras)
        words = len(excerpt.split())
        if words > EXCERPT_MAX_WORDS:
            raise source.error(
                f"excerpt: {words} words; quote a short phrase of at most "
                f"{EXCERPT_MAX_WORDS} words, not whole sentences"
            )
        return {
            "source_document": document.obj,
            "source_locator": locator,
            "source_excerpt": excerpt,
        }

    def _indicators(self, top: Fields) -> None:
        allowed = {"name", "unit", "direction", "area", "commitment", "description", "cite"}
        for record in self._each(top, "indicators", "name", allowed):
            name = record.text("name")
            area = self._area(record) if record.data.get("area") is not None else None
            commitment = None
            if record.data.get("commitment") is not None:
                reference = record.text("commitment")
                if reference not in self.commitments:
                    raise record.error(
                        f"commitment: no commitment {reference!r} in this file "
                        f"(known: {self._known(self.commitments)})"
                    )
                commitment = self.commitments[reference]
            paras = self._cite(record)
            locator = ("para. " if len(paras) == 1 else "paras. ") + ", ".join(map(str, paras))
            self._ensure(
                record.label,
                services.indicator_ensure,
                Indicator,
                working_group=self.group,
                name=name,
                unit=record.text("unit"),
                direction=record.choice("direction", Direction, default=Direction.HIGHER),
                action_area=area,
                commitment=commitment,
                description=record.text("description", required=False),
                source_locator=locator,
            )


def load_seed_file(path: Path, *, actor=None) -> LoadResult:
    """Load one seed file. Raises RecordError naming the file, the record and the problem; run it
    inside `transaction.atomic()` so an error leaves the database as it was."""
    return SeedFile(path, actor=actor).load()


__all__ = ["EXCERPT_MAX_WORDS", "LoadResult", "RecordError", "load_seed_file", "read_yaml"]
