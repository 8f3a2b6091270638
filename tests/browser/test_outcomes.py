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
