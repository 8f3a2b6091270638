"""Two-step sign-in in a real browser: a coordinator enrols an authenticator after the password
and signs in again with a code, with JavaScript and without; the pages are accessible."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.test_mfa import totp

from .support import assert_accessible, assert_accessible_markup, screenshot

NO_JS = {"java_script_enabled": False}


def _password(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _enrol_and_sign_in_again(page, workspace, checker=None) -> None:
    slug = workspace.group.slug
    _password(page, workspace.coordinator.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name="QR code for the authenticator app")).to_be_visible()
    if checker is None:
        qr = page.get_by_role("img", name="QR code for the authenticator app")
        assert qr.evaluate("img => img.complete && img.naturalWidth") > 100  # it is drawn
        assert_accessible(page, "the enrolment page")
        screenshot(page, "mfa-setup")
    else:
        assert_accessible_markup(page, checker, "the enrolment page")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(re.compile(rf"/g/{slug}/$"))

    page.get_by_role("button", name="Sign out").click()
    _password(page, workspace.coordinator.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    if checker is None:
        assert_accessible(page, "the code page")
        screenshot(page, "mfa-verify")
    # The next time step's code: the enrolment used this one (a code works once).
    page.get_by_label("Code").fill(totp(secret, time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(rf"/g/{slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.group.name)


@pytest.fixture
def coordinators_must(settings):
    settings.MFA_REQUIRED = "coordinators"


def test_it_enrols_and_signs_in_with_an_authenticator_app(page, workspace, coordinators_must):
    _enrol_and_sign_in_again(page, workspace)


def test_it_enrols_and_signs_in_with_javascript_off(
    open_page, workspace, coordinators_must, live_server
):
    page = open_page(**NO_JS)
    checker = open_page()
    _enrol_and_sign_in_again(page, workspace, checker)
