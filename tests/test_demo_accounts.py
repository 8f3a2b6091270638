"""Demo accounts: the four documented logins, only where DEMO_ACCOUNTS is on, idempotently."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from commitments import access, services
from commitments.models import Membership, WorkingGroup
from tests import factories

SEED_FILE = Path(django_settings.BASE_DIR) / "seeds" / "us-india-dpewg.yaml"
DEMO_ACCOUNTS = django_settings.DEMO_ACCOUNT_LIST
PASSWORDS = {account["username"]: account["password"] for account in DEMO_ACCOUNTS}


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def demo_accounts(*args: str) -> str:
    out = StringIO()
    call_command("demo_accounts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_on(settings):
    settings.DEMO_ACCOUNTS = True


@pytest.fixture
def groups(db) -> list[WorkingGroup]:
    call_command("load_seeds", str(SEED_FILE), stdout=StringIO())
    return [WorkingGroup.objects.get(slug="us-india-dpewg"), factories.working_group("SECOND")]


def test_it_refuses_when_demo_accounts_are_off(db, settings):
    settings.DEMO_ACCOUNTS = False

    with pytest.raises(CommandError, match="Demo accounts are disabled: DEMO_ACCOUNTS is off"):
        demo_accounts()

    assert not get_user_model().objects.exists()


def test_it_is_off_in_the_test_settings_by_default():
    # pyproject's pytest env sets DEBUG=0 and DEMO_ACCOUNTS=0, as production leaves them.
    assert django_settings.DEMO_ACCOUNTS is False


def test_it_creates_the_documented_accounts_with_their_roles(demo_on, groups):
    out = demo_accounts()

    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"admin", "coordinator", "analyst", "viewer"}
    for username, user in users.items():
        assert user.check_password(PASSWORDS[username]), username
        assert user.is_active
        assert f"{username}" in out and PASSWORDS[username] in out
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not Membership.objects.filter(user=users["admin"]).exists()
    for username in ("coordinator", "analyst", "viewer"):
        assert not users[username].is_staff and not users[username].is_superuser
        roles = dict(
            Membership.objects.filter(user=users[username]).values_list(
                "working_group__slug", "role"
            )
        )
        assert roles == {group.slug: username for group in groups}
    seeded = groups[0]
    assert access.access_for(users["admin"], seeded).can_coordinate
    assert access.access_for(users["coordinator"], seeded).can_coordinate
    assert access.access_for(users["analyst"], seeded).can_follow_up
    assert not access.access_for(users["analyst"], seeded).can_coordinate
    assert access.access_for(users["viewer"], seeded).can_view
    assert not access.access_for(users["viewer"], seeded).can_follow_up


def test_it_changes_nothing_when_run_again(demo_on, groups):
    demo_accounts()
    first = counts()

    out = demo_accounts()

    assert counts() == first
    assert out.count("already there, password left as it is") == 4


def test_it_keeps_a_changed_password_and_restores_roles_and_flags(demo_on, groups):
    demo_accounts()
    User = get_user_model()
    analyst = User.objects.get(username="analyst")
    analyst.set_password("my own passphrase")
    analyst.save()
    services.membership_set(user=analyst, working_group=groups[0], role="viewer")
    User.objects.filter(username="admin").update(is_superuser=False, is_active=False)

    demo_accounts()

    analyst.refresh_from_db()
    assert analyst.check_password("my own passphrase")
    assert Membership.objects.get(user=analyst, working_group=groups[0]).role == "analyst"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_active


def test_it_resets_passwords_when_asked(demo_on, groups):
    demo_accounts()
    viewer = get_user_model().objects.get(username="viewer")
    viewer.set_password("something else")
    viewer.save()

    out = demo_accounts("--reset-passwords")

    viewer.refresh_from_db()
    assert viewer.check_password("demo-viewer-2026")
    assert "password reset, password demo-viewer-2026" in out


def test_it_gives_new_working_groups_to_the_demo_members_on_the_next_run(demo_on, groups):
    demo_accounts()
    third = factories.working_group("THIRD")

    demo_accounts()

    assert set(
        Membership.objects.filter(working_group=third).values_list("user__username", "role")
    ) == {("coordinator", "coordinator"), ("analyst", "analyst"), ("viewer", "viewer")}


def test_it_creates_the_accounts_before_any_working_group_exists(demo_on, db):
    out = demo_accounts()

    assert get_user_model().objects.count() == 4
    assert not Membership.objects.exists()
    assert "No working groups yet" in out


def test_it_documents_every_demo_account_in_the_readme():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Demo accounts", 1)[1]
    for account in DEMO_ACCOUNTS:
        assert f"`{account['username']}`" in section
        assert f"`{account['password']}`" in section


def test_it_names_the_demo_members_and_links_them_to_their_side(demo_on, groups):
    demo_accounts()

    users = {u.username: u for u in get_user_model().objects.select_related("affiliation")}
    assert users["analyst"].get_full_name() == "Asha Sharma"
    assert users["analyst"].affiliation.agency.acronym == "NCB"
    assert users["analyst"].affiliation.agency.party.code == "IN"
    assert users["coordinator"].affiliation.agency.acronym == "ONDCP"
    assert not hasattr(users["admin"], "affiliation") or users["admin"].affiliation is None
