"""The briefing pack: per action area, overdue and inactive first, the follow-ups since the
previous meeting, indicators; the same content as a print-ready page, a Word document and an
XLSX workbook; its classification line; fixed queries whatever the number of commitments."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from commitments import services as domain
from reports import pack
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def record(group, analyst):
    """Meeting 1 long ago, meeting 2 next month; in PC an overdue, an inactive and a fresh
    commitment; in DT a completed one and an indicator."""
    m1 = group.meetings.get(number=1)
    domain.meeting_update(meeting=m1, start_date=TODAY - datetime.timedelta(days=200),
                          end_date=TODAY - datetime.timedelta(days=199))  # fmt: skip
    m2 = factories.meeting(group, 2, start_date=TODAY + datetime.timedelta(days=30),
                           end_date=TODAY + datetime.timedelta(days=31), title="Second meeting")  # fmt: skip
    pc = group.action_areas.get(code="PC")
    dt = factories.action_area(group, "DT", name="Drug trafficking", order=1)
    fresh = factories.commitment(group, pc, m1, title="Fresh one",
                                 due_date=TODAY + datetime.timedelta(days=60))  # fmt: skip
    overdue = factories.commitment(group, pc, m1, title="Late one",
                                   due_date=TODAY - datetime.timedelta(days=5))  # fmt: skip
    quiet = factories.commitment(group, pc, m1, title="Quiet one")
    done = factories.commitment(group, dt, m1, title="Done one")
    for c in (fresh, overdue):
        domain.follow_up_record(commitment=c, author=analyst, note=f"News on {c.title}",
                                expected_version=c.version)  # fmt: skip
    domain.follow_up_record(commitment=done, author=analyst, note="Finished.", status="completed",
                            progress=100, expected_version=done.version)  # fmt: skip
    factories.indicator(group, "Seizures reported", action_area=dt, baseline=10, target=40)
    return {"m1": m1, "m2": m2, "fresh": fresh, "overdue": overdue, "quiet": quiet, "done": done}


def test_it_puts_what_needs_attention_first_in_each_area(group, record):
    the_pack = pack.briefing_pack(group=group, meeting=record["m2"])
    assert the_pack.previous == record["m1"] and the_pack.since == record["m1"].end_date
    pc, dt = the_pack.sections
    assert [i.commitment.title for i in pc.items] == ["Late one", "Quiet one", "Fresh one"]
    assert [i.attention for i in pc.items] == ["overdue", "inactive", "open"]
    assert [e.note for e in pc.items[0].follow_ups] == ["News on Late one"]
    assert pc.items[1].follow_ups == []
    assert [i.attention for i in dt.items] == ["completed"]
    assert [i.name for i in dt.indicators] == ["Seizures reported"]
    assert the_pack.totals["overdue"] == 1 and the_pack.totals["all"] == 4
    assert the_pack.classification == "For official use only"
    assert the_pack.title == "Briefing for meeting 2: Second meeting"


def test_it_prints_the_pack_with_its_cover_and_a_section_per_area(client, viewer, group, record):
    body = (
        signed_in(client, viewer)
        .get(
            url("reports:briefing", group.slug)
            + "?meeting=2&classification=Sensitive+but+unclassified"
        )
        .content.decode()
    )
    assert '<p class="pack-classification">Sensitive but unclassified</p>' in body
    assert "Briefing for meeting 2: Second meeting" in body
    assert body.index("Late one") < body.index("Quiet one") < body.index("Fresh one")
    assert 'class="flag flag--overdue">Overdue<' in body
    assert "News on Late one" in body and "Seizures reported" in body
    assert (
        f'href="/g/{group.slug}/briefing/print.css?meeting=2&amp;classification=Sensitive+but+unclassified"'
        in body
    )
    assert f'href="/g/{group.slug}/briefing.docx?meeting=2' in body


def test_it_writes_the_running_header_as_a_safe_stylesheet(client, viewer, group):
    response = signed_in(client, viewer).get(
        url("reports:briefing_css", group.slug) + '?classification=x"; } body { display: none'
    )
    css = response.content.decode()
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert 'counter(page) " of " counter(pages)' in css
    assert "DPEWG briefing" in css
    rules = css.split("@bottom-left")[1].split(";")[0]
    assert '"' not in rules[rules.index('"') + 1 : rules.rindex('"')]  # no quote inside
    assert "}" not in rules and "display" in css and "\\00007d" in css


@pytest.mark.parametrize("meeting", ["999", "abc", "-1"])
def test_it_refuses_a_meeting_the_group_does_not_have(client, viewer, group, meeting):
    response = signed_in(client, viewer).get(
        url("reports:briefing", group.slug) + f"?meeting={meeting}"
    )
    assert response.status_code == 404


def test_it_writes_an_editable_word_document(client, viewer, group, record):
    response = signed_in(client, viewer).get(
        url("reports:briefing_docx", group.slug) + "?meeting=2"
    )
    assert response.status_code == 200
    assert (
        f'filename="{group.slug}-briefing-meeting-2-{TODAY.isoformat()}.docx"'
        in response["Content-Disposition"]
    )
    document = Document(io.BytesIO(response.content))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert ("Title", "Briefing for meeting 2: Second meeting") in headings
    assert ("Heading 1", "Precursor chemicals") in headings and (
        "Heading 1",
        "Drug trafficking",
    ) in headings
    h2 = [text for style, text in headings if style == "Heading 2"]
    assert h2.index(f"{record['overdue'].reference} Late one") < h2.index(
        f"{record['fresh'].reference} Fresh one"
    )
    summary = document.tables[0]
    assert [c.text for c in summary.rows[1].cells] == [
        "Precursor chemicals",
        "3",
        "1",
        "1",
        "0",
        "0",
    ]
    assert "For official use only" in document.sections[0].header.paragraphs[0].text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any("News on Late one" in b for b in bullets)


def test_it_writes_a_workbook_with_a_summary_and_a_sheet_per_area(client, viewer, group, record):
    response = signed_in(client, viewer).get(url("reports:briefing_xlsx", group.slug))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Summary", "Precursor chemicals", "Drug trafficking"]
    assert book["Summary"]["A1"].value == "For official use only"
    sheet = book["Precursor chemicals"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["Late one", "Quiet one", "Fresh one"]
    assert rows[0][5] == datetime.datetime.combine(record["overdue"].due_date, datetime.time())
    assert rows[0][7] == "Overdue"


@pytest.mark.parametrize(
    "view", ["reports:briefing", "reports:briefing_docx", "reports:briefing_xlsx"]
)
def test_it_builds_the_pack_for_3_or_300_commitments_with_the_same_queries(
    client, viewer, group, analyst, view
):
    us, india = factories.lead_agencies()
    client = signed_in(client, viewer)
    counts = []
    for n in (3, 300):
        while group.commitments.count() < n:
            c = factories.commitment(group, lead_agencies=[us, india])
            domain.follow_up_record(commitment=c, author=analyst, note="News",
                                    expected_version=c.version)  # fmt: skip
        cache.clear()  # the pack drawn, from the database each time
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(view, group.slug))
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_it_prints_the_outcomes_compliance_changes_and_charts(client, viewer, coordinator, group,
                                                              record, analyst):  # fmt: skip
    """The last closed review's compliance per side, what changed since the last snapshot, the
    status at that snapshot, and a chart per indicator with measurements."""
    from commitments import access
    from commitments.models import Party

    us, india = factories.lead_agencies()
    domain.working_group_update(working_group=group, lead_agencies=[us, india])
    review = domain.compliance_review_open(working_group=group, meeting=record["m1"],
                                          actor=coordinator)  # fmt: skip
    acc = access.access_for(coordinator, group)
    for code, score in (("US", 1), ("IN", 0)):
        row = domain.compliance_score_propose(
            review=review, commitment=record["overdue"], party=Party.objects.get(code=code),
            score=score, rationale="Seen", actor=coordinator, actor_access=acc,
        )  # fmt: skip
        domain.compliance_score_confirm(compliance_score=row, actor=coordinator, actor_access=acc)
    domain.compliance_review_close(review=review, actor=coordinator)  # takes a snapshot
    late = record["overdue"]
    domain.follow_up_record(commitment=late, author=analyst, note="Moving.", status="in_progress",
                            progress=40, expected_version=late.version)  # fmt: skip
    seizures = group.indicators.get(name="Seizures reported")
    domain.measurement_record(indicator=seizures, period_end=TODAY - datetime.timedelta(days=40),
                              value=14, entered_by=analyst)  # fmt: skip

    the_pack = pack.briefing_pack(group=group)
    assert the_pack.compliance.review == review
    assert [str(side.overall.percent) for side in the_pack.compliance.sides] == ["50.0", "100.0"]
    assert [c.after.reference for c in the_pack.changes.changes] == [late.reference]
    item = next(i for s in the_pack.sections for i in s.items if i.commitment == late)
    assert item.status_then == "Not started"
    assert seizures.pk in the_pack.charts

    body = signed_in(client, viewer).get(url("reports:briefing", group.slug)).content.decode()
    assert 'id="compliance-table"' in body and "100.0%" in body and "50.0%" in body
    assert "at the last snapshot: Not started" in body
    assert "Not started → In progress" in body
    assert body.count('class="chart') >= 1
    document = Document(io.BytesIO(client.get(url("reports:briefing_docx", group.slug)).content))
    texts = [p.text for p in document.paragraphs]
    assert "Compliance of each side" in texts
    assert any(late.reference in t and "Not started -> In progress" in t for t in texts)
    response = client.get(url("reports:briefing_xlsx", group.slug))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[:3] == ["Summary", "Compliance", "What changed"]


# The markup the template language drew for each commitment of an area before the pack drew it
# in Python (reports/templatetags/briefing.py); the lead agencies were the commitment's own.
TEMPLATE_ITEMS = (
    "{% load tracker %}"
    "{% for item in s.items %}{% with c=item.commitment %}\n"
    '    <div class="pack-item pack-item--{{ item.attention }}">\n'
    '      <h3 class="pack-item__title"><span class="ref">{{ c.reference }}</span> {{ c.title }}</h3>\n'
    '      <p class="pack-item__facts">{% status_badge c.status %} {{ c.progress }}%{% if item.status_then %} · at the last snapshot: {{ item.status_then }}{% endif %}{% if c.due_date %} · due {{ c.due_date|date:"j M Y" }}{% endif %}{% if item.attention_label %} <span class="flag flag--{{ item.attention }}">{{ item.attention_label }}</span>{% endif %}{% with leads=c.lead_agencies.all %}{% if leads %} · led by {% for a in leads %}{{ a.acronym }} ({{ a.party.code }}){% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}{% endwith %}</p>\n'
    '      {% if item.follow_ups %}<ul class="pack-item__log">{% for e in item.follow_ups %}<li><time datetime="{{ e.occurred_on|date:\'Y-m-d\' }}">{{ e.occurred_on|date:"j M Y" }}</time>: {% if e.is_edit %}edited{% if e.note %}: {{ e.note }}{% endif %}{% else %}{{ e.note }}{% endif %}{% if e.status_changed %} <span class="muted">({{ e.get_status_before_display }} → {{ e.get_status_after_display }})</span>{% endif %}</li>{% endfor %}</ul>{% endif %}\n'
    "    </div>\n"
    "    {% endwith %}{% endfor %}"
)  # fmt: skip


def test_it_draws_each_commitment_as_the_template_language_did(group, record, analyst,
                                                                 coordinator):  # fmt: skip
    """Every kind of item: overdue, inactive, open and completed; a status at the last snapshot;
    lead agencies; follow-ups that change the status, edits with and without a reason; markup
    and quotes in titles, notes and acronyms (escaped the same way)."""
    from django.db.models import Prefetch
    from django.template import Context, Template

    from commitments.models import Agency, Commitment
    from reports.templatetags.briefing import pack_items

    us, india = factories.lead_agencies()
    domain.agency_update(agency=us, acronym="D<E>\"A'&")
    late = record["overdue"]
    late = domain.commitment_update(commitment=late, expected_version=late.version,
                                    actor=coordinator, lead_agencies=[us, india],
                                    title='Late <b>one</b> & "quoted" \'too\'')  # fmt: skip
    late = domain.commitment_update(commitment=late, expected_version=late.version,
                                    actor=coordinator, due_date=TODAY - datetime.timedelta(days=9),
                                    reason="Moved <again> & again")  # fmt: skip
    domain.follow_up_record(commitment=late, author=analyst, note="Started <script>x</script>",
                            status="in_progress", progress=40,
                            expected_version=late.version)  # fmt: skip
    domain.snapshot_take(working_group=group, actor=coordinator)
    fresh = record["fresh"]
    domain.follow_up_record(commitment=fresh, author=analyst, note="Blocked, see é ü ✓",
                            status="stalled", expected_version=fresh.version)  # fmt: skip

    the_pack = pack.briefing_pack(group=group)
    items = [i for s in the_pack.sections for i in s.items]
    assert {i.attention for i in items} >= {"overdue", "inactive", "completed"}
    assert any(i.status_then for i in items) and any(i.leads for i in items)
    assert any(e.is_edit and e.note for i in items for e in i.follow_ups)
    assert any(e.is_edit and not e.note for i in items for e in i.follow_ups)
    assert any(e.status_changed for i in items for e in i.follow_ups)
    reference = Template(TEMPLATE_ITEMS)
    whole = Commitment.objects.prefetch_related(  # with its own lead agencies, as the pack had
        Prefetch("lead_agencies", Agency.objects.order_by("party__name", "acronym"))
    ).in_bulk()
    for section in the_pack.sections:
        for item in section.items:
            item.commitment = whole[item.commitment.pk]
        assert pack_items(section) == reference.render(Context({"s": section}))
    assert "D&lt;E&gt;&quot;A&#x27;&amp; (US)" in pack_items(the_pack.sections[0])


def test_it_writes_the_word_document_as_python_docx_itself_would(group, record, analyst,
                                                                   monkeypatch):  # fmt: skip
    """documents._Writer adds paragraphs in constant time each; the document it makes is the
    one python-docx's own Document.add_* make, tabs and line breaks in notes included."""
    import zipfile

    from reports import documents

    quiet = record["quiet"]
    domain.follow_up_record(commitment=quiet, author=analyst, note="Two lines:\nthen\ta tab.",
                            expected_version=quiet.version)  # fmt: skip
    the_pack = pack.briefing_pack(group=group)

    def body(data: bytes) -> bytes:
        return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")

    ours = body(documents.docx_bytes(the_pack))
    monkeypatch.setattr(documents, "_Writer", lambda word: word)
    assert ours == body(documents.docx_bytes(the_pack))
    assert b"<w:br/>" in ours and b"<w:tab/>" in ours and b"Late one" in ours


