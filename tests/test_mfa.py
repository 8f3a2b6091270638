"""Two-step sign-in (TOTP with recovery codes, django-otp): enrolment, sign-in, replay, recovery
codes, MFA_REQUIRED for each kind of user, and a session that owes its second factor reaching
nothing else (the admin included). TOTP codes are computed here from the secret, per RFC 6238."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.admin_site import TrackerAdminSite
from ops.models import AuditEvent
from tests import factories
from tests.factories import Role

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa_verify")
SETUP = reverse("accounts:mfa_setup")
HOME = reverse("commitments:home")


def totp(secret_base32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 with SHA-1, as authenticator apps compute it."""
    plain = secret_base32.replace(" ", "")
    key = base64.b32decode(plain + "=" * (-len(plain) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def password_sign_in(username: str, next_url: str = "", **client_options) -> Client:
    """A client past the password step (`client_options`: e.g. the server name to ask)."""
    client = Client(**client_options)
    data = {"username": username, "password": factories.PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content[:300]
    return client


def enrol(client: Client) -> tuple[str, list[str]]:
    """Enrol through the pages as a person would: read the key off the page, type a code."""
    page = client.get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns' in body
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', body).group(1)
    done = client.post(SETUP, {"code": totp(secret), "next": HOME})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    return secret, codes


# --------------------------------------------------------------------------- enrolment


def test_it_has_a_coordinator_enrol_after_the_password_and_then_signs_in(
    coordinators_required, coordinator
):
    client = password_sign_in("coordinator")
    # Before enrolling, every page sends to the enrolment page, and back afterwards.
    response = client.get(reverse("commitments:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(HOME, follow=True).status_code == 200
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"sign-in", "mfa enrolled"} <= events

    # Next time: the password, then a code.
    later = password_sign_in("coordinator")
    assert later.get(HOME)["Location"] == f"{VERIFY}?next=%2F"
    wrong = later.post(VERIFY, {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert later.get(HOME)["Location"].startswith(VERIFY)
    time.sleep(1.1)  # django-otp makes the next try wait 1 s after a wrong code
    # The code of the next time step (an app whose clock runs a little ahead) is accepted.
    response = later.post(VERIFY, {"code": totp(secret, time.time() + 30), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = later.get(HOME)  # one group: straight to it
    assert home.status_code == 302 and not home["Location"].startswith((VERIFY, SETUP))
    assert AuditEvent.objects.filter(event="mfa failed", username="coordinator").count() == 1


def test_it_refuses_a_totp_code_used_once_already(coordinators_required, coordinator):
    client = password_sign_in("coordinator")
    secret, _ = enrol(client)
    code = totp(secret, time.time() + 30)
    first = password_sign_in("coordinator")
    assert first.post(VERIFY, {"code": code})["Location"] == HOME
    second = password_sign_in("coordinator")
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "already used" in response.content.decode()


def test_it_takes_each_recovery_code_once(coordinators_required, coordinator):
    client = password_sign_in("coordinator")
    _, codes = enrol(client)
    first = password_sign_in("coordinator")
    assert first.post(VERIFY, {"code": codes[0]})["Location"] == HOME
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9
    again = password_sign_in("coordinator")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    time.sleep(1.1)  # django-otp makes the next try wait 1 s after a wrong code
    assert again.post(VERIFY, {"code": codes[1]})["Location"] == HOME


def test_it_works_without_javascript_and_without_inline_script(coordinators_required, coordinator):
    client = password_sign_in("coordinator")
    for url in (SETUP,):
        body = client.get(url).content.decode()
        assert "<script>" not in body and " style=" not in body and "onclick" not in body
        assert f'<form class="card form" method="post" action="{url}"' in body


def test_it_keeps_a_session_that_owes_its_code_from_re_enrolling(
    coordinators_required, coordinator
):
    """A password alone must not replace an enrolled authenticator."""
    enrol(password_sign_in("coordinator"))
    thief = password_sign_in("coordinator")
    assert thief.get(SETUP)["Location"].startswith(VERIFY)
    assert thief.post(SETUP, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


# --------------------------------------------------------------------------- the gate


def test_it_lets_a_pending_session_reach_only_verify_enrol_and_sign_out(
    coordinators_required, coordinator, commitment
):
    client = password_sign_in("coordinator")
    slug = commitment.working_group.slug
    for url in (
        reverse("commitments:commitment_list", args=[slug]),
        reverse("commitments:commitment_detail", args=[slug, commitment.reference]),
        reverse("accounts:password_change"),
        reverse("admin:index"),
    ):
        assert client.get(url)["Location"].startswith(SETUP), url
    response = client.post(
        reverse("commitments:commitment_status", args=[slug, commitment.reference]),
        {"status": "stalled", "version": 1},
    )
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    commitment.refresh_from_db()
    assert commitment.status == "not_started"
    htmx = client.get(
        reverse("commitments:commitment_list", args=[slug]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/x/"},
    )
    assert htmx["HX-Redirect"] == f"{SETUP}?next=%2Fx%2F"
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_it_refuses_the_admin_to_a_superuser_who_owes_the_code(coordinators_required, admin_user):
    client = password_sign_in("admin")
    assert client.get(reverse("admin:index"))["Location"].startswith(SETUP)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    request.session = {mfa.PENDING: "enrol"}
    assert not TrackerAdminSite().has_permission(request)
    request.session = {}
    assert TrackerAdminSite().has_permission(request)


def test_it_sends_anonymous_visitors_of_the_mfa_pages_to_sign_in(client, db):
    for url in (VERIFY, SETUP):
        assert client.get(url)["Location"].startswith(LOGIN)


# --------------------------------------------------------------------------- MFA_REQUIRED


ROLES = ("viewer", "analyst", "coordinator", "staff", "superuser")
EXPECTED = {
    "nobody": dict.fromkeys(ROLES),
    "coordinators": {
        "viewer": None,
        "analyst": None,
        "coordinator": "enrol",
        "staff": "enrol",
        "superuser": "enrol",
    },
    "everyone": dict.fromkeys(ROLES, "enrol"),
}


@pytest.mark.parametrize("policy", EXPECTED)
@pytest.mark.parametrize("role", ROLES)
def test_it_asks_for_a_second_factor_by_setting_and_role(settings, group, policy, role):
    settings.MFA_REQUIRED = policy
    if role in ("viewer", "analyst", "coordinator"):
        factories.member(group, Role(role), "person")
    else:
        factories.user("person", is_staff=True, is_superuser=role == "superuser")
    client = password_sign_in("person")
    response = client.get(reverse("accounts:password_change"))
    if EXPECTED[policy][role] == "enrol":
        assert response.status_code == 302 and response["Location"].startswith(SETUP)
    else:
        assert response.status_code == 200


def test_it_asks_everyone_who_enrolled_even_when_nobody_must(settings, viewer):
    settings.MFA_REQUIRED = "nobody"
    secret, _ = enrol(password_sign_in("viewer"))
    client = password_sign_in("viewer")
    assert client.get(HOME)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": totp(secret, time.time() + 30)})["Location"] == HOME


def test_it_requires_coordinators_by_default_in_production_and_nobody_in_development():
    import os
    import subprocess
    import sys

    from tests.test_hardening import ROOT, production_env

    code = "from django.conf import settings; print(settings.MFA_REQUIRED)"
    for debug, expected in (("0", "coordinators"), ("1", "nobody")):
        env = production_env(DEBUG=debug)
        env.pop("MFA_REQUIRED", None)
        result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={**env, "PATH": os.environ.get("PATH", "")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_it_offers_only_sign_out_in_the_header_while_the_code_is_owed(
    coordinators_required, coordinator
):
    """The account links would lead back to the code page: a pending session gets none."""
    secret, _ = enrol(password_sign_in("coordinator"))
    client = password_sign_in("coordinator")
    links = (
        f'href="{reverse("accounts:password_change")}"',
        f'href="{reverse("reports:my_feeds")}"',
        f'class="account__link" href="{SETUP}"',
        f'class="brand" href="{HOME}"',
    )
    header = client.get(VERIFY).content.decode().split("</header>")[0]
    assert not [link for link in links if link in header]
    assert f'action="{reverse("accounts:logout")}"' in header
    client.post(VERIFY, {"code": totp(secret, time.time() + 30)})
    header = client.get(reverse("accounts:password_change")).content.decode().split("</header>")[0]
    assert [link for link in links if link in header] == list(links)
