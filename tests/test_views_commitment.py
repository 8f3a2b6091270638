"""The commitment page and its “log a follow-up” form: who may see and write, what the page
shows, the HTMX and no-JavaScript paths, every bad input, the conflict, CSRF. (Query budgets: test_views_budgets.py.)"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, FollowUp, Status
from tests import factories
from tests.test_views_support import (
    CHANGED,
    add_lead_agencies,
    assert_fragment,
    follow_ups,
    htmx_headers,
    signed_in,
    url,
)

pytestmark = pytest.mark.django_db


def detail_url(c: Commitment) -> str:
    return url("commitments:commitment_detail", c.working_group.slug, c.reference)


def post_url(c: Commitment) -> str:
    return url("commitments:follow_up_create", c.working_group.slug, c.reference)


def valid_data(c: Commitment, **overrides) -> dict:
    data = {
        "note": "Met the regulator; next steps agreed.",
        "occurred_on": timezone.localdate().isoformat(),
        "status": "",
        "progress": "",
        "evidence_url": "",
        "external_reference": "",
        "version": str(c.version),
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- access


def test_it_sends_anonymous_users_to_sign_in(client, commitment):
    response = client.get(detail_url(commitment))
    assert response.status_code == 302
    assert response["Location"].startswith(url("accounts:login") + "?next=")


def test_it_sends_anonymous_writes_to_sign_in_and_saves_nothing(client, commitment):
    response = client.post(post_url(commitment), valid_data(commitment))
    assert response.status_code == 302
    assert not FollowUp.objects.exists()


def test_it_sends_an_htmx_request_without_a_session_to_sign_in_as_a_whole_page(client, commitment):
    page = detail_url(commitment)
    headers = {**htmx_headers("follow-up-form"), "HX-Current-URL": f"http://testserver{page}"}
    response = client.post(post_url(commitment), valid_data(commitment), headers=headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{url('accounts:login')}?next={page.replace('/', '%2F')}"
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_the_commitment_from_an_outsider(client, outsider, commitment, method):
    signed_in(client, outsider)
    response = getattr(client, method)(detail_url(commitment))
    assert response.status_code == (404 if method == "get" else 405)
    response = client.post(post_url(commitment), valid_data(commitment))
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_it_gives_404_for_a_commitment_of_another_group_under_our_slug(
    client, analyst, other_group
):
    theirs = factories.commitment(other_group, title="Theirs")
    signed_in(client, analyst)
    # Their reference under our group's slug, and their group's slug: 404 both ways.
    assert (
        client.get(url("commitments:commitment_detail", "dpewg", theirs.reference)).status_code
        == 404
    )
    response = client.post(
        url("commitments:follow_up_create", "dpewg", theirs.reference), valid_data(theirs)
    )
    assert response.status_code == 404
    response = client.post(post_url(theirs), valid_data(theirs))
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_it_gives_404_for_an_unknown_reference(client, analyst, group):
    signed_in(client, analyst)
    assert (
        client.get(url("commitments:commitment_detail", "dpewg", "DPEWG-9-PC-99")).status_code
        == 404
    )
    assert (
        client.get(url("commitments:commitment_detail", "nope", "DPEWG-9-PC-99")).status_code == 404
    )


def test_it_shows_a_viewer_the_page_without_edit_controls(client, viewer, commitment):
    signed_in(client, viewer)
    response = client.get(detail_url(commitment))
    assert response.status_code == 200
    body = response.content.decode()
    assert commitment.title in body
    assert 'id="follow-up-form"' not in body
    assert "hx-post" not in body
    assert "Log a follow-up" not in body


def test_it_refuses_a_follow_up_from_a_viewer(client, viewer, commitment):
    signed_in(client, viewer)
    response = client.post(post_url(commitment), valid_data(commitment))
    assert response.status_code == 403
    response = client.post(post_url(commitment), valid_data(commitment), headers=htmx_headers())
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.version == 1
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("persona", ["analyst", "coordinator", "admin_user"])
def test_it_shows_the_form_to_analysts_and_up(client, request, commitment, persona):
    signed_in(client, request.getfixturevalue(persona))
    body = client.get(detail_url(commitment)).content.decode()
    assert 'id="follow-up-form"' in body
    assert 'href="#log-follow-up"' in body  # the jump link phones need
    assert f'action="{post_url(commitment)}"' in body
    assert f'hx-post="{post_url(commitment)}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'name="version" value="{commitment.version}"' in body
    assert f'value="{timezone.localdate().isoformat()}"' in body  # the date defaults to today


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_it_accepts_only_post_for_a_follow_up(client, analyst, commitment, method):
    signed_in(client, analyst)
    assert getattr(client, method)(post_url(commitment)).status_code == 405


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_405_to_writes_on_the_page_itself(client, analyst, commitment, method):
    signed_in(client, analyst)
    assert getattr(client, method)(detail_url(commitment)).status_code == 405


# --------------------------------------------------------------------------- what the page shows


def test_it_shows_where_it_was_agreed_the_lead_agencies_and_indicators(client, viewer, group):
    us, india = add_lead_agencies(group)
    doc, _ = services.source_document_ensure(
        working_group=group,
        title="Joint statement on the first meeting",
        publisher="Ministry of External Affairs",
        kind="joint_statement",
        url="https://example.org/statement",
    )
    c = factories.commitment(
        group,
        title="Share alerts on precursor shipments",
        description="Both sides exchange alerts.",
        lead_agencies=[us, india],
        source_document=doc,
        source_locator="para. 5",
        source_excerpt="exchange timely alerts",
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    indicator, _ = services.indicator_ensure(
        working_group=group, name="Alerts exchanged", unit="alerts", commitment=c
    )
    services.measurement_record(indicator=indicator, period_end=datetime.date(2026, 3, 31), value=7)
    signed_in(client, viewer)
    body = client.get(detail_url(c)).content.decode()
    assert "Meeting 1: Meeting 1" in body
    assert url("commitments:meeting_detail", "dpewg", 1) in body
    assert "Joint statement on the first meeting" in body
    assert 'href="https://example.org/statement"' in body
    assert "Ministry of External Affairs" in body
    assert "para. 5" in body
    assert "exchange timely alerts" in body
    # Lead agencies grouped by side, India before the United States (by name).
    assert re.search(
        r"<dt>India</dt>.*Narcotics Control Bureau.*<dt>United States</dt>", body, re.S
    )
    assert "Office of National Drug Control Policy" in body
    assert "Alerts exchanged" in body
    assert re.search(r"\b7(\.00)? <span class=\"muted\">\(31 Mar 2026\)", body)
    assert "Overdue" in body
    assert "Not started" in body


def test_it_lists_the_timeline_newest_first_with_every_detail(client, viewer, analyst, commitment):
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="First entry",
        status=Status.IN_PROGRESS,
        progress=20,
        expected_version=1,
        occurred_on=datetime.date(2026, 2, 1),
        evidence_url="https://example.org/minutes",
        external_reference="OP-HAWK",
    )
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Second entry", expected_version=2
    )
    signed_in(client, viewer)
    body = client.get(detail_url(commitment)).content.decode()
    assert body.index("Second entry") < body.index("First entry")
    assert "analyst" in body
    assert "1 Feb 2026" in body
    assert "Progress 0%" in body and "20%" in body
    assert 'href="https://example.org/minutes"' in body
    assert "Ref. OP-HAWK" in body
    assert "2 entries, the latest first (by the date it happened)" in body


def test_it_paginates_a_long_timeline(client, viewer, analyst, commitment):
    follow_ups(commitment, 25, author=analyst)
    signed_in(client, viewer)
    body = client.get(detail_url(commitment)).content.decode()
    assert "Entry 24" in body and "Entry 4" not in body.replace("Entry 24", "")
    assert "Page 1 of 2" in body
    body = client.get(detail_url(commitment) + "?page=2").content.decode()
    assert "Entry 0" in body and "Page 2 of 2" in body
    # With htmx, the older entries replace the timeline and focus moves to its summary.
    headers = {**htmx_headers("timeline"), "HX-Trigger": "timeline-older"}
    body = client.get(detail_url(commitment) + "?page=2", headers=headers).content.decode()
    assert 'id="timeline-summary" tabindex="-1" autofocus' in body and "Entry 0" in body
    # A page number that is not a number gives the first page, not an error.
    assert client.get(detail_url(commitment) + "?page=abc").status_code == 200


def test_it_returns_only_the_status_block_to_htmx(client, viewer, commitment):
    signed_in(client, viewer)
    response = client.get(detail_url(commitment), headers=htmx_headers("commitment-status"))
    body = assert_fragment(response, "commitment-status")
    assert "Not started" in body
    assert 'id="timeline"' not in body


def test_it_returns_only_the_timeline_to_htmx(client, viewer, analyst, commitment):
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Visible entry", expected_version=1
    )
    signed_in(client, viewer)
    response = client.get(detail_url(commitment), headers=htmx_headers("timeline"))
    body = assert_fragment(response, "timeline")
    assert "Visible entry" in body
    assert 'id="commitment-status"' not in body


def test_it_returns_the_whole_page_to_an_htmx_history_restore(client, viewer, commitment):
    signed_in(client, viewer)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = client.get(detail_url(commitment), headers=headers).content.decode()
    assert "<html" in body


# --------------------------------------------------------------------------- logging a follow-up


def test_it_saves_a_follow_up_without_javascript_then_redirects(client, analyst, commitment):
    signed_in(client, analyst)
    data = valid_data(
        commitment,
        status="in_progress",
        progress="40",
        evidence_url="https://example.org/report",
        external_reference="CASE-7",
        occurred_on="2026-01-22",
    )
    response = client.post(post_url(commitment), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(commitment)
    fu = FollowUp.objects.get()
    assert (fu.author, fu.note, fu.occurred_on) == (
        analyst,
        data["note"],
        datetime.date(2026, 1, 22),
    )
    assert (fu.status_before, fu.status_after) == ("not_started", "in_progress")
    assert (fu.progress_before, fu.progress_after) == (0, 40)
    assert (fu.evidence_url, fu.external_reference) == ("https://example.org/report", "CASE-7")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 40, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Follow-up saved." in page
    assert "Met the regulator; next steps agreed." in page


def test_it_saves_a_follow_up_in_place_with_htmx(client, analyst, commitment):
    signed_in(client, analyst)
    response = client.post(
        post_url(commitment),
        valid_data(commitment, status="in_progress", progress="25"),
        headers=htmx_headers("follow-up-form"),
    )
    body = assert_fragment(response, "follow-up-form")
    assert response["HX-Trigger"] == CHANGED
    assert "Follow-up saved." in body
    # The form comes back empty, carrying the new version, with the note field focused.
    assert 'name="version" value="2"' in body
    assert re.search(r'<textarea name="note"[^>]*autofocus[^>]*>\s*</textarea>', body)
    # The polite live region gets the confirmation (an out-of-band swap into #announcer).
    assert '<div id="announcer" hx-swap-oob="innerHTML">Follow-up saved.' in body
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 25, 2)
    # The parts that listen to the event fetch themselves again and show the change.
    status = client.get(detail_url(commitment), headers=htmx_headers("commitment-status"))
    assert "In progress" in status.content.decode() and "25%" in status.content.decode()
    timeline = client.get(detail_url(commitment), headers=htmx_headers("timeline"))
    assert "Met the regulator" in timeline.content.decode()


def test_it_sets_progress_to_100_when_completed_without_a_number(client, analyst, commitment):
    signed_in(client, analyst)
    client.post(post_url(commitment), valid_data(commitment, status="completed"))
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == ("completed", 100)


def test_it_keeps_hindi_exactly_and_shows_html_as_text(client, analyst, commitment):
    note = "बैठक में निरीक्षण योजना पर सहमति हुई। <script>alert('x')</script> <b>bold</b> & done"
    signed_in(client, analyst)
    client.post(
        post_url(commitment), valid_data(commitment, note=note, external_reference="संदर्भ-१")
    )
    fu = FollowUp.objects.get()
    assert fu.note == note
    assert fu.external_reference == "संदर्भ-१"
    body = client.get(detail_url(commitment)).content.decode()
    assert "बैठक में निरीक्षण योजना पर सहमति हुई।" in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "<script>alert" not in body
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; done" in body


# --------------------------------------------------------------------------- bad input

LONG = "x" * 10001
TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

BAD_INPUT = [
    # (field with the error, changes to valid data, words of the message)
    ("note", {"note": ""}, "the note cannot be empty"),
    ("note", {"note": "   \n  "}, "the note cannot be empty"),
    ("note", {"note": "\u200b\u2060\ufeff \u200d"}, "the note cannot be empty"),  # invisible
    ("note", {"note": "Paid \u202eSU 000,01\u202c"}, "direction-control characters"),
    ("note", {"note": LONG}, "at most 10000 characters"),
    ("occurred_on", {"occurred_on": TOMORROW}, "cannot be in the future"),
    ("occurred_on", {"occurred_on": "2026-13-45"}, "Enter the date as YYYY-MM-DD"),
    ("occurred_on", {"occurred_on": ""}, "Give the date it happened"),
    ("occurred_on", {"occurred_on": "1900-01-01"}, "cannot be before 1 January 2000"),
    ("occurred_on", {"occurred_on": "0001-01-01"}, "cannot be before 1 January 2000"),
    ("progress", {"progress": "101"}, "between 0 and 100"),
    ("progress", {"progress": "-1"}, "between 0 and 100"),
    ("progress", {"progress": "lots"}, "whole number from 0 to 100"),
    ("progress", {"progress": "\u0665\u0660"}, "with the digits 0-9"),  # Arabic-Indic 50
    ("progress", {"progress": "5_0"}, "with the digits 0-9"),
    ("progress", {"progress": "+50"}, "with the digits 0-9"),
    ("progress", {"progress": "50.0"}, "with the digits 0-9"),
    ("progress", {"status": "completed", "progress": "50"}, "must be at 100% progress"),
    ("progress", {"status": "not_started", "progress": "30"}, "must be 0 while the status"),
    ("status", {"status": "done"}, "is not a status we know"),
    ("evidence_url", {"evidence_url": "ftp://example.org/file"}, "http:// or https://"),
    ("evidence_url", {"evidence_url": "javascript:alert(1)"}, "http:// or https://"),
    ("evidence_url", {"evidence_url": "https://example.org/" + "a" * 500}, "at most 500"),
    ("external_reference", {"external_reference": "R" * 201}, "at most 200 characters"),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@pytest.mark.parametrize(("field", "changes", "message"), BAD_INPUT)
def test_it_refuses_bad_input_next_to_the_field_and_keeps_it(
    client, analyst, commitment, field, changes, message, htmx
):
    signed_in(client, analyst)
    data = valid_data(commitment, **changes)
    headers = htmx_headers("follow-up-form") if htmx else {}
    response = client.post(post_url(commitment), data, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    if htmx:
        assert_fragment(response, "follow-up-form")
        assert "HX-Trigger" not in response
        assert '<div id="announcer" hx-swap-oob="innerHTML">Your follow-up was not saved' in body
    else:
        assert "<html" in body
    error = re.search(rf'<p class="field__error" id="id_{field}_error">(.*?)</p>', body, re.S)
    assert error, f"no error next to {field}"
    assert message in error.group(1).replace("&#x27;", "'")
    # The field with the error is focused and described by its message.
    tag = re.search(rf'<(?:input|select|textarea)[^>]*id="id_{field}"[^>]*>', body).group(0)
    assert "autofocus" in tag
    assert 'aria-invalid="true"' in tag
    assert f"id_{field}_error" in tag
    # What the user typed is still there (the other fields too).
    if field != "note":
        assert data["note"] in body
    for name, value in changes.items():
        if name in ("note", "occurred_on") and not value.strip():
            continue
        if name == "status":
            continue  # an unknown status cannot be selected again; a known one is
        assert (value if len(value) < 300 else value[:300]) in body
    if changes.get("status") in Status.values:
        assert f'<option value="{changes["status"]}" selected>' in body
    # Nothing was saved.
    commitment.refresh_from_db()
    assert commitment.version == 1
    assert not FollowUp.objects.exists()


def test_it_refuses_progress_that_contradicts_the_current_status(client, analyst, commitment):
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Done", status="completed", expected_version=1
    )
    commitment.refresh_from_db()
    signed_in(client, analyst)
    # No new status: the commitment stays completed, which must be 100%.
    response = client.post(post_url(commitment), valid_data(commitment, progress="60"))
    assert "must be at 100% progress" in response.content.decode()
    assert FollowUp.objects.count() == 1


def test_it_refuses_a_form_without_its_version(client, analyst, commitment):
    signed_in(client, analyst)
    data = valid_data(commitment)
    del data["version"]
    body = client.post(post_url(commitment), data).content.decode()
    assert "lost track of the version you saw; reload the page" in body
    assert not FollowUp.objects.exists()


def test_it_puts_service_errors_on_their_fields_and_the_rest_on_top(commitment):
    from django.core.exceptions import ValidationError

    from commitments.forms import FollowUpForm

    form = FollowUpForm(valid_data(commitment), commitment=commitment)
    assert form.is_valid()
    form.add_service_errors(
        ValidationError({"progress": "Progress is off.", "commitment": "Not yours."})
    )
    assert form.errors["progress"] == ["Progress is off."]
    assert form.non_field_errors() == ["Not yours."]
    form.add_service_errors(ValidationError("Something general."))
    assert "Something general." in form.non_field_errors()


# --------------------------------------------------------------------------- conflict


def _someone_else_changes(commitment, coordinator):
    services.follow_up_record(
        commitment=Commitment.objects.get(pk=commitment.pk),
        author=coordinator,
        note="Partner asked for more time.",
        status=Status.STALLED,
        expected_version=commitment.version,
    )


def test_it_shows_the_conflict_in_place_and_keeps_the_input(
    client, analyst, coordinator, commitment
):
    signed_in(client, analyst)
    seen = valid_data(commitment, note="My careful note", status="in_progress", progress="30")
    _someone_else_changes(commitment, coordinator)
    response = client.post(post_url(commitment), seen, headers=htmx_headers("follow-up-form"))
    body = assert_fragment(response, "follow-up-form")
    # The rest of the page refreshes to show what the other person did.
    assert response["HX-Trigger"] == CHANGED
    assert "Someone else changed this commitment first" in body
    assert "Partner asked for more time." in body
    assert "coordinator" in body
    assert "from version 1 to 2" in body
    assert "Stalled" in body
    assert "Your follow-up has not been saved." in body
    assert "My careful note" in body
    assert '<option value="in_progress" selected>' in body
    assert 'value="30"' in body
    # The form now carries the current version: saving again is a deliberate second step.
    assert 'name="version" value="2"' in body
    assert 'id="follow-up-conflict" tabindex="-1" autofocus' in body
    assert FollowUp.objects.count() == 1
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("stalled", 2)

    seen["version"] = "2"
    response = client.post(post_url(commitment), seen, headers=htmx_headers("follow-up-form"))
    assert "Follow-up saved." in response.content.decode()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 30, 3)


def test_it_shows_the_conflict_without_javascript(client, analyst, coordinator, commitment):
    signed_in(client, analyst)
    seen = valid_data(commitment, note="My careful note")
    _someone_else_changes(commitment, coordinator)
    response = client.post(post_url(commitment), seen)
    assert response.status_code == 409
    body = response.content.decode()
    assert "<html" in body
    assert "Someone else changed this commitment first" in body
    assert "My careful note" in body
    assert "Partner asked for more time." in body
    assert FollowUp.objects.count() == 1


# --------------------------------------------------------------------------- CSRF


def _csrf_token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_it_refuses_a_post_without_the_csrf_token(analyst, commitment):
    client = signed_in(Client(enforce_csrf_checks=True), analyst)
    response = client.post(post_url(commitment), valid_data(commitment))
    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_it_accepts_the_csrf_token_from_the_form_and_from_hx_headers(analyst, commitment):
    client = signed_in(Client(enforce_csrf_checks=True), analyst)
    page = client.get(detail_url(commitment)).content.decode()
    data = valid_data(commitment, csrfmiddlewaretoken=_csrf_token(page))
    assert client.post(post_url(commitment), data).status_code == 302
    # htmx sends the token from <body hx-headers='{"x-csrftoken": ...}'>.
    header_token = re.search(r"hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page).group(1)
    commitment.refresh_from_db()
    response = client.post(
        post_url(commitment),
        valid_data(commitment),
        headers={**htmx_headers("follow-up-form"), "X-CSRFToken": header_token},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == CHANGED
    assert FollowUp.objects.count() == 2
