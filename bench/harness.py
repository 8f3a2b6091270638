"""What the load test and the scale-out check share: a scratch database, gunicorn servers, and
an HTTP client that behaves like a browser (cookies, CSRF tokens), built on http.client.

The endpoints and the markers by which a response is read are defined once, here (ENDPOINTS,
MARKERS), so a change in the workspace's URLs or templates is one edit.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-not-secret-0123"  # noqa: S105 (a scratch database's users)

# The workspace's URLs (commitments/urls.py) and how its answers are told apart.
ENDPOINTS = {
    "login": "/accounts/login/",
    "healthz": "/healthz",
    "commitment": "/g/{slug}/commitments/{reference}/",
    "follow_up": "/g/{slug}/commitments/{reference}/follow-ups/",
    "status": "/g/{slug}/commitments/{reference}/status/",
}
MARKERS = {
    # A follow-up posted without JavaScript: 302 when saved; 409 (the page with the conflict
    # message and the user's input) when someone else saved first.
    "follow_up_conflict": 'id="follow-up-conflict"',
    # A quick status change posted by htmx: the row comes back marked saved, or with a problem.
    "status_saved": "row--saved",
    "status_problem": "row-problem",
    "status_conflict": "since you loaded it",
    "status_unchanged": "is already",  # the status asked for is the current one: no write
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')


# --------------------------------------------------------------------------- databases


def scratch_database(url: str | None, workdir: Path) -> str:
    """A fresh, empty database: a SQLite file in `workdir`, or the PostgreSQL database named by
    `url`, dropped and created again (its name must contain "bench", as a guard)."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to recreate database {name!r}: use a name containing 'bench'.")
    import psycopg

    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def server_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """Production settings, except plain http on 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(workdir),
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DEMO_ACCOUNTS="0",
        LOGIN_FAILURE_LIMIT="1000",  # many simulated analysts sign in from one address
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{result.stderr}")
    return result.stdout


def django_call(env: dict[str, str], function: str, **kwargs) -> dict:
    """Run bench.data.<function>(**kwargs) inside Django (manage.py shell); return its JSON."""
    code = (
        "import json; from bench import data; "
        f"print(json.dumps(data.{function}(**json.loads({json.dumps(json.dumps(kwargs))}))))"
    )
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def prepare(database_url: str | None, workdir: Path, **data_kwargs) -> tuple[dict, dict]:
    """A migrated scratch database with collected static files and the bench's data."""
    env = server_env(scratch_database(database_url, workdir), workdir)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    return env, django_call(env, "prepare", password=PASSWORD, **data_kwargs)


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_gunicorn(
    env: dict[str, str],
    workdir: Path,
    *,
    workers: int,
    name: str,
    options: tuple[str, ...] = ("--timeout", "60"),
) -> Server:
    """gunicorn serving the project on a free port of 127.0.0.1, once /healthz answers.
    `options`: gunicorn's other options (a sync worker with a generous timeout by default;
    bench.workday passes `make serve`'s)."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *options,
            "--control-socket",
            str(workdir / f"{name}.ctl"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(port=port, process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {name} exited:\n{server.log()}")
        try:
            status = Browser(port).get(ENDPOINTS["healthz"]).status
        except OSError:
            status = None
        if status == 200:
            return server
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"gunicorn {name} did not become healthy:\n{server.log()}")


# --------------------------------------------------------------------------- a browser


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Browser:
    """One person's browser: its own connection and cookie jar."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, data=None, headers=None) -> Response:
        body = urlencode(data) if data is not None else None
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=sent)
            raw = self.conn.getresponse()
            content = raw.read().decode("utf-8", errors="replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        seconds = time.perf_counter() - started
        for value in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, content, seconds)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        page = self.get(ENDPOINTS["login"])
        token = CSRF_INPUT.search(page.body).group(1)
        response = self.post(
            ENDPOINTS["login"],
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if response.status != 302:
            raise RuntimeError(f"sign-in of {username} failed: {response.status}")

    def close(self) -> None:
        self.conn.close()


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def in_process_django(prefix: str) -> Path:
    """Django set up in this process for a bench that calls the views through the test client:
    a scratch SQLite database in a new temporary folder (or the PostgreSQL database
    DATABASE_URL names, when it contains "bench"), migrated. Returns the folder."""
    folder = workdir(prefix)
    url = os.environ.get("DATABASE_URL", "")
    if not url or "bench" not in url:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return folder
