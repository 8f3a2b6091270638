"""Production hardening: deploy checks, security headers and cookies, bad input beyond forms
(oversized bodies, malformed query strings, unknown ids, markup in text), and the request log."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from commitments import services
from commitments.models import Commitment, FollowUp
from ops.logging import JsonLinesFormatter, RequestIdFilter
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_SECRET = "pR0d-like-" + "k3y-with-enough-variety-" * 3  # 50+ characters
SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production server: DEBUG off, a real secret, a host name; HTTPS and
    the static manifest at their production defaults (the suite turns them off)."""
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the whole test process; a
    # production server never has it (and --deploy rightly refuses it).
    test_only = ("HTTPS", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="tracker.example.gov",
        CSRF_TRUSTED_ORIGINS="https://tracker.example.gov",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --------------------------------------------------------------------------- deploy settings


def test_it_passes_the_deploy_checks_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_checks_with_the_suites_relaxed_settings():
    """The check above can fail: without HTTPS the same command complains."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(HTTPS="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # no SSL redirect
    assert "security.W012" in result.stderr  # session cookie not Secure


PROBE = """
import json
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="tracker.example.gov")
page = c.get("/accounts/login/", secure=True)
plain = c.get("/accounts/login/")
health = c.get("/healthz")
print(json.dumps({
    "session_cookie": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
                       settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_AGE],
    "csrf_cookie": [settings.CSRF_COOKIE_NAME, settings.CSRF_COOKIE_SECURE],
    "idle": settings.SESSION_IDLE_TIMEOUT,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "status": page.status_code,
    "headers": dict(page.headers),
    "cookies": {k: dict(v) for k, v in page.cookies.items()},
    "plain": [plain.status_code, plain.headers.get("Location")],
    "health_status": health.status_code,
}))
"""


@pytest.fixture(scope="module")
def production_probe(tmp_path_factory) -> dict:
    """One page fetched, in a separate process, by a server configured from production
    environment variables (on a throwaway SQLite database)."""
    var = tmp_path_factory.mktemp("prod")
    env = production_env(
        ALLOWED_HOSTS="tracker.example.gov",
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        VAR_DIR=str(var),
        STATIC_MANIFEST="0",  # no collectstatic in a test
        SESSION_IDLE_TIMEOUT="900",
        SESSION_ABSOLUTE_TIMEOUT="28800",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
    )
    result = manage("shell", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_uses_secure_host_only_cookies_in_production(production_probe):
    assert production_probe["session_cookie"] == ["__Host-sessionid", True, True, 28800]
    assert production_probe["csrf_cookie"] == ["__Host-csrftoken", True]
    cookie = production_probe["cookies"]["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""  # __Host- cookies carry no Domain
    assert production_probe["idle"] == 900
    assert production_probe["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_it_sends_the_security_headers_in_production(production_probe):
    headers = production_probe["headers"]
    assert production_probe["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "upgrade-insecure-requests" in csp


def test_it_redirects_plain_http_to_https_except_the_health_check(production_probe):
    assert production_probe["plain"] == [301, "https://tracker.example.gov/accounts/login/"]
    # Not redirected: the throwaway database has no tables yet, so it reports unapplied
    # migrations (503), which is what a load balancer must see.
    assert production_probe["health_status"] == 503


def test_it_sends_a_content_security_policy_without_inline_or_eval(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_it_refuses_a_weak_secret_key_in_production():
    result = manage("check", env=production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_it_applies_the_sqlite_options_to_the_test_database(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
    assert connection.transaction_mode == "IMMEDIATE"
    assert connection.settings_dict["NAME"] == django_settings.DATABASES["default"]["TEST"]["NAME"]
    assert Path(connection.settings_dict["NAME"]).is_file()


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def snapshot(commitment: Commitment) -> tuple:
    commitment.refresh_from_db()
    return (
        commitment.version,
        commitment.status,
        commitment.progress,
        FollowUp.objects.count(),
        commitment.title,
    )


def follow_up_url(commitment: Commitment) -> str:
    return reverse(
        "commitments:follow_up_create", args=[commitment.working_group.slug, commitment.reference]
    )


def test_it_refuses_an_oversized_body_with_400_and_changes_nothing(analyst_client, commitment):
    before = snapshot(commitment)
    too_big = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = analyst_client.post(
        follow_up_url(commitment), {"note": too_big, "version": commitment.version}
    )
    assert response.status_code == 400
    assert snapshot(commitment) == before


def test_it_refuses_too_many_fields_with_400_and_changes_nothing(analyst_client, commitment):
    before = snapshot(commitment)
    data = {f"f{i}": "1" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    data.update(note="Fine", version=str(commitment.version))
    response = analyst_client.post(follow_up_url(commitment), data)
    assert response.status_code == 400
    assert snapshot(commitment) == before


def test_it_refuses_any_body_over_the_request_limit_with_413_before_reading_it(
    analyst_client, commitment
):
    """Bodies Django would not parse (here JSON) are refused by their Content-Length."""
    before = snapshot(commitment)
    body = b"{" + b'"a": 1, ' * 600_000 + b'"b": 2}'
    assert len(body) > django_settings.REQUEST_BODY_MAX_BYTES
    response = analyst_client.post(follow_up_url(commitment), body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert snapshot(commitment) == before


def test_it_ignores_a_body_within_the_limit_that_a_form_view_does_not_read(
    analyst_client, commitment
):
    before = snapshot(commitment)
    response = analyst_client.post(
        follow_up_url(commitment), b'{"note": "sneaky"}', content_type="application/json"
    )
    assert response.status_code == 200  # the form, with its "required" errors
    assert snapshot(commitment) == before


MALFORMED_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=1.5",
    "status=nonsense",
    "status=%3Cscript%3E",
    "area=..%2F..%2Fetc%2Fpasswd",
    "agency=abc",
    "agency=-5",
    "agency=99999999999999999999",
    "party=%00",
    "meeting=1%27%20OR%201%3D1",
    "owner=%F0%9F%92%A5",
    "sort=;DROP TABLE commitments_commitment",
    "sort=-due&sort=reference&sort=",
    "q=" + "a" * 5000,
    "q=%ZZ%",
    "q=a%00b",
    "sort%00=due",
    "attention=overdue%00",
    "page=1&page=2&page=x",
    "%%%%",
    "=&=&&&",
    "a[b]=c&__proto__=1",
]


@pytest.mark.parametrize("query", MALFORMED_QUERIES)
def test_it_answers_malformed_query_strings_without_a_server_error(
    analyst_client, group, commitment, query
):
    before = snapshot(commitment)
    for name in ("commitments:commitment_list", "commitments:group_dashboard"):
        url = reverse(name, args=[group.slug]) + "?" + query
        response = analyst_client.get(url)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
    assert snapshot(commitment) == before


UNKNOWN = [
    "/g/no-such-group/",
    "/g/dpewg/commitments/NO-SUCH-REF/",
    "/g/dpewg/commitments/DPEWG-1-PC-99/",
    "/g/dpewg/commitments/..%2F..%2Fetc%2Fpasswd/",
    "/g/dpewg/meetings/999/",
    "/g/dpewg/meetings/99999999999999999999999/",
    "/g/dpewg/areas/no-such-area/",
    "/g/other/",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_it_answers_unknown_ids_with_404(analyst_client, commitment, other_group, path):
    before = snapshot(commitment)
    assert analyst_client.get(path).status_code == 404
    assert snapshot(commitment) == before


@pytest.mark.parametrize(
    "path",
    ["/g/dpewg/commitments/%00/", "/g/dpe%00wg/", "/admin/commitments/commitment/%00/change/"],
)
def test_it_refuses_a_nul_character_in_the_address_with_400(analyst_client, commitment, path):
    assert analyst_client.get(path).status_code == 400
    assert analyst_client.post(path, {"note": "x"}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/g/no-such-group/commitments/X/follow-ups/",
        "/g/dpewg/commitments/NO-SUCH-REF/follow-ups/",
        "/g/dpewg/commitments/NO-SUCH-REF/status/",
        "/g/other/commitments/OTHER-1-XX-01/follow-ups/",
    ],
)
def test_it_answers_writes_to_unknown_ids_with_404(analyst_client, commitment, other_group, path):
    factories.commitment(other_group)
    before = snapshot(commitment)
    response = analyst_client.post(path, {"note": "x", "version": 1, "status": "completed"})
    assert response.status_code == 404
    assert snapshot(commitment) == before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/commitments/commitment/999999/change/",
        "/admin/commitments/commitment/abc/change/",
        "/admin/commitments/followup/999999/change/",
        "/admin/commitments/commitment/?o=abc",
        "/admin/commitments/commitment/?status__exact=nonsense",
        "/admin/commitments/commitment/?working_group__id__exact=abc",
        "/admin/commitments/commitment/?p=abc",
        "/admin/commitments/commitment/?q=" + "%F0%9F%92%A5" * 100,
    ],
)
def test_it_keeps_the_admin_free_of_server_errors_on_bad_ids_and_filters(
    client, admin_user, commitment, path
):
    client.force_login(admin_user)
    before = snapshot(commitment)
    response = client.get(path)
    assert response.status_code in (200, 302, 400, 404), response.status_code
    assert snapshot(commitment) == before


@pytest.fixture
def marked_up(group, analyst):
    commitment = factories.commitment(group, title=SCRIPT, description=f"Desc {SCRIPT}")
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note=f"Note {SCRIPT}",
        external_reference=SCRIPT,
        expected_version=commitment.version,
    )
    return commitment


def assert_escaped(response) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert SCRIPT not in page
    assert ESCAPED in page


def test_it_shows_markup_as_text_in_the_admin(client, admin_user, marked_up):
    client.force_login(admin_user)
    follow_up = marked_up.follow_ups.get()
    for url in (
        reverse("admin:commitments_commitment_changelist"),
        reverse("admin:commitments_commitment_change", args=[marked_up.pk]),
        reverse("admin:commitments_commitment_history", args=[marked_up.pk]),
        reverse("admin:commitments_followup_changelist"),
        reverse("admin:commitments_followup_change", args=[follow_up.pk]),
    ):
        assert_escaped(client.get(url))


def test_it_shows_markup_as_text_on_the_analysts_pages(analyst_client, group, marked_up):
    for url in (
        reverse("commitments:group_dashboard", args=[group.slug]),
        reverse("commitments:commitment_list", args=[group.slug]),
        reverse("commitments:commitment_detail", args=[group.slug, marked_up.reference]),
    ):
        assert_escaped(analyst_client.get(url))


# --------------------------------------------------------------------------- request log


def test_it_gives_every_response_a_request_id(analyst_client, group):
    first = analyst_client.get(reverse("commitments:group_dashboard", args=[group.slug]))
    second = analyst_client.get("/healthz")
    ids = {first["X-Request-ID"], second["X-Request-ID"]}
    assert len(ids) == 2
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


@pytest.fixture
def json_lines():
    """Capture what the JSON-lines handler would write for the tracker loggers."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("tracker.request"), logging.getLogger("tracker.audit")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


