"""The dashboard's counts (`models.Tally`) are kept by the services, so the dashboard never
counts a group's commitments row by row (issue 13). Kept counts are only worth having if they
are true: after every kind of change, the stored counts equal a count of the rows, and the
dashboard and the burn-up show what counting the commitments directly gives."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from commitments import selectors, services
from commitments.models import OPEN_STATUSES, Commitment, Status, Tally
from commitments.rules import inactive_before
from commitments.selectors.tallies import attention_counts, side_tallies
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date


def true_counts(group) -> None:
    assert services.tally_differences(working_group_id=group.pk) == {}


def record(commitment, author, *, status=None, progress=None, day=None, note="Update."):
    commitment.refresh_from_db()
    return services.follow_up_record(
        commitment=commitment,
        author=author,
        note=note,
        status=status,
        progress=progress,
        occurred_on=day,
        expected_version=commitment.version,
    )


def update(commitment, actor, **changes):
    commitment.refresh_from_db()
    return services.commitment_update(
        commitment=commitment,
        expected_version=commitment.version,
        actor=actor,
        reason="Agreed at the review.",
        **changes,
    )


def test_every_kind_of_change_keeps_the_counts_true(group, analyst, coordinator):
    true_counts(group)
    sc = factories.action_area(group, "SC", name="Supply chains")
    m2 = factories.meeting(group, 2, start_date=D(2026, 3, 9), end_date=D(2026, 3, 10))
    us, india = factories.lead_agencies()
    other = factories.agency("US", "DEA", "Drug Enforcement Administration")
    a = factories.commitment(group, title="A", due_date=D(2026, 6, 1), lead_agencies=[us, other])
    b = factories.commitment(group, sc, m2, title="B")
    quiet = factories.commitment(group, sc, m2, title="Quiet")  # its activity: m2's last day
    true_counts(group)
    assert Tally.objects.get(working_group=group, key=f"{sc.pk}:not_started").n == 2
    for step in (
        lambda: record(a, analyst, status=Status.IN_PROGRESS, progress=40),
        lambda: record(a, analyst, progress=60, day=D(2026, 2, 1)),  # backdated
        lambda: record(a, analyst, status=Status.COMPLETED, day=D(2026, 4, 2)),
        lambda: record(a, analyst, status=Status.IN_PROGRESS, progress=90),  # reopened
        lambda: record(a, analyst, status=Status.COMPLETED, day=D(2026, 3, 5)),  # earlier
        lambda: record(b, analyst, status=Status.STALLED),
        lambda: update(b, coordinator, action_area=group.action_areas.get(code="PC")),
        lambda: update(b, coordinator, meeting=group.meetings.get(number=1)),
        lambda: update(b, coordinator, due_date=D(2026, 9, 30)),
        lambda: update(b, coordinator, due_date=D(2026, 5, 31)),
        lambda: update(b, coordinator, due_date=None),
        lambda: update(b, coordinator, lead_agencies=[us]),
        lambda: update(b, coordinator, lead_agencies=[us, india]),
        lambda: services.agency_update(agency=other, party=india.party),  # A: shared now
        lambda: services.agency_delete(agency=other),  # A: US alone again
        lambda: update(a, coordinator, lead_agencies=[]),
        lambda: services.meeting_update(meeting=m2, end_date=D(2026, 3, 12)),
        lambda: services.meeting_update(
            meeting=group.meetings.get(number=1), end_date=D(2026, 1, 25)
        ),
        lambda: services.commitment_withdraw(
            commitment=Commitment.objects.get(pk=b.pk),
            author=coordinator,
            reason="Merged.",
            expected_version=Commitment.objects.get(pk=b.pk).version,
        ),
        lambda: services.commitment_delete(commitment=factories.commitment(group, title="Oops")),
    ):
        step()
        true_counts(group)
    quiet.refresh_from_db()
    assert quiet.last_activity_on == D(2026, 3, 12)
    a.refresh_from_db()
    # Completed again with an earlier date: the burn-up counts it from its first completion.
    assert (a.status, a.first_completed_on) == (Status.COMPLETED, D(2026, 3, 5))
    completed = Tally.objects.get(working_group=group, kind="completed", n__gt=0)
    assert completed.key.endswith(":2026-03")


def oracle_burn_up(group, today):
    """The burn-up as the earlier selector counted it, row by row (the reference)."""
    done_on = Min("follow_ups__occurred_on", filter=Q(follow_ups__status_after=Status.COMPLETED))
    rows = (
        Commitment.objects.filter(working_group=group)
        .exclude(status=Status.WITHDRAWN)
        .values("pk", "action_area__name", "status", "meeting__end_date")
        .annotate(done_on=done_on)
    )
    result = selectors.burn_up(group=group, today=today)
    expected = {}
    for series in [result.overall, *result.areas]:
        mine = [r for r in rows if series.name in ("All areas", r["action_area__name"])]
        expected[series.name] = (
            [sum(1 for r in mine if r["meeting__end_date"] <= m) for m in series.months],
            [
                sum(
                    1
                    for r in mine
                    if r["status"] == Status.COMPLETED and r["done_on"] and r["done_on"] <= m
                )
                for m in series.months
            ],
        )
    return result, expected


def test_random_changes_leave_the_dashboard_equal_to_counting_the_rows(group, analyst, coordinator):
    rng = random.Random(13)
    today = timezone.localdate()
    areas = [group.action_areas.get(), factories.action_area(group, "SC", name="Supply chains")]
    meetings = [
        group.meetings.get(),
        factories.meeting(
            group,
            2,
            start_date=today - datetime.timedelta(days=100),
            end_date=today - datetime.timedelta(days=99),
        ),
    ]
    commitments = []
    us, india = factories.lead_agencies()
    dea = factories.agency("US", "DEA")

    def leads():
        return rng.choice([[], [us], [india], [dea], [us, india], [dea, india], [us, dea]])

    def due():
        return rng.choice([None, today + datetime.timedelta(days=rng.randint(-90, 120))])

    for _ in range(120):
        action = rng.random()
        if action < 0.25 or not commitments:
            commitments.append(
                factories.commitment(group, rng.choice(areas), rng.choice(meetings), due_date=due())
            )
        elif action < 0.8:
            c = rng.choice(commitments)
            c.refresh_from_db()
            if c.status == Status.WITHDRAWN:
                continue
            status = rng.choice([None, *Status.values])
            if status == Status.WITHDRAWN:
                services.commitment_withdraw(
                    commitment=c,
                    author=coordinator,
                    reason="No longer.",
                    expected_version=c.version,
                )
                continue
            # A progress only where the status allows any (not started: 0, completed: 100).
            moving_to = status or c.status
            progress = (
                rng.randint(1, 99) if moving_to in (Status.IN_PROGRESS, Status.STALLED) else None
            )
            day = today - datetime.timedelta(days=rng.randint(0, 200))
            record(c, analyst, status=status, progress=progress, day=max(day, D(2026, 1, 21)))
        elif action < 0.95:
            c = rng.choice(commitments)
            update(
                c,
                coordinator,
                due_date=due(),
                action_area=rng.choice(areas),
                meeting=rng.choice(meetings),
                lead_agencies=leads(),
            )
        else:
            c = rng.choice(commitments)
            if not c.follow_ups.exists():
                services.commitment_delete(commitment=c)
                commitments.remove(c)
    true_counts(group)

    dashboard = selectors.group_dashboard(group=group, today=today)
    rows = Commitment.objects.filter(working_group=group)
    assert dashboard.counts["overdue"] == rows.overdue(today).count()
    assert dashboard.counts["due_soon"] == rows.due_soon(today).count()
    assert dashboard.counts["inactive"] == rows.inactive(today).count()
    assert dashboard.overall.total == rows.count() > 20
    for summary, area in [(dashboard.overall, None)] + [(a.summary, a) for a in dashboard.areas]:
        mine = rows if area is None else rows.filter(action_area=area)
        assert {s.status: s.count for s in summary.counts} == {
            value: mine.filter(status=value).count() for value in Status.values
        }
        counted = [c.progress for c in mine.exclude(status=Status.WITHDRAWN)]
        assert summary.progress == round(sum(counted) / len(counted) if counted else 0)
    for meeting in dashboard.meetings:
        assert meeting["n_commitments"] == rows.filter(meeting_id=meeting["pk"]).count()
    assert rows.filter(status__in=OPEN_STATUSES).exists()
    assert rows.filter(status=Status.COMPLETED).exists()
    assert rows.filter(status=Status.WITHDRAWN).exists()

    report = selectors.sides(group=group, today=today)
    for side in report.sides:
        led = rows.filter(lead_agencies__party=side.party).distinct()
        others = rows.filter(lead_agencies__party__in=group.parties.exclude(pk=side.party.pk))
        assert side.led == led.count() > 0
        assert side.alone == led.exclude(pk__in=others).count()
        assert side.overdue == led.overdue(today).count()
        assert side.inactive == led.inactive(today).count()
        assert {s.status: s.count for s in side.summary.counts} == {
            value: led.filter(status=value).count() for value in Status.values
        }
        pressing = led.open().order_by(F("due_date").asc(nulls_last=True), "reference")
        assert [c.pk for c in side.commitments] == [c.pk for c in pressing[:50]]
    parties = rows.values("pk").annotate(n=Count("lead_agencies__party", distinct=True))
    assert report.shared == sum(1 for r in parties if r["n"] >= 2) > 0
    assert report.unled == sum(1 for r in parties if r["n"] == 0) > 0

    result, expected = oracle_burn_up(group, today)
    assert {s.name: (s.total, s.completed) for s in [result.overall, *result.areas]} == expected
    assert max(result.overall.completed) > 0


def test_check_tallies_finds_wrong_counts_and_rebuilds_them(group, commitment):
    out = io.StringIO()
    call_command("check_tallies", stdout=out)
    assert "dpewg: counts are true." in out.getvalue()
    # As if someone changed rows outside the services (by hand, in SQL).
    Commitment.objects.filter(pk=commitment.pk).update(status=Status.STALLED)
    with pytest.raises(CommandError, match="1 group"):
        call_command("check_tallies", "--group", "dpewg", stdout=(out := io.StringIO()))
    assert "status" in out.getvalue() and "counted" in out.getvalue()
    call_command("check_tallies", "--rebuild", stdout=(out := io.StringIO()))
    assert "dpewg: rebuilt." in out.getvalue()
    true_counts(group)
    with pytest.raises(CommandError, match="No working group"):
        call_command("check_tallies", "--group", "nope")


def test_the_list_counts_from_the_tallies_what_counting_the_rows_gives(group, analyst):
    """No filter, an area, a status or both: the list's count comes from the tallies; it
    must be the rows' count, after status changes and a move to another area."""
    other = factories.action_area(group, "SC", name="Supply chain")
    made = [factories.commitment(group, area=other if i % 3 else None) for i in range(9)]
    for i, c in enumerate(made):
        if i % 2:
            record(c, analyst, status=[Status.IN_PROGRESS, Status.COMPLETED, Status.STALLED][i % 3])
    update(made[0], analyst, action_area=other)
    areas = [None, *group.action_areas.all()]
    for area in areas:
        for status in ["", *Status.values]:
            filters = {k: v for k, v in (("area", area), ("status", status)) if v}
            expected = selectors.commitment_list(group=group, **filters).count()
            assert selectors.counted(group=group, filters=filters) == expected, filters
            sorted_too = {**filters, "sort": "due"}
            assert selectors.counted(group=group, filters=sorted_too) == expected
    assert selectors.counted(group=group, filters={"q": "anything"}) is None
    assert selectors.counted(group=group, filters={"status": "open", "priority": "high"}) is None


