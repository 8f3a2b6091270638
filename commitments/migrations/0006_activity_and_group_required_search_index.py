import django.db.models.deletion
from django.db import migrations, models


def create_search_index(apps, schema_editor):
    # PostgreSQL only: full-text search of the list (see commitments/search.py). The expression
    # is the one the `matches` lookup uses, so the planner can use the index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX commitment_search_fts ON commitments_commitment "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS commitment_search_fts")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0005_fill_entries_activity_search")]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="last_activity_on",
            field=models.DateField(
                editable=False,
                help_text="The date of the last follow-up, or the day it was agreed (the meeting's last day) when there is none. Kept by the services.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="last_activity_on",
            field=models.DateField(
                editable=False,
                help_text="The date of the last follow-up, or the day it was agreed (the meeting's last day) when there is none. Kept by the services.",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="working_group",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="follow_ups",
                to="commitments.workinggroup",
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
