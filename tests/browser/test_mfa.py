"""Two-step sign-in in a real browser: a coordinator enrols an authenticator after the password
and signs in again with a code, with JavaScript and without; another enrols a passkey on
Chromium's virtual authenticator (WebAuthn over the DevTools protocol) and signs in with it;
the pages are accessible."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.test_mfa import totp

from .support import SCREENSHOTS, assert_accessible, assert_accessible_markup, screenshot

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
        expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_visible()
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

    # The settings page of someone with the app only: on, with a passkey to add.
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    expect(page.get_by_text("Move it to a new phone")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for the authenticator app")).to_be_hidden()
    if checker is None:
        expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
        assert_accessible(page, "the two-step sign-in page")
        screenshot(page, "mfa-settings")
    else:
        expect(page.get_by_text("Adding a passkey needs JavaScript")).to_be_visible()


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


def _virtual_authenticator(page) -> None:
    """A platform authenticator (like Windows Hello or Touch ID) for this page, which verifies
    its user without asking."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def test_it_enrols_and_signs_in_with_a_passkey(page, workspace, coordinators_must):
    slug = workspace.group.slug
    _virtual_authenticator(page)
    _password(page, workspace.coordinator.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    add = page.get_by_role("button", name="Add a passkey")
    expect(add).to_be_visible()
    expect(page.get_by_text("needs JavaScript")).to_have_count(0)
    assert_accessible(page, "the enrolment page with passkeys")
    screenshot(page, "passkey-setup")
    add.click()
    # A first passkey and no recovery codes yet: they are shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(re.compile(rf"/g/{slug}/$"))

    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    expect(page.locator("#passkey-list li")).to_have_count(1)
    expect(
        page.get_by_role("button", name=re.compile(r"^Remove the passkey added"))
    ).to_be_visible()
    assert_accessible(page, "the two-step sign-in page with a passkey")
    screenshot(page, "passkey-list")

    page.get_by_role("button", name="Sign out").click()
    _password(page, workspace.coordinator.username)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    # Only sign-out in the header: the rest would lead back here.
    expect(page.locator(".site-header").get_by_role("link")).to_have_count(0)
    use = page.get_by_role("button", name="Use your passkey")
    expect(use).to_be_visible()
    expect(page.get_by_label("Recovery code")).to_be_visible()
    assert_accessible(page, "the code page with a passkey")
    screenshot(page, "passkey-verify")
    use.click()
    expect(page).to_have_url(re.compile(rf"/g/{slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(workspace.group.name)


def test_it_says_passkeys_need_javascript(open_page, workspace, coordinators_must, live_server):
    """A passkey-only account with JavaScript off: told so, and a recovery code still works."""
    page = open_page()
    _virtual_authenticator(page)
    _password(page, workspace.coordinator.username)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    codes = page.locator("#recovery-codes li").all_inner_texts()

    no_js = open_page(**NO_JS)
    checker = open_page()
    _password(no_js, workspace.coordinator.username)
    expect(no_js).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    expect(no_js.get_by_text("Using a passkey needs JavaScript")).to_be_visible()
    expect(no_js.get_by_role("button", name="Use your passkey")).to_have_count(0)
    assert_accessible_markup(no_js, checker, "the code page without JavaScript")
    # (support.screenshot waits for a frame through JavaScript, which is off here.)
    no_js.screenshot(path=str(SCREENSHOTS / "passkey-verify-no-js.png"), full_page=True)
    no_js.get_by_label("Recovery code").fill(codes[0])
    no_js.get_by_role("button", name="Continue").click()
    expect(no_js.get_by_role("heading", level=1)).to_have_text(workspace.group.name)
