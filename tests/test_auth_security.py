"""Sign-in throttling (django-axes), session timeouts, deactivated users, and the audit log of
sign-ins and refused access."""

from __future__ import annotations

import datetime
import logging
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.security import SESSION_SEEN_AT, SESSION_STARTED_AT
from ops.audit import client_ip
from tests import factories

LOGIN = "/accounts/login/"
WRONG = "not the password"


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def audit_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tracker.audit"]


# --------------------------------------------------------------------------- throttling


def test_it_locks_out_a_username_and_address_after_five_failures(client, analyst):
    for attempt in range(4):
        response = sign_in(client, "analyst", WRONG)
        assert response.status_code == 200, attempt
        assert "enter a correct username and password" in response.content.decode()
    fifth = sign_in(client, "analyst", WRONG)
    assert fifth.status_code == 429
    response = sign_in(client, "analyst", factories.PASSWORD)  # the right password, too late
    assert response.status_code == 429
    assert "Sign-in paused" in fifth.content.decode()
    page = response.content.decode()
    assert "Sign-in paused" in page
    # Neither the username nor which limit was reached: the same page for every lockout.
    assert "too many unsuccessful attempts to sign in" in page
    assert "analyst" not in page
    assert "paused for 15 minutes" in page
    assert not signed_in(client)


def test_it_locks_only_that_username_at_that_address(client, analyst, viewer):
    for _ in range(5):
        sign_in(client, "analyst", WRONG, ip="10.0.0.1")
    assert sign_in(Client(), "analyst", factories.PASSWORD, ip="10.0.0.1").status_code == 429

    other_address = Client()
    assert sign_in(other_address, "analyst", factories.PASSWORD, ip="10.0.0.2").status_code == 302
    assert signed_in(other_address)

    other_user = Client()
    assert sign_in(other_user, "viewer", factories.PASSWORD, ip="10.0.0.1").status_code == 302
    assert signed_in(other_user)


