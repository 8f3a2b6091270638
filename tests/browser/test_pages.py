"""Every page of the analyst workspace in a real browser: zero axe-core violations of the WCAG 2.1
A and AA rules, no JavaScript error, no sideways scrolling at phone width, and screenshots at
desktop and phone widths in screenshots/ for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commitments import services
from tests import factories

from .support import assert_accessible, mark_document, same_document, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_it_has_an_accessible_sign_in_page(page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page, "the sign-in page")
    screenshot(page, "sign-in")


def test_it_shows_a_failed_sign_in_accessibly(page, workspace):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(workspace.analyst.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(workspace.analyst.username)
    assert_accessible(page, "the sign-in page with an error")
    screenshot(page, "sign-in-error")


def test_it_has_an_accessible_list_of_working_groups(page, live_server, workspace, other_group):

    services.membership_set(
        user=workspace.analyst, working_group=other_group, role=factories.Role.VIEWER
    )
    sign_in(page, workspace.analyst, live_server)
    page.goto("/")
    expect(page.get_by_role("link", name=workspace.group.name)).to_be_visible()
    assert_accessible(page, "the list of working groups")
    screenshot(page, "home")


def test_it_has_an_accessible_dashboard(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.group.name)
    assert_accessible(page, "the working group dashboard")
    screenshot(page, "dashboard")


def test_it_has_an_accessible_commitments_list(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    expect(page.locator("#commitment-table tbody tr")).to_have_count(len(workspace.commitments))
    assert_accessible(page, "the commitments list")
    screenshot(page, "commitment-list")


def test_it_stays_accessible_after_the_list_is_filtered_in_place(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    mark_document(page)
    page.locator("#filters").get_by_label("Status", exact=True).select_option("stalled")
    expect(page.locator("#commitment-table tbody tr")).to_have_count(1)
    assert same_document(page)
    assert_accessible(page, "the commitments list after an htmx swap")
    screenshot(page, "commitment-list-filtered")


def test_it_has_an_accessible_commitment_page(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitments[1].get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.commitments[1].title)
    assert_accessible(page, "the commitment page")
    screenshot(page, "commitment")


def test_it_lays_out_the_commitment_page_of_a_viewer(page, live_server, workspace):
    sign_in(page, workspace.viewer, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.commitment.title)
    expect(page.locator("form#follow-up-form")).to_have_count(0)
    screenshot(page, "commitment-viewer")


def test_it_stays_accessible_with_follow_up_errors_shown_in_place(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    mark_document(page)
    form = page.locator("#follow-up-form")
    form.get_by_label("New progress (%)").fill("150")
    form.get_by_role("button", name="Save follow-up").click()
    expect(page.locator("#follow-up-problem")).to_be_visible()
    assert same_document(page)
    assert_accessible(page, "the commitment page with follow-up errors (htmx)")
    screenshot(page, "commitment-follow-up-errors")


def test_it_stays_accessible_after_a_follow_up_is_saved_in_place(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    mark_document(page)
    form = page.locator("#follow-up-form")
    form.get_by_label("What happened").fill("Lists exchanged at the expert meeting.")
    form.get_by_label("New status").select_option("in_progress")
    form.get_by_role("button", name="Save follow-up").click()
    expect(page.locator("#follow-up-saved")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Lists exchanged at the expert meeting.")
    assert same_document(page)
    assert_accessible(page, "the commitment page after a follow-up was saved (htmx)")
    screenshot(page, "commitment-follow-up-saved")


def test_it_has_an_accessible_meeting_page(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.meeting.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.meeting.title)
    assert_accessible(page, "the meeting page")
    screenshot(page, "meeting")


def test_it_has_an_accessible_action_area_page(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.area.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(workspace.area.name)
    assert_accessible(page, "the action area page")
    screenshot(page, "area")


def test_it_has_an_accessible_change_password_page(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto("/accounts/password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page, "the change password page")
    screenshot(page, "password-change")


def test_it_shows_change_password_errors_accessibly(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto("/accounts/password/")
    page.get_by_label("Old password").fill("wrong")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("different")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field__error").first).to_be_visible()
    assert_accessible(page, "the change password page with errors")
    screenshot(page, "password-change-errors")


def test_it_has_an_accessible_password_changed_page(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto("/accounts/password/")
    page.get_by_label("Old password").fill(factories.PASSWORD)
    page.get_by_label("New password", exact=True).fill("a new and long passphrase 42")
    page.get_by_label("New password confirmation").fill("a new and long passphrase 42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page, "the password changed page")
    screenshot(page, "password-changed")


def test_it_reads_an_error_without_its_decorative_cross(page, live_server, workspace):
    """The ✕ before each error message is decoration drawn with CSS `content`; Chromium puts
    generated content into the accessible text, so a screen reader says “multiplication x,
    Error: …” unless the content has an empty alternative (`content: "✕ " / ""`)."""
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    page.locator("#follow-up-form").get_by_role("button", name="Save follow-up").click()
    note = page.locator("#id_note")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_accessible_description(
        "Error: Write what happened: the note cannot be empty."
    )


def test_it_shows_a_viewer_no_edit_controls(page, live_server, workspace):
    sign_in(page, workspace.viewer, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    expect(page.locator("#commitment-table tbody tr")).to_have_count(len(workspace.commitments))
    expect(page.locator("form.quick-status")).to_have_count(0)
    expect(page.get_by_role("button", name="Set")).to_have_count(0)
    page.goto(workspace.commitment.get_absolute_url())
    expect(page.locator("#follow-up-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save follow-up")).to_have_count(0)
    assert_accessible(page, "the commitment page as a viewer")
