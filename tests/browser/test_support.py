"""The browser tests' own detectors can fail: each one is shown a page with the fault it looks
for. (An accessibility check that never finds anything would prove nothing.)"""

from __future__ import annotations

import pytest

from . import support
from .conftest import PageErrors, _watch
from .support import (
    assert_accessible,
    axe_violations,
    horizontal_overflow,
    mark_document,
    same_document,
    screenshot,
)

pytestmark = pytest.mark.browser

BAD_MARKUP = """<!doctype html><html><head><title>Bad</title></head><body>
<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">
<p style="color:#bbb;background:#fff">faint text</p></main></body></html>"""


def test_it_finds_wcag_violations_and_names_them(page):
    page.set_content(BAD_MARKUP)  # on about:blank, where no Content-Security-Policy applies
    found = {v["id"] for v in axe_violations(page)}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= found
    with pytest.raises(AssertionError, match=r"image-alt .*\n.*\n    at img"):
        assert_accessible(page, "a bad page")


def test_it_tells_a_swap_from_a_page_load(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    mark_document(page)
    page.evaluate("() => { document.querySelector('h1').textContent = 'Swapped'; }")
    assert same_document(page)
    page.reload()
    assert not same_document(page)


def test_it_notices_a_page_wider_than_the_phone(page, live_server, monkeypatch, tmp_path):
    monkeypatch.setattr(support, "SCREENSHOTS", tmp_path)
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'too-wide';"
        " d.style.width = '600px'; d.textContent = 'x'; document.body.append(d); }"
    )
    page.set_viewport_size({"width": 375, "height": 812})
    assert horizontal_overflow(page) > 0
    with pytest.raises(AssertionError, match=r"scrolls sideways .*div#too-wide"):
        screenshot(page, "selftest-too-wide")


def test_it_collects_javascript_errors_and_csp_refusals(new_context, live_server):
    errors = PageErrors()
    page = new_context().new_page()
    _watch(page, errors)
    page.set_content("<script>undefinedFunction()</script>")
    page.evaluate("() => console.error('htmx:responseError', 'boom')")
    assert any("undefinedFunction" in e for e in errors.unexpected())
    assert any("htmx:responseError" in e for e in errors.unexpected())
    errors.allow("htmx:responseError")
    assert not any("htmx:responseError" in e for e in errors.unexpected())
    # Our pages forbid inline styles and scripts; a template that used one would be caught.
    page.goto(live_server.url + "/accounts/login/")
    page.set_content('<p style="color: red">inline</p>')
    assert any("Content Security Policy" in e for e in errors.unexpected())
