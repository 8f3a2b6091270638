"""The services: the one path for every write."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, FollowUp
from tests import factories


def state(commitment: Commitment) -> tuple:
    commitment.refresh_from_db()
    return (
        commitment.status,
        commitment.progress,
        commitment.version,
        commitment.last_activity_on,
        commitment.title,
    )


def record(commitment, author, **fields) -> FollowUp:
    fields.setdefault("note", "Talked to the counterpart desk")
    fields.setdefault("expected_version", commitment.version)
    return services.follow_up_record(commitment=commitment, author=author, **fields)


# --------------------------------------------------------------------------- commitment_create


def test_it_numbers_references_per_meeting_and_area(group):
    area_pc = group.action_areas.get()
    area_jo = factories.action_area(group, "JO", name="Joint operations")
    meeting_2 = factories.meeting(
        group, 2, start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 9, 1)
    )
    refs = [
        factories.commitment(group, area_pc).reference,
        factories.commitment(group, area_pc).reference,
        factories.commitment(group, area_jo).reference,
        factories.commitment(group, area_pc, meeting_2).reference,
    ]
    assert refs == ["DPEWG-1-PC-01", "DPEWG-1-PC-02", "DPEWG-1-JO-01", "DPEWG-2-PC-01"]


def test_it_continues_after_the_highest_reference_even_with_gaps(group):
    factories.commitment(group, reference="DPEWG-1-PC-07")
    assert factories.commitment(group).reference == "DPEWG-1-PC-08"


def test_it_keeps_a_given_reference_and_refuses_a_duplicate(group):
    factories.commitment(group, reference="DPEWG-1-PC-03")
    with pytest.raises(ValidationError) as info:
        factories.commitment(group, reference="DPEWG-1-PC-03")
    assert "already used in this working group" in str(info.value)
    assert Commitment.objects.count() == 1


def test_it_creates_a_not_started_commitment_with_its_lead_agencies(group, coordinator):
    ondcp = factories.agency("US", "ONDCP")
    ncb = factories.agency("IN", "NCB")
    commitment = factories.commitment(group, lead_agencies=[ondcp, ncb], actor=coordinator)
    assert (commitment.status, commitment.progress, commitment.version) == ("not_started", 0, 1)
    assert set(commitment.lead_agencies.all()) == {ondcp, ncb}
    assert {h.history_user for h in commitment.history.all()} == {coordinator}


def test_it_refuses_an_area_of_another_group_with_a_field_message(group, other_group):
    with pytest.raises(ValidationError) as info:
        services.commitment_create(
            working_group=group,
            action_area=other_group.action_areas.get(),
            meeting=group.meetings.get(),
            title="Stray",
        )
    assert info.value.message_dict["action_area"] == [
        "This action area belongs to another working group."
    ]
    assert not Commitment.objects.exists()


def test_it_refuses_a_lead_agency_of_a_party_outside_the_group(group):
    stranger = factories.agency("MX", "FGR")
    with pytest.raises(ValidationError) as info:
        factories.commitment(group, lead_agencies=[stranger])
    assert "Not an agency of a party to this working group: FGR (MX)." in str(info.value)
    assert not Commitment.objects.exists()


def test_it_refuses_an_empty_title(group):
    with pytest.raises(ValidationError) as info:
        factories.commitment(group, title="")
    assert "title" in info.value.message_dict


# --------------------------------------------------------------------------- commitment_update


def test_it_updates_descriptive_fields_and_bumps_the_version(commitment, coordinator):
    updated = services.commitment_update(
        commitment=commitment,
        expected_version=1,
        actor=coordinator,
        title="Tighten precursor controls at ports",
        due_date=datetime.date(2026, 12, 31),
        lead_agencies=[factories.agency("IN", "NCB")],
    )
    assert updated.version == 2
    commitment.refresh_from_db()
    assert commitment.title == "Tighten precursor controls at ports"
    assert [a.acronym for a in commitment.lead_agencies.all()] == ["NCB"]
    assert commitment.history.first().history_user == coordinator


def test_it_refuses_a_stale_update_and_changes_nothing(commitment, coordinator, analyst):
    record(commitment, analyst)  # version 1 -> 2
    before = state(commitment)
    with pytest.raises(services.ConflictError) as info:
        services.commitment_update(
            commitment=commitment, expected_version=1, actor=coordinator, title="Overwrite"
        )
    assert info.value.current.version == 2
    assert "changed by someone else" in str(info.value)
    assert state(commitment) == before


def test_it_does_not_let_an_update_change_status_or_progress(commitment, coordinator):
    with pytest.raises(TypeError, match="cannot change progress, status"):
        services.commitment_update(
            commitment=commitment,
            expected_version=1,
            actor=coordinator,
            status="completed",
            progress=100,
        )


# --------------------------------------------------------------------------- follow_up_record


def test_it_records_a_follow_up_and_moves_the_commitment_together(commitment, analyst):
    follow_up = record(
        commitment,
        analyst,
        status="in_progress",
        progress=30,
        evidence_url="https://example.org/minutes.pdf",
        external_reference="OP-TIGRIS",
        occurred_on=datetime.date(2026, 2, 3),
    )
    follow_up.refresh_from_db()
    assert (follow_up.status_before, follow_up.status_after) == ("not_started", "in_progress")
    assert (follow_up.progress_before, follow_up.progress_after) == (0, 30)
    assert follow_up.commitment_version == 2
    assert follow_up.occurred_on == datetime.date(2026, 2, 3)
    status, progress, version, last_activity, _ = state(commitment)
    assert (status, progress, version) == ("in_progress", 30, 2)
    # Last activity is the date it happened (the meeting ended on 21 January).
    assert last_activity == datetime.date(2026, 2, 3)
    assert commitment.history.first().history_user == analyst


def test_it_records_a_note_alone_without_changing_status(commitment, analyst):
    follow_up = record(commitment, analyst)
    assert (follow_up.status_before, follow_up.status_after) == ("", "")
    assert follow_up.progress_after is None
    assert follow_up.occurred_on == timezone.localdate()
    assert state(commitment)[:3] == ("not_started", 0, 2)


def test_it_sets_progress_to_100_on_completion_and_0_on_restart(commitment, analyst):
    record(commitment, analyst, status="in_progress", progress=60)
    record(commitment, analyst, status="completed")
    assert state(commitment)[:2] == ("completed", 100)
    record(commitment, analyst, status="not_started")
    assert state(commitment)[:2] == ("not_started", 0)


def test_it_keeps_progress_when_only_the_status_changes(commitment, analyst):
    record(commitment, analyst, status="in_progress", progress=45)
    follow_up = record(commitment, analyst, status="stalled")
    assert state(commitment)[:2] == ("stalled", 45)
    assert follow_up.progress_after is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "completed", "progress": 80}, "progress", "must be at 100% progress"),
        ({"progress": 20}, "progress", "must be 0 while the status is “Not started”"),
        ({"status": "in_progress", "progress": 101}, "progress", "between 0 and 100"),
        ({"status": "in_progress", "progress": -1}, "progress", "between 0 and 100"),
        ({"status": "in_progress", "progress": "lots"}, "progress", "whole number"),
        ({"status": "cancelled"}, "status", "is not a status we know"),
        ({"note": ""}, "note", "cannot be empty"),
        ({"note": "  \n "}, "note", "cannot be empty"),
        ({"note": "x" * 10001}, "note", "at most 10000 characters"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "http:// or https://"),
        ({"external_reference": "x" * 201}, "external_reference", "at most 200"),
        (
            {"occurred_on": timezone.localdate() + datetime.timedelta(days=1)},
            "occurred_on",
            "cannot be in the future",
        ),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(commitment, analyst, fields, field, message):
    before = state(commitment)
    with pytest.raises(ValidationError) as info:
        record(commitment, analyst, **fields)
    errors = info.value.message_dict
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]
    assert not FollowUp.objects.exists()
    assert state(commitment) == before


def test_it_refuses_a_stale_version_and_tells_what_changed(commitment, analyst, coordinator):
    first = record(commitment, coordinator, status="in_progress", progress=10)
    stale_view = Commitment.objects.get(pk=commitment.pk)
    second = record(commitment, coordinator, progress=20)
    before = state(commitment)

    with pytest.raises(services.ConflictError) as info:
        record(stale_view, analyst, status="stalled", expected_version=2)
    conflict = info.value
    assert conflict.current.version == 3
    assert conflict.changes_since() == [second]
    assert first not in conflict.changes_since()
    assert FollowUp.objects.count() == 2
    assert state(commitment) == before


def test_it_writes_nothing_when_the_commitment_cannot_be_saved(commitment, analyst, monkeypatch):
    """The follow-up and the commitment change together or not at all: the commitment's
    write fails after the follow-up's (the database refuses it)."""
    original = Commitment.save

    def failing_save(self, *args, **kwargs):
        raise IntegrityError("disk on fire")

    monkeypatch.setattr(Commitment, "save", failing_save)
    before_count = FollowUp.objects.count()
    with pytest.raises(IntegrityError, match="disk on fire"):
        record(commitment, analyst, status="in_progress", progress=10)
    monkeypatch.setattr(Commitment, "save", original)
    assert FollowUp.objects.count() == before_count
    assert state(commitment)[:3] == ("not_started", 0, 1)


