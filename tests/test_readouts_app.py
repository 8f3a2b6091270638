"""The readout importer in the app: import a readout for a meeting (pasted or as a .txt, .docx
or .html file), review its candidates beside its text, accept, edit, reject, add a passage the
finder missed; re-importing duplicates nothing; bad files are refused with a clear message and
change nothing; the command line does the same for scripts."""

from __future__ import annotations

import datetime
import html
import io
import zipfile
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from commitments import services as domain
from commitments.models import Commitment, SourceDocument
from readouts import services
from readouts.models import Candidate, Readout
from tests import factories
from tests.test_views_support import htmx_headers, signed_in, url

pytestmark = pytest.mark.django_db

G = "dpewg"

READOUT = """Joint Statement on the Second Meeting of the Working Group

The delegations exchanged views on emerging threats, including synthetic opioids.

The two sides agreed to exchange seizure data every quarter, beginning in April 2027.

India will designate a point of contact in the Narcotics Control Bureau within 30 days.

The United States committed to train port officers on precursor controls by March 2027.

The delegations discussed the role of regulated pharmaceutical supply chains.
"""


@pytest.fixture
def setting(group):
    """The group's areas with keywords, its co-leads, and a second meeting."""
    us, india = factories.lead_agencies()
    domain.working_group_update(working_group=group, lead_agencies=[us, india])
    pc = group.action_areas.get(code="PC")
    domain.action_area_update(action_area=pc, keywords=["precursor", "precursor controls"])
    factories.action_area(group, "IS", name="Information sharing",
                          keywords=["seizure data", "point of contact", "information"])  # fmt: skip
    return factories.meeting(group, 2, start_date=datetime.date(2026, 11, 10),
                             end_date=datetime.date(2026, 11, 11))  # fmt: skip


@pytest.fixture
def imported(setting, coordinator):
    readout, _ = services.readout_import(
        meeting=setting,
        text=READOUT,
        title="Joint statement of the second meeting",
        publisher="Ministry of External Affairs",
        published_on=datetime.date(2026, 11, 12),
        actor=coordinator,
    )
    return readout


