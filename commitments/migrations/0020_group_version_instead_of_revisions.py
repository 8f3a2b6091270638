"""One version per working group, raised by the services (commitments.cache), instead of the
catalogue and records revisions that database triggers raised (migrations 0014, 0016, 0018):
their triggers, functions and tables go, on SQLite and PostgreSQL alike. The full-text index's
own triggers stay. Every existing group starts at version 1."""

import importlib

from django.db import migrations, models

catalogue_0014 = importlib.import_module("commitments.migrations.0014_catalogue_revision")
records_0016 = importlib.import_module("commitments.migrations.0016_records_revision")
records_0018 = importlib.import_module("commitments.migrations.0018_records_revision_outcomes")


def drop_revision_triggers(apps, schema_editor):
    catalogue_0014.drop_triggers(apps, schema_editor)
    records_0016.drop_triggers(apps, schema_editor)
    records_0018.drop_triggers(apps, schema_editor)


def create_revision_triggers(apps, schema_editor):
    catalogue_0014.create_triggers(apps, schema_editor)
    records_0016.create_triggers(apps, schema_editor)
    records_0018.create_triggers(apps, schema_editor)


def first_versions(apps, schema_editor):
    WorkingGroup = apps.get_model("commitments", "WorkingGroup")
    GroupVersion = apps.get_model("commitments", "GroupVersion")
    GroupVersion.objects.bulk_create(
        [GroupVersion(working_group_id=pk, version=1) for pk in WorkingGroup.objects.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("commitments", "0019_commitment_pack_order")]

    operations = [
        migrations.RunPython(drop_revision_triggers, create_revision_triggers, elidable=False),
        migrations.DeleteModel(name="CatalogueRevision"),
        migrations.DeleteModel(name="RecordsRevision"),
        migrations.CreateModel(
            name="GroupVersion",
            fields=[
                (
                    "working_group",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="commitments.workinggroup",
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop, elidable=False),
    ]
