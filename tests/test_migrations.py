"""Migrations that move data: existing rows come out as the services would have made them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("commitments", "0003_one_group_scope_and_local_ordering")]
AFTER = [("commitments", "0006_activity_and_group_required_search_index")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_group(old, **fields):
    """A working group with one action area and one first meeting (20-21 January 2026), made
    with the models of the migration state `old`."""
    group = old.get_model("commitments", "WorkingGroup").objects.create(**fields)
    area = old.get_model("commitments", "ActionArea").objects.create(
        working_group=group, name="Area", slug="a", code="A"
    )
    meeting = old.get_model("commitments", "Meeting").objects.create(
        working_group=group,
        number=1,
        title="First",
        start_date=datetime.date(2026, 1, 20),
        end_date=datetime.date(2026, 1, 21),
    )
    return group, area, meeting


@pytest.fixture
def back_to_the_latest_schema():
    """Whatever happens in the test, leave the database migrated to the latest migrations."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_gives_existing_commitments_their_last_activity_group_and_search_text(
    back_to_the_latest_schema,
):
    old = migrate(BEFORE)
    user = old.get_model("auth", "User").objects.create(username="old-analyst")
    party = old.get_model("commitments", "Party").objects.create(code="IN", name="India")
    agency = old.get_model("commitments", "Agency").objects.create(
        party=party, acronym="NCB", name="Narcotics Control Bureau"
    )
    group, area, meeting = old_group(old, name="Group", slug="g", short_name="G")
    Commitment = old.get_model("commitments", "Commitment")
    # Inserted in November, agreed in January: the old column said "active today".
    quiet = Commitment.objects.create(
        working_group=group,
        action_area=area,
        meeting=meeting,
        reference="G-1-A-01",
        title="Quiet one",
        last_activity_at=timezone.now(),
    )
    busy = Commitment.objects.create(
        working_group=group,
        action_area=area,
        meeting=meeting,
        reference="G-1-A-02",
        title="Busy one",
        version=2,
        last_activity_at=timezone.now(),
    )
    busy.lead_agencies.add(agency)
    old.get_model("commitments", "FollowUp").objects.create(
        commitment=busy,
        author=user,
        occurred_on=datetime.date(2026, 3, 2),
        note="नशीली दवाओं की तस्करी पर बैठक",
        external_reference="OP-SAGAR",
        commitment_version=2,
    )

    new = migrate(AFTER)

    Commitment = new.get_model("commitments", "Commitment")
    quiet = Commitment.objects.get(pk=quiet.pk)
    busy = Commitment.objects.get(pk=busy.pk)
    assert quiet.last_activity_on == datetime.date(2026, 1, 21)  # the day it was agreed
    assert busy.last_activity_on == datetime.date(2026, 3, 2)  # its last follow-up
    assert "ncb narcotics control bureau" in busy.search_text
    assert "op-sagar" in busy.search_text and "तस्करी" in busy.search_text
    (entry,) = new.get_model("commitments", "FollowUp").objects.all()
    assert (entry.working_group_id, entry.kind) == (group.pk, "follow_up")


@pytest.mark.django_db(transaction=True)
def test_it_counts_existing_commitments_into_the_dashboards_tallies(back_to_the_latest_schema):
    from commitments import services

    old = migrate([("commitments", "0010_security_validators")])
    user = old.get_model("auth", "User").objects.create(username="old-analyst")
    group, area, meeting = old_group(old, name="Group", slug="g", short_name="G")
    Commitment = old.get_model("commitments", "Commitment")
    FollowUp = old.get_model("commitments", "FollowUp")
    common = {"working_group": group, "action_area": area, "meeting": meeting}
    done = Commitment.objects.create(
        **common,
        reference="G-1-A-01",
        title="Done",
        status="completed",
        progress=100,
        version=3,
        last_activity_on=datetime.date(2026, 4, 2),
    )
    Commitment.objects.create(
        **common,
        reference="G-1-A-02",
        title="Open",
        due_date=datetime.date(2026, 6, 1),
        last_activity_on=datetime.date(2026, 1, 21),
    )
    for version, day in ((2, datetime.date(2026, 4, 2)), (3, datetime.date(2026, 3, 5))):
        FollowUp.objects.create(
            working_group=group,
            commitment=done,
            author=user,
            occurred_on=day,
            note="Completed.",
            status_before="in_progress",
            status_after="completed",
            commitment_version=version,
        )

    new = migrate([("commitments", "0011_tallies")])

    done = new.get_model("commitments", "Commitment").objects.get(pk=done.pk)
    assert done.first_completed_on == datetime.date(2026, 3, 5)
    Tally = new.get_model("commitments", "Tally")
    assert Tally.objects.get(working_group_id=group.pk, kind="due").key == "2026-06-01"
    assert (
        Tally.objects.get(working_group_id=group.pk, kind="completed").key == f"{area.pk}:2026-03"
    )
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert services.tally_differences(working_group_id=group.pk) == {}