def form_data(**overrides) -> dict:
    data = {
        "text": READOUT,
        "title": "Joint statement of the second meeting",
        "publisher": "Ministry of External Affairs",
        "kind": "joint_statement",
        "published_on": "2026-11-12",
        "url": "",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- services


def test_it_stores_the_readout_and_proposes_its_agreed_actions(imported, setting):
    document = imported.source_document
    assert document.text == READOUT and document in setting.source_documents.all()
    found = {c.paragraph: c for c in imported.candidates.all()}
    # The agreed exchange, the designation and the training; not the discussions.
    assert set(found) == {3, 4, 5}
    assert found[3].area.code == "IS" and set(found[3].parties) == {"US", "IN"}
    assert found[4].parties == ["IN"]
    assert found[5].due_date == datetime.date(2027, 3, 31)
    assert found[4].due_date == datetime.date(2026, 12, 12)  # 30 days after the readout
    # Candidates are not commitments: no count moves until one is accepted.
    assert not Commitment.objects.exists()


def test_it_imports_the_same_text_once(imported, setting, coordinator):
    again, created = services.readout_import(
        meeting=setting,
        text=READOUT.replace("  ", " ").upper(),  # the same words, differently written
        title="Another title",
        publisher="Someone",
        actor=coordinator,
    )
    assert (again, created) == (imported, False)
    assert Readout.objects.count() == 1 and SourceDocument.objects.count() == 1


def test_it_recognises_what_is_already_tracked_from_the_same_words(
    imported, setting, coordinator, group
):
    exchange = imported.candidates.get(paragraph=3)
    commitment = services.candidate_accept(
        candidate=exchange,
        actor=coordinator,
        title="Exchange seizure data quarterly",
        action_area=group.action_areas.get(code="IS"),
    )
    # The same statement, published again with a new first line: its exchange is tracked.
    second, created = services.readout_import(
        meeting=setting,
        text="Updated. " + READOUT,
        title="Joint statement (corrected)",
        publisher="MEA",
        actor=coordinator,
    )
    assert created
    tracked = second.candidates.get(state="tracked")
    assert tracked.commitment == commitment and "seizure data" in tracked.text


def test_it_makes_a_commitment_that_quotes_and_cites_the_readout(imported, coordinator, group):
    candidate = imported.candidates.get(paragraph=5)
    us = factories.agency("US", "ONDCP")
    commitment = services.candidate_accept(
        candidate=candidate,
        actor=coordinator,
        title="Train port officers on precursor controls",
        action_area=group.action_areas.get(code="PC"),
        lead_agencies=[us],
        due_date=candidate.due_date,
    )
    assert commitment.source_document == imported.source_document
    assert commitment.source_locator == "para. 5"
    assert commitment.source_excerpt == candidate.text
    assert commitment.reference == "DPEWG-2-PC-01"
    candidate.refresh_from_db()
    assert (candidate.state, candidate.commitment) == ("accepted", commitment)
    with pytest.raises(Exception, match="already decided"):
        services.candidate_reject(candidate=candidate, actor=coordinator)


def test_it_cuts_an_over_long_passage_for_the_excerpt_and_says_so():
    long = "word " * 400
    excerpt = services.excerpt_of(long)
    assert len(excerpt) <= 1000 and excerpt.endswith("…")
    assert long.startswith(excerpt[:-1])


def test_it_makes_a_candidate_of_a_passage_the_finder_missed(imported, coordinator):
    candidate = services.candidate_from_passage(
        readout=imported,
        paragraph=6,
        text="the role of regulated pharmaceutical supply chains",
        actor=coordinator,
    )
    assert candidate.manual and candidate.paragraph == 6
    paragraph = READOUT.split("\n\n")[5]
    assert paragraph[candidate.start : candidate.end] == candidate.text
    with pytest.raises(Exception, match="not in paragraph 2"):
        services.candidate_from_passage(
            readout=imported, paragraph=2, text="words nobody wrote", actor=coordinator
        )


def test_it_lets_only_coordinators_import(setting, analyst):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.readout_import(
            meeting=setting, text=READOUT, title="x", publisher="y", actor=analyst
        )
    assert not Readout.objects.exists()


# --------------------------------------------------------------------------- files


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{html.escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document>" + " " * 50_000_000 + "</w:document>")
    return buffer.getvalue()


def upload(client, setting, name: str, content: bytes, **overrides):
    data = form_data(text="", **overrides)
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(url("readouts:import", G, setting.number), data)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("readout.docx", None),  # built below: a real Word document
        ("readout.html", None),
        ("readout.txt", READOUT.encode()),
        ("readout.dat", READOUT.encode("utf-16")),  # the name does not matter, the content does
    ],
)
def test_it_reads_word_html_and_text_files(client, coordinator, setting, name, content):
    paragraphs = [p for p in READOUT.split("\n\n") if p.strip()]
    if name.endswith(".docx"):
        content = docx(paragraphs)
    elif name.endswith(".html"):
        content = (
            "<!doctype html><html><head><title>t</title><script>alert('x')</script>"
            "<style>p{color:red}</style></head><body>"
            + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
            + "<script>document.write('injected')</script></body></html>"
        ).encode()
    response = upload(signed_in(client, coordinator), setting, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    readout = Readout.objects.get()
    assert "alert" not in readout.source_document.text
    assert "injected" not in readout.source_document.text
    assert readout.candidates.filter(paragraph=3).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"   \n  ", "The file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20,
         "not a text file"),
        ("big.txt", b"a" * (2 * 1024 * 1024 + 10), "at most 2 MB"),
        ("bomb.docx", None, "zip bomb"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
        ("../../etc/passwd", READOUT.encode(), None),  # a path in the name: only the name is kept
    ],
)  # fmt: skip
def test_it_refuses_bad_files_with_a_clear_message_and_changes_nothing(
    client, coordinator, setting, name, content, message
):
    if name == "bomb.docx":
        content = bomb()
    response = upload(signed_in(client, coordinator), setting, name, content)
    if message is None:
        readout = Readout.objects.get()
        assert readout.filename == "passwd"
        return
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and message in body
    assert 'id="id_file_error"' in body
    assert not Readout.objects.exists() and not SourceDocument.objects.exists()


