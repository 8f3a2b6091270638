"""Passkeys as a second factor (django-otp-webauthn): registration and sign-in through the
library's real endpoints with a software authenticator (tests/webauthn_device.py), a wrong
origin, challenge or relying party refused, replays and sign counts as py_webauthn judges
them, the recovery codes of a first passkey, removal, and the session rules (a session that
owes its code cannot add one; nobody signs in with a passkey alone)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential

from accounts import mfa
from ops.models import AuditEvent
from tests import test_mfa as mfa_tests
from tests.test_mfa import HOME, SETUP, VERIFY, enrol
from tests.webauthn_device import SoftPasskey, b64url, stored_passkey

pytestmark = pytest.mark.django_db

# The pages offer passkeys where a browser can use them: a secure context (HTTPS, or localhost
# as in development) on a host name; the test clients are on localhost.
HOST = "localhost"
ORIGIN = f"http://{HOST}"
REGISTER_BEGIN = reverse("accounts:passkey_register_begin")
REGISTER_COMPLETE = reverse("accounts:passkey_register_complete")
VERIFY_BEGIN = reverse("accounts:passkey_verify_begin")
VERIFY_COMPLETE = reverse("accounts:passkey_verify_complete")
CODES = reverse("accounts:mfa_codes")


@pytest.fixture(autouse=True)
def localhost(settings):
    settings.ALLOWED_HOSTS = ["testserver", HOST, "127.0.0.1"]


def password_sign_in(username: str, next_url: str = "") -> Client:
    return mfa_tests.password_sign_in(username, next_url, SERVER_NAME=HOST)


def post_json(client: Client, url: str, data: dict | None = None, **extra):
    body = json.dumps(data) if data is not None else ""
    return client.post(url, body, content_type="application/json", **extra)


def register(client: Client, passkey: SoftPasskey | None = None, **tamper) -> tuple:
    """Add a passkey as the browser script does: options, the authenticator, completion."""
    passkey = passkey or SoftPasskey(origin=ORIGIN)
    begin = post_json(client, REGISTER_BEGIN)
    assert begin.status_code == 200, begin.content
    done = post_json(
        client, f"{REGISTER_COMPLETE}?next=/", passkey.attestation(begin.json(), **tamper)
    )
    return passkey, done


def sign_in_with(client: Client, passkey: SoftPasskey, url: str = VERIFY_COMPLETE, **tamper):
    begin = post_json(client, VERIFY_BEGIN)
    assert begin.status_code == 200, begin.content
    options = begin.json()
    return post_json(client, url, passkey.assertion(options, **tamper)), options


def owes(client: Client) -> str | None:
    return client.session.get(mfa.PENDING)


# --------------------------------------------------------------------------- registration


def test_it_enrols_a_coordinator_with_a_passkey_and_shows_new_recovery_codes_once(
    coordinators_required, coordinator
):
    client = password_sign_in("coordinator")
    assert owes(client) == "enrol"
    page = client.get(SETUP).content.decode()
    assert "Set up two-step sign-in" in page and 'id="passkey-registration-placeholder"' in page

    begin = post_json(client, REGISTER_BEGIN)
    options = begin.json()
    assert options["rp"] == {"id": "localhost", "name": "Commitment Tracker"}
    assert options["user"]["name"] == "coordinator"
    # A second factor only: a passkey need not be discoverable (no passwordless sign-in).
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    passkey = SoftPasskey(origin=ORIGIN)
    done = post_json(client, f"{REGISTER_COMPLETE}?next=/x/", passkey.attestation(options))
    assert done.status_code == 200, done.content
    device = WebAuthnCredential.objects.get(user=coordinator)
    assert done.json() == {"id": device.pk, "redirect_url": f"{CODES}?next=%2Fx%2F"}
    assert device.confirmed and device.name == "Passkey" and device.sign_count == 0
    assert owes(client) is None  # MFA_REQUIRED is satisfied by the passkey

    shown = client.get(f"{CODES}?next=/x/").content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", shown)
    assert len(set(codes)) == 10
    assert set(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    ) == set(codes)
    assert client.get(CODES)["Location"].startswith(SETUP)  # shown once
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert AuditEvent.objects.filter(event="passkey added", username="coordinator").exists()


def test_it_keeps_the_recovery_codes_of_a_user_who_has_them(viewer):
    client = password_sign_in("viewer")
    _, codes = enrol(client)  # the authenticator app, with its 10 codes
    _, done = register(client)
    assert done.status_code == 200
    assert done.json()["redirect_url"] == f"{SETUP}?next=%2F"
    assert set(
        StaticToken.objects.filter(device__user=viewer).values_list("token", flat=True)
    ) == set(codes)
    page = client.get(SETUP).content.decode()
    assert "Passkey added. You can use it at your next sign-in." in page
    assert page.count('class="passkey-list__item"') == 1


def test_it_refuses_a_registration_from_another_origin_or_for_another_challenge(viewer):
    client = password_sign_in("viewer")
    for tamper in ({"origin": "https://tracker.example.evil"}, {"challenge": "AAAA"}):
        _, done = register(client, **tamper)
        assert done.status_code == 422, tamper
        assert done.json()["code"] == "invalid_registration_response"
    # A response for another relying party (its rpIdHash) is refused too.
    passkey = SoftPasskey(origin=ORIGIN)
    begin = post_json(client, REGISTER_BEGIN).json()
    begin["rp"]["id"] = "tracker.example.evil"
    assert post_json(client, REGISTER_COMPLETE, passkey.attestation(begin)).status_code == 422
    assert not WebAuthnCredential.objects.exists()
    assert AuditEvent.objects.filter(event="passkey enrolment failed").count() == 3


def test_it_refuses_the_same_passkey_twice(viewer, analyst):
    passkey, done = register(password_sign_in("viewer"))
    assert done.status_code == 200
    for username in ("viewer", "analyst"):
        client = Client(SERVER_NAME=HOST)
        client.force_login(get_user_model().objects.get(username=username))
        if username == "viewer":  # a session that gave its passkey
            sign_in_with(client, passkey)
        _, again = register(client, passkey)
        assert again.status_code == 422 and again.json()["code"] == "credential_exists"
    assert WebAuthnCredential.objects.get().user == viewer


def test_it_uses_the_origins_and_relying_party_id_from_the_settings(settings, viewer):
    settings.OTP_WEBAUTHN_RP_ID = "tracker.example.org"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["https://tracker.example.org"]
    client = password_sign_in("viewer")
    begin = post_json(client, REGISTER_BEGIN).json()
    assert begin["rp"]["id"] == "tracker.example.org"
    passkey = SoftPasskey(origin=ORIGIN)  # the request's own origin is no longer enough
    assert post_json(client, REGISTER_COMPLETE, passkey.attestation(begin)).status_code == 422
    passkey = SoftPasskey(origin="https://tracker.example.org")
    begin = post_json(client, REGISTER_BEGIN).json()
    assert post_json(client, REGISTER_COMPLETE, passkey.attestation(begin)).status_code == 200


def test_it_keeps_a_session_that_owes_its_code_from_adding_a_passkey(viewer):
    """A password alone must not add a second factor to an account that has one."""
    enrol(password_sign_in("viewer"))
    thief = password_sign_in("viewer")
    assert owes(thief) == "verify"
    for url in (REGISTER_BEGIN, REGISTER_COMPLETE):
        response = post_json(thief, url)
        assert response.status_code == 403
        assert response.json()["code"] == "user_not_verified"
    assert not WebAuthnCredential.objects.exists()


def test_it_gives_anonymous_requests_nothing(client, db):
    """No passwordless sign-in: the password (throttled, audited) always comes first."""
    for url in (REGISTER_BEGIN, REGISTER_COMPLETE, VERIFY_BEGIN, VERIFY_COMPLETE):
        response = post_json(client, url)
        assert response.status_code == 403, url
        assert response.json()["code"] in {"not_authenticated", "passwordless_login_disabled"}


# --------------------------------------------------------------------------- signing in


def test_it_signs_in_with_the_passkey_after_the_password(coordinators_required, coordinator):
    passkey, _ = register(password_sign_in("coordinator"))
    client = password_sign_in("coordinator", next_url="/x/")
    assert owes(client) == "verify"
    assert client.get(HOME)["Location"].startswith(VERIFY)
    page = client.get(f"{VERIFY}?next=/x/").content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    assert "Using a passkey needs JavaScript" in page  # what a browser without it shows
    before = client.session.session_key

    done, options = sign_in_with(client, passkey, url=f"{VERIFY_COMPLETE}?next=/x/")
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(passkey.credential_id)]
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/x/"
    assert owes(client) is None
    assert client.session.session_key != before  # a new session key once verified
    assert client.get(reverse("accounts:password_change")).status_code == 200
    device = WebAuthnCredential.objects.get(user=coordinator)
    assert device.sign_count == 1 and device.last_used_at is not None
    event = AuditEvent.objects.get(event="mfa verified", username="coordinator")
    assert event.details["device"] == "Passkey"


def test_it_refuses_an_assertion_from_another_origin_or_for_another_challenge(viewer):
    passkey, _ = register(password_sign_in("viewer"))
    client = password_sign_in("viewer")
    for tamper in ({"origin": "https://tracker.example.evil"}, {"challenge": "AAAA"}):
        done, _ = sign_in_with(client, passkey, **tamper)
        assert done.status_code == 422, tamper
        assert done.json()["code"] == "invalid_authentication_response"
        assert owes(client) == "verify"
    assert AuditEvent.objects.filter(event="mfa failed", username="viewer").count() == 2
    done, _ = sign_in_with(client, passkey)
    assert done.status_code == 200 and owes(client) is None


def test_it_refuses_a_replayed_assertion_and_a_sign_count_that_did_not_grow(viewer):
    passkey, _ = register(password_sign_in("viewer"))
    client = password_sign_in("viewer")
    begin = post_json(client, VERIFY_BEGIN).json()
    answer = passkey.assertion(begin)
    assert post_json(client, VERIFY_COMPLETE, answer).status_code == 200
    # The same answer again: its challenge was used up (the session's state is gone).
    again = password_sign_in("viewer")
    replay = post_json(again, VERIFY_COMPLETE, answer)
    assert replay.status_code == 400 and replay.json()["code"] == "invalid_state"
    # With a fresh challenge, but a count no higher than the last one seen: a cloned key.
    done, _ = sign_in_with(again, passkey, sign_count=passkey.sign_count)
    assert done.status_code == 422 and owes(again) == "verify"
    done, _ = sign_in_with(again, passkey)
    assert done.status_code == 200 and owes(again) is None
    assert WebAuthnCredential.objects.get().sign_count == 2


def test_it_accepts_a_synced_passkey_that_never_counts(viewer):
    """Synced passkeys (iCloud Keychain, Google Password Manager) always say 0, which the
    specification allows: py_webauthn checks the count only when either side is above 0."""
    passkey = SoftPasskey(origin=ORIGIN, counts=False)
    register(password_sign_in("viewer"), passkey)
    for _ in range(2):
        client = password_sign_in("viewer")
        done, _ = sign_in_with(client, passkey)
        assert done.status_code == 200 and owes(client) is None
    assert WebAuthnCredential.objects.get().sign_count == 0


def test_it_refuses_someone_elses_passkey(viewer, analyst):
    theirs, _ = register(password_sign_in("analyst"))
    register(password_sign_in("viewer"))
    client = password_sign_in("viewer")
    done, _ = sign_in_with(client, theirs)
    assert done.status_code == 403 and done.json()["code"] == "credential_user_mismatch"
    assert owes(client) == "verify"


def test_it_lets_a_superuser_into_the_admin_only_after_the_passkey(
    coordinators_required, admin_user
):
    passkey, _ = register(password_sign_in("admin"))
    client = password_sign_in("admin")
    assert client.get(reverse("admin:index"))["Location"].startswith(VERIFY)
    done, _ = sign_in_with(client, passkey)
    assert done.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


# --------------------------------------------------------------------------- removal


def test_it_lists_and_removes_a_passkey(viewer, analyst):
    client = password_sign_in("viewer")
    first, _ = register(client)
    register(client, SoftPasskey(origin=ORIGIN))
    page = client.get(SETUP).content.decode()
    assert page.count('class="passkey-list__item"') == 2
    mine = list(WebAuthnCredential.objects.filter(user=viewer).order_by("pk"))
    # Someone else's passkey: 404, and it stays.
    other = password_sign_in("analyst")
    url = reverse("accounts:passkey_remove", args=[mine[0].pk])
    assert other.post(url).status_code == 404
    assert other.get(url).status_code == 405
    response = client.post(url, {"next": "/"})
    assert response.status_code == 302 and response["Location"] == f"{SETUP}?next=%2F"
    assert list(WebAuthnCredential.objects.filter(user=viewer)) == mine[1:]
    assert "The passkey was removed." in client.get(SETUP).content.decode()
    # The removed passkey no longer signs in.
    later = password_sign_in("viewer")
    done, _ = sign_in_with(later, first)
    assert done.status_code == 404 and owes(later) == "verify"
    assert AuditEvent.objects.filter(event="passkey removed", username="viewer").exists()


def test_it_keeps_the_last_second_factor_of_an_account_that_must_have_one(
    coordinators_required, coordinator
):
    client = password_sign_in("coordinator")
    register(client)
    only = WebAuthnCredential.objects.get(user=coordinator)
    response = client.post(reverse("accounts:passkey_remove", args=[only.pk]), follow=True)
    assert "This is your only second step and your account needs one" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()


def test_it_turns_two_step_sign_in_off_when_the_last_passkey_goes_and_none_is_required(viewer):
    client = password_sign_in("viewer")
    register(client)
    assert StaticToken.objects.filter(device__user=viewer).count() == 10
    only = WebAuthnCredential.objects.get(user=viewer)
    client.post(reverse("accounts:passkey_remove", args=[only.pk]))
    # The recovery codes go with it: they alone are no second factor.
    assert not StaticToken.objects.filter(device__user=viewer).exists()
    assert owes(password_sign_in("viewer")) is None


# --------------------------------------------------------------------------- the pages


def test_it_serves_the_passkey_scripts_as_static_files_with_json_configuration(viewer):
    for url, script in (
        (SETUP, "django_otp_webauthn/otp_webauthn_register.js"),
        (VERIFY, "django_otp_webauthn/otp_webauthn_auth.js"),
    ):
        if url == VERIFY:
            stored_passkey(viewer)  # the verify page offers a passkey to those who have one
        client = password_sign_in("viewer")
        body = client.get(url).content.decode()
        assert f'<script type="module" src="/static/{script}"></script>' in body, url
        assert '<script src="/static/passkeys.js" defer></script>' in body
        data = re.search(
            r'<script id="otp_webauthn_config" type="application/json">(.*?)</script>', body
        )
        config = json.loads(data.group(1))
        assert config["autocompleteLoginFieldSelector"] is None
        assert config["beginAuthenticationUrl"] == VERIFY_BEGIN
        assert config["completeRegistrationUrl"] == f"{REGISTER_COMPLETE}?next=%2F"
        # No inline script: every other <script> has a src.
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, tag


def test_it_says_passkeys_need_a_name_not_an_ip_address(viewer):
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(viewer)
    body = client.get(SETUP).content.decode()
    assert "Passkeys work only when the tracker is opened by its name" in body
    assert "otp_webauthn_register.js" not in body
    # The authenticator app still works there.
    assert 'id="totp-secret"' in body


def test_it_checks_the_passkey_settings_at_start():
    from tests.test_hardening import manage, production_env

    good = production_env(
        OTP_WEBAUTHN_RP_ID="tracker.example.gov",
        OTP_WEBAUTHN_ALLOWED_ORIGINS="https://tracker.example.gov",
    )
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=good).returncode == 0
    url = manage("check", env={**good, "OTP_WEBAUTHN_RP_ID": "https://tracker.example.gov"})
    assert url.returncode != 0 and "OTP_WEBAUTHN_RP_ID is a domain name only" in url.stderr
    # django-otp-webauthn's own check: an origin must be https (or http://localhost).
    plain = manage(
        "check", env={**good, "OTP_WEBAUTHN_ALLOWED_ORIGINS": "http://tracker.example.gov"}
    )
    assert plain.returncode != 0 and "otp_webauthn.E031" in plain.stderr
