"""The coordinators' pages: record and edit a meeting, add commitments agreed at it, edit or
withdraw one, indicators. Who may (coordinators and superusers; other members 403, strangers
404), errors at their fields with the input kept, POST-redirect-GET, and every write through the
services. (Access for every URL and persona: test_access_walk.py; budgets:
test_views_budgets.py.)"""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, FollowUp, Indicator, Meeting, Participation, Status
from tests import factories
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db

G = "dpewg"


@pytest.fixture
def leads(group):
    return factories.lead_agencies()


@pytest.fixture
def coordinating(client, coordinator):
    return signed_in(client, coordinator)


def meeting_data(**overrides) -> dict:
    data = {
        "number": "2",
        "title": "Second meeting",
        "start_date": "2026-11-10",
        "end_date": "2026-11-11",
        "location": "New Delhi",
        "format": "in_person",
        "summary": "",
        "participants-TOTAL_FORMS": "2",
        "participants-INITIAL_FORMS": "0",
        "participants-0-person": "",
        "participants-0-name": "",
        "participants-0-title": "",
        "participants-0-agency": "",
        "participants-0-role": "delegate",
        "participants-1-person": "",
        "participants-1-name": "",
        "participants-1-title": "",
        "participants-1-agency": "",
        "participants-1-role": "delegate",
        "doc_title": "",
        "doc_publisher": "",
        "doc_kind": "readout",
        "doc_published_on": "",
        "doc_url": "",
        "doc_text": "",
    }
    data.update(overrides)
    return data


def commitment_data(group, leads, **overrides) -> dict:
    us, india = leads
    data = {
        "action_area": str(group.action_areas.get(code="PC").pk),
        "title": "Share the lists of scheduled precursors",
        "description": "",
        "owner": "",
        "priority": "high",
        "due_date": "",
        "source_document": "",
        "source_locator": "",
        "source_excerpt": "",
        "leads_US": [str(us.pk)],
        "leads_IN": [str(india.pk)],
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- meetings


def test_it_proposes_the_next_meeting_number(coordinating, group):
    body = coordinating.get(url("commitments:meeting_create", G)).content.decode()
    assert 'name="number" value="2"' in body


def test_it_records_a_meeting_with_participants_and_its_readout(coordinating, group, leads):
    us, india = leads
    known, _ = services.person_ensure(name="Sara Carter", title="Director", agency=us)
    data = meeting_data(
        **{
            "participants-0-person": str(known.pk),
            "participants-0-role": "chair",
            "participants-1-name": "Rekha Iyer",
            "participants-1-title": "Deputy Director General",
            "participants-1-agency": str(india.pk),
            "participants-1-role": "delegation_lead",
            "doc_title": "Joint statement of the second meeting",
            "doc_publisher": "Ministry of External Affairs",
            "doc_published_on": "2026-11-12",
            "doc_text": "Both sides agreed to meet again.",
        }
    )

    response = coordinating.post(url("commitments:meeting_create", G), data)

    meeting = Meeting.objects.get(working_group=group, number=2)
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    roles = {p.person.name: p.role for p in meeting.participations.select_related("person")}
    assert roles == {"Sara Carter": "chair", "Rekha Iyer": "delegation_lead"}
    assert meeting.participations.get(person__name="Rekha Iyer").person.agency == india
    document = meeting.source_documents.get()
    assert (document.title, document.text) == (
        "Joint statement of the second meeting",
        "Both sides agreed to meet again.",
    )
    assert meeting.history.latest().history_user.username == "coordinator"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2026-11-01"}, "end_date", "cannot end before it starts"),
        ({"number": "1"}, None, "already has a meeting with this number"),
        ({"doc_title": "A readout"}, "doc_publisher", "Give the new document's publisher."),
        ({"start_date": "soon"}, "start_date", "Enter the date as YYYY-MM-DD"),
        (
            {"participants-0-name": "", "participants-0-title": "Director"},
            "participants-0-name",
            "Give the new person's name.",
        ),
    ],
)
def test_it_refuses_a_bad_meeting_at_the_field_and_keeps_the_input(
    coordinating, group, overrides, field, message
):
    response = coordinating.post(url("commitments:meeting_create", G), meeting_data(**overrides))

    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert message in body
    if field:
        assert f'id="id_{field}_error"' in body
    assert 'value="New Delhi"' in body  # the input is kept
    assert not Meeting.objects.filter(working_group=group, number=2).exists()


