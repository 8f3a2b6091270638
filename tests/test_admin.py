"""Django admin: every page renders with a bounded number of queries, commitments are written
only through the services, and the audit trail (follow-ups, model history) cannot be changed by
anyone but a superuser."""

from __future__ import annotations

import datetime
import functools

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from commitments import services
from commitments.models import (
    ActionArea,
    Agency,
    CatalogueRevision,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Person,
    RecordsRevision,
    Snapshot,
    SnapshotRow,
    Status,
    Tally,
)
from tests import factories
from tests.admin_support import CHANGELIST_BUDGET, PAGE_BUDGET, clerk_with, form_data, populate, url
from tests.factories import Role

APP_MODELS = list(apps.get_app_config("commitments").get_models())
DOMAIN_MODELS = [m for m in APP_MODELS if not issubclass(m, HistoricalChanges)]
# Written once and never changed (the follow-ups, snapshots), or kept by the services alone (the dashboard's
# counts) or by the database alone (the catalogue's revisions): nothing for a history to
# record, nothing to add or change here.
IMMUTABLE_MODELS = {FollowUp, Snapshot, SnapshotRow, Tally, CatalogueRevision, RecordsRevision}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


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


def test_it_searches_and_filters_the_commitment_list(everything, admin_client):
    response = admin_client.get(
        url(Commitment, "changelist"), {"q": "AG0", "status__exact": "in_progress", "due": "30d"}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0  # due in June, not within 30 days
    response = admin_client.get(url(Commitment, "changelist"), {"q": "AG0", "due": ""})
    assert response.context["cl"].result_count == 1


def test_it_keeps_the_commitment_changelist_and_its_search_cheap_at_any_size(
    everything, admin_client, django_assert_max_num_queries
):
    """At 100,000 commitments the date drill-down (a MIN/MAX and a DISTINCT date over every
    row) and a search joined to the lead agencies (a DISTINCT count over the join) took 100 to
    200 ms each; the changelist has neither, and searches like the analysts' list does."""
    commitment = Commitment.objects.get(reference="DPEWG-2-PC-01")
    word = commitment.title.split()[-1]
    with django_assert_max_num_queries(CHANGELIST_BUDGET) as queries:
        response = admin_client.get(url(Commitment, "changelist"), {"q": word})
    assert response.status_code == 200
    assert commitment in response.context["cl"].result_list
    assert response.context["cl"].date_hierarchy is None
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "DISTINCT" not in sql
    # Every word must match: a word no commitment holds finds nothing.
    response = admin_client.get(url(Commitment, "changelist"), {"q": f"{word} zzqxv"})
    assert response.context["cl"].result_count == 0


def test_it_shows_lead_agencies_and_counts_in_the_commitment_list(everything, admin_client):
    response = admin_client.get(url(Commitment, "changelist"))
    content = response.content.decode()
    assert "AG0" in content
    assert "DPEWG-2-PC-01" in content
    (row,) = response.context["cl"].result_list
    assert row.follow_up_count == 1


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


# --------------------------------------------------------------------------- commitment: add


def test_it_adds_a_commitment_through_the_service_with_a_generated_reference(
    group, admin_client, admin_user
):
    ondcp = factories.agency("US", "ONDCP", "Office of National Drug Control Policy")
    ncb = factories.agency("IN", "NCB", "Narcotics Control Bureau")
    response = admin_client.post(
        url(Commitment, "add"),
        {
            "working_group": group.pk,
            "action_area": group.action_areas.get().pk,
            "meeting": group.meetings.get().pk,
            "title": "Share precursor seizure data",
            "lead_agencies": [ondcp.pk, ncb.pk],
            "priority": "high",
            "reference": "HAND-MADE-1",  # not a field of the form: ignored
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment = Commitment.objects.get()
    assert commitment.reference == "DPEWG-1-PC-01"
    assert commitment.status == Status.NOT_STARTED
    assert commitment.version == 1
    assert set(commitment.lead_agencies.all()) == {ondcp, ncb}
    # One history row for the insert, one for the lead agencies; both the admin's.
    assert {h.history_user for h in commitment.history.all()} == {admin_user}
    assert response["Location"] == url(Commitment, "changelist")


def test_it_refuses_an_area_of_another_group_next_to_the_field(group, other_group, admin_client):
    response = admin_client.post(
        url(Commitment, "add"),
        {
            "working_group": group.pk,
            "action_area": other_group.action_areas.get().pk,
            "meeting": group.meetings.get().pk,
            "title": "Misfiled",
            "priority": "medium",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["action_area"] == [
        "This action area belongs to another working group."
    ]
    assert not Commitment.objects.exists()


# --------------------------------------------------------------------------- commitment: change


def test_it_hides_status_and_progress_from_the_commitment_form(commitment, admin_client):
    response = admin_client.get(url(Commitment, "change", commitment.pk))
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "progress" not in form.fields
    assert "reference" not in form.fields
    assert form["expected_version"].value() == 1
    assert form.fields["expected_version"].widget.is_hidden
    assert "Not started" in response.content.decode()  # shown, read-only


def test_it_changes_status_through_a_follow_up(commitment, admin_client, admin_user):
    page = admin_client.get(url(Commitment, "change", commitment.pk))
    data = form_data(page)
    data.update(
        new_status="in_progress",
        new_progress="30",
        follow_up_note="Both sides named contact points.",
        follow_up_external_reference="MEMO-7",
    )
    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == ("in_progress", 30, 2)
    follow_up = FollowUp.objects.get()
    assert follow_up.author == admin_user
    assert follow_up.note == "Both sides named contact points."
    assert (follow_up.status_before, follow_up.status_after) == ("not_started", "in_progress")
    assert (follow_up.progress_before, follow_up.progress_after) == (0, 30)
    assert follow_up.external_reference == "MEMO-7"
    assert follow_up.commitment_version == 2


def test_it_saves_an_edit_and_a_follow_up_together(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(title="Tighten controls on precursor chemicals", new_status="completed")
    data["follow_up_note"] = "Signed off at the plenary."

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Tighten controls on precursor chemicals"
    assert (commitment.status, commitment.progress, commitment.version) == ("completed", 100, 3)
    edit, follow_up = FollowUp.objects.order_by("commitment_version")
    assert (edit.kind, edit.commitment_version) == ("edit", 2)
    assert edit.changes[0]["field"] == "title"
    assert (follow_up.kind, follow_up.commitment_version) == ("follow_up", 3)


def test_it_edits_descriptive_fields_with_an_edit_entry_not_a_follow_up(commitment, admin_client):
    agency = factories.agency("IN", "MEA", "Ministry of External Affairs")
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(description="Now with a description.", lead_agencies=[str(agency.pk)])

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.description == "Now with a description."
    assert list(commitment.lead_agencies.all()) == [agency]
    assert commitment.version == 2
    (entry,) = FollowUp.objects.all()
    assert (entry.kind, entry.author.username, entry.commitment_version) == ("edit", "admin", 2)
    assert [c["field"] for c in entry.changes] == ["description", "lead_agencies"]
    assert entry.changes[1]["after"] == "MEA (IN)"
    assert not FollowUp.objects.follow_ups().exists()


def test_it_saves_nothing_when_nothing_changed(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    response = admin_client.post(url(Commitment, "change", commitment.pk), data)
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.version == 1
    assert commitment.history.count() == 1


def test_it_requires_a_note_for_a_status_change(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(new_status="in_progress", title="Changed title")

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["follow_up_note"] == [
        "Say what happened: a follow-up needs a note (so does a new status or progress)."
    ]
    assert form["title"].value() == "Changed title"  # the input is kept
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.version) == (
        "Tighten precursor controls",
        "not_started",
        1,
    )


def test_it_requires_a_note_with_evidence(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data["follow_up_evidence_url"] = "https://example.org/readout"

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["follow_up_note"]
    assert not FollowUp.objects.exists()


def test_it_refuses_a_follow_up_dated_in_the_future(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data.update(follow_up_note="Planned.", follow_up_occurred_on=tomorrow.isoformat())

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["follow_up_occurred_on"] == [
        "The date cannot be in the future."
    ]
    assert not FollowUp.objects.exists()


def test_it_shows_a_service_refusal_next_to_the_field_and_writes_nothing(commitment, admin_client):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(
        title="Renamed",
        new_status="completed",
        new_progress="50",
        follow_up_note="Done, nearly.",
    )

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["new_progress"] == [
        "A completed commitment must be at 100% progress."
    ]
    commitment.refresh_from_db()
    # Refused as a whole: the title change is not stored either.
    assert (commitment.title, commitment.version) == ("Tighten precursor controls", 1)
    assert commitment.history.count() == 1
    assert not FollowUp.objects.exists()


def test_it_rolls_back_the_whole_save_when_the_write_fails(commitment, admin_client, monkeypatch):
    """The form validates with the services' checks, then the admin writes once. Should the
    write of the follow-up fail anyway, the edit made before it is not left behind."""
    calls = []

    def fails(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "follow_up_record", fails)
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(title="Half a change", new_status="in_progress", follow_up_note="Started.")

    with pytest.raises(RuntimeError):
        admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert len(calls) == 1  # the one real write: validation does not call it
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Tighten precursor controls", 1)
    assert commitment.history.count() == 1
    assert not FollowUp.objects.exists()


def test_it_calls_each_service_once_per_save_and_writes_nothing_to_validate(
    commitment, admin_client, monkeypatch
):
    calls: list[str] = []
    for service in ("commitment_update", "follow_up_record"):
        real = getattr(services, service)

        def counted(real=real, service=service, **kwargs):
            calls.append(service)
            return real(**kwargs)

        monkeypatch.setattr(services, service, counted)
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(title="Edited once", new_status="in_progress", follow_up_note="Started.")

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 302
    assert calls == ["commitment_update", "follow_up_record"]
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.version) == (
        "Edited once",
        "in_progress",
        3,
    )

    # A refused change: the checks ran, and not one row was written, not even in a savepoint.
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data.update(title="Refused", new_status="completed", new_progress="50", follow_up_note="x")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.post(url(Commitment, "change", commitment.pk), data)
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []


def test_it_refuses_a_lead_agency_of_a_stranger_party(commitment, admin_client):
    france = services.party_ensure(code="FR", name="France")[0]
    stranger = services.agency_ensure(party=france, acronym="OFAST", name="OFAST")[0]
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    data["lead_agencies"] = [str(stranger.pk)]

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_agencies"]
    assert errors == ["Not an agency of a party to this working group: OFAST (FR)."]
    assert not commitment.lead_agencies.exists()


def test_it_refuses_a_stale_version_with_a_form_error(commitment, admin_client, analyst):
    data = form_data(admin_client.get(url(Commitment, "change", commitment.pk)))
    # Meanwhile an analyst logs progress.
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Draft guidance circulated.",
        expected_version=1,
        status="in_progress",
        progress=20,
    )
    data.update(title="My edit", new_status="stalled", follow_up_note="No news.")

    response = admin_client.post(url(Commitment, "change", commitment.pk), data)

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert "changed by someone else" in error
    assert "you loaded version 1, it is now at version 2" in error
    assert "Draft guidance circulated." in error
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.progress, commitment.version) == (
        "Tighten precursor controls",
        "in_progress",
        20,
        2,
    )
    assert FollowUp.objects.count() == 1


def test_it_refuses_a_follow_up_from_staff_who_are_not_analysts(commitment, client):
    """The admin is for superusers (who coordinate every group): staff with the commitment
    permissions are refused at the door, and the service refuses them too."""
    clerk = clerk_with("view_commitment", "change_commitment")
    client.force_login(clerk)
    assert client.get(url(Commitment, "change", commitment.pk)).status_code == 403
    response = client.post(
        url(Commitment, "change", commitment.pk),
        {"new_status": "in_progress", "follow_up_note": "Trying."},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied, match="Only analysts and coordinators"):
        services.follow_up_record(
            commitment=commitment,
            author=clerk,
            note="Trying.",
            expected_version=commitment.version,
            status="in_progress",
        )
    assert not FollowUp.objects.exists()


# --------------------------------------------------------------------------- the bulk action


@pytest.fixture
def three_commitments(group):
    return [factories.commitment(group, title=f"Bulk {i}") for i in range(3)]


def test_it_asks_for_the_new_status_before_changing_it(three_commitments, admin_client):
    pks = [c.pk for c in three_commitments]
    response = admin_client.post(
        url(Commitment, "changelist"),
        {"action": "change_status", "_selected_action": pks, "index": 0},
    )
    assert response.status_code == 200
    assert "admin/commitments/commitment/change_status.html" in [t.name for t in response.templates]
    content = response.content.decode()
    for commitment in three_commitments:
        assert commitment.reference in content
        assert f'name="version_{commitment.pk}" value="1"' in content
    assert not FollowUp.objects.exists()


def test_it_changes_the_status_of_the_selected_commitments_through_the_service(
    three_commitments, admin_client, admin_user, monkeypatch
):
    calls = []
    real = services.follow_up_record

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "follow_up_record", spy)
    first, second, _ = three_commitments

    response = admin_client.post(
        url(Commitment, "changelist"),
        {
            "action": "change_status",
            "_selected_action": [first.pk, second.pk],
            f"version_{first.pk}": 1,
            f"version_{second.pk}": 1,
            "apply": "yes",
            "status": "in_progress",
            "progress": "",
            "note": "Kick-off meeting held.",
            "occurred_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    assert [call["commitment"].pk for call in calls] == [first.pk, second.pk]
    assert {call["expected_version"] for call in calls} == {1}
    for commitment in (first, second):
        commitment.refresh_from_db()
        assert (commitment.status, commitment.version) == ("in_progress", 2)
        follow_up = commitment.follow_ups.get()
        assert (follow_up.author, follow_up.note) == (admin_user, "Kick-off meeting held.")
    assert messages_of(response) == [
        f"Recorded a follow-up on 2 commitment(s): {first.reference}, {second.reference}."
    ]


def test_it_reports_conflicts_and_refusals_of_the_action(three_commitments, admin_client, analyst):
    fresh, stale, refused = three_commitments
    services.follow_up_record(
        commitment=stale, author=analyst, note="Moved on.", expected_version=1, status="stalled"
    )
    services.follow_up_record(
        commitment=refused, author=analyst, note="Done.", expected_version=1, status="completed"
    )

    response = admin_client.post(
        url(Commitment, "changelist"),
        {
            "action": "change_status",
            "_selected_action": [c.pk for c in three_commitments],
            f"version_{fresh.pk}": 1,
            f"version_{stale.pk}": 1,  # the page was opened before the analyst's change
            f"version_{refused.pk}": 2,
            "apply": "yes",
            "status": "not_started",
            "progress": "40",
            "note": "Reset.",
            "occurred_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        f"Not changed, because someone else changed them after you opened the page: "
        f"{stale.reference} (now stalled, 0%). Review them and try again.",
        f"Not changed: {fresh.reference}: Progress must be 0 while the status is “Not started”.",
        f"Not changed: {refused.reference}: Progress must be 0 while the status is “Not started”.",
    ]
    assert FollowUp.objects.count() == 2


def test_it_keeps_the_action_page_with_errors_when_the_note_is_missing(
    three_commitments, admin_client
):
    first = three_commitments[0]
    response = admin_client.post(
        url(Commitment, "changelist"),
        {
            "action": "change_status",
            "_selected_action": [first.pk],
            f"version_{first.pk}": 1,
            "apply": "yes",
            "status": "in_progress",
            "note": "   ",
            "occurred_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert not FollowUp.objects.exists()


# --------------------------------------------------------------------------- audit: follow-ups


@pytest.fixture
def follow_up(commitment, analyst):
    return services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="First contact made.",
        expected_version=commitment.version,
        status="in_progress",
        progress=10,
    )


def test_it_refuses_changing_a_follow_up_even_to_a_superuser(follow_up, admin_client):
    client = admin_client
    change_url = url(FollowUp, "change", follow_up.pk)

    page = client.get(change_url)
    assert page.status_code == 200  # they may read it
    assert page.context["title"] == "View follow up"
    response = client.post(
        change_url, {"occurred_on": follow_up.occurred_on.isoformat(), "note": "Rewritten."}
    )

    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.note == "First contact made."


def test_it_refuses_deleting_a_follow_up_even_to_a_superuser(follow_up, admin_client):
    client = admin_client

    assert client.get(url(FollowUp, "delete", follow_up.pk)).status_code == 403
    assert client.post(url(FollowUp, "delete", follow_up.pk), {"post": "yes"}).status_code == 403
    bulk = client.post(
        url(FollowUp, "changelist"),
        {"action": "delete_selected", "_selected_action": [follow_up.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # "no action selected": delete is not on offer
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_it_offers_no_add_page_for_follow_ups(follow_up, admin_client):
    assert admin_client.get(url(FollowUp, "add")).status_code == 403
    assert admin_client.post(url(FollowUp, "add"), {"note": "x"}).status_code == 403


def test_it_lets_not_even_a_superuser_change_a_follow_up(follow_up, admin_client):
    page = admin_client.get(url(FollowUp, "change", follow_up.pk))
    assert page.status_code == 200  # read it, yes
    data = {"note": "Rewritten history.", "occurred_on": "2026-01-25"}

    response = admin_client.post(url(FollowUp, "change", follow_up.pk), data)

    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.note == "First contact made."


def test_it_lets_not_even_a_superuser_delete_a_follow_up(follow_up, admin_client):
    """A deleted follow-up would leave a status that no follow-up explains: a mistaken one is
    corrected by a new follow-up that says so."""
    assert admin_client.get(url(FollowUp, "delete", follow_up.pk)).status_code == 403
    assert (
        admin_client.post(url(FollowUp, "delete", follow_up.pk), {"post": "yes"}).status_code == 403
    )
    response = admin_client.post(
        url(FollowUp, "changelist"),
        {"action": "delete_selected", "_selected_action": [follow_up.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()
    assert not hasattr(services, "follow_up_delete")


# --------------------------------------------------------------------------- audit: history


def test_it_says_where_a_follow_ups_history_is(follow_up, admin_client):
    """A follow-up has no history of its own: its page says who wrote it, when, and links to
    the commitment's history."""
    response = admin_client.get(url(FollowUp, "history", follow_up.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "written once and never changed or deleted" in page
    assert (follow_up.author.get_full_name() or follow_up.author.username) in page
    assert url(Commitment, "history", follow_up.commitment_id) in page


def test_it_shows_the_history_of_a_commitment(follow_up, admin_client):
    commitment = follow_up.commitment
    response = admin_client.get(url(Commitment, "history", commitment.pk))
    assert response.status_code == 200
    assert response.context["history_list_display"] == ("status", "progress", "version")
    assert len(response.context["page_obj"].object_list) == 2
    assert "In progress" in response.content.decode()  # labels, not stored values


def test_it_refuses_staff_the_history_and_its_revert(db, client):
    """Staff with the change permission: django-simple-history would let them revert; the
    admin, for superusers only, refuses them the page and the POST."""
    party = services.party_ensure(code="US", name="United States")[0]
    party.name = "USA"
    party.save()
    client.force_login(clerk_with("view_party", "change_party"))
    first = party.history.earliest()

    assert client.get(url(Party, "history", party.pk)).status_code == 403
    assert client.get(url(Party, "simple_history", party.pk, first.history_id)).status_code == 403
    response = client.post(
        url(Party, "simple_history", party.pk, first.history_id),
        {"name": "United States", "code": "US"},
    )

    assert response.status_code == 403
    party.refresh_from_db()
    assert party.name == "USA"


def test_it_lets_a_superuser_revert_a_plain_record(admin_client):
    party = services.party_ensure(code="US", name="United States")[0]
    party.name = "USA"
    party.save()
    first = party.history.earliest()

    response = admin_client.post(
        url(Party, "simple_history", party.pk, first.history_id),
        {"name": "United States", "code": "US"},
    )

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name == "United States"


def test_it_lets_nobody_revert_a_commitment(follow_up, admin_client):
    commitment = follow_up.commitment
    first = commitment.history.earliest()
    revert_url = url(Commitment, "simple_history", commitment.pk, first.history_id)

    page = admin_client.get(revert_url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True
    response = admin_client.post(revert_url, form_data(page))

    assert response.status_code == 403
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("in_progress", 2)


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


# --------------------------------------------------------------------------- one group at a time


def autocomplete(client, field: str, group=None, term: str = "", model: str = "commitment"):
    params = {"app_label": "commitments", "model_name": model, "field_name": field, "term": term}
    if group is not None:
        params["group"] = group.pk
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200, response.content[:300]
    return {item["text"] for item in response.json()["results"]}


def test_it_limits_a_commitments_autocompletes_to_the_chosen_group(
    everything, other_group, admin_client, outsider
):
    group = everything
    factories.source_document(other_group, "Their readout")
    mx = factories.agency("MX", "FGR")
    assert "Other area" in autocomplete(admin_client, "action_area")  # no group: everything
    assert autocomplete(admin_client, "action_area", group) == {"Precursor chemicals"}
    assert all("OTHER" not in m for m in autocomplete(admin_client, "meeting", group))
    assert "Their readout" not in autocomplete(admin_client, "source_document", group)
    assert str(mx) not in autocomplete(admin_client, "lead_agencies", group)
    owners = autocomplete(admin_client, "owner", group)
    assert "outsider" not in owners and "member0" in owners


def test_it_finds_a_meeting_by_its_number(everything, admin_client):
    found = autocomplete(admin_client, "meeting", everything, term="2")
    assert any("meeting 2" in text for text in found), found


def test_it_tells_the_commitment_form_which_group_to_search(commitment, admin_client):
    page = admin_client.get(url(Commitment, "change", commitment.pk)).content.decode()
    assert f'data-group="{commitment.working_group_id}"' in page
    add = admin_client.get(url(Commitment, "add")).content.decode()
    assert 'data-group-from="id_working_group"' in add
    assert "admin/group_scope.js" in add


def test_it_refuses_co_leads_outside_the_parties_at_the_field(everything, admin_client):
    group = everything
    mx = factories.agency("MX", "FGR")
    data = form_data(admin_client.get(url(group.__class__, "change", group.pk)))
    data["lead_agencies"] = [str(mx.pk)]

    response = admin_client.post(url(group.__class__, "change", group.pk), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_agencies"]
    assert "agency of one of the group's parties: FGR (MX)" in errors[0]
    assert not group.lead_agencies.filter(pk=mx.pk).exists()
