"""The records' revision also follows what the briefing pack shows besides: the group's
snapshots and their rows, and its compliance reviews, their commitments and their scores
(models.catalogue.RECORDS_SOURCES). The triggers are built as migration 0016 builds its own."""

import importlib

from django.db import migrations

records_0016 = importlib.import_module("commitments.migrations.0016_records_revision")

# The sources this migration adds, as they were when it was written (a later change to them
# needs a migration of its own that replaces the triggers).
ALL_WRITES = ("INSERT", "UPDATE", "DELETE")
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, str]] = {
    "commitments_snapshot": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_snapshotrow": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_snapshot WHERE id = {row}.snapshot_id",
    ),
    "commitments_compliancereview": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_compliancereview_commitments": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_compliancereview "
        "WHERE id = {row}.compliancereview_id",
    ),
    "commitments_compliancescore": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_compliancereview "
        "WHERE id = {row}.review_id",
    ),
}


def create_triggers(apps, schema_editor):
    for statement in records_0016._statements(schema_editor.connection.vendor, SOURCES)[0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in records_0016._statements(schema_editor.connection.vendor, SOURCES)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0017_follow_ups_keep_no_history")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
