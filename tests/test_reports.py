"""The reports app: exports of the commitments list (CSV, XLSX) with the list's own filters and
permissions and neutralised formulas; each member's private calendar feed and its token rules;
the weekly digest's content, opt-out and once-a-week delivery."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from commitments import services as domain
from reports import calendar, services, tabular
from reports.management.commands.send_digest import week_of
from reports.models import DigestDelivery
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def rows(group, analyst):
    """Three commitments of DPEWG (one done, one overdue with two lead agencies) and one of
    another group."""
    us, india = factories.lead_agencies()
    pc = group.action_areas.get(code="PC")
    dt = factories.action_area(group, "DT", name="Drug trafficking", order=1)
    overdue = factories.commitment(
        group, pc, title="Share precursor lists", due_date=TODAY - datetime.timedelta(days=3),
        lead_agencies=[us, india], owner=analyst,
    )  # fmt: skip
    done = factories.commitment(group, dt, title="Joint operation", due_date=None)
    domain.follow_up_record(
        commitment=done, author=analyst, note="Done.", expected_version=done.version,
        status="completed", progress=100,
    )  # fmt: skip
    later = factories.commitment(group, dt, title="Train officers",
                                 due_date=TODAY + datetime.timedelta(days=5))  # fmt: skip
    return overdue, done, later


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# --------------------------------------------------------------------------- exports


def test_it_exports_what_the_list_shows_as_csv(client, viewer, rows, group):
    overdue, _done, _later = rows
    response = signed_in(client, viewer).get(
        url("reports:commitments_csv", group.slug) + "?attention=overdue&page=7"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{group.slug}-commitments-{TODAY.isoformat()}.csv"'
    )
    table = read_csv(response)
    title, headings, *body = table
    assert title[0].startswith(
        "Drug Policy Executive Working Group: commitments (Needs attention: Overdue)"
    )
    assert f"exported {TODAY.isoformat()} by viewer" in title[0]
    assert headings[:7] == ["Reference", "Title", "Action area", "Status", "Progress (%)",
                            "Priority", "Due date"]  # fmt: skip
    assert [row[0] for row in body] == [overdue.reference]  # every page, only the filtered
    row = dict(zip(headings, body[0], strict=True))
    assert row["Due date"] == (TODAY - datetime.timedelta(days=3)).isoformat()
    assert (
        row["Lead agencies"] == "ONDCP (US); NCB (IN)"
        or row["Lead agencies"] == "NCB (IN); ONDCP (US)"
    )
    assert row["Owner"] == "analyst" and row["Agreed at meeting"] == "1"


def test_it_streams_the_csv_some_rows_at_a_time(client, viewer, rows, group, monkeypatch):
    """Rows go out in chunks (a chunk per row meant a write on the socket per row), never the
    whole file at once: here two rows a chunk."""
    monkeypatch.setattr(tabular, "ROWS_PER_CHUNK", 2)
    response = signed_in(client, viewer).get(url("reports:commitments_csv", group.slug))
    chunks = [chunk.decode() for chunk in response.streaming_content]
    lines = [list(csv.reader(io.StringIO(chunk.lstrip("\ufeff")))) for chunk in chunks]
    assert [len(chunk) for chunk in lines] == [3, 2]  # title, headings and a row; two rows
    assert sorted(row[0] for row in lines[0][2:] + lines[1]) == sorted(c.reference for c in rows)


def test_it_exports_every_row_in_the_lists_order(client, viewer, rows, group):
    table = read_csv(signed_in(client, viewer).get(
        url("reports:commitments_csv", group.slug) + "?sort=due"))  # fmt: skip
    refs = [row[0] for row in table[2:]]
    overdue, done, later = rows
    assert refs == [overdue.reference, later.reference, done.reference]  # no due date last
    assert "(Sort by: Due date, soonest first)" in table[0][0]


def test_it_neutralises_formulas_in_csv_and_xlsx(client, coordinator, group):
    for text in HOSTILE:
        factories.commitment(group, title=f"{text} title", description=text)
    client = signed_in(client, coordinator)
    table = read_csv(client.get(url("reports:commitments_csv", group.slug)))
    titles = sorted(row[1] for row in table[2:])
    assert titles == sorted("'" + f"{text} title" for text in HOSTILE)
    descriptions = {row[11] for row in table[2:]}
    assert descriptions == {"'" + text for text in HOSTILE}

    response = client.get(url("reports:commitments_xlsx", group.slug))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell.value for row in book["All"].iter_rows(min_row=3) for cell in row[:2]]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")))
               for v in values)  # fmt: skip
    assert all(cell.data_type != "f" for row in book["All"].iter_rows() for cell in row)


def test_it_exports_a_workbook_with_real_dates_and_a_sheet_per_area(client, viewer, rows, group):
    overdue, done, later = rows
    response = signed_in(client, viewer).get(url("reports:commitments_xlsx", group.slug))
    assert response.status_code == 200
    assert (
        f'filename="{group.slug}-commitments-{TODAY.isoformat()}.xlsx"'
        in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["All", "Precursor chemicals", "Drug trafficking"]
    sheet = book["All"]
    assert sheet["A1"].value.startswith("Drug Policy Executive Working Group: commitments (all)")
    headings = [cell.value for cell in sheet[2]]
    assert headings[0] == "Reference"
    by_ref = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert set(by_ref) == {overdue.reference, done.reference, later.reference}
    first = {h: c.value for h, c in zip(headings, by_ref[overdue.reference], strict=True)}
    assert first["Reference"] == overdue.reference
    assert first["Due date"] == datetime.datetime.combine(overdue.due_date, datetime.time())
    assert by_ref[overdue.reference][headings.index("Due date")].is_date
    assert first["Progress (%)"] == 0
    assert [c.value for c in book["Drug trafficking"]["A"]][2:] == [done.reference, later.reference]


def test_it_exports_only_to_members_of_the_group(client, outsider, rows, group):
    assert (
        signed_in(client, outsider).get(url("reports:commitments_csv", group.slug)).status_code
        == 404
    )
    client.logout()
    response = client.get(url("reports:commitments_xlsx", group.slug))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("view", ["reports:commitments_csv", "reports:commitments_xlsx"])
def test_it_exports_3_or_300_commitments_with_the_same_queries(client, viewer, group, view):
    us, india = factories.lead_agencies()
    counts = []
    client = signed_in(client, viewer)
    for n in (3, 300):
        existing = group.commitments.count()
        for _ in range(n - existing):
            factories.commitment(group, lead_agencies=[us, india])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(view, group.slug))
            content = b"".join(response.streaming_content)
        assert content
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_it_links_the_lists_exports_with_its_filters(client, viewer, rows, group):
    body = (
        signed_in(client, viewer)
        .get(url("commitments:commitment_list", group.slug) + "?status=completed&page=1")
        .content.decode()
    )
    assert f'href="/g/{group.slug}/commitments.csv?status=completed"' in body
    assert f'href="/g/{group.slug}/commitments.xlsx?status=completed"' in body
    # On paper, the list says what it is: group, filters and date.
    assert "Drug Policy Executive Working Group · Status: Completed · printed" in body


# --------------------------------------------------------------------------- calendar feed


def feed_path(user) -> str:
    key = user.report_settings.calendar_key
    return url("reports:calendar_feed", user.pk, calendar.token_for(user.pk, key))


def test_it_gives_each_member_a_private_calendar_of_their_groups(
    client, analyst, rows, group, other_group
):
    overdue, _done, later = rows
    factories.commitment(other_group, title="Not theirs", due_date=TODAY)
    client = signed_in(client, analyst)
    page = client.get(url("reports:my_feeds")).content.decode()
    assert "The feed is off." in page
    assert client.post(url("reports:my_feeds"), {"action": "start"}).status_code == 302
    analyst.refresh_from_db()
    path = feed_path(analyst)
    page = client.get(url("reports:my_feeds")).content.decode()
    assert f'value="http://testserver{path}"' in page

    client.logout()  # calendar programs have no session
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    feed = Calendar.from_ical(response.content)
    summaries = sorted(str(e["summary"]) for e in feed.walk("VEVENT"))
    assert summaries == sorted([
        f"DPEWG meeting 1: {group.meetings.get().title}",
        f"Due: {overdue.reference} Share precursor lists",
        f"Due: {later.reference} Train officers",
    ])  # done and undated commitments, and the other group, are not in it  # fmt: skip
    due = next(e for e in feed.walk("VEVENT") if overdue.reference in str(e["summary"]))
    assert due["dtstart"].dt == overdue.due_date
    assert str(due["uid"]) == f"commitment-due-{overdue.pk}@testserver"
    assert str(due["url"]).endswith(overdue.get_absolute_url())


def test_it_refuses_a_wrong_reset_stopped_or_deactivated_feed_with_404(client, analyst, rows):
    services.calendar_feed_start(user=analyst)
    analyst.refresh_from_db()
    first = feed_path(analyst)
    assert client.get(first).status_code == 200
    assert client.get(first[:-8] + "0000.ics").status_code == 404  # a wrong token
    other = factories.member(analyst.memberships.get().working_group, "viewer", "other")
    assert (
        client.get(url("reports:calendar_feed", other.pk, first.split("/")[-1][:-4])).status_code
        == 404
    )

    signed_in(client, analyst).post(url("reports:my_feeds"), {"action": "reset"})
    analyst.refresh_from_db()
    second = feed_path(analyst)
    assert second != first
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200

    client.post(url("reports:my_feeds"), {"action": "stop"})
    assert client.get(second).status_code == 404
    assert analyst.report_settings.__class__.objects.get(user=analyst).calendar_key == ""

    services.calendar_feed_start(user=analyst)
    analyst.refresh_from_db()
    third = feed_path(analyst)
    assert client.get(third).status_code == 200
    type(analyst).objects.filter(pk=analyst.pk).update(is_active=False)
    assert client.get(third).status_code == 404


def test_it_keeps_the_feed_token_out_of_the_database(analyst):
    member = services.calendar_feed_start(user=analyst)
    token = calendar.token_for(analyst.pk, member.calendar_key)
    assert token not in member.calendar_key and len(token) == 40
    assert calendar.token_for(analyst.pk, "") != token
    assert not calendar.token_matches(analyst.pk, "", calendar.token_for(analyst.pk, ""))


# --------------------------------------------------------------------------- digest


@pytest.fixture
def readers(group, rows):
    """Members with e-mail addresses (alice, bob, and the `rows` fixture's analyst), one
    without, and one who opted out."""
    alice = factories.member(group, "analyst", "alice", email="alice@example.gov")
    bob = factories.member(group, "viewer", "bob", email="bob@example.gov")
    factories.member(group, "viewer", "noemail", email="")
    carol = factories.member(group, "viewer", "carol", email="carol@example.gov")
    services.digest_subscription_set(user=carol, subscribed=False)
    return alice, bob


def test_it_sends_each_member_a_digest_of_their_groups(readers, rows, group, settings):
    settings.SITE_URL = "https://tracker.example.gov"
    overdue, done, later = rows
    out = io.StringIO()
    call_command("send_digest", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.gov", "analyst@example.org", "bob@example.gov"
    ]  # fmt: skip
    message = next(m for m in mail.outbox if m.to == ["alice@example.gov"])
    text = message.body
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert "== Drug Policy Executive Working Group ==" in text
    assert f"Overdue (1):\n- {overdue.reference} Share precursor lists" in text
    assert f"Due in the next 14 days (1):\n- {later.reference} Train officers" in text
    assert f"{done.reference}: Not started -> Completed by analyst: Done." in text
    assert f"https://tracker.example.gov{overdue.get_absolute_url()}" in text
    assert f'<a href="https://tracker.example.gov{overdue.get_absolute_url()}">' in html
    assert "https://tracker.example.gov/me/calendar-and-digest/" in text
    assert "3 sent, 0 with nothing to report, 0 already sent this week, 0 failed." in out.getvalue()


def test_it_sends_the_digest_once_a_week(readers):
    call_command("send_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 3
    out = io.StringIO()
    call_command("send_digest", stdout=out)
    assert len(mail.outbox) == 3
    assert "0 sent, 0 with nothing to report, 3 already sent this week" in out.getvalue()
    assert DigestDelivery.objects.filter(state="sent").count() == 3


def test_it_claims_a_week_once_even_for_two_servers(readers):
    alice, _ = readers
    week = week_of(TODAY)
    first = services.digest_claim(user=alice, week=week, since=timezone.now())
    second = services.digest_claim(user=alice, week=week, since=timezone.now())
    assert first is not None and second is None
    call_command("send_digest", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["analyst@example.org", "bob@example.gov"]


def test_it_lets_a_member_opt_out_from_their_page(client, readers):
    alice, _ = readers
    signed_in(client, alice).post(url("reports:my_feeds"), {"action": "digest"})
    assert alice.report_settings.__class__.objects.get(user=alice).digest is False
    call_command("send_digest", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["analyst@example.org", "bob@example.gov"]
    client.post(url("reports:my_feeds"), {"action": "digest", "digest": "on"})
    call_command("send_digest", stdout=io.StringIO())  # the others had theirs this week
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.gov", "analyst@example.org", "bob@example.gov"
    ]  # fmt: skip


def test_it_counts_changes_since_the_last_digest(readers, rows, analyst):
    _overdue, done, later = rows
    call_command("send_digest", stdout=io.StringIO())
    DigestDelivery.objects.update(week=week_of(TODAY) - datetime.timedelta(days=7))
    domain.follow_up_record(commitment=later, author=analyst, note="Trainers booked.",
                            expected_version=later.version)  # fmt: skip
    mail.outbox.clear()
    call_command("send_digest", stdout=io.StringIO())
    text = next(m for m in mail.outbox if m.to == ["bob@example.gov"]).body
    assert "(1):\n- " + later.reference + ": follow-up by analyst: Trainers booked." in text
    assert done.reference + ": Not started" not in text  # reported last week
