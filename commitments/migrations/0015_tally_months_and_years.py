"""The dated tallies counted per month and per year too (models.tallies.before_day), so that
the dashboard's and the sides page's counts of "every day before" read a few rows, not the
group's whole history. On PostgreSQL the key is compared byte by byte ("C"), as on SQLite,
whatever the database's own collation: the ranges over keys rely on "-" and ":" sorting by
their code."""

from collections import Counter

from django.db import migrations

# Frozen here: a migration must not change when the model module does.
DATED = ("due", "activity", "side_due", "side_activity")
ROLLED_UP = [f"{kind}_{suffix}" for kind in DATED for suffix in ("m", "y")]


def roll_up(apps, schema_editor):
    Tally = apps.get_model("commitments", "Tally")
    Tally.objects.filter(kind__in=ROLLED_UP).delete()
    counts: Counter = Counter()
    days = Tally.objects.filter(kind__in=DATED).exclude(n=0)
    for group_id, kind, key, n in days.values_list("working_group_id", "kind", "key", "n"):
        prefix, day = key[:-10], key[-10:]  # "[<party>:]YYYY-MM-DD"
        counts[group_id, f"{kind}_m", prefix + day[:7]] += n
        counts[group_id, f"{kind}_y", prefix + day[:4]] += n
    Tally.objects.bulk_create(
        [
            Tally(working_group_id=group_id, kind=kind, key=key, n=n)
            for (group_id, kind, key), n in sorted(counts.items())
            if n
        ],
        batch_size=1000,
    )


def forget(apps, schema_editor):
    apps.get_model("commitments", "Tally").objects.filter(kind__in=ROLLED_UP).delete()


def byte_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE commitments_tally ALTER COLUMN "key" TYPE varchar(40) COLLATE "C"'
        )


def default_order(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE commitments_tally ALTER COLUMN "key" TYPE varchar(40) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0014_catalogue_revision"),
    ]

    operations = [
        migrations.RunPython(byte_order, default_order),
        migrations.RunPython(roll_up, forget),
    ]
