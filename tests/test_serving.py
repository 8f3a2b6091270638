"""Serving: gunicorn with threaded workers behind the buffering nginx of deploy/nginx.conf."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def directives(text: str) -> dict[str, list[str]]:
    """Every directive of an nginx configuration with its values (comments left out)."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"([a-z_0-9]+)\s+([^;{]*);", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
    return found


def test_it_serves_with_threaded_gunicorn_workers():
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile[makefile.index("serve: install") :].split("\n\n", 1)[0]
    assert "--worker-class gthread" in serve
    assert "--threads $(THREADS)" in serve
    assert re.search(r"^THREADS \?= [1-9]", makefile, re.M)


def test_it_ships_a_buffering_proxy_configuration():
    found = directives(NGINX_CONF.read_text())
    # Whole requests in, whole answers out: gunicorn never waits on a slow client.
    assert found["proxy_request_buffering"] == ["on"]
    assert found["proxy_buffering"] == ["on"]
    # Slow headers and bodies are cut off.
    assert found["client_header_timeout"] == ["10s"]
    assert found["client_body_timeout"] == ["10s"]
    assert found["send_timeout"] == ["30s"]
    for name in ("proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout"):
        assert name in found, name
    # The body limit matches the app's REQUEST_BODY_MAX_BYTES (4 MB).
    assert found["client_max_body_size"] == ["4m"]
    # What the app needs to know about the client (TRUSTED_PROXY_COUNT=1,
    # SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto=https).
    headers = found["proxy_set_header"]
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    assert "X-Forwarded-Proto $scheme" in headers
    assert "Host $host" in headers
    assert "server_tokens" in found and found["server_tokens"] == ["off"]


def test_it_is_a_configuration_nginx_accepts(tmp_path):
    """`nginx -t` on the file, with a throwaway certificate, where nginx is installed (the
    directive checks above run everywhere)."""
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not (nginx and openssl):
        return  # nothing to run here; the directives are checked above
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=tracker.example.gov", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    conf = NGINX_CONF.read_text()
    conf = conf.replace("/etc/ssl/certs/tracker.example.gov.pem", str(cert))
    conf = conf.replace("/etc/ssl/private/tracker.example.gov.key", str(key))
    conf = conf.replace("pid /run/nginx.pid;", f"pid {tmp_path / 'nginx.pid'};")
    conf = conf.replace("include mime.types;", "include /etc/nginx/mime.types;")
    path = tmp_path / "nginx.conf"
    path.write_text(conf)
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [nginx, "-t", "-c", str(path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
