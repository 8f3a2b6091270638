"""Browser tests: Debian's Chromium driven through Playwright's sync API against `live_server`.

One browser per session, a fresh context (cookies, storage) per test, a page that fails the test
on any JavaScript error, and a `workspace` with enough data for every page. The helpers (sign in,
axe-core, screenshots) are in `support.py`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from commitments import services
from commitments.models import Status
from tests import factories

from .support import DESKTOP

# Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses
# ORM calls from a thread with a running loop (SynchronousOnlyOperation). The test thread never
# shares a connection with async code, so the check is safely off for the test process; it is
# set at import time because the session-wide browser outlives the test that started it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium "
            "(`make test` installs it)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageErrors:
    """JavaScript errors and failed requests seen by a page; a test fails on any it did not
    expect (an htmx error, a script refused by the Content-Security-Policy, a 500...)."""

    errors: list[str] = field(default_factory=list)
    # hx-sync="this:replace" aborts a request that a newer one replaces (typing, then Enter),
    # and htmx logs an abort with console.error: that is no fault. A failed request still
    # shows up as htmx:sendError, htmx:responseError or htmx:timeout.
    allowed: list[str] = field(
        default_factory=lambda: ["console: htmx:sendAbort,", "console: htmx:afterRequest,"]
    )

    def allow(self, fragment: str) -> None:
        """Expect console errors containing `fragment` (e.g. an intended 403)."""
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


def _watch(page, errors: PageErrors) -> None:
    def on_console(message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if url.endswith("/favicon.ico"):
            return
        errors.errors.append(f"console: {message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.errors.append(f"pageerror: {exc}"))


@pytest.fixture
def new_context(browser, live_server):
    """Open a fresh browser context on the live server; closed after the test."""
    contexts = []

    def open_context(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def page(new_context, page_errors):
    """A page in a fresh context. The test fails if it logged a JavaScript error."""
    page = new_context().new_page()
    _watch(page, page_errors)
    yield page
    unexpected = page_errors.unexpected()
    assert not unexpected, "The page reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def open_page(new_context, page_errors):
    """Open another page in its own context (a second user, or JavaScript off), watched for
    errors like `page`."""
    pages = []

    def open_(**context_options):
        page = new_context(**context_options).new_page()
        _watch(page, page_errors)
        pages.append(page)
        return page

    yield open_
    unexpected = page_errors.unexpected()
    assert not unexpected, "The page reported errors:\n" + "\n".join(unexpected)


# --------------------------------------------------------------------------- data


@dataclass
class Workspace:
    """A working group with enough in it for every page to show something real."""

    group: object
    analyst: object
    viewer: object
    coordinator: object
    area: object
    other_area: object
    meeting: object
    commitment: object
    commitments: list


@pytest.fixture
def workspace(live_server, group, analyst, viewer, coordinator) -> Workspace:
    """Built through the services, like every write. `live_server` comes first so the database
    is transactional (the server thread must see these rows)."""
    us_lead, in_lead = factories.lead_agencies()
    area = group.action_areas.get(code="PC")
    other_area = factories.action_area(group, "DT", name="Drug trafficking", order=1)
    meeting = group.meetings.get(number=1)
    document = factories.source_document(
        group,
        "Joint statement of the first meeting",
        meeting=meeting,
        url="https://example.org/joint-statement",
    )
    today = timezone.localdate()
    commitment = factories.commitment(
        group,
        area,
        meeting,
        title="Tighten precursor controls",
        description="Share lists of controlled precursor chemicals and align the schedules.",
        lead_agencies=[us_lead, in_lead],
        owner=analyst,
        due_date=today + datetime.timedelta(days=20),
        source_document=document,
        source_locator="para. 3",
        source_excerpt="control of precursor chemicals",
    )
    commitments = [commitment]
    specs = [
        (area, "Exchange seizure data every quarter", today - datetime.timedelta(days=10)),
        (other_area, "Joint operations against online drug markets", None),
        (other_area, "Train customs officers on parcel screening", today + datetime.timedelta(90)),
        (area, "Publish a common watch list of chemicals", today - datetime.timedelta(days=40)),
    ]
    for spec_area, title, due in specs:
        commitments.append(
            factories.commitment(
                group, spec_area, meeting, title=title, due_date=due, lead_agencies=[us_lead]
            )
        )
    services.follow_up_record(
        commitment=commitments[1],
        author=analyst,
        note="First quarterly exchange done by e-mail.",
        expected_version=commitments[1].version,
        status=Status.IN_PROGRESS,
        progress=40,
    )
    services.follow_up_record(
        commitment=commitments[2],
        author=coordinator,
        note="Both sides confirmed the operation closed.",
        expected_version=commitments[2].version,
        status=Status.COMPLETED,
        evidence_url="https://example.org/evidence",
    )
    services.follow_up_record(
        commitment=commitments[4],
        author=analyst,
        note="No reply from the other side since the meeting.",
        expected_version=commitments[4].version,
        status=Status.STALLED,
    )
    indicator, _ = services.indicator_ensure(
        working_group=group,
        name="Precursor seizures reported",
        action_area=area,
        commitment=commitment,
        unit="cases",
        baseline=10,
        target=40,
    )
    services.measurement_record(
        indicator=indicator, period_end=datetime.date(2026, 3, 31), value=14, entered_by=analyst
    )
    for c in commitments:
        c.refresh_from_db()
    return Workspace(
        group=group,
        analyst=analyst,
        viewer=viewer,
        coordinator=coordinator,
        area=area,
        other_area=other_area,
        meeting=meeting,
        commitment=commitment,
        commitments=commitments,
    )
