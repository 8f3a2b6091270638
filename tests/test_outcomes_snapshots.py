"""Snapshots (taken on closing a review and by `manage.py snapshot`, immutable on every path)
and what changed between two snapshots or between one and now."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments import access, services
from commitments.models import Party, Snapshot, SnapshotRow, Status
from commitments.selectors import changes_between
from commitments.selectors.changes import State, _kinds
from tests import factories
from tests.factories import Role
from tests.test_views_support import id_lists, signed_in, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def log(c, author, **kwargs):
    c.refresh_from_db()
    services.follow_up_record(
        commitment=c, author=author, note="Update.", expected_version=c.version, **kwargs
    )
    c.refresh_from_db()
    return c


@pytest.fixture
def leads():
    return factories.lead_agencies()


def test_it_takes_a_snapshot_when_a_review_closes_with_its_confirmed_scores(
    group, coordinator, leads
):
    c = factories.commitment(group, title="Share lists", lead_agencies=list(leads), due_date=TODAY)
    review = services.compliance_review_open(
        working_group=group, meeting=group.meetings.get(), actor=coordinator
    )
    me = access.access_for(coordinator, group)
    row = services.compliance_score_propose(
        review=review,
        commitment=c,
        party=Party.objects.get(code="IN"),
        score=1,
        rationale="Done.",
        actor=coordinator,
        actor_access=me,
    )
    services.compliance_score_confirm(compliance_score=row, actor=coordinator, actor_access=me)
    services.compliance_score_propose(
        review=review,
        commitment=c,
        party=Party.objects.get(code="US"),
        score=0,
        rationale="Only proposed.",
        actor=coordinator,
        actor_access=me,
    )
    services.compliance_review_close(review=review, actor=coordinator)
    snapshot = Snapshot.objects.get()
    assert (snapshot.review, snapshot.taken_by) == (review, coordinator)
    (taken,) = snapshot.rows.all()
    assert (taken.reference, taken.status, taken.progress, taken.due_date) == (
        c.reference,
        Status.NOT_STARTED,
        0,
        TODAY,
    )
    assert taken.leads == [["NCB", "IN"], ["ONDCP", "US"]] and taken.sides == ["IN", "US"]
    assert taken.scores == {"IN": 1}  # the proposed US score does not count


def test_it_copies_every_commitment_with_the_same_queries_at_3_and_300(group, leads, analyst):
    """Each row holds its commitment as it stood (area name, status, progress, dates) and its
    lead agencies by side, then acronym; 3 commitments or 300, the same reads."""
    us, india = leads
    dea = factories.agency("US", "DEA", "Drug Enforcement Administration")
    trafficking = factories.action_area(group, "JO", name="Joint operations", order=1)
    counts = []
    for n in (3, 300):
        while group.commitments.count() < n:
            i = group.commitments.count()
            c = factories.commitment(
                group, trafficking if i % 2 else None, title=f"Commitment {i}",
                due_date=TODAY + datetime.timedelta(days=i) if i % 3 else None,
                lead_agencies=[[us, india, dea], [india], []][i % 3],
            )  # fmt: skip
            if i % 4 == 0:
                log(c, analyst, status=Status.IN_PROGRESS, progress=i % 100)
        with CaptureQueriesContext(connection) as queries:
            snapshot = services.snapshot_take(working_group=group, label=f"{n}")
        # Not counting the rows' INSERTs: SQLite's limit of parameters per statement splits
        # a large one in batches (PostgreSQL's does not).
        counts.append(sum('INSERT INTO "commitments_snapshotrow"' not in q["sql"] for q in queries))
        # No read lists the commitments one by one (an IN list of a large group's ids failed
        # on PostgreSQL).
        assert max(id_lists(queries), default=0) < 3, id_lists(queries)
        rows = {row.commitment_id: row for row in snapshot.rows.all()}
        assert len(rows) == n
        for c in group.commitments.select_related("action_area"):
            row = rows[c.pk]
            assert (row.reference, row.title, row.action_area_id, row.area_name) == (
                c.reference, c.title, c.action_area_id, c.action_area.name,
            )  # fmt: skip
            assert (row.status, row.progress, row.due_date, row.last_activity_on) == (
                c.status, c.progress, c.due_date, c.last_activity_on,
            )  # fmt: skip
            expected = sorted([a.acronym, a.party.code] for a in c.lead_agencies.all())
            assert row.leads == sorted(expected, key=lambda lead: (lead[1], lead[0]))
    assert rows[group.commitments.get(title="Commitment 0").pk].leads == [
        ["NCB", "IN"], ["DEA", "US"], ["ONDCP", "US"],
    ]  # fmt: skip
    assert counts[0] == counts[1], counts


def test_it_lists_what_changed_in_a_large_group_without_naming_each_commitment(
    group, leads, analyst
):
    """Now's side of "what changed" is read from plain rows, in the same queries at 3 and
    300 commitments, with no IN list of their ids (PostgreSQL refuses past 65,535)."""
    us, india = leads
    counts = []
    for n in (3, 300):
        while group.commitments.count() < n:
            factories.commitment(group, lead_agencies=[us, india])
        before = services.snapshot_take(working_group=group, label=f"{n}")
        moved = log(group.commitments.order_by("-pk").first(), analyst, status=Status.STALLED)
        with CaptureQueriesContext(connection) as queries:
            result = changes_between(group=group, before=before)
        counts.append(len(queries))
        assert max(id_lists(queries), default=0) < 3, id_lists(queries)
        (change,) = result.changes
        assert change.after.reference == moved.reference
        assert change.after.status == Status.STALLED and change.after.sides == ("IN", "US")
    assert counts[0] == counts[1], counts


def test_it_takes_a_snapshot_from_the_command(group, commitment):
    out = StringIO()
    call_command("snapshot", "--group", group.slug, stdout=out)
    assert "1 commitments" in out.getvalue()
    assert Snapshot.objects.get().rows.get().commitment == commitment
    with pytest.raises(CommandError, match="No working group"):
        call_command("snapshot", "--group", "nope")


def test_it_refuses_every_change_to_a_snapshot(group, commitment, client, admin_user):
    snapshot = services.snapshot_take(working_group=group)
    row = snapshot.rows.get()
    row.progress = 50
    attempts = [
        row.save,
        row.delete,
        snapshot.save,
        snapshot.delete,
        lambda: SnapshotRow.objects.filter(pk=row.pk).update(progress=50),
        lambda: SnapshotRow.objects.filter(pk=row.pk).delete(),
        lambda: Snapshot.objects.all().update(label="x"),
        lambda: Snapshot.objects.all().delete(),
        lambda: services.snapshot_update(snapshot=snapshot, label="x"),
        lambda: services.snapshot_delete(snapshot=snapshot),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="immutable"):
            attempt()
    signed_in(client, admin_user)
    change = reverse("admin:commitments_snapshotrow_change", args=[row.pk])
    assert client.post(change, {"progress": "50"}).status_code == 403
    delete = reverse("admin:commitments_snapshot_delete", args=[snapshot.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SnapshotRow.objects.get().progress == 0


def test_it_lists_what_changed_since_a_snapshot_per_area_and_side(group, coordinator, leads):
    us, india = leads
    sc = factories.action_area(group, "SC", name="Supply chains", order=2)
    author = factories.member(group, Role.ANALYST)
    later = TODAY + datetime.timedelta(days=30)
    moving = factories.commitment(group, title="Moves", lead_agencies=[us], due_date=later)
    done = factories.commitment(group, title="Done", lead_agencies=[india])
    dropped = factories.commitment(group, sc, title="Dropped", lead_agencies=[us, india])
    late = factories.commitment(group, sc, title="Slips", lead_agencies=[india], due_date=later)
    still = factories.commitment(group, title="Untouched", lead_agencies=[us])
    before = services.snapshot_take(working_group=group, label="Before")

    log(moving, author, status=Status.IN_PROGRESS, progress=40)
    log(done, author, status=Status.COMPLETED)
    services.commitment_withdraw(
        commitment=dropped, author=coordinator, reason="Merged.", expected_version=dropped.version
    )
    services.commitment_update(
        commitment=late,
        expected_version=late.version,
        actor=coordinator,
        due_date=TODAY - datetime.timedelta(days=1),
        reason="It was due earlier.",
    )
    new = factories.commitment(group, sc, title="Brand new", lead_agencies=[us])

    result = changes_between(group=group, before=before)  # to now
    kinds = {c.after.title: c.kinds for c in result.changes}
    assert kinds == {
        "Moves": ("status", "progress"),
        "Done": ("completed", "progress"),
        "Dropped": ("withdrawn",),
        "Slips": ("overdue", "due"),
        "Brand new": ("new",),
    }
    assert still.title not in kinds
    assert result.counts == {
        "new": 1,
        "completed": 1,
        "withdrawn": 1,
        "overdue": 1,
        "inactive": 0,
        "status": 1,
        "progress": 2,
        "due": 1,
    }
    areas = {g.name: sorted(c.after.title for c in g.changes) for g in result.by_area}
    assert areas == {
        "Precursor chemicals": ["Done", "Moves"],
        "Supply chains": ["Brand new", "Dropped", "Slips"],
    }
    sides = {g.name: sorted(c.after.title for c in g.changes) for g in result.by_side}
    assert sides == {
        "India": ["Done", "Dropped", "Slips"],
        "United States": ["Brand new", "Dropped", "Moves"],
    }
    # Between two snapshots: the same, frozen; and a later snapshot compared with itself is calm.
    after = services.snapshot_take(working_group=group, label="After")
    services.commitment_update(
        commitment=new, expected_version=new.version, actor=coordinator, title="Renamed later"
    )
    frozen = changes_between(group=group, before=before, after=after)
    assert {c.after.title: c.kinds for c in frozen.changes} == kinds
    assert changes_between(group=group, before=after, after=after).changes == []


def test_it_calls_an_open_commitment_newly_inactive_when_it_crosses_the_limit():
    day = datetime.date(2026, 6, 1)

    def state(last_activity: datetime.date, status=Status.IN_PROGRESS):
        return State(1, "R", "T", 1, "A", status, 10, None, last_activity, ("US",))

    quiet = state(day - datetime.timedelta(days=100))
    assert _kinds(
        state(day - datetime.timedelta(days=10)), quiet, day - datetime.timedelta(days=30), day
    ) == ("inactive",)
    assert _kinds(quiet, quiet, day, day) == ()
    done = state(day - datetime.timedelta(days=100), Status.COMPLETED)
    assert "inactive" not in _kinds(state(day), done, day, day)


def test_it_shows_what_changed_and_keeps_to_the_groups_snapshots(
    client, viewer, group, other_group, commitment
):
    page = url("commitments:changes", group.slug)
    signed_in(client, viewer)
    assert "No snapshot yet" in client.get(page).content.decode()
    ours = services.snapshot_take(working_group=group, label="Ours")
    theirs = services.snapshot_take(working_group=other_group, label="Theirs")
    factories.commitment(group, title="Added since")
    body = client.get(page).content.decode()
    assert "Added since" in body and "1 commitment changed" in body
    body = client.get(page, {"since": theirs.pk, "until": "now"}).content.decode()
    assert "Theirs" not in body and "From Ours" in body  # not a choice: the default instead
    body = client.get(page, {"since": ours.pk, "until": ours.pk}).content.decode()
    assert "0 commitments changed" in body and "Nothing changed." in body
