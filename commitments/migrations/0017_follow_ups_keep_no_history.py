"""Follow-ups keep no history of their own (see models.FollowUp). The table dropped held a copy
of each follow-up as it was written, its author as the history's user: follow-ups are never
changed, so every column it held is in commitments_followup. The migration checks that first:
if a history row records a change or a deletion (none of our code ever made one), it stops and
says so, and drops nothing."""

from django.db import migrations

REFUSAL = (
    "{n} history row(s) of follow-ups record a change or a deletion (history_type other than "
    "'+'), which this migration would drop. Keep them elsewhere (for instance: dumpdata "
    "commitments.HistoricalFollowUp), delete them from commitments_historicalfollowup, and "
    "migrate again."
)


def only_copies(apps, schema_editor):
    History = apps.get_model("commitments", "HistoricalFollowUp")
    changes = History.objects.exclude(history_type="+").count()
    if changes:
        raise RuntimeError(REFUSAL.format(n=changes))


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0016_records_revision"),
    ]

    operations = [
        migrations.RunPython(only_copies, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(
            name="HistoricalFollowUp",
        ),
    ]
