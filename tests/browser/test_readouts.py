"""The readout importer in a real browser: a coordinator pastes the readout of a meeting,
accepts two candidates (one after editing its title and area), sets one aside, makes a
commitment of a passage the finder missed by selecting it, and finds the new commitments
quoting their words. With and without JavaScript; the pages are accessible (axe) and are
photographed in screenshots/."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commitments import services as domain
from commitments.models import Commitment
from tests import factories

from .support import assert_accessible, mark_document, same_document, screenshot, sign_in

pytestmark = pytest.mark.browser

READOUT = """Joint Statement on the Second Meeting of the Working Group

The delegations exchanged views on emerging threats, including synthetic opioids.

The two sides agreed to exchange seizure data every quarter, beginning in April 2027.

India will designate a point of contact in the Narcotics Control Bureau within 30 days.

The United States committed to train port officers on precursor controls by March 2027.

Officials from both customs services also reviewed parcel screening at the main airports.
"""


@pytest.fixture
def second_meeting(workspace):
    group = workspace.group
    us, india = factories.lead_agencies()
    domain.working_group_update(working_group=group, lead_agencies=[us, india])
    domain.action_area_update(
        action_area=workspace.area, keywords=["precursor", "precursor controls"]
    )
    factories.action_area(
        group, "IS", name="Information sharing", keywords=["seizure data", "point of contact"]
    )
    return factories.meeting(
        group, 2, start_date=datetime.date(2026, 11, 10), end_date=datetime.date(2026, 11, 11)
    )


def _card(page, words: str):
    return page.locator(".candidate").filter(has_text=words)


def test_it_turns_a_readout_into_commitments_that_quote_it(
    page, live_server, workspace, second_meeting
):
    group = workspace.group
    sign_in(page, workspace.coordinator, live_server)
    page.goto(reverse("commitments:meeting_detail", args=[group.slug, 2]))
    page.get_by_role("link", name="Import a readout").click()
    assert_accessible(page, "the readout import form")
    screenshot(page, "readout-import")

    page.get_by_label("Title").fill("Joint statement of the second meeting")
    page.get_by_label("Publisher").fill("Ministry of External Affairs")
    page.get_by_label("Paste its text").fill(READOUT)
    page.get_by_role("button", name="Import and review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Joint statement of the second meeting"
    )
    candidates = page.locator(".candidate")
    expect(candidates).to_have_count(3)
    expect(page.locator(".mark")).to_have_count(3)
    assert_accessible(page, "the readout review")
    screenshot(page, "readout-review")

    # Accept the first as proposed: swapped in place, the page is not reloaded.
    mark_document(page)
    seizure = _card(page, "exchange seizure data")
    seizure.get_by_role("button", name="Accept as a commitment").click()
    expect(seizure).to_contain_text("Accepted as")
    assert same_document(page)

    # Edit the second before accepting it: a shorter title, another area.
    contact = _card(page, "point of contact")
    contact.get_by_label("Title").fill("Name an NCB point of contact")
    contact.get_by_label("Action area").select_option(label=workspace.other_area.name)
    contact.get_by_role("button", name="Accept as a commitment").click()
    expect(contact).to_contain_text("Name an NCB point of contact")

    # Set the third aside.
    training = _card(page, "train port officers")
    training.get_by_role("button", name="Not a commitment").click()
    expect(training).to_contain_text("Set aside")
    expect(page.locator(".mark--rejected")).to_have_count(1)
    expect(page.locator(".mark--accepted")).to_have_count(2)

    # A passage the finder missed: selecting its words fills the form.
    page.evaluate(
        """() => {
            const para = document.querySelector('#para-6');
            const node = [...para.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('parcel'));
            const start = node.textContent.indexOf('reviewed');
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, node.textContent.indexOf(' at the main'));
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    expect(page.locator("#passage [name=text]")).to_have_value("reviewed parcel screening")
    expect(page.locator("#passage [name=paragraph]")).to_have_value("6")
    page.get_by_role("button", name="Propose it").click()
    expect(_card(page, "reviewed parcel screening")).to_contain_text("selected by hand")
    assert_accessible(page, "the review after decisions")
    screenshot(page, "readout-review-decided")

    made = Commitment.objects.filter(meeting=second_meeting).order_by("id")
    assert [c.title for c in made][1] == "Name an NCB point of contact"
    assert made[1].action_area == workspace.other_area
    assert made.count() == 2

    # Each new commitment quotes and cites the words that created it.
    page.goto(made[1].get_absolute_url())
    expect(page.locator(".excerpt blockquote")).to_contain_text(
        "India will designate a point of contact in the Narcotics Control Bureau within 30 days"
    )
    expect(page.locator(".excerpt figcaption")).to_have_text(
        "Ministry of External Affairs, para. 4"
    )
    expect(page.locator("#main")).to_contain_text("Joint statement of the second meeting")
    screenshot(page, "readout-commitment")


def test_it_reviews_a_readout_without_javascript(open_page, live_server, workspace, second_meeting):
    page = open_page(java_script_enabled=False)
    sign_in(page, workspace.coordinator, live_server)
    page.goto(reverse("readouts:import", args=[workspace.group.slug, 2]))
    page.get_by_label("Title").fill("Joint statement of the second meeting")
    page.get_by_label("Publisher").fill("Ministry of External Affairs")
    page.get_by_label("Paste its text").fill(READOUT)
    page.get_by_role("button", name="Import and review").click()
    seizure = _card(page, "exchange seizure data")
    seizure.get_by_role("button", name="Accept as a commitment").click()
    expect(_card(page, "exchange seizure data")).to_contain_text("Accepted as")
    training = _card(page, "train port officers")
    training.get_by_role("button", name="Not a commitment").click()
    expect(_card(page, "train port officers")).to_contain_text("Set aside")
    # The missed passage by hand: paragraph number and words typed in.
    page.locator("#passage [name=paragraph]").fill("6")
    page.locator("#passage [name=text]").fill("reviewed parcel screening")
    page.get_by_role("button", name="Propose it").click()
    expect(_card(page, "reviewed parcel screening")).to_be_visible()
    assert Commitment.objects.filter(meeting=second_meeting).count() == 1
