"""Personas: an admin, a coordinator, an analyst and a viewer of one working group, and an
outsider who belongs to another group. Fixtures build them through the services."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import Role


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
