"""PostgreSQL only: the list's default order, (group, reference), as an index that also holds
the id, so a page of ids (selectors.IdsFirst) is read from the index alone.

Why: the unique index on (group, reference) does not hold the id, so a far page made
PostgreSQL fetch every skipped row from the table, and it preferred reading the whole group and
sorting it (the last of 4,000 pages at 100,000 commitments: 130 ms, an external sort on disk).
SQLite needs nothing: its indexes hold the rowid, which is the id.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX commitment_list_order ON commitments_commitment "
    "(working_group_id, reference) INCLUDE (id)"
)
BACKWARD = "DROP INDEX IF EXISTS commitment_list_order"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("commitments", "0012_search_vector_column")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
