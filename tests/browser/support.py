"""Helpers for the browser tests: signing in, axe-core, screenshots, and noticing page loads."""

from __future__ import annotations

import json
from pathlib import Path

from axe_playwright_python.base import AXE_FILE_PATH
from django.conf import settings
from django.test import Client

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"

# The WCAG 2.1 A and AA rules of axe-core (axe.min.js as bundled by axe-playwright-python).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_SCRIPT = AXE_FILE_PATH.read_text(encoding="utf-8")


def sign_in(page, user, live_server) -> None:
    """Give the page's context a signed-in session for `user`, without the form (the journey
    test signs in through the real form)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


# --------------------------------------------------------------------------- accessibility


def axe_violations(page, context: str | None = None) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page (or the part matching `context`)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() is not subject to the page's Content-Security-Policy; a script tag is.
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate(
        "([context, options]) => axe.run(context || document, options)"
        ".then(results => results.violations)",
        [context, options],
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def assert_accessible(page, what: str, context: str | None = None) -> None:
    violations = axe_violations(page, context)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {what} "
        f"({page.url}):\n{format_violations(violations)}"
    )


def assert_accessible_markup(page, checker, what: str, url: str | None = None) -> None:
    """Check the page as it is now in a context with JavaScript off, where axe cannot run (and
    `evaluate` would wait forever): `checker`, a page of a JavaScript-enabled context, loads the
    same URL, or `url` after a POST, (for the origin, styles and CSP) and then takes the no-JS
    page's markup."""
    checker.goto(url or page.url)
    checker.set_content(page.content())
    assert_accessible(checker, what)


# --------------------------------------------------------------------------- screenshots


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def widest_elements(page) -> str:
    """The first elements sticking out past the right edge, to say what to fix."""
    return json.dumps(
        page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              return [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .slice(0, 6)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                  + (typeof el.className === 'string' && el.className.trim()
                     ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
            }"""
        )
    )


def screenshot(page, name: str) -> dict[str, Path]:
    """Save screenshots/`name`-desktop.png (1280 px) and `name`-phone.png (375 px), full page,
    and check that nothing makes the phone layout scroll sideways. Restores the viewport."""
    SCREENSHOTS.mkdir(exist_ok=True)
    before = page.viewport_size
    paths = {}
    try:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            path = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True, animations="disabled")
            paths[label] = path
            if label == "phone":
                overflow = horizontal_overflow(page)
                assert overflow <= 0, (
                    f"{name} scrolls sideways by {overflow}px at {size['width']}px wide "
                    f"(see {path}); sticking out: {widest_elements(page)}"
                )
    finally:
        page.set_viewport_size(before)
    return paths


# --------------------------------------------------------------------------- page loads


def mark_document(page) -> None:
    """Tag the current document; `same_document` tells whether a later check sees the same one
    (an HTMX swap keeps it, any navigation or reload replaces it)."""
    page.evaluate("() => { window.__marker = 1; }")


def same_document(page) -> bool:
    return page.evaluate("() => window.__marker === 1")