def test_it_answers_a_20_mb_file_at_the_field_not_with_a_bare_413(client, coordinator, setting):
    """The import page accepts a larger body than other pages, so a file too large for the
    field reaches the form: the message is next to the field and the typed citation is kept."""
    response = upload(
        signed_in(client, coordinator), setting, "minutes.txt", b"word " * (4 * 1024 * 1024),
        title="Minutes kept by the US side",
    )  # fmt: skip
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and "at most 2 MB" in body
    assert 'id="id_file_error"' in body and 'value="Minutes kept by the US side"' in body
    assert not Readout.objects.exists() and not SourceDocument.objects.exists()


def test_it_still_refuses_a_body_beyond_what_any_upload_may_be(client, coordinator, setting):
    response = signed_in(client, coordinator).post(
        url("readouts:import", G, setting.number),
        b"x",
        content_type="text/plain",
        CONTENT_LENGTH=str(django_settings.UPLOAD_BODY_MAX_BYTES + 1),
    )
    assert response.status_code == 413 and not Readout.objects.exists()


def test_it_refuses_empty_text(client, coordinator, setting):
    response = signed_in(client, coordinator).post(
        url("readouts:import", G, setting.number), form_data(text="   ")
    )
    assert response.status_code == 200 and "There is no text to read" in response.content.decode()
    assert not Readout.objects.exists()


def test_it_proposes_nothing_from_text_in_another_language(client, coordinator, setting):
    hindi = (
        "दोनों पक्षों ने मादक पदार्थों की तस्करी पर चर्चा की।\n\n"
        "अगली बैठक नई दिल्ली में होगी।\n\nLes deux parties ont discuté des précurseurs."
    )
    response = signed_in(client, coordinator).post(
        url("readouts:import", G, setting.number), form_data(text=hindi)
    )
    assert response.status_code == 302
    readout = Readout.objects.get()
    assert readout.source_document.text == hindi and not readout.candidates.exists()


# --------------------------------------------------------------------------- pages


def test_it_shows_the_candidates_beside_the_text_with_their_passages_marked(
    client, coordinator, imported
):
    page = signed_in(client, coordinator).get(url("readouts:review", G, imported.pk))
    body = page.content.decode()
    candidate = imported.candidates.get(paragraph=3)
    assert f'id="mark-{candidate.pk}" href="#candidate-{candidate.pk}">{candidate.text}</a>' in body
    assert f'id="candidate-{candidate.pk}"' in body and "Accept as a commitment" in body
    assert "exchanged views" in body  # the text, whole, with no mark on the discussion
    assert "3</strong> to review" in body


