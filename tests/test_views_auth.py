"""Signing in and out, and changing one's password."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

LOGIN = url("accounts:login")
LOGOUT = url("accounts:logout")
PASSWORD = url("accounts:password_change")


def test_it_shows_a_labelled_sign_in_form(client):
    body = client.get(LOGIN).content.decode()
    assert '<label class="field__label" for="id_username">' in body
    assert '<label class="field__label" for="id_password">' in body
    assert 'method="post"' in body and 'name="csrfmiddlewaretoken"' in body
    assert "Demo accounts" not in body  # DEMO_ACCOUNTS is off in tests


def test_it_lists_the_demo_accounts_only_when_they_are_on(client, settings):
    settings.DEMO_ACCOUNTS = True
    body = client.get(LOGIN).content.decode()
    assert "Demo accounts" in body and "demo-analyst-2026" in body


def test_it_says_when_the_password_is_wrong_and_keeps_the_username(client, analyst):
    response = client.post(LOGIN, {"username": "analyst", "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary" role="alert"' in body
    assert "Please enter a correct username and password" in body
    assert 'value="analyst"' in body


def test_it_follows_next_after_signing_in(client, analyst, group):
    target = url("commitments:commitment_list", "dpewg")
    response = client.post(
        f"{LOGIN}?next={target}",
        {"username": "analyst", "password": factories.PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_it_sends_a_signed_in_user_away_from_the_sign_in_page(client, analyst):
    signed_in(client, analyst)
    assert client.get(LOGIN).status_code == 302


def test_it_signs_out_only_with_a_post(client, analyst):
    signed_in(client, analyst)
    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(url("commitments:home")).status_code == 302  # signed out


def test_it_offers_sign_out_as_a_form_on_every_page(client, analyst, group):
    signed_in(client, analyst)
    body = client.get(url("commitments:group_dashboard", "dpewg")).content.decode()
    assert re.search(rf'<form[^>]*method="post" action="{LOGOUT}">', body)


def test_it_enforces_csrf_on_signing_in(analyst):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "analyst", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_it_asks_anonymous_users_to_sign_in_before_changing_a_password(client):
    assert client.get(PASSWORD)["Location"].startswith(LOGIN)


def test_it_changes_the_password(client, analyst):
    signed_in(client, analyst)
    assert client.get(PASSWORD).status_code == 200
    new = "a much longer new passphrase 2026"
    response = client.post(
        PASSWORD,
        {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("accounts:password_change_done")
    assert "Your password has been changed" in response.content.decode()
    analyst.refresh_from_db()
    assert analyst.check_password(new)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "wrong"}, "old_password", "Your old password was entered incorrectly"),
        ({"new_password2": "different passphrase 2026"}, "new_password2", "didn’t match"),
        ({"new_password1": "short", "new_password2": "short"}, "new_password2", "too short"),
    ],
)
def test_it_refuses_a_bad_password_change_next_to_the_field(client, analyst, data, field, message):
    signed_in(client, analyst)
    new = "a much longer new passphrase 2026"
    payload = {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new}
    payload.update(data)
    response = client.post(PASSWORD, payload)
    assert response.status_code == 200
    body = response.content.decode()
    error = re.search(rf'<p class="field__error" id="id_{field}_error">(.*?)</p>', body, re.S)
    assert error and message in error.group(1).replace("&#x27;", "'")
    tag = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', body).group(0)
    assert "autofocus" in tag
    analyst.refresh_from_db()
    assert analyst.check_password(factories.PASSWORD)
