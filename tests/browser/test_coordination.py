"""The coordinator runs the group in the app alone: records meeting 2 with three commitments,
sees them on each side's page; every new page is accessible (axe, WCAG 2.1 A/AA), fits a phone,
and is photographed at desktop and phone widths in screenshots/."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments import services
from commitments.models import Commitment, Meeting

from .support import assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser


def _tick(page, section: str, label: str) -> None:
    page.get_by_role("group", name=section).get_by_label(label).check()


def test_it_lets_a_coordinator_record_a_meeting_and_its_commitments_in_the_app(
    page, live_server, workspace
):
    group = workspace.group
    us_lead = workspace.commitment.lead_agencies.get(party__code="US")
    in_lead = workspace.commitment.lead_agencies.get(party__code="IN")
    # The coordinator signs in through the real form.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(workspace.coordinator.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(group.name)

    page.get_by_role("link", name="Record a meeting").click()
    expect(page.get_by_label("Meeting number")).to_have_value("2")
    assert_accessible(page, "the meeting form")
    screenshot(page, "meeting-new")

    # A first try with the end before the start: refused at the field, input kept.
    page.locator("#id_title").fill("Second meeting, New Delhi")
    page.get_by_label("Start date").fill("2026-11-10")
    page.get_by_label("End date").fill("2026-11-09")
    page.get_by_label("Place").fill("New Delhi")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.locator("#form-problem")).to_be_visible()
    expect(page.locator("#id_end_date_error")).to_contain_text("cannot end before it starts")
    expect(page.get_by_label("Place")).to_have_value("New Delhi")
    assert_accessible(page, "the meeting form with an error")
    screenshot(page, "meeting-new-errors")

    page.get_by_label("End date").fill("2026-11-11")
    rows = page.locator(".participant-row")
    rows.nth(0).get_by_label("Or a new person: name").fill("Rekha Iyer")
    rows.nth(0).get_by_label("Their title").fill("Deputy Director General")
    rows.nth(0).get_by_label("Their agency").select_option(label="NCB (IN)")
    rows.nth(0).get_by_label("Role").select_option(label="Delegation lead")
    page.locator("#id_doc_title").fill("Joint statement of the second meeting")
    page.locator("#id_doc_publisher").fill("Ministry of External Affairs")
    page.get_by_role("button", name="Record the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Second meeting, New Delhi")
    expect(page.locator("#participants")).to_contain_text("Rekha Iyer")

    # Three commitments agreed at it, the first two with "Save and add another".
    titles = [
        "Exchange lists of scheduled precursors every quarter",
        "Train port officers on tableting machines",
        "Review the joint operation against online markets",
    ]
    page.get_by_role("link", name="Add a commitment agreed here").click()
    assert_accessible(page, "the commitment form")
    screenshot(page, "commitment-new")
    for i, title in enumerate(titles):
        page.get_by_label("Action area").select_option(
            label=(workspace.area if i < 2 else workspace.other_area).name
        )
        page.get_by_label("Title").fill(title)
        _tick(page, "India lead agencies", in_lead.acronym + " – " + in_lead.name)
        if i != 1:
            _tick(page, "United States lead agencies", us_lead.acronym + " – " + us_lead.name)
        page.get_by_label("Owner").select_option(label="analyst")
        page.get_by_label("Due date").fill(
            (timezone.localdate() + datetime.timedelta(90 + i)).isoformat()
        )
        if i == 0:
            page.get_by_label("Source document").select_option(
                label="Joint statement of the second meeting"
            )
        last = i == len(titles) - 1
        page.get_by_role(
            "button", name="Save" if last else "Save and add another", exact=True
        ).click()
        if not last:
            # Back on the form, the area and the source kept.
            expect(page.get_by_role("status").first).to_contain_text("is recorded")
            expect(page.get_by_label("Source document")).to_have_value(
                str(Meeting.objects.get(working_group=group, number=2).source_documents.get().pk)
            )
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[-1])

    made = Commitment.objects.filter(working_group=group, meeting__number=2).order_by("pk")
    assert [c.title for c in made] == titles
    assert [c.reference for c in made] == ["DPEWG-2-PC-01", "DPEWG-2-PC-02", "DPEWG-2-DT-01"]

    # Each side's page shows them: India leads all three, the United States two, shared.
    page.get_by_role("link", name="Each side").click()
    india = page.locator(f"#side-{in_lead.party.code}")
    united_states = page.locator(f"#side-{us_lead.party.code}")
    for title in titles:
        expect(india).to_contain_text(title)
    expect(united_states).to_contain_text(titles[0])
    expect(united_states).not_to_contain_text(titles[1])
    assert_accessible(page, "each side's page")
    screenshot(page, "sides")


def test_it_has_accessible_edit_and_withdraw_forms_and_shows_the_edit_to_both_sides(
    page, open_page, live_server, workspace
):
    c = workspace.commitment
    sign_in(page, workspace.coordinator, live_server)
    page.goto(f"/g/{workspace.group.slug}/commitments/{c.reference}/")
    page.get_by_role("link", name="Edit the details").click()
    assert_accessible(page, "the edit form")
    page.get_by_label("Due date").fill((c.due_date + datetime.timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("Say why the due date moves")).to_be_visible()
    assert_accessible(page, "the edit form with an error")
    screenshot(page, "commitment-edit-errors")
    page.get_by_label("Why the change").fill("The port survey slipped to the new year.")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("#timeline")).to_contain_text("The port survey slipped")

    # A viewer sees the move in the timeline: what, from when to when, by whom, and why.
    viewer = open_page()
    sign_in(viewer, workspace.viewer, live_server)
    viewer.goto(f"/g/{workspace.group.slug}/commitments/{c.reference}/")
    entry = viewer.locator(".timeline__item--edit").first
    expect(entry).to_contain_text("Due date")
    expect(entry).to_contain_text("The port survey slipped to the new year.")
    assert_accessible(viewer, "a timeline with an edit")
    screenshot(viewer, "commitment-with-edit")


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("members/", "members", "Members"),
        ("activity/", "activity", "Recent activity"),
        ("indicators/new/", "indicator-new", "Add an indicator"),
        ("meetings/1/edit/", "meeting-edit", "Edit meeting 1"),
    ],
)
def test_it_has_accessible_coordination_pages(page, live_server, workspace, path, name, heading):
    services.affiliation_set(
        user=workspace.analyst,
        agency=workspace.commitment.lead_agencies.get(party__code="IN"),
    )
    sign_in(page, workspace.coordinator, live_server)
    page.goto(f"/g/{workspace.group.slug}/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, name)
    screenshot(page, name)
