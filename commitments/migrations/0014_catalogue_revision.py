"""The catalogue's revision per working group (models.catalogue), kept by triggers.

For every table of `models.catalogue.SOURCES`, triggers add one to the revision of each
working group a written row belongs to (before and after an update), in the same transaction
as the write. SQLite has a trigger per kind of write; PostgreSQL a function per table.
"""

from django.db import migrations, models

# models.catalogue.SOURCES as it was when this migration was written (a later change to it
# needs a migration of its own that replaces the triggers).
ALL_WRITES = ("INSERT", "UPDATE", "DELETE")
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, str]] = {
    "commitments_actionarea": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_meeting": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_membership": (
        ALL_WRITES,
        ("user_id", "working_group_id"),
        "SELECT {row}.working_group_id AS g",
    ),
    "commitments_workinggroup_parties": (ALL_WRITES, None, "SELECT {row}.workinggroup_id AS g"),
    "commitments_workinggroup_lead_agencies": (
        ALL_WRITES,
        None,
        "SELECT {row}.workinggroup_id AS g",
    ),
    "commitments_party": (
        ALL_WRITES,
        None,
        "SELECT workinggroup_id AS g FROM commitments_workinggroup_parties "
        "WHERE party_id = {row}.id",
    ),
    "commitments_agency": (
        ALL_WRITES,
        None,
        "SELECT workinggroup_id AS g FROM commitments_workinggroup_parties "
        "WHERE party_id = {row}.party_id",
    ),
    # A new account belongs to no group yet; a deleted one's memberships go first.
    "auth_user": (
        ("UPDATE",),
        ("username", "first_name", "last_name", "is_active"),
        "SELECT working_group_id AS g FROM commitments_membership WHERE user_id = {row}.id",
    ),
}

REVISIONS = "commitments_cataloguerevision"


def _bump(groups_sql: str, vendor: str) -> str:
    existing = REVISIONS + ".revision" if vendor == "postgresql" else "revision"
    return (
        f"INSERT INTO {REVISIONS} (working_group_id, revision) "
        f"SELECT g, 1 FROM ({groups_sql}) AS groups WHERE g IS NOT NULL "
        f"ON CONFLICT (working_group_id) DO UPDATE SET revision = {existing} + 1"
    )


def _groups(ids: str, write: str) -> str:
    if write == "INSERT":
        return ids.format(row="NEW")
    if write == "DELETE":
        return ids.format(row="OLD")
    return f"{ids.format(row='OLD')} UNION {ids.format(row='NEW')}"


def _event(write: str, columns) -> str:
    return f"UPDATE OF {', '.join(columns)}" if write == "UPDATE" and columns else write


def sqlite_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, (writes, columns, ids) in SOURCES.items():
        for write in writes:
            name = f"catalogue_{table}_{write.lower()}"
            forward.append(
                f"CREATE TRIGGER {name} AFTER {_event(write, columns)} ON {table} "
                f"FOR EACH ROW BEGIN {_bump(_groups(ids, write), 'sqlite')}; END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def postgresql_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, (writes, columns, ids) in SOURCES.items():
        function = f"catalogue_changed_{table}"
        branches = " ".join(
            f"{'IF' if i == 0 else 'ELSIF'} TG_OP = '{write}' THEN "
            f"{_bump(_groups(ids, write), 'postgresql')};"
            for i, write in enumerate(writes)
        )
        forward.append(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {branches} END IF; RETURN NULL; END $$"
        )
        events = " OR ".join(_event(write, columns) for write in writes)
        forward.append(
            f"CREATE TRIGGER catalogue_changed AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        backward.append(f"DROP TRIGGER IF EXISTS catalogue_changed ON {table}")
        backward.append(f"DROP FUNCTION IF EXISTS {function}()")
    return forward, backward


def _statements(vendor: str):
    if vendor == "postgresql":
        return postgresql_statements()
    if vendor == "sqlite":
        return sqlite_statements()
    raise NotImplementedError(f"No catalogue triggers for {vendor}.")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("commitments", "0013_postgresql_list_order_covering_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueRevision",
            fields=[
                ("working_group_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("revision", models.PositiveBigIntegerField(default=0)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