# --------------------------------------------------------------------------- in parts


@pytest.fixture
def in_parts(settings, group, record, coordinator):
    """Parts of two commitments: part 1 holds PC's overdue and inactive ones, part 2 PC's
    fresh one (continued), DT's completed one with its indicator, and an empty area."""
    factories.action_area(group, "EM", name="Empty area", order=2)
    domain.snapshot_take(working_group=group, actor=coordinator)
    settings.BRIEFING_PART_SIZE = 2
    return record


def test_it_splits_a_large_pack_into_parts_in_the_pack_s_order(in_parts, group, settings):
    first = pack.briefing_pack(group=group, meeting=in_parts["m2"])
    second = pack.briefing_pack(group=group, meeting=in_parts["m2"], part=2)
    assert (first.parts, second.parts) == (2, 2)
    assert [(s.area.code, s.continued) for s in first.sections] == [("PC", False)]
    assert [(s.area.code, s.continued) for s in second.sections] == [
        ("PC", True), ("DT", False), ("EM", False)
    ]  # fmt: skip
    parted = [i.commitment.title for p in (first, second) for s in p.sections for i in s.items]
    settings.BRIEFING_PART_SIZE = 1000
    whole = pack.briefing_pack(group=group, meeting=in_parts["m2"])
    assert whole.parts == 1 and whole.part_line == ""
    assert parted == [i.commitment.title for s in whole.sections for i in s.items]
    assert parted == ["Late one", "Quiet one", "Fresh one", "Done one"]
    # The numbers are the whole group's on every part; each area's indicators where it begins.
    for p in (first, second, whole):
        assert p.totals == whole.totals and p.totals["all"] == 4
        assert [(s.area.code, s.total, s.counts["overdue"]) for s in p.areas] == [
            ("PC", 3, 1), ("DT", 1, 0), ("EM", 0, 0)
        ]  # fmt: skip
    assert [i.name for s in second.sections for i in s.indicators] == ["Seizures reported"]
    assert [i.name for s in first.sections for i in s.indicators] == []
    # The outcomes on the first part; the statuses at the snapshot on every part.
    assert first.changes is not None and second.changes is None and second.compliance is None
    assert {i.commitment.title: i.status_then for s in second.sections for i in s.items} == {
        "Fresh one": "Not started", "Done one": "Completed"
    }  # fmt: skip
    assert (first.first, first.last, second.first, second.last) == (1, 2, 3, 4)
    assert second.part_line.startswith("Part 2 of 2: commitments 3–4 of 4")
    assert second.title == "Briefing for meeting 2: Second meeting, part 2"
    with pytest.raises(Http404):
        pack.briefing_pack(group=group, part=3)
    assert [(s.area.code, s.parts_line) for s in first.areas] == [
        ("PC", "parts 1–2"), ("DT", "part 2"), ("EM", "no commitments (part 2)")
    ]  # fmt: skip
    settings.BRIEFING_PART_SIZE = 3
    last = pack.briefing_pack(group=group, part=2)
    assert last.part_line.startswith("Part 2 of 2: commitment 4 of 4")
    assert [s.parts_line for s in last.areas] == ["part 1", "part 2", "no commitments (part 2)"]