def test_it_adds_blank_participant_rows_without_saving(coordinating, group):
    data = meeting_data(more_rows="1")
    response = coordinating.post(url("commitments:meeting_create", G), data)
    assert response.status_code == 200
    assert response.content.decode().count('class="participant-row"') == 2 + 4
    assert not Meeting.objects.filter(number=2).exists()


def test_it_edits_a_meeting_and_moves_its_commitments_last_activity(coordinating, group, leads):
    us, _ = leads
    meeting = group.meetings.get(number=1)
    person, _ = services.person_ensure(name="Old Delegate", agency=us)
    services.meeting_revise(
        meeting=meeting,
        participants=[{"person": person, "role": "delegate"}],
        **{f: getattr(meeting, f) for f in ("number", "title", "start_date", "end_date")},
    )
    commitment = factories.commitment(group)
    assert commitment.last_activity_on == datetime.date(2026, 1, 21)
    data = meeting_data(
        number="1",
        title="First meeting",
        start_date="2026-02-01",
        end_date="2026-02-02",
        **{"participants-0-person": "", "participants-TOTAL_FORMS": "1"},
    )

    response = coordinating.post(url("commitments:meeting_edit", G, 1), data)

    assert response.status_code == 302
    assert not Participation.objects.filter(meeting=meeting).exists()  # emptied row: removed
    commitment.refresh_from_db()
    assert commitment.last_activity_on == datetime.date(2026, 2, 2)


# --------------------------------------------------------------------------- commitments


def test_it_offers_each_sides_agencies_under_that_side_only(coordinating, group, leads):
    factories.agency("MX", "FGR")  # a party outside the group
    body = coordinating.get(url("commitments:commitment_create", G, 1)).content.decode()
    india_box = body[body.index('name="leads_IN"') - 300 : body.index('name="leads_US"')]
    assert "NCB" in india_box and "ONDCP" not in india_box
    assert "FGR" not in body


def test_it_adds_a_commitment_agreed_at_a_meeting(coordinating, group, leads, analyst):
    data = commitment_data(group, leads, owner=str(analyst.pk), due_date="2027-03-31")

    response = coordinating.post(url("commitments:commitment_create", G, 1), data)

    made = Commitment.objects.get(title="Share the lists of scheduled precursors")
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    assert made.reference == "DPEWG-1-PC-01" and made.meeting.number == 1
    assert {a.acronym for a in made.lead_agencies.all()} == {"ONDCP", "NCB"}
    assert (made.owner, made.priority, made.due_date) == (
        analyst,
        "high",
        datetime.date(2027, 3, 31),
    )


