"""What an analyst does every day, in a real browser: sign in, find a commitment, log a
follow-up, change a status, and meet someone else's change, with htmx and with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commitments import services
from commitments.models import Commitment, FollowUp, Status
from tests import factories

from .support import (
    assert_accessible,
    assert_accessible_markup,
    mark_document,
    same_document,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

NO_JS = {"java_script_enabled": False}


def _row(page, commitment):
    return page.locator(f"#commitment-row-{commitment.reference}")


def _status_filter(page):
    return page.locator("#filters").get_by_label("Status", exact=True)


def test_it_signs_in_through_the_form_and_lands_on_the_group(page, workspace):
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(workspace.analyst.username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back where the user was going, signed in.
    expect(page).to_have_url(re.compile(rf"/g/{workspace.group.slug}/commitments/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto("/")
    # Only one working group: straight to it.
    expect(page).to_have_url(re.compile(rf"/g/{workspace.group.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.group.name)


def test_it_filters_the_list_in_place_and_the_url_follows(page, live_server, workspace):
    stalled = workspace.commitments[4]
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    rows = page.locator("#commitment-table tbody tr")
    expect(rows).to_have_count(5)
    mark_document(page)

    _status_filter(page).select_option(Status.STALLED)
    expect(rows).to_have_count(1)
    expect(_row(page, stalled)).to_contain_text(stalled.title)
    expect(page).to_have_url(re.compile(r"[?&]status=stalled(&|$)"))
    expect(page.locator("#results-heading")).to_contain_text("1 commitment")

    page.locator("#filters").get_by_label("Action area").select_option(workspace.other_area.slug)
    expect(page.locator("#commitment-table")).to_have_count(0)
    expect(page.locator("#commitment-results")).to_contain_text("No commitment matches")
    expect(page).to_have_url(re.compile(rf"area={workspace.other_area.slug}"))

    page.locator("#filters").get_by_label("Action area").select_option("")
    page.locator("#filters").get_by_label("Search").fill("watch list")
    expect(page).to_have_url(re.compile(r"q=watch(\+|%20)list"))
    expect(rows).to_have_count(1)
    assert same_document(page), "filtering reloaded the page instead of swapping the table"

    # The URL is the view: opening it afresh shows the same filtered table and form.
    bookmarked = page.url
    page.goto(bookmarked)
    expect(rows).to_have_count(1)
    expect(_status_filter(page)).to_have_value(Status.STALLED)
    expect(page.locator("#filters").get_by_label("Search")).to_have_value("watch list")

    # Back goes to the previous filter state.
    page.go_back()
    expect(page.locator("#filters").get_by_label("Search")).to_have_value("")


def test_it_filters_the_list_with_javascript_off(open_page, live_server, workspace):
    page = open_page(**NO_JS)
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    _status_filter(page).select_option(Status.COMPLETED)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=completed"))
    rows = page.locator("#commitment-table tbody tr")
    expect(rows).to_have_count(1)
    expect(_row(page, workspace.commitments[2])).to_be_visible()


def test_it_opens_a_commitment_from_the_list(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    page.get_by_role("link", name=workspace.commitment.title).click()
    expect(page).to_have_url(re.compile(re.escape(workspace.commitment.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.commitment.title)
    where = page.locator("#where-agreed")
    expect(where).to_contain_text("Meeting 1")
    expect(where).to_contain_text("Joint statement of the first meeting")
    expect(where).to_contain_text("para. 3")
    expect(where).to_contain_text("control of precursor chemicals")
    leads = page.locator("#lead-agencies")
    expect(leads).to_contain_text("Narcotics Control Bureau")
    expect(leads).to_contain_text("Office of National Drug Control Policy")
    expect(page.locator("#indicators")).to_contain_text("Precursor seizures reported")


def test_it_logs_a_follow_up_without_a_page_load(page, live_server, workspace):
    commitment = workspace.commitment
    sign_in(page, workspace.analyst, live_server)
    page.goto(commitment.get_absolute_url())
    status = page.locator("#commitment-status")
    expect(status).to_contain_text("Not started")
    mark_document(page)

    form = page.locator("#follow-up-form")
    form.get_by_label("What happened").fill("Lists of precursors exchanged; ३ नए रसायन जोड़े गए.")
    form.get_by_label("New status").select_option(Status.IN_PROGRESS)
    form.get_by_label("New progress (%)").fill("30")
    form.get_by_label("Evidence link").fill("https://example.org/minutes")
    form.get_by_role("button", name="Save follow-up").click()

    timeline = page.locator("#timeline")
    entry = timeline.locator(".timeline__item").first
    expect(entry).to_contain_text("Lists of precursors exchanged; ३ नए रसायन जोड़े गए.")
    expect(entry).to_contain_text("In progress")
    expect(entry.get_by_role("link", name=re.compile("Evidence"))).to_have_attribute(
        "href", "https://example.org/minutes"
    )
    expect(status.locator(".badge")).to_have_text("In progress")
    expect(status).to_contain_text("30%")
    # The form is ready for the next one, and screen readers hear that it was saved.
    expect(page.locator("#follow-up-form").get_by_label("What happened")).to_have_value("")
    expect(page.locator("#announcer")).to_contain_text("Follow-up saved")
    assert same_document(page), "logging a follow-up reloaded the page"

    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (
        Status.IN_PROGRESS,
        30,
        2,
    )
    assert FollowUp.objects.filter(commitment=commitment).count() == 1


def test_it_keeps_the_input_and_shows_errors_next_to_the_fields(page, live_server, workspace):
    commitment = workspace.commitment
    sign_in(page, workspace.analyst, live_server)
    page.goto(commitment.get_absolute_url())
    mark_document(page)
    form = page.locator("#follow-up-form")
    form.get_by_label("What happened").fill("<b>not bold</b> and a bad link")
    form.get_by_label("Evidence link").fill("ftp://example.org/file")
    form.get_by_label("New status").select_option(Status.COMPLETED)
    form.get_by_label("New progress (%)").fill("50")
    form.get_by_role("button", name="Save follow-up").click()

    form = page.locator("#follow-up-form")
    expect(form.locator("#id_evidence_url_error")).to_contain_text("http:// or https://")
    expect(form.locator("#id_progress_error")).to_contain_text("100%")
    expect(form.get_by_label("What happened")).to_have_value("<b>not bold</b> and a bad link")
    expect(form.get_by_label("Evidence link")).to_have_value("ftp://example.org/file")
    expect(form.get_by_label("New status")).to_have_value(Status.COMPLETED)
    expect(form.get_by_label("Evidence link")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#announcer")).to_contain_text("not saved")
    assert same_document(page)
    assert FollowUp.objects.filter(commitment=commitment).count() == 0

    # HTML typed into a note is shown as text once saved.
    form.get_by_label("Evidence link").fill("")
    form.get_by_label("New progress (%)").fill("")
    form.get_by_role("button", name="Save follow-up").click()
    entry = page.locator("#timeline .timeline__item").first
    expect(entry.locator(".timeline__note")).to_have_text("<b>not bold</b> and a bad link")
    expect(entry.locator(".timeline__note b")).to_have_count(0)


def test_it_changes_a_status_from_the_list_row_in_place(page, live_server, workspace):
    commitment = workspace.commitment
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    mark_document(page)
    row = _row(page, commitment)
    expect(row.locator(".badge")).to_have_text("Not started")

    row.get_by_label(f"New status for {commitment.reference}").select_option(Status.STALLED)
    row.get_by_role("button", name=f"Set status of {commitment.reference}").click()

    row = _row(page, commitment)
    expect(row.locator(".badge")).to_have_text("Stalled")
    expect(row).to_contain_text("Saved")
    expect(page.locator("#announcer")).to_contain_text(f"{commitment.reference} is now “Stalled”")
    expect(page.locator("#commitment-table tbody tr")).to_have_count(5)
    assert same_document(page), "the status change reloaded the page"
    commitment.refresh_from_db()
    assert commitment.status == Status.STALLED
    assert_accessible(page, "the commitments list after a status change in a row")

    # The next change from the same row uses the new version: no false conflict.
    row.get_by_label(f"New status for {commitment.reference}").select_option(Status.IN_PROGRESS)
    row.get_by_role("button", name=f"Set status of {commitment.reference}").click()
    expect(_row(page, commitment).locator(".badge")).to_have_text("In progress")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (Status.IN_PROGRESS, 3)


def test_it_changes_a_status_from_the_list_with_javascript_off(open_page, live_server, workspace):
    commitment = workspace.commitment
    page = open_page(**NO_JS)
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/?sort=due")
    row = _row(page, commitment)
    row.get_by_label(f"New status for {commitment.reference}").select_option(Status.WITHDRAWN)
    row.get_by_role("button", name=f"Set status of {commitment.reference}").click()
    # POST-redirect-GET back to the same list view, with a message.
    expect(page).to_have_url(re.compile(r"/commitments/\?sort=due$"))
    expect(page.get_by_role("status").filter(has_text=commitment.reference)).to_contain_text(
        "Withdrawn"
    )
    expect(_row(page, commitment).locator(".badge")).to_have_text("Withdrawn")


def _load_as(open_page, live_server, user, commitment):
    page = open_page()
    sign_in(page, user, live_server)
    page.goto(commitment.get_absolute_url())
    return page


def test_it_shows_the_conflict_when_someone_else_changed_it_first(
    open_page, live_server, workspace
):
    commitment = workspace.commitment
    mine = _load_as(open_page, live_server, workspace.analyst, commitment)
    theirs = _load_as(open_page, live_server, workspace.coordinator, commitment)
    mark_document(mine)

    # I start writing; meanwhile the coordinator saves a change from their browser.
    my_form = mine.locator("#follow-up-form")
    my_form.get_by_label("What happened").fill("Met the customs team; they need the list.")
    my_form.get_by_label("New status").select_option(Status.IN_PROGRESS)
    my_form.get_by_label("New progress (%)").fill("20")

    their_form = theirs.locator("#follow-up-form")
    their_form.get_by_label("What happened").fill("Withdrawn: merged into another commitment.")
    their_form.get_by_label("New status").select_option(Status.WITHDRAWN)
    their_form.get_by_role("button", name="Save follow-up").click()
    expect(theirs.locator("#commitment-status .badge")).to_have_text("Withdrawn")

    my_form.get_by_role("button", name="Save follow-up").click()

    conflict = mine.locator("#follow-up-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone else changed this commitment first")
    expect(conflict).to_contain_text("Withdrawn")
    expect(conflict).to_contain_text("Withdrawn: merged into another commitment.")
    expect(conflict).to_contain_text("not been saved")
    # My input is kept, and the rest of the page caught up with their change.
    my_form = mine.locator("#follow-up-form")
    expect(my_form.get_by_label("What happened")).to_have_value(
        "Met the customs team; they need the list."
    )
    expect(my_form.get_by_label("New status")).to_have_value(Status.IN_PROGRESS)
    expect(my_form.get_by_label("New progress (%)")).to_have_value("20")
    expect(mine.locator("#commitment-status .badge")).to_have_text("Withdrawn")
    expect(mine.locator("#timeline")).to_contain_text("merged into another commitment")
    expect(mine.locator("#announcer")).to_contain_text("not saved")
    assert same_document(mine)
    assert_accessible(mine, "the commitment page showing a conflict")
    screenshot(mine, "commitment-conflict")

    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == (Status.WITHDRAWN, 2)
    assert FollowUp.objects.filter(commitment=commitment).count() == 1

    # Having seen it, I save again on top of their change: nothing is overwritten silently.
    my_form.get_by_role("button", name="Save follow-up").click()
    expect(mine.locator("#follow-up-saved")).to_be_visible()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (
        Status.IN_PROGRESS,
        20,
        3,
    )
    assert list(
        FollowUp.objects.filter(commitment=commitment)
        .order_by("commitment_version")
        .values_list("author__username", flat=True)
    ) == [workspace.coordinator.username, workspace.analyst.username]


def test_it_logs_a_follow_up_with_javascript_off(open_page, live_server, workspace):
    commitment = workspace.commitment
    page = open_page(**NO_JS)
    sign_in(page, workspace.analyst, live_server)
    page.goto(commitment.get_absolute_url())

    form = page.locator("#follow-up-form")
    form.get_by_label("What happened").fill("Agreed the schedule by letter.")
    form.get_by_label("New status").select_option(Status.COMPLETED)
    with page.expect_navigation():
        form.get_by_role("button", name="Save follow-up").click()

    # POST-redirect-GET: the page was fetched again with GET, so a reload posts nothing twice.
    expect(page).to_have_url(re.compile(re.escape(commitment.get_absolute_url()) + "$"))
    expect(page.get_by_role("status").filter(has_text="Follow-up saved")).to_be_visible()
    expect(page.locator("#commitment-status .badge")).to_have_text("Completed")
    expect(page.locator("#commitment-status")).to_contain_text("100%")
    expect(page.locator("#timeline .timeline__item").first).to_contain_text(
        "Agreed the schedule by letter."
    )
    page.reload()
    assert FollowUp.objects.filter(commitment=commitment).count() == 1
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress) == (Status.COMPLETED, 100)


def test_it_shows_errors_and_conflicts_with_javascript_off(
    open_page, page_errors, live_server, workspace
):
    commitment = workspace.commitment
    page = open_page(**NO_JS)
    sign_in(page, workspace.analyst, live_server)
    page.goto(commitment.get_absolute_url())

    form = page.locator("#follow-up-form")
    form.get_by_label("New progress (%)").fill("-5")
    form.get_by_role("button", name="Save follow-up").click()
    form = page.locator("#follow-up-form")
    expect(form.locator("#id_note_error")).to_contain_text("cannot be empty")
    expect(form.locator("#id_progress_error")).to_contain_text("between 0 and 100")
    expect(form.get_by_label("New progress (%)")).to_have_value("-5")
    # The first field in error has the focus on the new page.
    expect(form.get_by_label("What happened")).to_be_focused()
    checker = open_page()
    sign_in(checker, workspace.analyst, live_server)
    assert_accessible_markup(
        page,
        checker,
        "the commitment page with errors, JavaScript off",
        url=commitment.get_absolute_url(),
    )

    # Someone else changes it; my plain POST gets the conflict message and my text back.
    services.follow_up_record(
        commitment=commitment,
        author=workspace.coordinator,
        note="Moved on by the coordinator.",
        expected_version=Commitment.objects.get(pk=commitment.pk).version,
        status=Status.STALLED,
    )
    form.get_by_label("What happened").fill("My own note.")
    form.get_by_label("New progress (%)").fill("")
    # The page comes back with 409 Conflict, which Chromium logs as a failed load: expected.
    page_errors.allow("status of 409")
    form.get_by_role("button", name="Save follow-up").click()
    expect(page.locator("#follow-up-conflict")).to_contain_text("Moved on by the coordinator.")
    expect(page.locator("#follow-up-form").get_by_label("What happened")).to_have_value(
        "My own note."
    )
    expect(page.locator("#commitment-status .badge")).to_have_text("Stalled")
