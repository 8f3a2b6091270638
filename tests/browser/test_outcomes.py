"""The outcome pages in a real browser: zero axe-core violations, no JavaScript error, no
sideways scrolling at phone width, and screenshots at desktop and phone widths and in print
emulation, in screenshots/, for people to look at."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments import services
from commitments.models import Party
from tests import factories

from .support import (
    SCREENSHOTS,
    assert_accessible,
    mark_document,
    same_document,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser


def print_screenshot(page, name: str) -> None:
    """The page as printed (print media), full length, at A4-ish width."""
    before = page.viewport_size
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-print.png"), full_page=True)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(before)


@pytest.fixture
def indicator(workspace):
    today = timezone.localdate()
    made = factories.indicator(
        workspace.group,
        "Tonnes of precursors seized",
        commitment=workspace.commitment,
        unit="tonnes",
        baseline=Decimal(5),
        target=Decimal(40),
        target_date=today + datetime.timedelta(days=240),
    )
    us = Party.objects.get(code="US")
    for months, value in ((5, 6), (4, 9), (3, 8), (2, 14), (1, 17)):
        services.measurement_record(
            indicator=made,
            period_end=today - datetime.timedelta(days=30 * months),
            value=Decimal(value),
            reported_by=us,
            entered_by=workspace.analyst,
        )
    return made


def test_it_has_an_accessible_indicator_page_with_its_chart(
    page, live_server, workspace, indicator
):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/indicators/{indicator.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(indicator.name)
    expect(page.locator("#measurement-table tbody tr")).to_have_count(5)
    assert_accessible(page, "the indicator page")
    screenshot(page, "indicator")
    print_screenshot(page, "indicator")


def test_it_records_a_value_in_place_and_redraws_the_chart(page, live_server, workspace, indicator):
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/indicators/{indicator.pk}/")
    mark_document(page)
    page.get_by_label("Value", exact=True).fill("not a number")
    page.get_by_role("button", name="Record the value").click()
    expect(page.locator("#measurement_value_error")).to_contain_text("Enter a number")
    expect(page.get_by_label("Value", exact=True)).to_have_value("not a number")
    assert_accessible(page, "the indicator page with an error")
    page.get_by_label("Value", exact=True).fill("21")
    page.get_by_label("Period ending").fill(timezone.localdate().isoformat())
    page.get_by_label("Reported by").select_option(label="India")
    page.get_by_role("button", name="Record the value").click()
    expect(page.locator("#measurement-saved")).to_be_visible()
    expect(page.locator("#measurement-table tbody tr")).to_have_count(6)
    assert same_document(page)
    assert_accessible(page, "the indicator page after recording a value")


def test_it_has_an_accessible_value_form_on_the_commitment_page(
    page, live_server, workspace, indicator
):
    sign_in(page, workspace.analyst, live_server)
    page.goto(workspace.commitment.get_absolute_url())
    page.locator("#record-value summary").click()
    expect(page.get_by_label("Indicator", exact=True)).to_be_visible()
    assert_accessible(page, "the commitment page with the value form open")
    screenshot(page, "commitment-record-value")


@pytest.fixture
def review(workspace):
    """A closed review and an open one after it, with scores of both sides."""
    group = workspace.group
    us, india = Party.objects.get(code="US"), Party.objects.get(code="IN")
    today = timezone.localdate()
    reviews = []
    for number, scores in ((5, (0, -1)), (6, (1, 0))):
        meeting = factories.meeting(
            group,
            number,
            start_date=today + datetime.timedelta(days=number * 10),
            end_date=today + datetime.timedelta(days=number * 10),
        )
        made = services.compliance_review_open(working_group=group, meeting=meeting, actor=None)
        for i, c in enumerate(made.commitments.order_by("reference")):
            for party, score in zip((us, india), scores, strict=True):
                services.compliance_score_create(
                    review=made,
                    commitment=c,
                    party=party,
                    score=score if i % 2 else max(score - 1, -1),
                    rationale=f"{party.name}: evidence seen in the readout of {c.reference}.",
                    state="confirmed" if i % 3 else "proposed",
                )
        reviews.append(made)
    services.compliance_review_close(review=reviews[0], actor=None)
    return reviews[1]


def test_it_has_an_accessible_review_page(page, live_server, workspace, review):
    sign_in(page, workspace.coordinator, live_server)
    page.goto(f"/g/{workspace.group.slug}/reviews/{review.pk}/")
    expect(page.locator("#compliance-table")).to_be_visible()
    assert_accessible(page, "the compliance review page")
    screenshot(page, "review")
    print_screenshot(page, "review")
    page.goto(f"/g/{workspace.group.slug}/reviews/")
    assert_accessible(page, "the list of compliance reviews")
    page.goto(f"/g/{workspace.group.slug}/reviews/new/")
    assert_accessible(page, "the form opening a review")
    ref = review.commitments.order_by("reference").first().reference
    page.goto(f"/g/{workspace.group.slug}/reviews/{review.pk}/scores/{ref}/US/")
    page.get_by_label("Rationale").fill("")
    page.get_by_role("button", name="Save and confirm").click()
    expect(page.locator("#form-problem")).to_be_visible()
    assert_accessible(page, "the score form with errors")
    screenshot(page, "score-form")


def test_it_has_an_accessible_what_changed_page(page, live_server, workspace, review):
    # The review fixture closed a review, which took a snapshot; then things move.
    c = workspace.commitments[1]
    c.refresh_from_db()
    services.follow_up_record(
        commitment=c,
        author=workspace.analyst,
        note="Moved on.",
        status="completed",
        expected_version=c.version,
    )
    factories.commitment(workspace.group, title="Agreed after the snapshot")
    sign_in(page, workspace.viewer, live_server)
    page.goto(f"/g/{workspace.group.slug}/changes/")
    expect(page.locator("#change-counts")).to_be_visible()
    expect(page.get_by_text("Agreed after the snapshot")).to_be_visible()
    assert_accessible(page, "the what-changed page")
    screenshot(page, "changes")
    print_screenshot(page, "changes")


def test_it_draws_the_burn_up_on_the_dashboard(page, live_server, workspace):
    c = workspace.commitments[2]
    c.refresh_from_db()
    services.follow_up_record(
        commitment=c,
        author=workspace.analyst,
        note="Done.",
        status="completed",
        expected_version=c.version,
    )
    sign_in(page, workspace.analyst, live_server)
    page.goto(f"/g/{workspace.group.slug}/")
    expect(page.locator("#burn-up svg.chart").first).to_be_visible()
    assert_accessible(page, "the dashboard with its burn-up")
    screenshot(page, "dashboard-burn-up")
    print_screenshot(page, "dashboard-burn-up")