def test_it_keeps_meeting_area_and_source_with_save_and_add_another(coordinating, group, leads):
    document = factories.source_document(group, "Joint statement")
    area = factories.action_area(group, "SC", name="Supply chains")
    data = commitment_data(
        group, leads, action_area=str(area.pk), source_document=str(document.pk), another="1"
    )

    response = coordinating.post(url("commitments:commitment_create", G, 1), data)

    assert response.status_code == 302
    assert response["Location"] == (
        url("commitments:commitment_create", G, 1) + f"?area=sc&source={document.pk}"
    )
    page = coordinating.get(response["Location"]).content.decode()
    assert f'<option value="{area.pk}" selected>' in page
    assert f'<option value="{document.pk}" selected>' in page
    assert "DPEWG-1-SC-01" in page  # the message names what was recorded


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"action_area": ""}, "action_area", "This field is required."),
        ({"owner": "stranger"}, "owner", "must be a member"),
        ({"leads_US": ["foreign"]}, "leads_US", "Select a valid choice"),
        ({"due_date": "31/03/2027"}, "due_date", "YYYY-MM-DD"),
    ],
)
def test_it_refuses_a_bad_commitment_at_the_field(
    coordinating, group, leads, outsider, bad, field, message
):
    if bad.get("owner") == "stranger":
        bad = {"owner": str(outsider.pk)}
    if bad.get("leads_US") == ["foreign"]:
        bad = {"leads_US": [str(factories.agency("IN", "MEA").pk)]}  # India's, under US
    data = commitment_data(group, leads, **bad)
    if field == "owner":
        # The form offers members only: a non-member is refused as not a valid choice; the
        # service says the same in its own words if a member leaves the group meanwhile.
        message = "Select a valid choice"

    response = coordinating.post(url("commitments:commitment_create", G, 1), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and f'id="id_{field}_error"' in body
    assert 'value="Share the lists of scheduled precursors"' in body or field == "title"
    assert not Commitment.objects.exists()


def test_it_refuses_an_owner_who_is_not_a_member_in_the_service(group, outsider):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        factories.commitment(group, owner=outsider)
    assert "must be a member" in " ".join(info.value.message_dict["owner"])


def test_it_edits_a_commitment_and_shows_the_edit_to_both_sides(
    coordinating, group, leads, viewer, analyst
):
    c = factories.commitment(group, due_date=datetime.date(2026, 6, 30), lead_agencies=leads)
    services.affiliation_set(user=viewer, agency=leads[1])  # the viewer is on India's side
    data = commitment_data(
        group,
        leads,
        meeting=str(c.meeting_id),
        title=c.title,
        priority="medium",
        due_date="2026-09-30",
        reason="The regulator asked for three more months.",
        version=str(c.version),
    )

    response = coordinating.post(url("commitments:commitment_edit", G, c.reference), data)

    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.due_date, c.version) == (datetime.date(2026, 9, 30), 2)
    edit = c.follow_ups.get()
    assert edit.kind == "edit" and edit.note == "The regulator asked for three more months."
    assert {
        "field": "due_date",
        "label": "Due date",
        "before": "30 Jun 2026",
        "after": "30 Sep 2026",
    } in edit.changes
    for reader in (viewer, analyst):
        page = signed_in(Client(), reader).get(c.get_absolute_url()).content.decode()
        assert "Due date</span> 30 Jun 2026" in page and "30 Sep 2026" in page
        assert "The regulator asked for three more months." in page
        assert "edited the details" in page


