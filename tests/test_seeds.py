"""Seeds: `load_seeds` loads the DPEWG through the services, idempotently, all or nothing, and
the seeded data says what the source document says (in our words, citing its paragraphs)."""

from __future__ import annotations

import copy
import datetime
import re
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from commitments import services
from commitments.imports.seeds import read_yaml
from commitments.models import (
    ActionArea,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    SourceDocument,
    Status,
    WorkingGroup,
)
from tests import factories
from tests.conftest import SEED_SOURCE
from tests.factories import Role

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "us-india-dpewg.yaml"
# The source document lives beside the repository (CI checks out shared/ next to the clone);
# the tests that read it are marked `seed_source` (see tests/conftest.py).
SOURCE_FILE = SEED_SOURCE
REFERENCES = {
    "DPEWG-1-PC-01",
    "DPEWG-1-SC-01",
    "DPEWG-1-SC-02",
    "DPEWG-1-JO-01",
    "DPEWG-1-JO-02",
    "DPEWG-1-JO-03",
    "DPEWG-1-JO-04",
}


def counts() -> dict[str, int]:
    """Rows in every table, history and many-to-many tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def load(*paths: Path | str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_seeds", *map(str, paths), stdout=out)
    return out.getvalue()


def source_paragraphs() -> list[str]:
    return [
        line.strip()
        for line in SOURCE_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def seed_data() -> dict:
    return read_yaml(SEED_FILE)


def write(tmp_path: Path, data, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    text = (
        data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def seeded(db) -> WorkingGroup:
    load(SEED_FILE)
    return WorkingGroup.objects.get(slug="us-india-dpewg")


# --------------------------------------------------------------------------- loading


def test_it_loads_the_seed_file_through_the_services(db):
    before = counts()

    out = load(SEED_FILE)

    after = counts()
    assert after["commitments.WorkingGroup"] == 1
    assert after["commitments.Party"] == 2
    assert after["commitments.Agency"] == 4
    assert after["commitments.Person"] == 2
    assert after["commitments.SourceDocument"] == 1
    assert after["commitments.Meeting"] == 1
    assert after["commitments.Participation"] == 2
    assert after["commitments.ActionArea"] == 3
    assert after["commitments.Commitment"] == len(REFERENCES)
    assert after["commitments.Indicator"] == 6
    # Through the services: every row has its history.
    assert Commitment.history.values("id").distinct().count() == len(REFERENCES)
    assert after["commitments.HistoricalActionArea"] == 3
    assert before["commitments.Commitment"] == 0
    assert "commitments 7 created, 0 kept" in out
    assert "Loaded 1 seed file(s): 27 records created, 0 kept." in out


def test_it_changes_nothing_when_loaded_again(seeded):
    first = counts()

    out = load(SEED_FILE)

    assert counts() == first
    assert "0 records created, 27 kept" in out
    load(SEED_FILE)
    assert counts() == first


def test_it_defaults_to_the_project_seed_files(db):
    call_command("load_seeds", stdout=None)

    group = WorkingGroup.objects.get(slug="us-india-dpewg")
    assert set(group.commitments.values_list("reference", flat=True)) == REFERENCES


def test_it_reads_every_yaml_file_in_seeds_in_name_order(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "seeds").mkdir()
    write(tmp_path / "seeds", seed_data(), "b-dpewg.yaml")
    write(tmp_path / "seeds", "- not a mapping\n", "a-broken.yaml")
    write(tmp_path / "seeds", "not: [yaml", "notes.txt")  # not a seed file: ignored

    with pytest.raises(CommandError, match=r"a-broken\.yaml: \(top level\): expected a mapping"):
        call_command("load_seeds")
    assert not WorkingGroup.objects.exists()

    (tmp_path / "seeds" / "a-broken.yaml").unlink()
    call_command("load_seeds", stdout=None)
    assert WorkingGroup.objects.filter(slug="us-india-dpewg").exists()


def test_it_refuses_when_there_are_no_seed_files(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path

    with pytest.raises(CommandError, match="No seed files"):
        call_command("load_seeds")


def test_it_keeps_what_analysts_and_coordinators_recorded_since(seeded):
    analyst = factories.member(seeded, Role.ANALYST, "analyst")
    coordinator = factories.member(seeded, Role.COORDINATOR, "coordinator")
    commitment = seeded.commitments.get(reference="DPEWG-1-PC-01")
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="First joint review of precursor licences held.",
        status=Status.IN_PROGRESS,
        progress=40,
        expected_version=commitment.version,
    )
    services.commitment_update(
        commitment=commitment,
        expected_version=commitment.version,
        actor=coordinator,
        title="Stop precursor diversion (renamed by the coordinator)",
        priority=Commitment.Priority.LOW,
    )
    completed = seeded.commitments.get(reference="DPEWG-1-JO-01")
    services.follow_up_record(
        commitment=completed,
        author=analyst,
        note="Operation concluded.",
        status=Status.COMPLETED,
        expected_version=completed.version,
    )
    area = seeded.action_areas.get(code="SC")
    area.name, area.keywords = "Pharma supply chains", ["pharma"]
    area.save()
    before = counts()

    load(SEED_FILE)

    assert counts() == before
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (
        Status.IN_PROGRESS,
        40,
        3,
    )
    assert commitment.title == "Stop precursor diversion (renamed by the coordinator)"
    assert commitment.priority == Commitment.Priority.LOW
    completed.refresh_from_db()
    assert (completed.status, completed.progress) == (Status.COMPLETED, 100)
    # Two follow-ups, and the coordinator's edit of the title and priority.
    assert FollowUp.objects.filter(commitment__working_group=seeded).follow_ups().count() == 2
    assert FollowUp.objects.filter(commitment__working_group=seeded, kind="edit").count() == 1
    area.refresh_from_db()
    assert (area.name, area.keywords) == ("Pharma supply chains", ["pharma"])


def test_it_adds_new_records_of_an_edited_file_and_keeps_the_rest(seeded, tmp_path):
    data = seed_data()
    new = copy.deepcopy(data["commitments"][0])
    new.update(reference="DPEWG-1-PC-02", title="A commitment added to the file later")
    data["commitments"].append(new)
    data["commitments"][0]["title"] = "Edited in the file, must not overwrite the database"
    before = counts()

    out = load(write(tmp_path, data, "edited.yaml"))

    assert "commitments 1 created, 7 kept" in out
    assert counts()["commitments.Commitment"] == before["commitments.Commitment"] + 1
    assert seeded.commitments.get(reference="DPEWG-1-PC-02").title.startswith("A commitment")
    assert seeded.commitments.get(reference="DPEWG-1-PC-01").title.startswith("Stop precursor")


# --------------------------------------------------------------------------- broken files


def _set(path: str, value):
    """A mutator setting data[a][b]... (dotted path, list indexes as numbers)."""

    def mutate(data):
        *parents, last = [int(p) if p.lstrip("-").isdigit() else p for p in path.split(".")]
        target = data
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
        return data

    return mutate


_DELETE = object()


def _duplicate_first_commitment(data):
    data["commitments"].append(copy.deepcopy(data["commitments"][0]))
    return data


def _drop_working_group(data):
    del data["working_group"]
    return data


BROKEN = {
    "bad YAML": (
        "parties:\n  - code: US\n    name: [United States\n",
        "line 4, column 1",
        "not valid YAML (while parsing a flow sequence started at line 3, column 11: "
        "expected ',' or ']', but got '<stream end>')",
    ),
    "not a mapping": ("- just\n- a list\n", "(top level)", "expected a mapping of fields"),
    "missing required field": (
        _set("commitments.-1.title", _DELETE),
        "commitments[6] DPEWG-1-JO-04",
        "missing field 'title'",
    ),
    "missing section": (
        _drop_working_group,
        "(top level)",
        "missing section 'working_group'",
    ),
    "unknown area code": (
        _set("commitments.3.area", "XX"),
        "commitments[3] DPEWG-1-JO-01",
        "area: no action area 'XX' in this file (known: PC, SC, JO)",
    ),
    "unknown agency": (
        _set("commitments.-1.lead_agencies.IN", ["CBI"]),
        "commitments[6] DPEWG-1-JO-04",
        "lead_agencies: no agency 'CBI' of IN in this file",
    ),
    "agency of a party outside the group": (
        _set("commitments.2.lead_agencies", {"UK": ["NCA"]}),
        "commitments[2] DPEWG-1-SC-02",
        "'UK' is not a party to the working group",
    ),
    "unknown person": (
        _set("meetings.0.opened_by", "Someone Else"),
        "meetings[0] 1",
        "opened_by: no person 'Someone Else' in this file",
    ),
    "invalid priority": (
        _set("commitments.-1.priority", "urgent"),
        "commitments[6] DPEWG-1-JO-04",
        "priority: 'urgent' is not one of low, medium, high",
    ),
    "invalid meeting format": (
        _set("meetings.0.format", "in-person"),
        "meetings[0] 1",
        "format: 'in-person' is not one of in_person, virtual, hybrid",
    ),
    "invalid participant role": (
        _set("meetings.0.participants.1.role", "host"),
        "meetings[0] 1 participants[1]",
        "role: 'host' is not one of chair, delegation_lead, delegate",
    ),
    "bad date": (
        _set("meetings.0.end_date", "2026-02-30"),
        "meetings[0] 1",
        "end_date: '2026-02-30' is not a valid date",
    ),
    "date in the wrong format": (
        _set("meetings.0.start_date", "20 January 2026"),
        "meetings[0] 1",
        "start_date: expected a date as YYYY-MM-DD",
    ),
    "meeting ending before it starts": (
        _set("meetings.0.end_date", "2026-01-19"),
        "meetings[0] 1",
        "end_date: the meeting cannot end before it starts",
    ),
    "invalid short name": (
        _set("working_group.short_name", "dpewg"),
        "working_group us-india-dpewg",
        "short_name: Use capital letters and digits only",
    ),
    "too long a value in the last record": (
        _set("indicators.-1.unit", "x" * 60),
        "indicators[5] Criminal networks disrupted",
        "unit: Ensure this value has at most 50 characters (it has 60).",
    ),
    "duplicate reference": (
        _duplicate_first_commitment,
        "commitments[7] DPEWG-1-PC-01",
        "reference 'DPEWG-1-PC-01' appears more than once in commitments",
    ),
    "duplicate area slug": (
        _set("action_areas.2.slug", "precursor-chemicals"),
        "action_areas[2] JO",
        "slug 'precursor-chemicals' appears more than once",
    ),
    "unknown field": (
        _set("commitments.2.stauts", "completed"),
        "commitments[2] DPEWG-1-SC-02",
        "unknown field 'stauts'",
    ),
    "wrong type": (
        _set("action_areas.0.keywords", "precursor, diversion"),
        "action_areas[0] PC",
        "keywords: expected a list, got 'precursor, diversion'",
    ),
    "yes/no where text is expected": (
        _set("parties.1.code", True),
        "parties[1]",
        "code: expected text, got true",
    ),
    "list where text is expected": (
        _set("commitments.4.reference", ["DPEWG-1-JO-02"]),
        "commitments[4]",
        "reference: expected text, got a list",
    ),
    "reference off the pattern": (
        _set("commitments.0.reference", "DPEWG-1-SC-09"),
        "commitments[0] DPEWG-1-SC-09",
        "does not follow the pattern DPEWG-1-PC-NN",
    ),
    "missing citation": (
        _set("agencies.1.cite", _DELETE),
        "agencies[1] NCB",
        "missing field 'cite'",
    ),
    "citation of an unknown document": (
        _set("people.0.cite.document", "a-blog-post"),
        "people[0] Sara Carter cite",
        "document: no document 'a-blog-post' in this file (known: dpewg-1-news-report)",
    ),
    "citation of a paragraph the source does not have": (
        _set("commitments.1.source.locator", "para. 9"),
        "commitments[1] DPEWG-1-SC-01 source",
        "paragraph 9 is not in dpewg-1-news-report (it has 5 paragraphs)",
    ),
    "excerpt too long to be a short quote": (
        _set("commitments.1.source.excerpt", " ".join(["word"] * 16)),
        "commitments[1] DPEWG-1-SC-01 source",
        "excerpt: 16 words; quote a short phrase of at most 15 words",
    ),
    "indicator tied to an unknown commitment": (
        _set("indicators.0.commitment", "DPEWG-1-PC-09"),
        "indicators[0] Precursor-chemical diversion cases pursued jointly",
        "commitment: no commitment 'DPEWG-1-PC-09' in this file",
    ),
}
# Constraints between rows (caught by the services' full_clean) only matter for new records: a
# reload keeps existing ones as they are, whatever admins have changed since.
BROKEN_NEW_RECORDS_ONLY = {
    "name shared by two agencies of one party": (
        _set("agencies.3.name", "Narcotics Control Bureau"),
        "agencies[3] EOI Washington",
        "This party already has an agency with this name.",
    ),
}


@pytest.mark.parametrize(
    ("preloaded", "broken"),
    [
        *((False, case) for case in BROKEN.items()),
        *((True, case) for case in BROKEN.items()),
        *((False, case) for case in BROKEN_NEW_RECORDS_ONLY.items()),
    ],
    ids=[
        *(f"empty db, {name}" for name in BROKEN),
        *(f"seeded db, {name}" for name in BROKEN),
        *(f"empty db, {name}" for name in BROKEN_NEW_RECORDS_ONLY),
    ],
)
def test_it_refuses_a_broken_file_naming_file_record_and_problem_and_changes_nothing(
    db, tmp_path, preloaded, broken
):
    _name, (mutate, record, problem) = broken
    if preloaded:
        load(SEED_FILE)
    text = mutate if isinstance(mutate, str) else mutate(seed_data())
    path = write(tmp_path, text)
    before = counts()

    with pytest.raises(CommandError) as error:
        load(path)

    message = str(error.value)
    assert f"{path.name}: {record}: " in message, message
    assert problem in message, message
    assert "Nothing was loaded." in message
    assert counts() == before


def test_it_changes_nothing_when_the_last_record_of_a_reload_is_broken(seeded, tmp_path):
    data = seed_data()
    new = copy.deepcopy(data["commitments"][0])
    new.update(reference="DPEWG-1-PC-02", title="Would be new")
    data["commitments"].append(new)
    data["indicators"].append({**data["indicators"][0], "name": "New one", "direction": "up"})
    before = counts()

    with pytest.raises(CommandError, match=r"indicators\[6\] New one: direction: 'up'"):
        load(write(tmp_path, data))

    assert counts() == before
    assert not Commitment.objects.filter(reference="DPEWG-1-PC-02").exists()


def test_it_loads_nothing_when_a_later_file_is_broken(db, tmp_path):
    broken = write(tmp_path, "parties: {")
    before = counts()

    with pytest.raises(CommandError, match=r"broken\.yaml: line"):
        load(SEED_FILE, broken)

    assert counts() == before


def test_it_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.yaml: \(file\): no such file"):
        load(tmp_path / "nowhere.yaml")


# --------------------------------------------------------------------------- fidelity to the source


@pytest.mark.seed_source
def test_it_has_the_source_document_beside_the_repository():
    assert SOURCE_FILE.is_file(), f"{SOURCE_FILE} is missing: check out shared/ beside the clone"
    assert len(source_paragraphs()) == 5


def test_it_seeds_the_working_group_its_parties_and_co_leads(seeded):
    assert seeded.short_name == "DPEWG"
    assert sorted(seeded.parties.values_list("code", flat=True)) == ["IN", "US"]
    assert sorted(
        f"{a.party.code}/{a.acronym}" for a in seeded.lead_agencies.select_related("party")
    ) == ["IN/NCB", "US/ONDCP"]


def test_it_seeds_the_undated_news_report_as_the_source(seeded):
    document = SourceDocument.objects.get(working_group=seeded)
    assert document.kind == SourceDocument.Kind.NEWS_REPORT
    assert document.published_on is None
    assert "Ministry of External Affairs" in document.publisher
    assert document.text == ""  # the source's text is not copied into the project


def test_it_seeds_meeting_1_as_the_source_reports_it(seeded):
    meeting = Meeting.objects.select_related("opened_by__agency").get(
        working_group=seeded, number=1
    )
    assert (meeting.start_date, meeting.end_date) == (
        datetime.date(2026, 1, 20),
        datetime.date(2026, 1, 21),
    )
    assert meeting.location == "Washington, D.C."
    assert meeting.format == Meeting.Format.IN_PERSON
    assert meeting.opened_by.name == "Sara Carter"
    assert meeting.opened_by.title.startswith("Director")
    assert meeting.opened_by.agency.acronym == "ONDCP"
    participants = {
        p.person.name: (p.role, p.person.agency.acronym, p.person.agency.party.code)
        for p in meeting.participations.select_related("person__agency__party")
    }
    assert participants == {
        "Sara Carter": ("delegate", "ONDCP", "US"),
        "Vinay Kwatra": ("delegate", "EOI Washington", "IN"),
    }
    assert list(meeting.source_documents.all()) == [SourceDocument.objects.get()]
    assert meeting.summary


def test_it_seeds_the_three_action_areas_with_keywords(seeded):
    areas = list(ActionArea.objects.filter(working_group=seeded))
    assert [(a.code, a.slug, a.order) for a in areas] == [
        ("PC", "precursor-chemicals", 1),
        ("SC", "pharmaceutical-supply-chains", 2),
        ("JO", "joint-operations", 3),
    ]
    for area in areas:
        assert area.keywords and area.description
        assert area.commitments.exists()


@pytest.mark.seed_source
def test_it_seeds_the_agreed_commitments_citing_the_source(seeded):
    paragraphs = source_paragraphs()
    document = SourceDocument.objects.get(working_group=seeded)
    commitments = list(
        Commitment.objects.filter(working_group=seeded).prefetch_related("lead_agencies__party")
    )
    assert {c.reference for c in commitments} == REFERENCES
    for c in commitments:
        assert c.reference.startswith(f"DPEWG-1-{c.action_area.code}-")
        assert (c.status, c.progress, c.version, c.due_date) == (Status.NOT_STARTED, 0, 1, None)
        assert c.title and c.description
        assert c.source_document == document
        match = re.fullmatch(r"para\. ([1-5])", c.source_locator)
        assert match, f"{c.reference}: locator {c.source_locator!r}"
        paragraph = paragraphs[int(match.group(1)) - 1]
        assert c.source_excerpt in paragraph, f"{c.reference}: excerpt not in its paragraph"
        assert len(c.source_excerpt.split()) <= 8, f"{c.reference}: excerpt is not short"
        assert {a.party.code for a in c.lead_agencies.all()} == {"US", "IN"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def _strings(node, key=None):
    if isinstance(node, dict):
        for k, value in node.items():
            yield from _strings(value, k)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, key)
    elif isinstance(node, str) and key not in ("excerpt", "note"):
        yield key, node


@pytest.mark.seed_source
def test_it_copies_no_sentence_of_the_source():
    """Only the short excerpts quote the source; all other text is in our own words: no run of
    eight words in a row is shared with it (proper names count as one word)."""
    data = seed_data()
    names = [data["working_group"]["name"]] + [
        record["name"] for section in ("parties", "agencies", "people") for record in data[section]
    ]
    name_words = sorted((" ".join(_words(name)) for name in names), key=len, reverse=True)

    def normalised(text: str) -> list[str]:
        joined = " ".join(_words(text))
        for name in name_words:
            joined = re.sub(rf"\b{re.escape(name)}\b", "<name>", joined)
        return joined.split()

    source = normalised(" ".join(source_paragraphs()))
    windows = {tuple(source[i : i + 8]) for i in range(len(source) - 7)}
    for key, text in _strings(data):
        words = normalised(text)
        copied = [
            " ".join(words[i : i + 8])
            for i in range(len(words) - 7)
            if tuple(words[i : i + 8]) in windows
        ]
        assert not copied, f"{key}: copies the source: {copied[0]!r}"


def test_it_seeds_indicators_without_invented_figures(seeded):
    indicators = list(Indicator.objects.filter(working_group=seeded).select_related("commitment"))
    assert len(indicators) == 6
    for indicator in indicators:
        assert (indicator.baseline, indicator.target, indicator.target_date) == (None, None, None)
        assert indicator.unit and indicator.description and indicator.action_area_id
        assert "4" in indicator.source_locator  # the "practical and measurable outcomes" para.
        assert indicator.commitment is None or indicator.commitment.working_group == seeded
    assert {i.direction for i in indicators} == {"higher", "lower"}
    assert not Measurement.objects.exists()
