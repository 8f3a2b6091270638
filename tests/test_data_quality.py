"""Data quality rules (commitments.rules) at every door: dates before 2000, progress in plain
digits, notes that show nothing, bidirectional override characters, one message per bad link,
and a conflict panel that stays short. (The follow-up form's cases are in
test_views_commitment.BAD_INPUT.)"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from commitments import rules, services
from commitments.models import Commitment, FollowUp, Meeting

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1900, 1, 1)])
def test_it_refuses_dates_before_2000_in_the_services(group, commitment, coordinator, day):
    meeting = group.meetings.get()
    errors = errors_of(lambda: services.meeting_update(meeting=meeting, start_date=day))
    assert errors["start_date"] == ["The date cannot be before 1 January 2000."]
    errors = errors_of(
        lambda: services.commitment_update(
            commitment=commitment,
            expected_version=commitment.version,
            actor=coordinator,
            due_date=day,
            reason="Typo",
        )
    )
    assert "The date cannot be before 1 January 2000." in errors["due_date"]
    assert Meeting.objects.get(pk=meeting.pk).start_date != day


def test_it_accepts_the_first_day_of_2000():
    rules.not_before_2000(datetime.date(2000, 1, 1))


# --------------------------------------------------------------------------- progress


@pytest.mark.parametrize("value", ["\u0665\u0660", "5_0", "+50", " 50", "50.0", "٥", True, 5.0])
def test_it_refuses_progress_not_in_plain_digits_in_the_service(commitment, analyst, value):
    errors = errors_of(
        lambda: services.follow_up_record(
            commitment=commitment,
            author=analyst,
            note="Halfway.",
            status="in_progress",
            progress=value,
            expected_version=commitment.version,
        )
    )
    assert errors["progress"] == [rules.PROGRESS_MESSAGE]
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("value", ["50", 50, "0", "100"])
def test_it_takes_progress_in_plain_digits_in_the_service(commitment, analyst, value):
    services.follow_up_record(
        commitment=commitment,
        author=analyst,
        note="Moving.",
        status="in_progress" if str(value) != "100" else "completed",
        progress=value,
        expected_version=commitment.version,
    )
    commitment.refresh_from_db()
    assert commitment.progress == int(value)


def test_it_refuses_arabic_indic_progress_in_the_admin_status_action(
    client, admin_user, commitment
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:commitments_commitment_changelist"),
        {
            "action": "change_status",
            "_selected_action": [commitment.pk],
            "apply": "1",
            "status": "in_progress",
            "progress": "\u0665\u0660",
            "note": "Halfway.",
            f"version_{commitment.pk}": commitment.version,
        },
    )
    assert rules.PROGRESS_MESSAGE in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.progress == 0


# --------------------------------------------------------------------------- invisible notes


def test_it_treats_a_note_of_invisible_characters_as_empty_in_the_service(commitment, analyst):
    errors = errors_of(
        lambda: services.follow_up_record(
            commitment=commitment,
            author=analyst,
            note="\u200b\u200c\u2060\ufeff\u00ad \u3164",
            expected_version=commitment.version,
        )
    )
    assert errors["note"] == ["Write what happened: the note cannot be empty."]


@pytest.mark.parametrize("text", ["ok", "\u200bok", "नमस्ते", "١٢٣"])
def test_it_sees_visible_text(text):
    assert rules.is_visible(text)


# --------------------------------------------------------------------------- bidi controls


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066"])
def test_it_refuses_bidi_controls_in_free_text(commitment, coordinator, char):
    errors = errors_of(
        lambda: services.commitment_update(
            commitment=commitment,
            expected_version=commitment.version,
            actor=coordinator,
            title=f"Pay {char}SU 000,01",
        )
    )
    assert "direction-control characters" in errors["title"][0]
    assert Commitment.objects.get(pk=commitment.pk).title == commitment.title


def test_it_keeps_right_to_left_text_and_marks(commitment, analyst):
    note = "اتفق الطرفان على الخطة \u200f(RLM) and עברית"
    services.follow_up_record(
        commitment=commitment, author=analyst, note=note, expected_version=commitment.version
    )
    assert FollowUp.objects.get().note == note


# --------------------------------------------------------------------------- evidence links


def test_it_gives_one_message_for_one_bad_evidence_link(client, analyst, commitment):
    client.force_login(analyst)
    response = client.post(
        reverse(
            "commitments:follow_up_create",
            args=[commitment.working_group.slug, commitment.reference],
        ),
        {
            "note": "Report published.",
            "occurred_on": datetime.date.today().isoformat(),
            "evidence_url": "ftp://example.org/report.pdf",
            "version": commitment.version,
        },
    )
    assert response.context["form"].errors["evidence_url"] == [rules.HTTP_URL_MESSAGE]
    body = response.content.decode()
    assert body.count(rules.HTTP_URL_MESSAGE) == 1


# --------------------------------------------------------------------------- conflict panel


def test_it_lists_only_the_last_five_changes_in_the_conflict_panel(
    client, analyst, coordinator, commitment
):
    client.force_login(analyst)
    for i in range(1, 8):
        services.follow_up_record(
            commitment=Commitment.objects.get(pk=commitment.pk),
            author=coordinator,
            note=f"Change number {i}.",
            expected_version=i,
        )
    response = client.post(
        reverse(
            "commitments:follow_up_create",
            args=[commitment.working_group.slug, commitment.reference],
        ),
        {
            "note": "My note.",
            "occurred_on": datetime.date.today().isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    panel = re.search(r'<div class="conflict".*?</div>', body, re.S).group(0)
    assert [int(n) for n in re.findall(r"Change number (\d)\.", panel)] == [3, 4, 5, 6, 7]
    assert "2 earlier changes not listed here" in panel
    assert f'href="{commitment.get_absolute_url()}#timeline"' in panel


def test_it_lists_every_change_when_there_are_five_or_fewer(analyst, coordinator, commitment):
    for i in range(1, 4):
        services.follow_up_record(
            commitment=Commitment.objects.get(pk=commitment.pk),
            author=coordinator,
            note=f"Change number {i}.",
            expected_version=i,
        )
    client = Client()
    client.force_login(analyst)
    response = client.post(
        reverse(
            "commitments:follow_up_create",
            args=[commitment.working_group.slug, commitment.reference],
        ),
        {"note": "Mine.", "occurred_on": datetime.date.today().isoformat(), "version": 1},
    )
    panel = re.search(r'<div class="conflict".*?</div>', response.content.decode(), re.S).group(0)
    assert [int(n) for n in re.findall(r"Change number (\d)\.", panel)] == [1, 2, 3]
    assert "earlier change" not in panel