def test_it_wants_a_reason_to_move_a_due_date(coordinating, group, leads):
    c = factories.commitment(group, due_date=datetime.date(2026, 6, 30), lead_agencies=leads)
    data = commitment_data(
        group, leads, meeting=str(c.meeting_id), title="Renamed too",
        due_date="2026-12-31", version=str(c.version),
    )  # fmt: skip

    response = coordinating.post(url("commitments:commitment_edit", G, c.reference), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_reason_error"' in body and "Say why the due date moves" in body
    assert 'value="Renamed too"' in body
    c.refresh_from_db()
    assert (c.title, c.version) != ("Renamed too", 2) and not c.follow_ups.exists()


def test_it_answers_a_stale_edit_with_409_what_changed_and_the_input_kept(
    coordinating, group, leads, analyst
):
    c = factories.commitment(group, lead_agencies=leads)
    seen = c.version
    services.follow_up_record(
        commitment=c, author=analyst, note="Ports briefed.", expected_version=seen,
        status=Status.IN_PROGRESS,
    )  # fmt: skip
    data = commitment_data(
        group, leads, meeting=str(c.meeting_id), title="My new title", version=str(seen)
    )

    response = coordinating.post(url("commitments:commitment_edit", G, c.reference), data)

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this commitment first" in body and "Ports briefed." in body
    assert 'value="My new title"' in body
    assert f'name="version" value="{seen + 1}"' in body  # saving again applies it on top
    c.refresh_from_db()
    assert c.title != "My new title"

    data["version"] = str(seen + 1)
    assert (
        coordinating.post(url("commitments:commitment_edit", G, c.reference), data).status_code
        == 302
    )
    c.refresh_from_db()
    assert c.title == "My new title"


def test_it_withdraws_with_a_reason(coordinating, group, leads):
    c = factories.commitment(group, lead_agencies=leads)
    withdraw = url("commitments:commitment_withdraw", G, c.reference)

    refused = coordinating.post(withdraw, {"reason": "", "version": c.version})
    assert refused.status_code == 200 and "Say why it is withdrawn" in refused.content.decode()

    response = coordinating.post(withdraw, {"reason": "Superseded by OP-2.", "version": c.version})

    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Status.WITHDRAWN
    assert c.follow_ups.get().note == "Superseded by OP-2."


@pytest.mark.parametrize("persona", ["viewer", "analyst"])
def test_it_refuses_coordinator_writes_to_other_members(request, group, leads, persona):
    user = request.getfixturevalue(persona)
    client = signed_in(Client(), user)
    c = factories.commitment(group, lead_agencies=leads)
    for name, args, data in (
        ("commitments:meeting_create", (G,), meeting_data()),
        ("commitments:commitment_create", (G, 1), commitment_data(group, leads)),
        ("commitments:commitment_withdraw", (G, c.reference), {"reason": "x", "version": 1}),
    ):
        assert client.post(url(name, *args), data).status_code == 403
    assert not Meeting.objects.filter(number=2).exists()
    c.refresh_from_db()
    assert c.status == Status.NOT_STARTED and Commitment.objects.count() == 1


def test_it_enforces_csrf_on_a_coordinator_write(group, leads, coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(
        url("commitments:commitment_create", G, 1), commitment_data(group, leads)
    )
    assert response.status_code == 403
    assert not Commitment.objects.exists()


# --------------------------------------------------------------------------- indicators


def test_it_adds_an_indicator_for_a_commitment_by_reference(coordinating, group):
    c = factories.commitment(group)
    data = {
        "name": "Seizures reported", "unit": "cases", "direction": "higher",
        "baseline": "10", "target": "40", "target_date": "2027-06-30",
        "action_area": "", "commitment": c.reference.lower(),
    }  # fmt: skip

    response = coordinating.post(url("commitments:indicator_create", G), data)

    indicator = Indicator.objects.get(name="Seizures reported")
    assert response.status_code == 302 and indicator.commitment == c


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commitment": "", "action_area": ""}, "action_area", "choose an action area or"),
        ({"commitment": "DPEWG-9-XX-99"}, "commitment", "has the reference"),
        ({"baseline": "ten"}, "baseline", "Enter a number"),
    ],
)
def test_it_refuses_a_bad_indicator_at_the_field(coordinating, group, overrides, field, message):
    data = {"name": "Seizures", "unit": "cases", "direction": "higher", "action_area": "",
            "commitment": "", **overrides}  # fmt: skip
    if field == "baseline":
        data["action_area"] = str(group.action_areas.get().pk)
    response = coordinating.post(url("commitments:indicator_create", G), data)
    body = response.content.decode()
    assert response.status_code == 200 and message in body and f'id="id_{field}_error"' in body
    assert not Indicator.objects.exists()


