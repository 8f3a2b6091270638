"""generate_sample_data (commitments/sample_data.py): synthetic groups that hold every
invariant the services keep, refused where it could touch real data, the same data again on a
second run."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from commitments import sample_data, services
from commitments.models import (
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Membership,
    Status,
    Tally,
    WorkingGroup,
)
from commitments.search import normalise

pytestmark = pytest.mark.django_db


def generate(**kwargs):
    options = {
        "groups": 2,
        "commitments": 40,
        "follow_ups_per_commitment": 6,
        "seed": 7,
        "allow_without_debug": True,
        "progress_stream": None,
    }
    options.update(kwargs)
    return sample_data.generate(**options)


def snapshot(slug_prefix="sample-"):
    return sorted(
        Commitment.objects.filter(working_group__slug__startswith=slug_prefix).values_list(
            "working_group__slug", "reference", "status", "progress", "version", "due_date"
        )
    )


def test_it_makes_marked_groups_with_the_counts_asked_for():
    result = generate()
    groups = WorkingGroup.objects.filter(slug__startswith="sample-").order_by("slug")
    assert [(g.slug, g.name, g.short_name) for g in groups] == [
        ("sample-1", "[Synthetic] Working group 1", "SAMPLE1"),
        ("sample-2", "[Synthetic] Working group 2", "SAMPLE2"),
    ]
    assert (result.commitments, result.follow_ups) == (40, 240)
    counts = Counter(
        Commitment.objects.filter(working_group__in=groups).values_list(
            "working_group__slug", flat=True
        )
    )
    assert counts == {"sample-1": 20, "sample-2": 20}
    assert FollowUp.objects.filter(working_group__in=groups).count() == 240
    # Indicators with two years of monthly measurements, per area.
    assert Indicator.objects.filter(working_group__in=groups).count() == 2 * 6 * 2
    assert Measurement.objects.filter(indicator__working_group__in=groups).count() == 2 * 12 * 24


def test_it_holds_every_invariant_the_services_keep():
    generate(commitments=60, follow_ups_per_commitment=8)
    today = timezone.localdate()
    statuses = Counter()
    for commitment in Commitment.objects.filter(working_group__slug__startswith="sample-"):
        entries = list(commitment.follow_ups.order_by("commitment_version"))
        assert [e.commitment_version for e in entries] == list(range(2, 10))
        assert commitment.version == 1 + len(entries)
        # Each entry moves from where the previous one left the commitment.
        status, progress = Status.NOT_STARTED, 0
        for entry in entries:
            assert entry.working_group_id == commitment.working_group_id
            assert entry.occurred_on <= today
            if entry.status_after:
                assert entry.status_before == status != entry.status_after
                status = entry.status_after
            else:
                assert entry.status_before == ""
            if entry.progress_after is not None:
                assert entry.progress_before == progress != entry.progress_after
                progress = entry.progress_after
            assert normalise(entry.note) in commitment.search_text
        assert (commitment.status, commitment.progress) == (status, progress)
        assert commitment.last_activity_on == max(
            commitment.meeting.end_date, max(e.occurred_on for e in entries)
        )
        assert commitment.meeting.working_group_id == commitment.working_group_id
        assert commitment.action_area.working_group_id == commitment.working_group_id
        assert commitment.reference.lower() in commitment.search_text
        if commitment.owner_id:
            assert Membership.objects.filter(
                user_id=commitment.owner_id, working_group_id=commitment.working_group_id
            ).exists()
        parties = set(commitment.working_group.parties.values_list("pk", flat=True))
        leads = list(commitment.lead_agencies.all())
        assert 1 <= len(leads) <= 2
        assert {a.party_id for a in leads} <= parties
        dates = [e.occurred_on for e in entries]
        assert dates == sorted(dates)
        completing = [e.occurred_on for e in entries if e.status_after == Status.COMPLETED]
        assert commitment.first_completed_on == (min(completing) if completing else None)
        statuses[commitment.status] += 1
    # A spread of statuses, not one.
    assert len(statuses) >= 4, statuses
    # The dashboard's counts, counted once after the bulk load, are those of the rows.
    for group in WorkingGroup.objects.filter(slug__startswith="sample-"):
        assert services.tally_differences(working_group_id=group.pk) == {}
        assert Tally.objects.filter(working_group=group, n__gt=0).exists()


def _moved(commitment: Commitment) -> tuple:
    """What the services keep of a commitment's follow-ups: its state and each one's record."""
    entries = commitment.follow_ups.order_by("commitment_version").values_list(
        "commitment_version",
        "occurred_on",
        "status_before",
        "status_after",
        "progress_before",
        "progress_after",
    )
    return (
        commitment.status,
        commitment.progress,
        commitment.version,
        commitment.last_activity_on,
        commitment.first_completed_on,
        commitment.search_text,
        list(entries),
    )


def test_it_makes_what_the_services_make_of_the_same_commitments_and_follow_ups():
    """A generated commitment (one of each status), made again through commitment_create and
    follow_up_record with the same details and follow-ups, comes out the same."""
    generate(groups=1, commitments=40, follow_ups_per_commitment=6)
    generated = Commitment.objects.filter(working_group__slug="sample-1").select_related(
        "working_group", "action_area", "meeting", "owner"
    )
    one_of_each = {c.status: c for c in generated}
    assert len(one_of_each) >= 4, one_of_each
    for made in one_of_each.values():
        expected = _moved(made)
        leads = list(made.lead_agencies.all())
        entries = list(made.follow_ups.order_by("commitment_version").select_related("author"))
        FollowUp.objects.filter(commitment=made).delete()
        made.delete()
        again = services.commitment_create(
            working_group=made.working_group,
            action_area=made.action_area,
            meeting=made.meeting,
            title=made.title,
            description=made.description,
            lead_agencies=leads,
            owner=made.owner,
            priority=made.priority,
            due_date=made.due_date,
            source_locator=made.source_locator,
            source_excerpt=made.source_excerpt,
            reference=made.reference,
        )
        for entry in entries:
            services.follow_up_record(
                commitment=again,
                author=entry.author,
                note=entry.note,
                expected_version=again.version,
                occurred_on=entry.occurred_on,
                status=entry.status_after or None,
                progress=entry.progress_after,
                external_reference=entry.external_reference,
            )
        again.refresh_from_db()
        assert _moved(again) == expected, made.reference
    # References numbered per meeting and area from 01 without gap, as commitment_create does.
    numbers: dict[str, list[int]] = {}
    for reference in generated.values_list("reference", flat=True):
        prefix, number = reference.rsplit("-", 1)
        numbers.setdefault(prefix, []).append(int(number))
    assert all(sorted(n) == list(range(1, len(n) + 1)) for n in numbers.values()), numbers


def test_it_gives_the_same_data_again_and_replaces_its_own_groups():
    generate(seed=3)
    first = snapshot()
    generate(seed=3)
    assert snapshot() == first
    assert WorkingGroup.objects.filter(slug__startswith="sample-").count() == 2
    generate(groups=1, commitments=5, seed=3)
    assert Commitment.objects.filter(working_group__slug="sample-1").count() == 5


def test_it_never_touches_a_real_group(group, commitment, analyst):
    before = (group.name, commitment.version, commitment.status, FollowUp.objects.count())
    generate()
    group.refresh_from_db()
    commitment.refresh_from_db()
    assert (group.name, commitment.version, commitment.status) == before[:3]
    assert FollowUp.objects.filter(working_group=group).count() == 0
    assert list(Commitment.objects.filter(working_group=group)) == [commitment]
    assert Membership.objects.filter(working_group=group).count() == 1


@pytest.mark.parametrize(
    "clash",
    [
        {"slug": "sample-2", "name": "Real group", "short_name": "REAL"},
        {"slug": "real", "name": "Real group", "short_name": "SAMPLE1"},
        {"slug": "sample-1", "name": "Not marked", "short_name": "SAMPLE1"},
    ],
)
def test_it_refuses_when_a_target_is_a_real_group_and_writes_nothing(clash):
    from tests import factories

    real = factories.working_group(clash.pop("short_name"), **clash)
    with pytest.raises(sample_data.SampleDataRefused, match="not synthetic"):
        generate()
    assert WorkingGroup.objects.filter(slug__startswith="sample-").exclude(pk=real.pk).count() == 0
    assert Commitment.objects.count() == 0


def test_it_is_refused_without_debug_or_the_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_sample_data", "--commitments", "3", stdout=io.StringIO())
    assert not WorkingGroup.objects.exists()


def test_the_command_parses_calls_and_shows_progress(settings):
    settings.DEBUG = True
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "generate_sample_data",
        "--groups=1",
        "--commitments=12",
        "--follow-ups-per-commitment=2",
        "--seed=5",
        stdout=out,
        stderr=err,
    )
    assert "sample-1: 12 commitments, 24 follow-ups" in out.getvalue()
    assert "100% 12/12 commitments" in err.getvalue()


def test_pages_show_the_generated_data(client, admin_user):
    generate(groups=1, commitments=30)
    client.force_login(admin_user)
    commitment = Commitment.objects.filter(working_group__slug="sample-1").first()
    for url in ("/g/sample-1/", "/g/sample-1/commitments/"):
        assert client.get(url).status_code == 200, url
    page = client.get(commitment.get_absolute_url())
    assert page.status_code == 200
    last = commitment.follow_ups.order_by("-commitment_version").first()
    assert last.note in page.content.decode()