def test_it_lets_the_user_in_again_after_the_cool_off(client, analyst):
    for _ in range(5):
        sign_in(client, "analyst", WRONG)
    assert sign_in(client, "analyst", factories.PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = sign_in(client, "analyst", factories.PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_it_forgets_failures_after_a_successful_sign_in(analyst):
    for _ in range(2):
        client = Client()
        for _ in range(4):
            assert sign_in(client, "analyst", WRONG).status_code == 200
        assert sign_in(client, "analyst", factories.PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_it_leaves_the_admin_no_sign_in_of_its_own(client, admin_user):
    """Credentials posted to the admin's login sign nobody in: it sends to our sign-in, which
    is throttled (5 failures, then even the right password waits)."""
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert not signed_in(client)
    for _ in range(5):
        sign_in(client, "admin", WRONG)
    assert sign_in(client, "admin", factories.PASSWORD).status_code == 429
    assert not signed_in(client)


def test_it_takes_the_client_address_from_our_proxies_only(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # appended by our proxy; 6.6.6.6 may be forged
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.1.1.1"  # fewer hops than proxies: the header is not ours


# --------------------------------------------------------------------------- sessions


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def shift_session(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"started": SESSION_STARTED_AT, "seen": SESSION_SEEN_AT}[key]] = now - ago
    session.save()


def test_it_stamps_the_session_at_sign_in(client, analyst):
    before = int(time.time())
    sign_in(client, "analyst", factories.PASSWORD)
    session = client.session
    assert before <= session[SESSION_STARTED_AT] <= int(time.time())
    assert session[SESSION_SEEN_AT] == session[SESSION_STARTED_AT]


def test_it_ends_a_session_idle_for_too_long(analyst_client, group, settings, caplog):
    settings.SESSION_IDLE_TIMEOUT = 600
    shift_session(analyst_client, started=700, seen=601)
    url = reverse("commitments:group_dashboard", args=[group.slug])
    response = analyst_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"
    assert not signed_in(analyst_client)
    assert any(
        line.startswith("session ended: idle timeout user=analyst") for line in audit_lines(caplog)
    )
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Your session ended after a period without activity" in page


def test_it_ends_a_session_after_the_absolute_timeout_even_when_active(
    analyst_client, group, settings
):
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    shift_session(analyst_client, started=3601, seen=1)
    response = analyst_client.get(reverse("commitments:group_dashboard", args=[group.slug]))
    assert response.status_code == 302
    assert not signed_in(analyst_client)


def test_it_keeps_an_active_session_and_notes_activity_at_most_once_a_minute(
    analyst_client, group, settings
):
    settings.SESSION_IDLE_TIMEOUT = 600
    url = reverse("commitments:group_dashboard", args=[group.slug])
    shift_session(analyst_client, started=1000, seen=30)
    seen_before = analyst_client.session[SESSION_SEEN_AT]
    assert analyst_client.get(url).status_code == 200
    assert analyst_client.session[SESSION_SEEN_AT] == seen_before  # not written again yet

    shift_session(analyst_client, started=1000, seen=300)
    assert analyst_client.get(url).status_code == 200
    assert analyst_client.session[SESSION_SEEN_AT] >= int(time.time()) - 1


def test_it_ends_the_sessions_of_a_deactivated_user(analyst, group, caplog):
    laptop, phone = Client(), Client()
    laptop.force_login(analyst)
    phone.force_login(analyst)
    url = reverse("commitments:group_dashboard", args=[group.slug])
    assert laptop.get(url).status_code == 200

    analyst.is_active = False
    analyst.save()
    for client in (laptop, phone):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert not signed_in(client)  # the session is cleared, not merely ignored
    assert (
        audit_lines(caplog).count(
            f"session ended: user inactive user=analyst ip=127.0.0.1 path={url}"
        )
        == 2
    )
    # ...and they cannot sign in again.
    assert sign_in(Client(), "analyst", factories.PASSWORD).status_code == 200


# --------------------------------------------------------------------------- audit log


def test_it_logs_sign_ins_and_failed_sign_ins_with_user_address_and_path(client, analyst, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.audit"):
        sign_in(client, "analyst", WRONG, ip="198.51.100.4")
        sign_in(client, "analyst", factories.PASSWORD, ip="198.51.100.4")
        client.post("/accounts/logout/", REMOTE_ADDR="198.51.100.4")
    assert audit_lines(caplog) == [
        "sign-in failed user=analyst ip=198.51.100.4 path=/accounts/login/",
        "sign-in user=analyst ip=198.51.100.4 path=/accounts/login/",
        "sign-out user=analyst ip=198.51.100.4 path=/accounts/logout/",
    ]
    failed = next(r for r in caplog.records if r.getMessage().startswith("sign-in failed"))
    assert (failed.levelname, failed.user, failed.ip, failed.path) == (
        "WARNING",
        "analyst",
        "198.51.100.4",
        "/accounts/login/",
    )


def test_it_logs_a_lockout(client, analyst, caplog):
    for _ in range(6):
        sign_in(client, "analyst", WRONG, ip="198.51.100.5")
    assert "sign-in locked out user=analyst ip=198.51.100.5 path=/accounts/login/" in (
        audit_lines(caplog)
    )


def test_it_logs_refused_access_to_another_groups_pages(outsider, group, commitment, caplog):
    client = Client()
    client.force_login(outsider)
    url = reverse("commitments:commitment_detail", args=[group.slug, commitment.reference])
    assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 404
    assert (
        f"access refused user=outsider ip=192.0.2.9 path={url} method=GET status=404"
        in audit_lines(caplog)
    )


def test_it_logs_a_refused_write(viewer, group, commitment, caplog):
    client = Client()
    client.force_login(viewer)
    url = reverse("commitments:follow_up_create", args=[group.slug, commitment.reference])
    response = client.post(url, {"note": "x", "version": commitment.version})
    assert response.status_code == 403
    assert f"access refused user=viewer ip=127.0.0.1 path={url} method=POST status=403" in (
        audit_lines(caplog)
    )


def test_it_logs_a_request_refused_for_want_of_a_csrf_token(analyst, caplog):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "analyst", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert f"access refused user=- ip=127.0.0.1 path={LOGIN} method=POST status=403" in (
        audit_lines(caplog)
    )


def test_it_does_not_log_an_unknown_address_as_refused_access(analyst_client, caplog):
    assert analyst_client.get("/no-such-page/").status_code == 404
    assert not [line for line in audit_lines(caplog) if line.startswith("access refused")]
