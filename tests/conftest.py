"""Personas: an admin, a coordinator, an analyst and a viewer of one working group, and an
outsider who belongs to another group. Fixtures build them through the services."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

from tests import factories
from tests.admin_support import populate
from tests.factories import Role

# --------------------------------------------------------------------------- the seed's source
# The source document of the seeds lives in the team's shared folder beside the repository
# (`../shared/seeds/`), which CI checks out next to the clone. Tests marked `seed_source`
# compare the seeds with it. On a clone without it, they are left out with one line saying so;
# CI sets REQUIRE_SEED_SOURCE=1, which makes them run and fail loudly if it is missing.
SEED_SOURCE_DIR = Path(
    os.environ.get("SEED_SOURCE_DIR") or Path(__file__).resolve().parents[2] / "shared" / "seeds"
)
SEED_SOURCE = SEED_SOURCE_DIR / "us-india-drug-policy-ewg-first-meeting.txt"


# The test of the production cache (marked `redis`) needs the machine's Redis
# (REDIS_TEST_URL, default redis://127.0.0.1:6379/15). On a machine without one it is left out
# with one line saying so; CI sets REQUIRE_REDIS=1 (and starts Redis), which makes it run.
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _required(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _seed_source_required() -> bool:
    return _required("REQUIRE_SEED_SOURCE")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _leave_out(config, items, marker: str) -> int:
    left_out = [item for item in items if item.get_closest_marker(marker)]
    if left_out:
        items[:] = [item for item in items if not item.get_closest_marker(marker)]
        config.hook.pytest_deselected(items=left_out)
    return len(left_out)


def pytest_collection_modifyitems(config, items):
    if not (SEED_SOURCE.is_file() or _seed_source_required()):
        config._seed_source_left_out = _leave_out(config, items, "seed_source")
    wants_redis = any(item.get_closest_marker("redis") for item in items)
    if wants_redis and not _required("REQUIRE_REDIS") and not _redis_answers():
        config._redis_left_out = _leave_out(config, items, "redis")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n = getattr(config, "_seed_source_left_out", 0)
    if n:
        terminalreporter.write_line(
            f"Not checked: {n} test(s) comparing the seeds with their source document, because "
            f"{SEED_SOURCE} is not beside this clone (CI has it and runs them).",
            yellow=True,
        )
    n = getattr(config, "_redis_left_out", 0)
    if n:
        terminalreporter.write_line(
            f"Not checked: {n} test(s) of the production cache, because no Redis answers at "
            f"{REDIS_TEST_URL} (CI starts one and runs them).",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test():
    """Each test starts with an empty cache (this process's memory: CACHE_URL=locmem:// in
    pyproject's pytest env): a rolled-back test may leave its group's id and version to the
    next one, whose pages would then find the other's pieces."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def group(db):
    group = factories.working_group("DPEWG", name="Drug Policy Executive Working Group")
    factories.action_area(group, "PC", name="Precursor chemicals")
    factories.meeting(group, 1)
    return group


@pytest.fixture
def other_group(db):
    group = factories.working_group("OTHER", name="Another Working Group")
    factories.action_area(group, "XX", name="Other area")
    factories.meeting(group, 1)
    return group


@pytest.fixture
def admin_user(db):
    return factories.user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def coordinator(group):
    return factories.member(group, Role.COORDINATOR, "coordinator")


@pytest.fixture
def analyst(group):
    return factories.member(group, Role.ANALYST, "analyst")


@pytest.fixture
def viewer(group):
    return factories.member(group, Role.VIEWER, "viewer")


@pytest.fixture
def outsider(other_group):
    return factories.member(other_group, Role.COORDINATOR, "outsider")


@pytest.fixture
def commitment(group):
    return factories.commitment(group, title="Tighten precursor controls")


# --------------------------------------------------------------------------- the admin


@pytest.fixture
def everything(group):
    """One row of every model."""
    populate(group, 0, 1)
    return group


@pytest.fixture
def admin_client(client, admin_user):
    """The superuser signed in (in place of pytest-django's fixture of the same name)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def console():
    """What the console handler (LOGGING in settings: its formatter and filters) writes."""
    handler = logging._handlers["console"]  # the handler dictConfig named "console"
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


@pytest.fixture
def json_console(console):
    """The console handler writing LOG_FORMAT=json."""
    from ops.logging import JsonLinesFormatter

    handler = logging._handlers["console"]
    old = handler.formatter
    handler.setFormatter(JsonLinesFormatter())
    try:
        yield console
    finally:
        handler.setFormatter(old)


@pytest.fixture
def coordinators_required(settings):
    """Two-step sign-in required of coordinators, staff and superusers (the production default)."""
    settings.MFA_REQUIRED = "coordinators"