def test_it_refuses_another_groups_area_for_an_indicator(coordinating, group, other_group):
    data = {"name": "Seizures", "unit": "cases", "direction": "higher",
            "action_area": str(other_group.action_areas.get().pk), "commitment": ""}  # fmt: skip
    response = coordinating.post(url("commitments:indicator_create", G), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Indicator.objects.exists()


# --------------------------------------------------------------------------- members


def test_it_lists_the_members_with_their_roles_agencies_and_sides(
    coordinating, group, leads, analyst, viewer
):
    services.affiliation_set(user=analyst, agency=leads[1])
    body = coordinating.get(url("commitments:members", G)).content.decode()
    assert "Coordinator" in body and "Analyst" in body and "Viewer" in body
    assert "NCB" in body and "India" in body
    assert "installation administrator" in body


def test_it_shows_members_to_coordinators_only(client, group, analyst):
    assert signed_in(client, analyst).get(url("commitments:members", G)).status_code == 403


def test_it_keeps_member_roles_with_administrators(coordinating, group):
    # No page of the app changes a role: only the admin's membership form does.
    body = coordinating.get(url("commitments:members", G)).content.decode()
    assert "<form" not in body.split("<main", 1)[1].split("</main>")[0]


def test_it_lets_a_superuser_coordinate_every_group(client, group, admin_user, leads):
    client = signed_in(client, admin_user)
    assert client.get(url("commitments:meeting_create", G)).status_code == 200
    response = client.post(
        url("commitments:commitment_create", G, 1), commitment_data(group, leads)
    )
    assert response.status_code == 302


def test_it_lists_a_commitments_timeline_in_the_order_things_happened(
    group, analyst, coordinator, leads
):
    c = factories.commitment(group, lead_agencies=leads, due_date=datetime.date(2026, 12, 1))
    services.follow_up_record(
        commitment=c, author=analyst, note="Logged today about March.", expected_version=1,
        occurred_on=datetime.date(2026, 3, 1),
    )  # fmt: skip
    services.commitment_update(
        commitment=c, expected_version=2, actor=coordinator, due_date=datetime.date(2027, 1, 1),
        reason="Budget cycle.",
    )  # fmt: skip
    services.follow_up_record(
        commitment=c, author=analyst, note="Earlier: February.", expected_version=3,
        occurred_on=datetime.date(2026, 2, 1),
    )  # fmt: skip
    page = signed_in(Client(), analyst).get(c.get_absolute_url()).content.decode()
    today_edit = page.index("Budget cycle.")
    assert today_edit < page.index("Logged today about March.") < page.index("Earlier: February.")
    c.refresh_from_db()
    assert c.last_activity_on == datetime.date(2026, 3, 1)  # backdated: not activity today
    assert timezone.localdate() > c.last_activity_on
    assert FollowUp.objects.filter(commitment=c).count() == 3


def test_it_names_the_reporting_side_in_the_timeline_feed_and_activity(group, analyst, leads):
    c = factories.commitment(group, lead_agencies=leads)
    analyst.first_name, analyst.last_name = "Asha", "Sharma"
    analyst.save()
    services.affiliation_set(user=analyst, agency=leads[1])
    services.follow_up_record(commitment=c, author=analyst, note="Reported.", expected_version=1)
    client = signed_in(Client(), analyst)
    for page in (
        c.get_absolute_url(),
        url("commitments:group_dashboard", G),
        url("commitments:recent_activity", G),
    ):
        assert "Asha Sharma, NCB (India)" in client.get(page).content.decode(), page


def test_it_names_the_parties_and_co_leads_on_the_dashboard(client, group, viewer, leads):
    services.working_group_update(working_group=group, lead_agencies=list(leads))
    body = signed_in(client, viewer).get(url("commitments:group_dashboard", G)).content.decode()
    parties = body[body.index('id="parties"') : body.index("</p>", body.index('id="parties"'))]
    assert "India" in parties and "United States" in parties
    assert "ONDCP" in parties and "NCB" in parties


def test_it_refuses_co_leads_outside_the_groups_parties(group):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.working_group_update(
            working_group=group, lead_agencies=[factories.agency("MX", "FGR")]
        )
    assert "agency of one of the group's parties" in str(info.value)


def test_it_refuses_roles_changes_from_the_app_for_a_coordinator_too(group, coordinator):
    # Belt and braces for the rule above: the admin refuses everyone but superusers outright.
    client = signed_in(Client(), coordinator)
    assert client.get("/admin/commitments/membership/").status_code == 403
