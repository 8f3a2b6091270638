"""Hostile input that used to give a 500, and hardening found by the second security review:
form data in another charset, over-long usernames, `next=` that is not a path, NUL inside
JSON, Cache-Control for signed-in pages, how refused requests
are logged, and the admin history page under our CSP."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from commitments.models import ActionArea, FollowUp
from tests import factories

pytestmark = pytest.mark.django_db

LATIN1_FORM = "application/x-www-form-urlencoded; charset=latin-1"


def csrf_client(user=None) -> tuple[Client, str]:
    """A client that enforces CSRF checks like a browser, with a token from the sign-in page."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    if user is not None:
        client.force_login(user)
    return client, client.cookies["csrftoken"].value


# --------------------------------------------------------------------------- charset


def test_it_answers_400_to_form_data_in_latin_1_with_our_headers_and_a_log_line(db, caplog):
    client, token = csrf_client()
    body = f"csrfmiddlewaretoken={token}&username=caf\xe9&password=x".encode("latin-1")
    with caplog.at_level(logging.INFO, logger="tracker.request"):
        response = client.generic("POST", reverse("accounts:login"), body, content_type=LATIN1_FORM)
    assert response.status_code == 400
    assert "Content-Security-Policy" in response
    assert response["X-Request-ID"]
    lines = [r for r in caplog.records if r.name == "tracker.request" and r.method == "POST"]
    assert [(r.method, r.path, r.status) for r in lines] == [("POST", "/accounts/login/", 400)]


def test_it_answers_400_to_a_signed_in_latin_1_write_and_changes_nothing(analyst, commitment):
    client, token = csrf_client(analyst)
    url = reverse(
        "commitments:commitment_status", args=[commitment.working_group.slug, commitment.reference]
    )
    body = f"csrfmiddlewaretoken={token}&status=stalled&version=1&next=/caf\xe9".encode("latin-1")
    response = client.generic("POST", url, body, content_type=LATIN1_FORM)
    assert response.status_code == 400
    commitment.refresh_from_db()
    assert commitment.status == "not_started"


def test_it_serves_its_500_page_without_running_the_csrf_check_again(rf):
    """handler500 is the page of last resort: Django's runs the CSRF check, which reads the body
    that may be what failed."""
    from ops.views import server_error

    request = rf.generic("POST", "/accounts/login/", b"a=caf\xe9", content_type=LATIN1_FORM)
    request.COOKIES["csrftoken"] = "a" * 32  # so that a CSRF check would go on to read the body
    response = server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_it_still_reads_utf_8_form_data(db):
    client, token = csrf_client()
    body = f"csrfmiddlewaretoken={token}&username=caf\xe9&password=x".encode()
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        body,
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
    assert "café" in response.content.decode()


# --------------------------------------------------------------------------- long usernames


@pytest.mark.parametrize("length", [151, 256, 1000])
def test_it_refuses_an_over_long_username_at_the_field_and_stores_nothing(client, db, length):
    from axes.models import AccessAttempt, AccessFailureLog

    response = client.post(
        reverse("accounts:login"), {"username": "u" * length, "password": "whatever-it-is"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        f"Ensure this value has at most 150 characters (it has {length})."
    ]
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_it_signs_in_with_a_username_of_150_characters(client, db):
    name = "u" * 150
    factories.user(name)
    response = client.post(
        reverse("accounts:login"), {"username": name, "password": factories.PASSWORD}
    )
    assert response.status_code == 302


# --------------------------------------------------------------------------- next=


@pytest.mark.parametrize(
    "next_url", ["foo", "home", "commitments:home", "//evil.example/", "https://evil.example/"]
)
def test_it_ignores_a_next_that_is_not_a_local_path_after_a_status_change(
    analyst, commitment, next_url
):
    client = Client()
    client.force_login(analyst)
    slug = commitment.working_group.slug
    response = client.post(
        reverse("commitments:commitment_status", args=[slug, commitment.reference]),
        {"status": "stalled", "version": commitment.version, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("commitments:commitment_list", args=[slug])
    assert FollowUp.objects.filter(commitment=commitment, status_after="stalled").count() == 1


def test_it_goes_back_to_a_local_next_after_a_status_change(analyst, commitment):
    client = Client()
    client.force_login(analyst)
    slug = commitment.working_group.slug
    back = reverse("commitments:commitment_list", args=[slug]) + "?sort=due"
    response = client.post(
        reverse("commitments:commitment_status", args=[slug, commitment.reference]),
        {"status": "stalled", "version": commitment.version, "next": back},
    )
    assert response["Location"] == back


# --------------------------------------------------------------------------- NUL in JSON


def test_it_refuses_a_nul_inside_the_keywords_at_the_field(client, admin_user, group):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:commitments_actionarea_add"),
        {
            "working_group": group.pk,
            "name": "Nul area",
            "slug": "nul-area",
            "code": "NU",
            "order": 0,
            "keywords": '["fine", "bad\\u0000word"]',
        },
    )
    assert response.status_code == 200
    assert "keywords" in response.context["adminform"].form.errors
    assert "NUL character" in response.content.decode()
    assert not ActionArea.objects.filter(code="NU").exists()


# --------------------------------------------------------------------------- Cache-Control


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize(
    "name", ["home", "commitment_list", "commitment_detail", "group_dashboard"]
)
def test_it_forbids_caching_every_page_of_a_signed_in_user(viewer, commitment, name):
    client = Client()
    client.force_login(viewer)
    slug = commitment.working_group.slug
    args = {
        "home": [],
        "commitment_list": [slug],
        "commitment_detail": [slug, commitment.reference],
        "group_dashboard": [slug],
    }[name]
    response = client.get(reverse(f"commitments:{name}", args=args), follow=True)
    assert response.status_code == 200
    assert {"no-store", "private"} <= _cache_control(response)


# --------------------------------------------------------------------------- logging


def test_it_logs_a_403_in_one_line_without_a_traceback(client, viewer, commitment, console):
    client.force_login(viewer)
    slug = commitment.working_group.slug
    response = client.get(reverse("commitments:commitment_edit", args=[slug, commitment.reference]))
    assert response.status_code == 403
    text = console.getvalue()
    assert "Traceback" not in text
    forbidden = [line for line in text.splitlines() if "Forbidden" in line]
    assert len(forbidden) == 1 and " WARNING django.request " in forbidden[0]


def test_it_logs_a_bad_host_once_at_warning(db, console):
    response = Client().get("/accounts/login/", headers={"host": "evil.example"})
    assert response.status_code == 400
    text = console.getvalue()
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if "evil.example" in line]
    assert len(lines) == 1, text
    assert " WARNING django.security.DisallowedHost " in lines[0]


# --------------------------------------------------------------------------- admin history


def test_it_serves_the_admin_history_page_without_inline_style(client, admin_user, commitment):
    client.force_login(admin_user)
    response = client.get(reverse("admin:commitments_commitment_history", args=[commitment.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search(r"\sstyle=", body)
    assert 'class="paginator history-paginator"' in body
    assert "admin/history.css" in body