def test_it_prints_each_part_with_the_way_to_the_others(client, viewer, group, in_parts):
    client = signed_in(client, viewer)
    base = url("reports:briefing", group.slug)
    body = client.get(base + "?meeting=2&classification=Eyes+only&part=2").content.decode()
    assert "Part 2 of 2: commitments 3–4 of 4" in body
    assert "Precursor chemicals (continued)" in body and "Late one" not in body
    assert "Fresh one" in body and "Done one" in body and "Seizures reported" in body
    assert "Compliance of each side" not in body
    # Back to part 1 with the same meeting and classification; PC begins there.
    assert f'href="{base}?meeting=2&amp;classification=Eyes+only" rel="prev"' in body
    assert f'href="{base}?meeting=2&amp;classification=Eyes+only#area-' in body
    assert 'rel="next"' not in body
    assert "<title>Briefing for meeting 2: Second meeting, part 2" in body
    first = client.get(base + "?meeting=2&classification=Eyes+only").content.decode()
    assert "Late one" in first and "Fresh one" not in first and "Compliance of each side" in first
    assert f'href="{base}?meeting=2&amp;classification=Eyes+only&amp;part=2" rel="next"' in first
    # Any part by its number, with the same meeting and classification; each area's parts.
    assert '<input type="hidden" name="meeting" value="2">' in first
    assert '<input type="hidden" name="classification" value="Eyes only">' in first
    assert 'name="part" min="1" max="2" value="1"' in first
    assert "Precursor chemicals</a>: parts 1–2" in first
    # With nothing else asked, part 1 is the pack's plain address.
    plain = client.get(base + "?part=2").content.decode()
    assert f'href="{base}" rel="prev"' in plain and f'href="{base}#area-' in plain
    # The Word document and the workbook of a part are that part.
    response = client.get(url("reports:briefing_docx", group.slug) + "?part=2")
    assert "briefing-part-2-of-2-" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    assert "Precursor chemicals (continued)" in text and "Late one" not in " ".join(text)
    assert any(t.startswith("Part 2 of 2: commitments 3–4 of 4") for t in text)
    response = client.get(url("reports:briefing_xlsx", group.slug) + "?part=2")
    assert "briefing-part-2-of-2-" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook["Summary"]["A4"].value.startswith("Part 2 of 2")


