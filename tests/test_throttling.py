"""Throttling beyond one (username, address) pair, the password change throttled and audited
like a sign-in, and the password policy."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ops.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD_CHANGE = "/accounts/password/"
WRONG = "not the password"
NEW_PASSWORD = "violet lantern harbour 7"


def sign_in(username: str, password: str = WRONG, ip: str = "10.0.0.1"):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def pause_text(response) -> str:
    """The pause page, without its CSRF token (different for every client)."""
    assert response.status_code == 429
    return re.sub(r'(x-csrftoken": "|value=")[\w-]{32,}"', "TOKEN", response.content.decode())


# --------------------------------------------------------------------------- wider limits


def test_it_limits_one_username_from_many_addresses(analyst):
    for i in range(19):
        assert sign_in("analyst", ip=f"10.1.0.{i}").status_code == 200
    assert sign_in("analyst", ip="10.1.0.19").status_code == 429  # the 20th failure
    # Even the right password, from a fresh address, waits for the cool-off.
    assert sign_in("analyst", factories.PASSWORD, ip="10.1.0.99").status_code == 429


def test_it_limits_one_address_spraying_many_usernames(analyst):
    for i in range(29):
        assert sign_in(f"user{i}", ip="10.2.0.1").status_code == 200
    assert sign_in("user29", ip="10.2.0.1").status_code == 429  # the 30th failure
    assert sign_in("analyst", factories.PASSWORD, ip="10.2.0.1").status_code == 429
    # Another address is not concerned.
    assert sign_in("analyst", factories.PASSWORD, ip="10.2.0.2").status_code == 302


def test_it_keeps_the_pair_limit(analyst):
    for _ in range(4):
        assert sign_in("analyst").status_code == 200
    assert sign_in("analyst").status_code == 429


def test_it_answers_the_same_pause_page_whether_or_not_the_user_exists(analyst):
    for i in range(20):
        known = sign_in("analyst", ip=f"10.3.0.{i}")
        unknown = sign_in("nobody-here", ip=f"10.4.0.{i}")
    assert pause_text(known) == pause_text(unknown).replace("nobody-here", "analyst")
    assert "analyst" not in pause_text(known)


# --------------------------------------------------------------------------- password change


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client(REMOTE_ADDR="10.5.0.1")
    client.force_login(analyst)
    return client


def change(client: Client, old: str, new: str = NEW_PASSWORD):
    return client.post(
        PASSWORD_CHANGE,
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="10.5.0.1",
    )


def test_it_locks_the_password_change_after_five_wrong_current_passwords(analyst_client, analyst):
    for _ in range(4):
        response = change(analyst_client, WRONG)
        assert response.status_code == 200
        assert response.context["form"].has_error("old_password", "password_incorrect")
    fifth = change(analyst_client, WRONG)
    assert fifth.status_code == 429 and "Sign-in paused" in fifth.content.decode()
    right = change(analyst_client, factories.PASSWORD)  # the right one, too late
    assert right.status_code == 429
    analyst.refresh_from_db()
    assert analyst.check_password(factories.PASSWORD)
    # The same pause as a sign-in: the pair is locked for signing in too.
    assert sign_in("analyst", factories.PASSWORD, ip="10.5.0.1").status_code == 429


def test_it_audits_every_password_change_attempt(analyst_client, analyst):
    change(analyst_client, WRONG)
    change(analyst_client, factories.PASSWORD, new="short")
    assert change(analyst_client, factories.PASSWORD).status_code == 302
    events = list(
        AuditEvent.objects.exclude(event="sign-in")
        .order_by("id")
        .values_list("event", "username", "level")
    )
    assert events == [
        ("password change failed", "analyst", "WARNING"),
        ("password change refused: new password invalid", "analyst", "INFO"),
        ("password changed", "analyst", "INFO"),
    ]
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)


def test_it_never_stores_the_typed_passwords_in_axes_records(analyst_client):
    change(analyst_client, "my-secret-guess-1")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "analyst"
    assert "my-secret-guess-1" not in attempt.post_data
    assert NEW_PASSWORD not in attempt.post_data
    assert "old_password=********" in attempt.post_data


# --------------------------------------------------------------------------- policy


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pw-1!", "password_too_short"),  # 11 characters
        ("x" * 100 + "Ab1!" * 8, "password_too_long"),  # 132 characters
        ("sonyericsson", "password_too_common"),
        ("sunshine2026!!!!", "password_breached"),  # a breached password, padded
        ("dragon1234567", "password_breached"),
        ("1234567890123", "password_entirely_numeric"),
        ("analyst-2026x", "password_too_similar"),
    ],
)
def test_it_refuses_weak_passwords(analyst, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, analyst)
    assert code in {error.code for error in refused.value.error_list}


@pytest.mark.parametrize(
    "password", ["violet lantern harbour 7", "x" * 100 + "Ab1!" * 7, "demo-coordinator-2026"]
)
def test_it_accepts_good_passwords(analyst, password):
    validate_password(password, analyst)


def test_it_shows_the_policy_on_the_password_change_page(analyst_client):
    body = analyst_client.get(reverse("accounts:password_change")).content.decode()
    assert "at least 12 characters" in body
    assert "at most 128 characters" in body
    assert "breached passwords" in body