def test_it_refuses_follow_ups_from_viewers_and_strangers(commitment, viewer, outsider):
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            record(commitment, user)
    assert not FollowUp.objects.exists()


def test_it_lets_coordinators_and_superusers_follow_up(commitment, coordinator, admin_user):
    record(commitment, coordinator)
    record(commitment, admin_user)
    assert FollowUp.objects.count() == 2


def test_it_keeps_unicode_exactly(commitment, analyst):
    note = "नारकोटिक्स नियंत्रण ब्यूरो के साथ बैठक — précurseurs <b>bold</b>"
    record(commitment, analyst, note=note)
    assert FollowUp.objects.get().note == note


def test_it_keeps_the_history_of_each_change(commitment, analyst):
    record(commitment, analyst, status="in_progress", progress=10)
    record(commitment, analyst, progress=50)
    progress_history = [h.progress for h in commitment.history.order_by("history_date")]
    assert progress_history == [0, 10, 50]
    assert all(h.history_user == analyst for h in commitment.history.all()[:2])


def test_a_follow_up_keeps_the_lead_agencies_in_history_as_the_library_would(
    commitment, analyst, coordinator
):
    """follow_up_record hands its commitment's history the lead agencies it read under the
    lock (models.known_relations): the rows are those django-simple-history copies itself on
    a save without them, and a later save without them copies them itself again."""
    services.commitment_update(
        commitment=commitment,
        expected_version=commitment.version,
        actor=coordinator,
        reason="Led by both sides.",
        lead_agencies=factories.lead_agencies(),
    )
    commitment.refresh_from_db()

    def copied(record):
        return sorted(record.lead_agencies.values_list("id", "commitment_id", "agency_id"))

    by_library = copied(commitment.history.latest("history_date"))
    services.follow_up_record(
        commitment=commitment, author=analyst, note="Met.", expected_version=commitment.version
    )
    by_service = copied(commitment.history.latest("history_date"))
    stored = sorted(
        Commitment.lead_agencies.through.objects.filter(commitment=commitment).values_list(
            "id", "commitment_id", "agency_id"
        )
    )
    assert by_service == by_library == stored and len(stored) >= 2
    assert "_known_relations" not in commitment.__dict__  # used by that one save only
    commitment.refresh_from_db()
    commitment.save()  # a save of its own (no service): the library reads them itself
    assert copied(commitment.history.latest("history_date")) == stored