def test_it_accepts_an_edited_candidate_in_place_with_htmx(client, coordinator, imported, group):
    candidate = imported.candidates.get(paragraph=5)
    us = factories.agency("US", "ONDCP")
    prefix = f"c{candidate.pk}"
    data = {
        f"{prefix}-title": "Train port officers (edited)",
        f"{prefix}-area": str(group.action_areas.get(code="PC").pk),
        f"{prefix}-due_date": "2027-03-31",
        f"{prefix}-priority": "high",
        f"{prefix}-owner": "",
        f"{prefix}-leads_US": [str(us.pk)],
    }
    response = signed_in(client, coordinator).post(
        url("readouts:accept", G, imported.pk, candidate.pk), data, headers=htmx_headers()
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert response["HX-Trigger"] == '{"readout-changed": {}}'
    commitment = Commitment.objects.get()
    assert commitment.title == "Train port officers (edited)" and commitment.priority == "high"
    assert f'id="mark-{candidate.pk}"' in body and 'hx-swap-oob="true"' in body
    assert f"Accepted as {commitment.reference}" in body


def test_it_rejects_and_reconsiders_without_javascript(client, coordinator, imported):
    client = signed_in(client, coordinator)
    candidate = imported.candidates.get(paragraph=4)
    response = client.post(url("readouts:reject", G, imported.pk, candidate.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#candidate-{candidate.pk}")
    candidate.refresh_from_db()
    assert candidate.state == "rejected"
    client.post(url("readouts:reconsider", G, imported.pk, candidate.pk))
    candidate.refresh_from_db()
    assert candidate.state == "proposed"


def test_it_keeps_a_refused_acceptance_at_the_field(client, coordinator, imported):
    candidate = imported.candidates.get(paragraph=3)
    prefix = f"c{candidate.pk}"
    response = signed_in(client, coordinator).post(
        url("readouts:accept", G, imported.pk, candidate.pk),
        {f"{prefix}-title": "Kept title", f"{prefix}-area": "", f"{prefix}-priority": "medium"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{prefix}-area_error"' in body and 'value="Kept title"' in body
    assert not Commitment.objects.exists()


def test_it_adds_a_passage_the_finder_missed_from_the_page(client, coordinator, imported):
    response = signed_in(client, coordinator).post(
        url("readouts:passage", G, imported.pk),
        {"paragraph": "6", "text": "regulated pharmaceutical supply chains"},
    )
    candidate = Candidate.objects.get(manual=True)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#candidate-{candidate.pk}")


@pytest.mark.parametrize("persona", ["viewer", "analyst"])
def test_it_keeps_the_importer_for_coordinators(request, imported, setting, persona):
    client = signed_in(Client(), request.getfixturevalue(persona))
    assert client.get(url("readouts:import", G, setting.number)).status_code == 403
    assert client.get(url("readouts:review", G, imported.pk)).status_code == 403
    candidate = imported.candidates.first()
    assert client.post(url("readouts:reject", G, imported.pk, candidate.pk)).status_code == 403


def test_it_hides_readouts_from_strangers(client, outsider, imported):
    assert (
        signed_in(client, outsider).get(url("readouts:review", G, imported.pk)).status_code == 404
    )


def test_it_enforces_csrf_on_an_import(coordinator, setting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(url("readouts:import", G, setting.number), form_data()).status_code == 403
    assert not Readout.objects.exists()


# --------------------------------------------------------------------------- command line


def test_it_imports_and_accepts_from_the_command_line(tmp_path, setting, coordinator):
    path = tmp_path / "readout.txt"
    path.write_text(READOUT, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_readout", str(path), "--meeting", f"{G}:2", "--as", "coordinator",
        "--accept-all", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "¶3" in text and "agreed to exchange seizure data" in text and "confidence" in text
    assert Commitment.objects.filter(meeting=setting).count() == 3
    assert "3 commitments created" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--meeting", "dpewg:9", "--as", "coordinator"], "No meeting 9"),
        (["--meeting", "nope", "--as", "coordinator"], "GROUP-SLUG:NUMBER"),
        (["--meeting", "dpewg:2"], "--as USERNAME"),
    ],
)
def test_it_says_clearly_what_is_wrong_on_the_command_line(
    tmp_path, setting, coordinator, args, message
):
    path = tmp_path / "readout.txt"
    path.write_text(READOUT, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_readout", str(path), *args, stdout=StringIO())
    assert not Readout.objects.exists()


# --------------------------------------------------------------------------- query budget


def readout_with(n: int, meeting, coordinator):
    text = "\n\n".join(
        f"The two sides agreed to exchange seizure data on route {i} every quarter."
        for i in range(n)
    )
    readout, _ = services.readout_import(
        meeting=meeting, text=text, title=f"Readout of {n}", publisher="MEA", actor=coordinator
    )
    assert readout.candidates.count() == n
    return readout


def test_it_reviews_3_or_300_candidates_with_the_same_queries(
    client, coordinator, setting, django_assert_num_queries
):
    client = signed_in(client, coordinator)
    for n in (3, 300):
        readout = readout_with(n, setting, coordinator)
        # 1 session, 2 user, 3 group with membership, 4 the readout with its meeting and
        # document, 5 its candidates with area, commitment and who decided, 6 the count per
        # state, 7-11 the accept forms' choices, read once for all: areas, members, parties,
        # their agencies, the co-leads.
        with django_assert_num_queries(11):
            assert client.get(url("readouts:review", G, readout.pk)).status_code == 200
