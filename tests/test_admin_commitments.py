"""Django admin, commitments: the list, the add and change forms and the bulk status action.
Status and progress change only through a follow-up, every write goes through the services
once, and a refusal is a form error next to its field with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, FollowUp, Status
from tests import factories
from tests.admin_support import CHANGELIST_BUDGET, clerk_with, form_data, url


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --------------------------------------------------------------------------- commitment: list


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
