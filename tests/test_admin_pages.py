"""Django admin: every domain model is registered with its history (or none, where nothing can
change), and every page renders with a bounded number of queries that does not grow with
the rows of a list or of an inline."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from commitments import services
from commitments.models import (
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    GroupVersion,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Snapshot,
    SnapshotRow,
    Tally,
)
from tests import factories
from tests.admin_support import CHANGELIST_BUDGET, PAGE_BUDGET, populate, url
from tests.factories import Role

APP_MODELS = list(apps.get_app_config("commitments").get_models())
DOMAIN_MODELS = [m for m in APP_MODELS if not issubclass(m, HistoricalChanges)]
# Written once and never changed (the follow-ups, snapshots), or kept by the services alone
# (the dashboard's counts, the groups' versions): nothing for a history to record, nothing to
# add or change here.
IMMUTABLE_MODELS = {FollowUp, Snapshot, SnapshotRow, Tally, GroupVersion}


# --------------------------------------------------------------------------- registration


def test_it_registers_every_model_with_its_history():
    registered = {model for model in admin.site._registry if model in APP_MODELS}
    assert registered == set(DOMAIN_MODELS)
    for model in set(DOMAIN_MODELS) - IMMUTABLE_MODELS:
        assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model
    for model in IMMUTABLE_MODELS:
        assert not hasattr(model, "history"), model


def test_it_registers_no_history_table_where_rows_could_be_edited():
    history_models = {m for m in APP_MODELS if issubclass(m, HistoricalChanges)}
    assert {
        model.history.model for model in DOMAIN_MODELS if model not in IMMUTABLE_MODELS
    } <= history_models
    assert not history_models & set(admin.site._registry)


# --------------------------------------------------------------------------- every page renders


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m.__name__)
def test_it_renders_every_page_for_a_superuser(
    model, everything, admin_client, django_assert_max_num_queries
):
    obj = model.objects.first()
    assert obj is not None, f"the fixture must build at least one {model.__name__}"

    with django_assert_max_num_queries(CHANGELIST_BUDGET):
        assert admin_client.get(url(model, "changelist")).status_code == 200
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    with django_assert_max_num_queries(PAGE_BUDGET):
        assert admin_client.get(url(model, "history", obj.pk)).status_code == 200
    add = admin_client.get(url(model, "add"))
    # Follow-ups are added with their commitment, never on their own; snapshots by the services.
    assert add.status_code == (403 if model in IMMUTABLE_MODELS else 200)


BUSY_CHANGELISTS = [Commitment, FollowUp, Membership, Agency, Meeting, Indicator]


@pytest.mark.parametrize("model", BUSY_CHANGELISTS, ids=lambda m: m.__name__)
def test_it_lists_3_or_30_rows_with_the_same_queries(
    model, group, admin_client, django_assert_max_num_queries
):
    populate(group, 0, 3)
    admin_client.get(url(model, "changelist"))  # warm the session and content-type caches
    with django_assert_max_num_queries(CHANGELIST_BUDGET) as small:
        response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == model.objects.count() >= 3

    populate(group, 3, 30)
    with django_assert_max_num_queries(CHANGELIST_BUDGET) as large:
        response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == model.objects.count() >= 30
    assert len(large.captured_queries) == len(small.captured_queries)


def _members(group, start, stop):
    for i in range(start, stop):
        factories.member(group, Role.ANALYST, f"member{i}")
    return group, Membership


def _follow_ups(group, start, stop):
    commitment = Commitment.objects.first() or factories.commitment(group)
    author = (
        factories.member(group, Role.ANALYST) if start == 0 else FollowUp.objects.first().author
    )
    for i in range(start, stop):
        commitment.refresh_from_db()
        services.follow_up_record(
            commitment=commitment,
            author=author,
            note=f"Step {i}.",
            expected_version=commitment.version,
            progress=i,
            status="in_progress",
        )
    return commitment, FollowUp


def _participants(group, start, stop):
    meeting = group.meetings.get(number=1)
    for i in range(start, stop):
        agency = factories.agency("IN", f"IN{i}", f"Indian agency {i}")
        person, _ = services.person_ensure(name=f"Delegate {i}", agency=agency)
        Participation.objects.create(meeting=meeting, person=person, role="delegate")
    return meeting, Participation


def _measurements(group, start, stop):
    indicator, _ = services.indicator_ensure(working_group=group, name="Seizures", unit="cases")
    for i in range(start, stop):
        services.measurement_record(
            indicator=indicator,
            period_end=datetime.date(2024, 1, 1) + datetime.timedelta(days=31 * i),
            value=i,
        )
    return indicator, Measurement


@pytest.mark.parametrize(
    "grow", [_members, _follow_ups, _participants, _measurements], ids=lambda f: f.__name__
)
def test_it_shows_3_or_30_inline_rows_with_the_same_queries(
    grow, group, admin_client, django_assert_max_num_queries
):
    obj, inline_model = grow(group, 0, 3)
    change_url = url(type(obj), "change", obj.pk)
    admin_client.get(change_url)  # warm the session and content-type caches

    def inline_rows(response) -> int:
        (formset,) = [
            i.formset
            for i in response.context["inline_admin_formsets"]
            if i.formset.model is inline_model
        ]
        return len(formset.forms)

    with django_assert_max_num_queries(PAGE_BUDGET) as small:
        response = admin_client.get(change_url)
    assert response.status_code == 200
    assert inline_rows(response) == 3

    grow(group, 3, 30)
    with django_assert_max_num_queries(PAGE_BUDGET) as large:
        response = admin_client.get(change_url)
    assert response.status_code == 200
    assert inline_rows(response) == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_it_lists_a_working_groups_areas_and_members_inline(everything, admin_client):
    response = admin_client.get(url(everything.__class__, "change", everything.pk))
    inlines = {i.formset.model: i.formset for i in response.context["inline_admin_formsets"]}
    assert set(inlines) == {ActionArea, Membership}
    assert len(inlines[Membership].forms) == 1


def test_it_lists_a_meetings_participants_and_commitments_inline(everything, admin_client):
    meeting = Meeting.objects.get(number=2)
    response = admin_client.get(url(Meeting, "change", meeting.pk))
    inlines = {i.formset.model: i.formset for i in response.context["inline_admin_formsets"]}
    assert set(inlines) == {Participation, Commitment}
    assert len(inlines[Participation].forms) == 1
    assert len(inlines[Commitment].forms) == 1