@pytest.mark.parametrize("view", ["reports:briefing", "reports:briefing_docx",
                                  "reports:briefing_xlsx"])  # fmt: skip
@pytest.mark.parametrize("part", ["3", "0", "abc", "-1", "99999999999"])
def test_it_refuses_a_part_the_pack_does_not_have(client, viewer, group, in_parts, view, part):
    response = signed_in(client, viewer).get(url(view, group.slug) + f"?part={part}")
    assert response.status_code == 404


def test_it_tells_what_needs_attention_in_the_database_as_it_did_in_python(group, analyst):
    """The attention of each commitment (reports.pack.attention_rank, in SQL) at the edges:
    due today is not overdue, quiet since exactly the limit is not inactive; completed and
    withdrawn whatever their dates."""
    from commitments.selectors import inactive_before

    quiet = inactive_before(TODAY)
    cases = {
        "due yesterday": ({"due_date": TODAY - datetime.timedelta(days=1)}, "overdue"),
        "due today": ({"due_date": TODAY}, "open"),
        "no due date": ({}, "open"),
        "quiet too long": ({"last_activity_on": quiet - datetime.timedelta(days=1)}, "inactive"),
        "quiet to the limit": ({"last_activity_on": quiet}, "open"),
        "late and quiet": ({"due_date": TODAY - datetime.timedelta(days=3),
                            "last_activity_on": quiet - datetime.timedelta(days=9)}, "overdue"),
    }  # fmt: skip
    for title, (fields, _) in cases.items():
        c = factories.commitment(group, title=title, due_date=fields.get("due_date"))
        active = fields.get("last_activity_on", TODAY)  # else the day of the meeting, long ago
        type(c).objects.filter(pk=c.pk).update(last_activity_on=active)
    for title, status in (("done late", "completed"), ("dropped late", "withdrawn")):
        c = factories.commitment(group, title=title, due_date=TODAY - datetime.timedelta(days=9))
        domain.follow_up_record(commitment=c, author=analyst, note="End.", status=status,
                                expected_version=c.version)  # fmt: skip
        cases[title] = ({}, status)
    the_pack = pack.briefing_pack(group=group)
    seen = {i.commitment.title: i.attention for s in the_pack.sections for i in s.items}
    assert seen == {title: attention for title, (_, attention) in cases.items()}