def test_it_logs_each_request_as_one_json_line(analyst_client, group, json_lines):
    url = reverse("commitments:group_dashboard", args=[group.slug])
    response = analyst_client.get(url + "?q=secret")
    assert len(json_lines) == 1
    line = json.loads(json_lines[0])
    assert line["logger"] == "tracker.request"
    assert line["level"] == "INFO"
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"], line["user"]) == (
        "GET",
        url,
        200,
        "analyst",
    )
    assert line["ip"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "secret" not in json_lines[0]  # query strings (searches) stay out of the log
    assert line["time"].endswith("+00:00")


def test_it_ties_audit_lines_to_their_request(outsider, group, json_lines):
    client = Client()
    client.force_login(outsider)
    json_lines.clear()  # the sign-in line
    response = client.get(reverse("commitments:group_dashboard", args=[group.slug]))
    assert response.status_code == 404
    audit, request = (json.loads(line) for line in json_lines)
    assert audit["logger"] == "tracker.audit"
    assert audit["event"] == "access refused"
    assert audit["user"] == "outsider"
    assert audit["request_id"] == request["request_id"] == response["X-Request-ID"]


def test_it_writes_json_lines_when_configured():
    env = production_env(LOG_FORMAT="json", HTTPS="0")
    code = "import logging; logging.getLogger('tracker.audit').warning('hello %s', 'world', extra={'user': 'u'})"
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello world"
    assert line["level"] == "WARNING"
    assert line["user"] == "u"
    assert line["request_id"] == "-"
