"""The dated tallies are counted per day only: "every day before" sums the days (a range of the
unique index, bounded by the calendar), so the per-month and per-year rows of migration 0015 go.
Reversed, they are counted again from the days (0015's own roll-up)."""

import importlib

from django.db import migrations

months_and_years_0015 = importlib.import_module("commitments.migrations.0015_tally_months_and_years")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0020_group_version_instead_of_revisions")]

    operations = [
        migrations.RunPython(
            months_and_years_0015.forget, months_and_years_0015.roll_up, elidable=False
        )
    ]
