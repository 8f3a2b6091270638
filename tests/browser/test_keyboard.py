"""Keyboard only: every action is reachable with Tab and Enter (and arrow keys in a select), the
focus is always visible, and after an htmx swap it lands somewhere sensible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from commitments import services
from commitments.models import FollowUp, Status

from .support import mark_document, same_document, sign_in

pytestmark = pytest.mark.browser

MAX_TABS = 80

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    name: el.getAttribute('name'),
    text: (el.innerText || el.value || '').trim().slice(0, 80),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : null,
    visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
             || style.boxShadow !== 'none',
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element satisfies `matches` (the visibility of the focus is
    checked stop by stop in `test_it_shows_where_the_focus_is_at_every_stop`)."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None:
            continue
        if matches(element):
            return element
        seen.append(element["id"] or element["text"] or element["tag"])
    raise AssertionError(f"{what} cannot be reached with Tab; the focus went through {seen}")


def test_it_skips_to_the_main_content(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_it_logs_a_follow_up_with_the_keyboard_only(page, live_server, workspace):
    commitment = workspace.commitment
    sign_in(page, workspace.analyst, live_server)
    page.goto(commitment.get_absolute_url())
    mark_document(page)

    tab_to(page, lambda e: e["id"] == "id_note", "the note of the follow-up form")
    page.keyboard.type("Called the customs liaison; the list is agreed.")
    tab_to(page, lambda e: e["id"] == "id_status", "the new status")
    # Arrow keys move through a closed select's options in Chromium on Linux: the first Down
    # leaves “Keep …” for the first status, “Not started”, the second reaches “In progress”.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_status")).to_have_value(Status.IN_PROGRESS)
    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == "Save follow-up", "Save")
    page.keyboard.press("Enter")

    expect(page.locator("#follow-up-saved")).to_be_visible()
    expect(page.locator("#commitment-status .badge")).to_have_text("In progress")
    expect(page.locator("#announcer")).to_contain_text("Follow-up saved")
    # Focus is back in the emptied note, ready for the next one, not lost on <body>.
    expect(page.locator("#id_note")).to_be_focused()
    expect(page.locator("#id_note")).to_have_value("")
    assert same_document(page)
    assert FollowUp.objects.filter(commitment=commitment).count() == 1


def test_it_moves_the_focus_to_the_first_error_after_a_swap(page, live_server, workspace):
    in_progress = workspace.commitments[1]
    sign_in(page, workspace.analyst, live_server)
    page.goto(in_progress.get_absolute_url())
    mark_document(page)

    tab_to(page, lambda e: e["id"] == "id_note", "the note of the follow-up form")
    page.keyboard.type("Progress noted.")
    tab_to(page, lambda e: e["id"] == "id_progress", "the new progress")
    page.keyboard.type("250")
    page.keyboard.press("Enter")  # implicit submission from a text field

    progress = page.locator("#id_progress")
    expect(page.locator("#id_progress_error")).to_be_visible()
    expect(progress).to_be_focused()
    expect(progress).to_have_attribute("aria-invalid", "true")
    # The error is read with the field: it is in its accessible description.
    expect(progress).to_have_accessible_description(
        re.compile(r"Error: Progress must be between 0 and 100\.$")
    )
    expect(page.locator("#announcer")).to_contain_text("not saved")
    assert same_document(page)

    # Correcting and submitting from the same field works without the mouse.
    progress.press("Control+a")
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    expect(page.locator("#follow-up-saved")).to_be_visible()
    expect(page.locator("#commitment-status")).to_contain_text("25%")


def test_it_moves_the_focus_to_the_conflict_message(open_page, live_server, workspace):
    commitment = workspace.commitment
    mine = open_page()
    sign_in(mine, workspace.analyst, live_server)
    mine.goto(commitment.get_absolute_url())
    services.follow_up_record(
        commitment=commitment,
        author=workspace.coordinator,
        note="Changed by the coordinator meanwhile.",
        expected_version=commitment.version,
        status=Status.STALLED,
    )
    tab_to(mine, lambda e: e["id"] == "id_note", "the note of the follow-up form")
    mine.keyboard.type("My update.")
    tab_to(mine, lambda e: e["tag"] == "button" and e["text"] == "Save follow-up", "Save")
    mine.keyboard.press("Enter")
    conflict = mine.locator("#follow-up-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_be_focused()
    # From the message, Tab leads on into the kept input.
    tab_to(mine, lambda e: e["id"] == "id_note", "the kept note after the conflict message")
    expect(mine.locator("#id_note")).to_have_value("My update.")


def test_it_changes_a_status_in_a_list_row_with_the_keyboard(page, live_server, workspace):
    commitment = workspace.commitment
    select_id = f"status-{commitment.reference}"
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    mark_document(page)

    tab_to(page, lambda e: e["id"] == select_id, f"the status select of {commitment.reference}")
    page.keyboard.press("ArrowDown")  # Not started -> In progress
    expect(page.locator(f"#{select_id}")).to_have_value(Status.IN_PROGRESS)
    tab_to(page, lambda e: e["tag"] == "button", f"the Set button of {commitment.reference}")
    page.keyboard.press("Enter")

    row = page.locator(f"#commitment-row-{commitment.reference}")
    expect(row.locator(".badge")).to_have_text("In progress")
    # The row was replaced; focus returns to its select instead of falling to <body>.
    expect(page.locator(f"#{select_id}")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("is now “In progress”")
    assert same_document(page)


def test_it_filters_the_list_with_the_keyboard(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/")
    tab_to(page, lambda e: e["id"] == "id_q", "the search box")
    page.keyboard.type("seizure")
    page.keyboard.press("Enter")
    expect(page.locator("#commitment-table tbody tr")).to_have_count(1)
    expect(page.locator("#results-heading")).to_contain_text("1 commitment")
    # Filtering does not steal the focus from the search box.
    expect(page.locator("#id_q")).to_be_focused()


def _tab_stops(page) -> list[dict]:
    """Every element the Tab key stops at, in order, from the top of the page round to it."""
    stops = []
    page.locator("body").focus()
    for _ in range(MAX_TABS * 2):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None:
            break
        if stops and element == stops[0]:
            break
        stops.append(element)
    return stops


@pytest.mark.parametrize("where", ["commitment", "list", "dashboard"])
def test_it_shows_where_the_focus_is_at_every_stop(page, live_server, workspace, where):
    sign_in(page, workspace.analyst, live_server)
    url = {
        "commitment": workspace.commitment.get_absolute_url(),
        "list": f"/g/{workspace.group.slug}/commitments/",
        "dashboard": f"/g/{workspace.group.slug}/",
    }[where]
    page.goto(url)
    stops = _tab_stops(page)
    assert len(stops) > 10, f"only {len(stops)} tab stops on the {where} page: {stops}"
    invisible = [
        f"{s['tag']}#{s['id']} {s['label'] or s['text']!r} (stop {n})"
        for n, s in enumerate(stops, start=1)
        if not s["visible"]
    ]
    assert not invisible, f"no visible focus indicator on the {where} page at: {invisible}"