def test_the_counts_before_a_day_add_up_the_days(group, analyst):
    """Overdue and inactive are sums of every day before a date (models.tallies.before_day):
    on any day of the calendar, first and last days of months and years included, they equal
    counting the rows, for the group and for each side; and a day is kept per day only."""
    rng = random.Random(15)
    us, india = factories.lead_agencies()
    first = D(2024, 11, 28)
    for i in range(60):
        due = first + datetime.timedelta(days=rng.randint(0, 800))
        factories.commitment(
            group, due_date=due if i % 7 else None, lead_agencies=rng.choice([[us], [india], []])
        )
    rows = Commitment.objects.filter(working_group=group)
    for c in rows:  # as if their last follow-ups were on these days (rebuilt below)
        day = first + datetime.timedelta(days=rng.randint(0, 800))
        rows.filter(pk=c.pk).update(last_activity_on=day)
    rows.filter(pk__in=[c.pk for c in rows[:5]]).update(status=Status.COMPLETED, progress=100)
    services.tally_rebuild(working_group_id=group.pk)
    kinds = set(Tally.objects.filter(working_group=group).values_list("kind", flat=True))
    assert {"due", "activity", "side_due", "side_activity"} <= kinds
    assert not {k for k in kinds if k.endswith(("_m", "_y"))}, kinds

    days = [D(2024, 11, 28), D(2025, 1, 1), D(2025, 12, 31), D(2026, 2, 28), D(2026, 3, 1)]
    days += [first + datetime.timedelta(days=rng.randint(0, 820)) for _ in range(12)]
    for today in days:
        quiet = inactive_before(today)
        found = list(attention_counts(group, today=today, quiet_before=quiet))
        counts = found[0] if found else {}  # no row: nothing counted
        assert (counts.get("overdue") or 0) == rows.overdue(today).count(), today
        assert (counts.get("due_soon") or 0) == rows.due_soon(today).count(), today
        assert (counts.get("inactive") or 0) == rows.inactive(today).count(), today
        sides, _, _ = side_tallies(
            group=group, parties=[us.party, india.party], today=today, quiet_before=quiet
        )
        for party, side in sides.items():
            led = rows.filter(lead_agencies__party=party).distinct()
            assert side.overdue == led.overdue(today).count(), (today, party)
            assert side.inactive == led.inactive(today).count(), (today, party)
    assert any(rows.overdue(today).count() for today in days)
