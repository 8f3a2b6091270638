"""Django admin, every other model: each write (a change, an add, a delete, the delete action,
inline rows, many-to-many fields) goes through its service, validated with the model's
constraints, and only with a CSRF token."""

from __future__ import annotations

import datetime
import functools

import pytest
from django.test import Client

from commitments import services
from commitments.models import (
    ActionArea,
    Agency,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Party,
    Person,
)
from tests.admin_support import form_data, url
from tests.factories import Role

# --------------------------------------------------------------------------- other models


def test_it_sets_who_entered_a_measurement_from_the_indicator_page(everything, admin_client):
    indicator = Indicator.objects.get()
    data = form_data(admin_client.get(url(Indicator, "change", indicator.pk)))
    data.update(
        {
            "measurements-TOTAL_FORMS": "2",
            "measurements-1-period_end": "2026-02-28",
            "measurements-1-value": "7",
            "measurements-1-indicator": str(indicator.pk),
        }
    )

    response = admin_client.post(url(Indicator, "change", indicator.pk), data)

    assert response.status_code == 302, response.context["errors"]
    added = Measurement.objects.get(period_end=datetime.date(2026, 2, 28))
    assert added.entered_by.username == "admin"


def test_it_validates_plain_models_with_their_constraints(everything, admin_client):
    group = everything
    response = admin_client.post(
        url(ActionArea, "add"),
        {
            "working_group": group.pk,
            "name": "Duplicate code",
            "slug": "duplicate-code",
            "code": "PC",
            "order": 0,
            "keywords": "[]",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This working group already has an area with this code."
    ]


def test_it_refuses_admin_posts_without_a_csrf_token(everything, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    person = Person.objects.get()
    response = client.post(url(Person, "change", person.pk), {"name": "Forged"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "Person 0"


# --------------------------------------------------------------------------- the one write path


@pytest.fixture
def spy(monkeypatch) -> list[str]:
    """The names of the services the admin calls, in order (each still does its work)."""
    calls: list[str] = []

    def recording(name: str, real):
        @functools.wraps(real)
        def recorded(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        return recorded

    for name in services.__all__:
        real = getattr(services, name)
        if callable(real) and not isinstance(real, type):
            monkeypatch.setattr(services, name, recording(name, real))
    return calls


def test_it_changes_reference_data_through_its_update_service(everything, admin_client, spy):
    party = Party.objects.get(code="US")
    data = form_data(admin_client.get(url(Party, "change", party.pk)))
    data["name"] = "United States of America"

    response = admin_client.post(url(Party, "change", party.pk), data)

    assert response.status_code == 302
    assert spy == ["party_update"]
    party.refresh_from_db()
    assert party.name == "United States of America"
    assert party.history.latest().history_user.username == "admin"


def test_it_adds_and_deletes_through_the_services(everything, admin_client, spy):
    india = Party.objects.get(code="IN")
    response = admin_client.post(
        url(Agency, "add"), {"party": india.pk, "acronym": "DRI", "name": "Revenue Intelligence"}
    )
    assert response.status_code == 302
    person = Person.objects.get()
    response = admin_client.post(url(Person, "delete", person.pk), {"post": "yes"})
    # The person is PROTECTed by a participation: nothing is deleted, nothing called.
    assert response.status_code == 200 and Person.objects.filter(pk=person.pk).exists()
    spare = services.person_ensure(name="Spare delegate")[0]
    response = admin_client.post(url(Person, "delete", spare.pk), {"post": "yes"})
    assert response.status_code == 302

    assert spy == ["agency_create", "person_ensure", "person_delete"]
    assert Agency.objects.filter(acronym="DRI", party=india).exists()
    assert not Person.objects.filter(pk=spare.pk).exists()


def test_it_deletes_selected_rows_through_the_delete_service(everything, admin_client, spy):
    spare = [services.person_ensure(name=f"Spare {i}")[0] for i in range(2)]
    spy.clear()

    response = admin_client.post(
        url(Person, "changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in spare], "post": "yes"},
    )

    assert response.status_code == 302
    assert spy == ["person_delete", "person_delete"]
    assert not Person.objects.filter(pk__in=[p.pk for p in spare]).exists()


def test_it_writes_inline_rows_through_their_services(everything, admin_client, spy):
    group = everything
    change = url(group.__class__, "change", group.pk)
    data = form_data(admin_client.get(change))
    # Rename the existing area, add one, and make the member a viewer.
    data["action_areas-0-name"] = "Precursor chemical control"
    data.update(
        {
            "action_areas-TOTAL_FORMS": "2",
            "action_areas-1-order": "5",
            "action_areas-1-code": "DT",
            "action_areas-1-name": "Drug trafficking",
            "action_areas-1-slug": "drug-trafficking",
            "action_areas-1-keywords": "[]",
        }
    )
    data["memberships-0-role"] = Role.VIEWER

    history_before = group.history.count()

    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert spy == [
        "working_group_validate",  # the form checks the co-leads as the update will
        "working_group_update",  # the group itself, unchanged: it writes nothing
        "action_area_update",
        "action_area_create",
        "membership_update",
    ]
    assert group.history.count() == history_before
    assert group.action_areas.get(code="PC").name == "Precursor chemical control"
    assert group.action_areas.filter(code="DT").exists()
    assert Membership.objects.get(working_group=group).role == Role.VIEWER


def test_it_deletes_an_inline_row_through_its_service(everything, admin_client, spy):
    indicator = Indicator.objects.get()
    change = url(Indicator, "change", indicator.pk)
    data = form_data(admin_client.get(change))
    data["measurements-0-DELETE"] = "on"

    response = admin_client.post(change, data)

    assert response.status_code == 302
    assert spy == ["indicator_update", "measurement_delete"]
    assert not indicator.measurements.exists()


def test_it_saves_many_to_many_fields_through_the_service(everything, admin_client, spy):
    meeting = Meeting.objects.get(number=2)
    change = url(Meeting, "change", meeting.pk)
    data = form_data(admin_client.get(change))
    data["source_documents"] = []

    response = admin_client.post(change, data)

    assert response.status_code == 302
    assert spy == ["meeting_update"]
    assert not meeting.source_documents.exists()
    assert meeting.history.latest().history_user.username == "admin"
