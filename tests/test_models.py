"""Every invariant: the readable message from full_clean(), and the database refusing it too."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from commitments import services
from commitments.models import (
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Person,
    SourceDocument,
    WorkingGroup,
)
from tests import factories


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def assert_invalid(instance, field: str, text: str) -> None:
    with pytest.raises(ValidationError) as info:
        instance.full_clean()
    errors = messages(info.value)
    assert field in errors, errors
    assert any(text in m for m in errors[field]), errors[field]


def assert_db_refuses(model, pk, **values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


# --------------------------------------------------------------------------- reference data


def test_it_refuses_a_duplicate_party_code(db):
    services.party_ensure(code="US", name="United States")
    assert_invalid(Party(code="US", name="Another"), "code", "already exists")
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(code="US", name="Another")


def test_it_refuses_a_duplicate_agency_acronym_within_a_party(db):
    ondcp = factories.agency("US", "ONDCP", "Office of National Drug Control Policy")
    assert_invalid(
        Agency(party=ondcp.party, acronym="ONDCP", name="Other"),
        "__all__",
        "already has an agency with this acronym",
    )
    assert_invalid(
        Agency(party=ondcp.party, acronym="X", name="Office of National Drug Control Policy"),
        "__all__",
        "already has an agency with this name",
    )
    # The same acronym on the other side is fine.
    india = services.party_ensure(code="IN", name="India")[0]
    Agency(party=india, acronym="ONDCP", name="Something else").full_clean()


def test_it_refuses_the_same_person_twice_in_one_agency(db):
    ondcp = factories.agency()
    services.person_ensure(name="Sara Carter", agency=ondcp)
    with pytest.raises(ValidationError):
        Person(name="Sara Carter", agency=ondcp).full_clean()


def test_it_requires_capitals_in_a_working_group_short_name(db):
    group = factories.working_group("ABC")
    group.short_name = "abc-1"
    assert_invalid(group, "short_name", "capital letters")


def test_it_refuses_a_second_membership_for_the_same_user_and_group(group, analyst):
    assert_invalid(
        Membership(user=analyst, working_group=group, role="viewer"),
        "__all__",
        "already a member",
    )


def test_it_refuses_an_unknown_role(group, analyst):
    membership = analyst.memberships.get()
    membership.role = "owner"
    assert_invalid(membership, "role", "not a valid choice")
    assert_db_refuses(Membership, membership.pk, role="owner")


def test_it_refuses_a_source_document_link_that_is_not_http(group):
    doc = SourceDocument(
        working_group=group,
        title="Readout",
        publisher="MEA",
        kind="readout",
        url="javascript:alert(1)",
    )
    assert_invalid(doc, "url", "starting with http:// or https://")


def test_it_refuses_an_unknown_source_document_kind(group):
    doc = services.source_document_ensure(
        working_group=group, title="Readout", publisher="MEA", kind="readout"
    )[0]
    assert_db_refuses(SourceDocument, doc.pk, kind="rumour")


# --------------------------------------------------------------------------- meetings


def test_it_refuses_a_meeting_that_ends_before_it_starts(group):
    meeting = Meeting(
        working_group=group,
        number=2,
        title="Second",
        start_date=datetime.date(2026, 6, 2),
        end_date=datetime.date(2026, 6, 1),
    )
    assert_invalid(meeting, "__all__", "cannot end before it starts")
    first = group.meetings.get()
    assert_db_refuses(Meeting, first.pk, end_date=datetime.date(2025, 1, 1))


def test_it_refuses_a_duplicate_meeting_number(group):
    meeting = Meeting(
        working_group=group,
        number=1,
        title="Again",
        start_date=datetime.date(2026, 6, 1),
        end_date=datetime.date(2026, 6, 1),
    )
    assert_invalid(meeting, "__all__", "already has a meeting with this number")


def test_it_refuses_meeting_number_zero_and_unknown_format(group):
    first = group.meetings.get()
    first.number = 0
    assert_invalid(first, "number", "greater than or equal to 1")
    assert_db_refuses(Meeting, first.pk, number=0)
    assert_db_refuses(Meeting, first.pk, format="carrier pigeon")


def test_it_refuses_the_same_participant_twice(group):
    meeting = group.meetings.get()
    person = services.person_ensure(name="Sara Carter")[0]
    services.meeting_ensure(working_group=group, number=1)  # exists: untouched
    Participation.objects.create(meeting=meeting, person=person, role="chair")
    assert_invalid(
        Participation(meeting=meeting, person=person, role="delegate"),
        "__all__",
        "already listed",
    )
    participation = Participation.objects.get()
    assert_db_refuses(Participation, participation.pk, role="king")


# --------------------------------------------------------------------------- action areas


def test_it_refuses_duplicate_area_slug_and_code_within_a_group(group):
    assert_invalid(
        ActionArea(working_group=group, name="Again", slug="pc", code="ZZ"),
        "__all__",
        "area with this slug",
    )
    assert_invalid(
        ActionArea(working_group=group, name="Again", slug="again", code="PC"),
        "__all__",
        "area with this code",
    )


def test_it_refuses_keywords_that_are_not_a_list_of_words(group):
    area = group.action_areas.get()
    area.keywords = ["precursor", ""]
    assert_invalid(area, "keywords", "list of non-empty words")
    area.keywords = "precursor"
    assert_invalid(area, "keywords", "list of non-empty words")


# --------------------------------------------------------------------------- commitments


def test_it_refuses_an_area_or_meeting_of_another_group(group, other_group, commitment):
    commitment.action_area = other_group.action_areas.get()
    commitment.meeting = other_group.meetings.get()
    with pytest.raises(ValidationError) as info:
        commitment.full_clean()
    errors = messages(info.value)
    assert errors["action_area"] == ["This action area belongs to another working group."]
    assert errors["meeting"] == ["This meeting belongs to another working group."]


def test_it_refuses_progress_that_contradicts_the_status(commitment):
    commitment.progress = 40
    assert_invalid(commitment, "progress", "must be 0 while the status is “Not started”")
    commitment.status, commitment.progress = "completed", 90
    assert_invalid(commitment, "progress", "must be at 100% progress")
    commitment.status, commitment.progress = "in_progress", 101
    assert_invalid(commitment, "progress", "less than or equal to 100")


@pytest.mark.parametrize(
    "values",
    [
        {"status": "cancelled"},
        {"priority": "urgent"},
        {"progress": 101},
        {"status": "not_started", "progress": 10},
        {"status": "completed", "progress": 99},
        {"version": 0},
    ],
)
def test_it_has_the_database_refuse_an_invalid_commitment(commitment, values):
    assert_db_refuses(Commitment, commitment.pk, **values)


def test_it_refuses_a_duplicate_reference_within_a_group(group, other_group, commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=factories.commitment(group).pk).update(
            reference=commitment.reference
        )
    # Another group may use the same reference.
    elsewhere = factories.commitment(other_group)
    Commitment.objects.filter(pk=elsewhere.pk).update(reference=commitment.reference)


def test_it_knows_open_and_overdue_commitments(group, analyst):
    today = datetime.date(2026, 11, 24)
    late = factories.commitment(group, due_date=today - datetime.timedelta(days=1))
    factories.commitment(group, due_date=today + datetime.timedelta(days=3))
    done_late = factories.commitment(group, due_date=today - datetime.timedelta(days=9))
    services.follow_up_record(
        commitment=done_late,
        author=analyst,
        note="Delivered",
        status="completed",
        expected_version=1,
    )
    assert set(Commitment.objects.overdue(today)) == {late}
    assert done_late not in Commitment.objects.open()
    assert Commitment.objects.open().count() == 2
    assert late.is_overdue(today) and not done_late.is_overdue(today)


# --------------------------------------------------------------------------- follow-ups


def _follow_up(commitment, author, **fields) -> FollowUp:
    defaults = {
        "commitment": commitment,
        "author": author,
        "occurred_on": timezone.localdate(),
        "note": "Met the counterpart",
        "commitment_version": commitment.version + 1,
    }
    return FollowUp(**{**defaults, **fields})


def test_it_refuses_an_empty_note_and_a_future_date(commitment, analyst):
    assert_invalid(_follow_up(commitment, analyst, note="   "), "note", "cannot be empty")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert_invalid(
        _follow_up(commitment, analyst, occurred_on=tomorrow), "occurred_on", "in the future"
    )


def test_it_refuses_an_evidence_link_that_is_not_http(commitment, analyst):
    for url in ("ftp://example.org/report.pdf", "javascript:alert(1)", "file:///etc/passwd"):
        with pytest.raises(ValidationError) as info:
            _follow_up(commitment, analyst, evidence_url=url).full_clean()
        # One message for one mistake (URLField's own validator used to add a second).
        assert messages(info.value)["evidence_url"] == [
            "Use a web address starting with http:// or https://."
        ]


def test_it_refuses_an_over_long_note(commitment, analyst):
    assert_invalid(
        _follow_up(commitment, analyst, note="x" * 10001), "note", "at most 10000 characters"
    )


@pytest.mark.parametrize(
    "values",
    [
        {"note": ""},
        {"status_after": "cancelled"},
        {"status_before": "cancelled"},
        {"progress_after": 101},
        {"progress_before": 200},
    ],
)
def test_it_has_the_database_refuse_an_invalid_follow_up(commitment, analyst, values):
    follow_up = services.follow_up_record(
        commitment=commitment, author=analyst, note="Started", expected_version=1
    )
    assert_db_refuses(FollowUp, follow_up.pk, **values)


def test_it_refuses_two_follow_ups_for_one_version(commitment, analyst):
    follow_up = services.follow_up_record(
        commitment=commitment, author=analyst, note="Started", expected_version=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _follow_up(commitment, analyst, commitment_version=follow_up.commitment_version).save()


# --------------------------------------------------------------------------- indicators


def test_it_refuses_an_indicator_tied_to_another_groups_area(group, other_group):
    indicator = Indicator(
        working_group=group,
        action_area=other_group.action_areas.get(),
        commitment=factories.commitment(other_group),
        name="Seizures",
        unit="cases",
    )
    with pytest.raises(ValidationError) as info:
        indicator.full_clean()
    assert messages(info.value)["action_area"] == [
        "This action area belongs to another working group."
    ]
    assert messages(info.value)["commitment"] == [
        "This commitment belongs to another working group."
    ]


def test_it_refuses_a_duplicate_indicator_and_measurement(group, analyst):
    indicator = services.indicator_ensure(working_group=group, name="Seizures", unit="cases")[0]
    assert_invalid(
        Indicator(working_group=group, name="Seizures", unit="kg"),
        "__all__",
        "already has an indicator with this name",
    )
    assert_db_refuses(Indicator, indicator.pk, direction="sideways")
    period = datetime.date(2026, 3, 31)
    services.measurement_record(indicator=indicator, period_end=period, value=4, entered_by=analyst)
    with pytest.raises(ValidationError) as info:
        services.measurement_record(indicator=indicator, period_end=period, value=5)
    assert "already has a value for this period" in str(info.value)
    assert Measurement.objects.count() == 1


# --------------------------------------------------------------------------- visibility


def test_it_shows_members_only_their_groups(group, other_group, analyst, outsider, admin_user):
    mine = factories.commitment(group)
    theirs = factories.commitment(other_group)
    indicator = services.indicator_ensure(working_group=group, name="Seizures", unit="cases")[0]
    follow_up = services.follow_up_record(
        commitment=mine, author=analyst, note="Progress", expected_version=1
    )

    assert list(WorkingGroup.objects.visible_to(analyst)) == [group]
    assert set(Commitment.objects.visible_to(analyst)) == {mine}
    assert set(Commitment.objects.visible_to(outsider)) == {theirs}
    assert set(Commitment.objects.visible_to(admin_user)) == {mine, theirs}
    assert list(FollowUp.objects.visible_to(analyst)) == [follow_up]
    assert not FollowUp.objects.visible_to(outsider).exists()
    assert set(Meeting.objects.visible_to(outsider)) == set(other_group.meetings.all())
    assert set(ActionArea.objects.visible_to(analyst)) == set(group.action_areas.all())
    assert list(Indicator.objects.visible_to(analyst)) == [indicator]
    assert not Indicator.objects.visible_to(outsider).exists()


def test_it_shows_nothing_to_anonymous_or_deactivated_users(group, analyst):
    factories.commitment(group)
    assert not Commitment.objects.visible_to(AnonymousUser()).exists()
    analyst.is_active = False
    analyst.save()
    assert not WorkingGroup.objects.visible_to(analyst).exists()
    assert not Commitment.objects.visible_to(analyst).exists()


def test_it_shows_a_user_in_two_groups_both(group, other_group):
    user = factories.member(group, "viewer")
    services.membership_set(user=user, working_group=other_group, role="analyst")
    assert set(WorkingGroup.objects.visible_to(user)) == {group, other_group}
    assert WorkingGroup.objects.visible_to(user).count() == 2  # no duplicate rows from the join
