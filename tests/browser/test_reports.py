"""The reports' pages in a real browser: a member turns on their calendar feed and copies its
address; the list offers its exports and, printed, says which group, filters and date it shows.
Accessible (axe), photographed in screenshots/ (the print as a PDF rendered to PNG)."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .support import SCREENSHOTS, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_it_gives_a_member_their_feed_address_and_digest_choice(page, live_server, workspace):
    sign_in(page, workspace.analyst, live_server)
    page.goto(reverse("commitments:group_dashboard", args=[workspace.group.slug]))
    page.get_by_role("link", name="Calendar and digest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar and digest")
    page.get_by_role("button", name="Turn on my calendar feed").click()
    address = page.get_by_label("Its address")
    expect(address).to_have_value(
        re.compile(rf"^{re.escape(live_server.url)}/calendar/{workspace.analyst.pk}/\w{{40}}\.ics$")
    )
    response = page.request.get(address.input_value())
    assert response.status == 200 and b"BEGIN:VCALENDAR" in response.body()
    page.get_by_label("Send me the weekly digest").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("no longer get the weekly digest")
    expect(page.get_by_label("Send me the weekly digest")).not_to_be_checked()
    assert_accessible(page, "the calendar and digest page")
    screenshot(page, "calendar-and-digest")


def test_it_offers_the_lists_exports_and_prints_what_the_list_shows(page, live_server, workspace):
    sign_in(page, workspace.viewer, live_server)
    page.goto(
        reverse("commitments:commitment_list", args=[workspace.group.slug]) + "?attention=overdue"
    )
    link = page.get_by_role("link", name="CSV")
    assert link.get_attribute("href").endswith("commitments.csv?attention=overdue")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    assert download.value.suggested_filename.startswith(f"{workspace.group.slug}-commitments-")
    assert_accessible(page, "the list with its exports")
    screenshot(page, "list-exports")
    page.emulate_media(media="print")
    expect(page.locator(".print-context")).to_be_visible()
    expect(page.locator(".print-context")).to_contain_text("Needs attention: Overdue")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "list-print.png"), full_page=True)
    page.pdf(path=str(SCREENSHOTS / "list-print.pdf"), format="A4")


def test_it_prints_the_briefing_pack_with_a_running_header_and_page_numbers(
    page, live_server, workspace
):
    sign_in(page, workspace.viewer, live_server)
    page.goto(reverse("commitments:group_dashboard", args=[workspace.group.slug]))
    page.get_by_role("link", name="Briefing pack").click()
    expect(page.locator(".pack-classification")).to_have_text("For official use only")
    page.get_by_label("Classification line").fill("Sensitive but unclassified")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".pack-classification")).to_have_text("Sensitive but unclassified")
    assert_accessible(page, "the briefing pack")
    screenshot(page, "briefing")
    SCREENSHOTS.mkdir(exist_ok=True)
    areas = page.locator(".pack-area").count()
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=False)
        (SCREENSHOTS / f"briefing-{paper}.pdf").write_bytes(pdf)
        document = pdfium.PdfDocument(pdf)
        pages = len(document)
        assert pages >= 1 + areas  # the cover, then a page (at least) per area
        for number in range(pages):
            text = document[number].get_textpage().get_text_range()
            assert f"Page {number + 1} of {pages}" in text
            assert f"{workspace.group.short_name} briefing" in text
            assert "SENSITIVE BUT UNCLASSIFIED" in text
        for number in range(min(pages, 3)):
            image = document[number].render(scale=1.2).to_pil()
            image.save(SCREENSHOTS / f"briefing-{paper}-page{number + 1}.png")


def test_it_imports_a_file_after_showing_what_each_row_would_do(page, live_server, workspace):
    sign_in(page, workspace.coordinator, live_server)
    page.goto(reverse("commitments:commitment_list", args=[workspace.group.slug]))
    page.get_by_role("link", name="Import from a file").click()
    assert_accessible(page, "the import form")
    first = workspace.commitment
    bad = (
        "Reference,Title,Action area,Agreed at meeting,Due date\n"
        f"{first.reference},{first.title} (renamed),PC,,\n"
        ",Exchange liaison officers,Nowhere,1,2027-02-30\n"
    )
    page.get_by_label("The file").set_input_files(
        files=[{"name": "changes.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-problem")).to_contain_text("1 row with problems")
    expect(page.locator("#row-3")).to_contain_text("“Nowhere” is not an area of this group")
    assert_accessible(page, "the dry run with a refused row")
    screenshot(page, "import-dry-run-errors")

    page.get_by_role("link", name="Upload the corrected file").click()
    good = bad.replace("Nowhere", "DT").replace("2027-02-30", "2027-02-28")
    page.get_by_label("The file").set_input_files(
        files=[{"name": "changes.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".lede")).to_contain_text("1 to add, 1 to update")
    screenshot(page, "import-dry-run")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 1 created, 1 updated")
    expect(page.locator("#commitment-table")).to_contain_text("Exchange liaison officers")


def test_it_prints_the_dashboard_compactly_with_its_group_and_date(page, live_server, workspace):
    sign_in(page, workspace.viewer, live_server)
    page.goto(reverse("commitments:group_dashboard", args=[workspace.group.slug]))
    page.emulate_media(media="print")
    expect(page.locator(".print-context")).to_contain_text(workspace.group.name)
    expect(page.locator(".print-context")).to_contain_text("printed")
    pdf = page.pdf(format="A4")
    document = pdfium.PdfDocument(pdf)
    SCREENSHOTS.mkdir(exist_ok=True)
    for number in range(len(document)):
        document[number].render(scale=1.2).to_pil().save(
            SCREENSHOTS / f"dashboard-print-page{number + 1}.png"
        )
    assert len(document) <= 2, f"the printed dashboard takes {len(document)} pages"
