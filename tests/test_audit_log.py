"""The audit log cannot be forged: one event is one line in both log formats whatever a value
carries; and the audit trail in the database (ops.AuditEvent): written for each event, never
changed, readable by superusers only, and never the cause of a failed request."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from ops.audit import audit
from ops.logging import escape_for_log
from ops.models import AppendOnlyError, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

# Every character str.splitlines() (and so most log viewers) breaks a line at, and CR LF.
LINE_BREAKS = {
    "LF": "\n",
    "CR": "\r",
    "CRLF": "\r\n",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
}
FORGED = "2026-01-01 00:00:00,000 INFO tracker.audit [-] sign-in user=root1 ip=10.9.9.9 path=/"
PLAIN_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) \S+ ")


def plain_lines(console) -> list[str]:
    """The lines written, each checked to be a real record (not the forged one, whose time
    is 2026-01-01 00:00:00,000)."""
    lines = console.getvalue().splitlines()
    for line in lines:
        assert PLAIN_LINE.match(line), f"a line that is not a record of its own: {line!r}"
        assert not line.startswith(FORGED[:23]), f"a forged line: {line!r}"
    return lines


def json_lines(console) -> list[dict]:
    return [json.loads(line) for line in console.getvalue().splitlines()]


def sign_in_attempt(username: str) -> None:
    Client().post(reverse("accounts:login"), {"username": username, "password": "wrong-one"})


# --------------------------------------------------------------------------- plain format


@pytest.mark.parametrize("brk", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_it_keeps_a_forged_sign_in_in_a_username_on_one_line(db, console, brk):
    sign_in_attempt(f"alice{brk}{FORGED}")
    lines = plain_lines(console)  # each a real record: none forged
    carrying = [line for line in lines if "sign-in user=root1 ip=10.9.9.9" in line]
    assert carrying, lines  # the value itself is logged, escaped, inside real records
    assert all(" tracker.request " not in line for line in carrying)


@pytest.mark.parametrize("brk", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_it_keeps_a_forged_sign_in_in_a_path_on_one_line(viewer, console, brk):
    client = Client()
    client.force_login(viewer)
    client.get("/g/nowhere" + quote(f"{brk}{FORGED}"))
    lines = plain_lines(console)
    carrying = [line.split()[3] for line in lines if "sign-in user=root1" in line]
    assert sorted(carrying) == ["django.request", "tracker.request"]  # "Not Found", the request


def test_it_writes_a_traceback_on_the_line_of_its_record(console):
    try:
        raise ValueError("boom\nsign-in user=root1")
    except ValueError:
        logging.getLogger("tracker.ops").exception("it failed")
    (line,) = plain_lines(console)
    assert "Traceback (most recent call last):\\n" in line
    assert "ValueError: boom\\nsign-in user=root1" in line


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("a\\nb", "a\\\\nb"),  # a backslash and an n: not a newline
        ("a\nb", "a\\nb"),
        ("tab\there", "tab\\there"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
        ("del\x7f", "del\\x7f"),
        ("rtl\u202egnp.exe", "rtl\\u202egnp.exe"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("mark\u200f", "mark\\u200f"),
        ("naïve café", "naïve café"),
    ],
)
def test_it_escapes_unambiguously(raw, written):
    assert escape_for_log(raw) == written


# --------------------------------------------------------------------------- JSON format


@pytest.mark.parametrize("brk", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_it_keeps_a_forged_sign_in_on_one_json_line(db, json_console, brk):
    sign_in_attempt(f"alice{brk}{FORGED}")
    records = json_lines(json_console)
    audits = [r for r in records if r["logger"] == "tracker.audit"]
    assert [r["event"] for r in audits] == ["sign-in failed"]
    assert audits[0]["user"] == f"alice{brk}{FORGED}"  # the value itself, intact
    raw = json_console.getvalue()
    assert "\u2028" not in raw and "\u2029" not in raw and "\x85" not in raw


def test_it_escapes_bidi_controls_in_json_lines(db, json_console):
    sign_in_attempt("evil\u202e1toor")
    raw = json_console.getvalue()
    assert "\u202e" not in raw and "\\u202e" in raw


# --------------------------------------------------------------------------- the trail


def test_it_records_a_sign_in_in_the_database(client, db):
    user = factories.user("alice")
    client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": factories.PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(event="sign-in")
    assert (event.user_id, event.username, event.address) == (user.pk, "alice", "10.1.2.3")
    assert (event.path, event.method, event.level) == ("/accounts/login/", "POST", "INFO")
    assert len(event.request_id) == 32


def test_it_records_a_failed_sign_in_and_a_refusal(viewer, commitment):
    Client().post(reverse("accounts:login"), {"username": "mallory", "password": "nope"})
    client = Client()
    client.force_login(viewer)
    slug = commitment.working_group.slug
    client.get(reverse("commitments:commitment_edit", args=[slug, commitment.reference]))
    failed = AuditEvent.objects.get(event="sign-in failed")
    assert (failed.username, failed.user_id, failed.level) == ("mallory", None, "WARNING")
    refused = AuditEvent.objects.get(event="access refused")
    assert (refused.username, refused.user_id, refused.status) == ("viewer", viewer.pk, 403)
    assert refused.method == "GET" and refused.path.endswith("/edit/")


def test_it_keeps_audit_events_append_only(db):
    audit("sign-in", None, username="alice")
    event = AuditEvent.objects.get()
    event.username = "bob"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="bob")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.refresh_from_db()
    assert event.username == "alice"


def test_it_never_fails_a_request_because_the_trail_cannot_be_written(
    client, db, console, monkeypatch
):
    factories.user("alice")

    def broken(*args, **kwargs):
        raise OperationalError("the audit table is gone")

    monkeypatch.setattr(AuditEvent, "save", broken)
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()
    text = console.getvalue()
    assert "sign-in user=alice" in text  # the log line is still written
    assert "audit event 'sign-in' not stored in the database" in text


def test_it_shows_the_trail_to_superusers_read_only(client, admin_user):
    audit("sign-in", None, username="alice")
    event = AuditEvent.objects.get()
    client.force_login(admin_user)
    assert client.get(reverse("admin:ops_auditevent_changelist")).status_code == 200
    page = client.get(reverse("admin:ops_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'type="submit"' not in page.content or b'name="_save"' not in page.content
    assert client.get(reverse("admin:ops_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:ops_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(
        reverse("admin:ops_auditevent_change", args=[event.pk]), {"username": "bob"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.username == "alice"


def test_it_hides_the_trail_from_staff_who_are_not_superusers(client, db):
    from django.contrib.auth.models import Permission

    clerk = factories.user("clerk", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="ops"))
    request = type("R", (), {"user": clerk})()
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_view_permission(request)
    assert not model_admin.has_module_permission(request)