@pytest.mark.django_db(transaction=True)
def test_it_counts_the_dated_tallies_per_month_and_year_too(back_to_the_latest_schema):
    old = migrate([("commitments", "0014_catalogue_revision")])
    group = old.get_model("commitments", "WorkingGroup").objects.create(
        name="Migrated", slug="migrated-dated"
    )
    Tally = old.get_model("commitments", "Tally")
    for kind, key, n in [
        ("due", "2025-12-30", 2),
        ("due", "2026-01-04", 1),
        ("due", "2026-01-20", 3),
        ("activity", "2026-02-01", 4),
        ("side_due", "12:2026-01-04", 1),
        ("side_due", "1:2026-01-04", 5),
        ("side_activity", "1:2025-07-07", 2),
        ("status", "3:not_started", 7),
    ]:
        Tally.objects.create(working_group=group, kind=kind, key=key, n=n)

    new = migrate([("commitments", "0015_tally_months_and_years")])

    rows = new.get_model("commitments", "Tally").objects.filter(working_group_id=group.pk)
    rolled = {
        (t.kind, t.key): t.n
        for t in rows.filter(kind__endswith="_m") | rows.filter(kind__endswith="_y")
    }
    assert rolled == {
        ("due_m", "2025-12"): 2,
        ("due_m", "2026-01"): 4,
        ("due_y", "2025"): 2,
        ("due_y", "2026"): 4,
        ("activity_m", "2026-02"): 4,
        ("activity_y", "2026"): 4,
        ("side_due_m", "12:2026-01"): 1,
        ("side_due_y", "12:2026"): 1,
        ("side_due_m", "1:2026-01"): 5,
        ("side_due_y", "1:2026"): 5,
        ("side_activity_m", "1:2025-07"): 2,
        ("side_activity_y", "1:2025"): 2,
    }
    if connection.vendor == "postgresql":  # keys compared byte by byte, as on SQLite
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'commitments_tally' AND column_name = 'key'"
            )
            assert cursor.fetchone() == ("C",)


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_follow_ups_history_only_when_it_holds_copies(back_to_the_latest_schema):
    old = migrate([("commitments", "0016_records_revision")])
    user = old.get_model("auth", "User").objects.create(username="old-author")
    group, area, meeting = old_group(old, name="Migrated", slug="migrated-history")
    commitment = old.get_model("commitments", "Commitment").objects.create(
        working_group=group,
        action_area=area,
        meeting=meeting,
        reference="M-1-A-01",
        title="One",
        last_activity_on=datetime.date(2026, 1, 21),
    )
    follow_up = old.get_model("commitments", "FollowUp").objects.create(
        working_group=group,
        commitment=commitment,
        author=user,
        occurred_on=datetime.date(2026, 3, 2),
        note="Met the counterparts.",
        commitment_version=2,
    )
    History = old.get_model("commitments", "HistoricalFollowUp")
    copied = {
        f.attname: getattr(follow_up, f.attname)
        for f in follow_up._meta.concrete_fields
        if f.attname != "id"
    }
    History.objects.create(
        id=follow_up.pk, history_date=timezone.now(), history_type="+", history_user=user, **copied
    )
    # A change recorded in the history: the migration must not drop it.
    changed = History.objects.create(
        id=follow_up.pk,
        history_date=timezone.now(),
        history_type="~",
        history_user=user,
        **{**copied, "note": "Rewritten."},
    )
    with pytest.raises(RuntimeError, match="1 history row"):
        migrate([("commitments", "0017_follow_ups_keep_no_history")])
    assert History.objects.count() == 2

    changed.delete()
    new = migrate([("commitments", "0017_follow_ups_keep_no_history")])
    with pytest.raises(LookupError):
        new.get_model("commitments", "HistoricalFollowUp")
    assert "commitments_historicalfollowup" not in connection.introspection.table_names()
    assert new.get_model("commitments", "FollowUp").objects.get().note == "Met the counterparts."


def revision_triggers() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = [row[0] for row in cursor.fetchall()]
    return [n for n in names if n.startswith(("catalogue_", "records_"))]


@pytest.mark.django_db(transaction=True)
def test_it_trades_the_revision_triggers_for_one_version_per_group(back_to_the_latest_schema):
    """0020: the triggers that raised the catalogue and records revisions go, on both
    databases; a group that existed gets its version; 0021: the dated tallies per month and
    per year go. Backwards, both come back."""
    old = migrate([("commitments", "0019_commitment_pack_order")])
    assert revision_triggers()  # built by 0014, 0016 and 0018
    group, *_ = old_group(old, name="Migrated", slug="migrated-version", short_name="MV")
    Tally = old.get_model("commitments", "Tally")
    Tally.objects.create(working_group=group, kind="due", key="2026-03-04", n=2)
    Tally.objects.create(working_group=group, kind="due_m", key="2026-03", n=2)
    Tally.objects.create(working_group=group, kind="due_y", key="2026", n=2)

    new = migrate([("commitments", "0021_tallies_per_day_only")])
    assert revision_triggers() == []
    version = new.get_model("commitments", "GroupVersion").objects.get(working_group_id=group.pk)
    assert version.version == 1
    kinds = new.get_model("commitments", "Tally").objects.filter(working_group_id=group.pk)
    assert sorted(kinds.values_list("kind", "key", "n")) == [("due", "2026-03-04", 2)]

    back = migrate([("commitments", "0019_commitment_pack_order")])
    assert revision_triggers()
    rolled = back.get_model("commitments", "Tally").objects.filter(working_group_id=group.pk)
    assert sorted(rolled.values_list("kind", "key", "n")) == [
        ("due", "2026-03-04", 2),
        ("due_m", "2026-03", 2),
        ("due_y", "2026", 2),
    ]
