"""/healthz for load balancers, and the friendly 503 when the database cannot be reached."""

from __future__ import annotations

import socket

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_database(tmp_path):
    """Point the connection at a database that is not there: a closed port for PostgreSQL, a
    file in a missing directory for SQLite. Restored afterwards."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_free_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_it_reports_a_healthy_database_and_migrations_without_sign_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert reverse("ops:healthz") == "/healthz"


def test_it_reports_unapplied_migrations_as_unavailable(client, db):
    recorder = MigrationRecorder(connection)
    latest = (
        recorder.migration_qs.filter(app="commitments").order_by("-applied", "-id").first().name
    )
    recorder.record_unapplied("commitments", latest)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["migrations"] == "unapplied"
    # How many, not which: the names would tell anyone which version runs here.
    assert body["unapplied"] == 1
    assert latest not in response.content.decode()


def test_it_answers_only_safe_methods(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_reports_an_unreachable_database(dead_database):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "migrations": "unknown",
    }


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_signed_in_user_a_friendly_503_not_a_traceback(analyst, group, request):
    # The error comes while the session is loaded, outside a view: handler500 answers. (The
    # test client would re-raise what Django reports as an uncaught exception; a server not.)
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    request.getfixturevalue("dead_database")
    response = client.get(reverse("commitments:group_dashboard", args=[group.slug]))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "Nothing you sent in this request was saved" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_503_page_when_a_sign_in_cannot_reach_the_database(analyst, request):
    """Here the error is raised inside the login view (the middleware's path), not while the
    session is loaded (handler500's path, above)."""
    client = Client()
    request.getfixturevalue("dead_database")
    response = client.post(
        reverse("accounts:login"), {"username": "analyst", "password": "whatever it is"}
    )
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
