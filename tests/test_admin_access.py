"""The admin is for installation administrators only: active superusers.

The person the outside review used: a staff member who coordinates another working group and
holds every permission on every model registered in the admin. They must get 403 on every admin
page and action of every model (list, add, change, delete, history, the delete action, the
autocomplete endpoints) and cannot add themselves to a group through it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from commitments.models import Membership, WorkingGroup
from ops.models import AuditEvent
from tests import factories
from tests.admin_support import populate
from tests.factories import Role

pytestmark = pytest.mark.django_db


def registered_models() -> list:
    return list(admin.site._registry)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def everything(group):
    """One row of every model, in the group the staff member does not coordinate."""
    populate(group, 0, 1)
    return group


@pytest.fixture
def staff_of_other_group(other_group):
    """Staff, coordinator of the other group, with every permission on every admin model."""
    user = factories.member(other_group, Role.COORDINATOR, "staffer", is_staff=True)
    content_types = {model._meta.app_label for model in registered_models()}
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=content_types))
    return user


@pytest.fixture
def staff_client(staff_of_other_group) -> Client:
    client = Client()
    client.force_login(staff_of_other_group)
    return client


def test_it_holds_every_permission_it_is_refused(staff_of_other_group):
    """The precondition: without the superuser rule, Django's admin would let them in."""
    user = staff_of_other_group
    assert user.is_staff and user.is_active and not user.is_superuser
    for model in registered_models():
        for action in ("view", "add", "change", "delete"):
            codename = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            if Permission.objects.filter(
                codename=f"{action}_{model._meta.model_name}",
                content_type__app_label=model._meta.app_label,
            ).exists():
                assert user.has_perm(codename), codename


def test_it_refuses_every_page_of_every_model_to_staff_of_another_group(everything, staff_client):
    refused = []
    checked = 0
    for model in registered_models():
        obj = model._default_manager.first()
        pages = [admin_url(model, "changelist"), admin_url(model, "add")]
        if obj is not None:
            pages += [
                admin_url(model, "change", obj.pk),
                admin_url(model, "delete", obj.pk),
                admin_url(model, "history", obj.pk),
            ]
        for page in pages:
            for method in ("get", "post"):
                checked += 1
                response = getattr(staff_client, method)(page)
                if response.status_code != 403:
                    refused.append(f"{method.upper()} {page}: {response.status_code}")
    assert not refused, "\n".join(refused)
    assert checked > 100


def test_it_refuses_the_delete_action_to_staff_of_another_group(everything, staff_client):
    group = everything
    for model in (WorkingGroup, Membership):
        pks = list(model._default_manager.values_list("pk", flat=True))
        response = staff_client.post(
            admin_url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
        )
        assert response.status_code == 403
        assert model._default_manager.count() == len(pks)
    assert WorkingGroup.objects.filter(pk=group.pk).exists()


def test_it_refuses_every_autocomplete_endpoint_to_staff_of_another_group(everything, staff_client):
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for field in model_admin.get_autocomplete_fields(None):
            response = staff_client.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field,
                    "term": "",
                },
            )
            checked += 1
            assert response.status_code == 403, (model, field)
    assert checked >= 10


def test_it_refuses_staff_adding_themselves_to_another_group(
    everything, staff_of_other_group, staff_client
):
    group = everything
    response = staff_client.post(
        admin_url(Membership, "add"),
        {"user": staff_of_other_group.pk, "working_group": group.pk, "role": Role.COORDINATOR},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=staff_of_other_group, working_group=group).exists()


def test_it_audits_each_refusal(everything, staff_client, staff_of_other_group):
    staff_client.get(reverse("admin:index"))
    event = AuditEvent.objects.get(event="access refused")
    assert (event.user_id, event.status, event.path) == (staff_of_other_group.pk, 403, "/admin/")


def test_it_refuses_the_admins_own_pages_to_signed_in_non_superusers(staff_client):
    for name in ("admin:index", "admin:login", "admin:logout", "admin:password_change"):
        assert staff_client.get(reverse(name)).status_code == 403, name
    assert staff_client.get("/admin/no-such-page/").status_code == 403


def test_it_sends_anonymous_visitors_to_our_sign_in(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/admin/"
    response = client.get(admin_url(WorkingGroup, "changelist"))
    assert response["Location"].startswith(reverse("accounts:login") + "?next=/admin/")


def test_it_refuses_a_deactivated_superuser(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    admin_user.is_active = False
    admin_user.save()
    # The session ends (the user is inactive): sent to sign in, not let in.
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_lets_a_superuser_in_and_sends_a_signed_in_superuser_on_from_the_login(
    client, admin_user
):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:password_change"))["Location"] == reverse(
        "accounts:password_change"
    )
