"""The records' revision per working group (models.catalogue.RECORDS_SOURCES), kept by
triggers in the same transaction as each write.

SQLite has a trigger per table and kind of write, run for each row. PostgreSQL has, where it
can, one per table and kind of write run once per statement over the rows it wrote (transition
tables): a bulk load raises the number once, not once per row. A trigger on chosen columns
(auth_user's names) cannot have transition tables, so it runs for each row.
"""

from django.db import migrations, models

# The groups whose pages show some people's names (with their agency and side): what they
# wrote, own, entered or corrected there, and where they are members. USERS: SQL selecting
# their ids.
PEOPLE = (
    "SELECT working_group_id AS g FROM commitments_followup WHERE author_id IN (USERS) "
    "UNION SELECT working_group_id AS g FROM commitments_commitment WHERE owner_id IN (USERS) "
    "UNION SELECT i.working_group_id AS g FROM commitments_measurement AS m "
    "JOIN commitments_indicator AS i ON i.id = m.indicator_id WHERE m.entered_by_id IN (USERS) "
    "UNION SELECT i.working_group_id AS g FROM commitments_historicalmeasurement AS h "
    "JOIN commitments_indicator AS i ON i.id = h.indicator_id "
    "WHERE h.history_user_id IN (USERS) "
    "UNION SELECT working_group_id AS g FROM commitments_membership WHERE user_id IN (USERS)"
)

# models.catalogue.RECORDS_SOURCES as it was when this migration was written (a later change
# to it needs a migration of its own that replaces the triggers).
ALL_WRITES = ("INSERT", "UPDATE", "DELETE")
SOURCES: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None, str]] = {
    "commitments_commitment": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_followup": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_tally": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_commitment_lead_agencies": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_commitment WHERE id = {row}.commitment_id",
    ),
    # What the commitment page shows besides: its source document, indicators and their values.
    "commitments_sourcedocument": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_indicator": (ALL_WRITES, None, "SELECT {row}.working_group_id AS g"),
    "commitments_measurement": (
        ALL_WRITES,
        None,
        "SELECT working_group_id AS g FROM commitments_indicator WHERE id = {row}.indicator_id",
    ),
    # What a page shows of an agency or a side (acronym, name) wherever it shows them: as a
    # lead agency, and with people's names ("A. Sharma, NCB (India)"), whether or not the side
    # is one of the group's (the catalogue's number covers those).
    "commitments_agency": (
        ALL_WRITES,
        None,
        "SELECT c.working_group_id AS g FROM commitments_commitment_lead_agencies AS la "  # noqa: S608 (our SQL)
        "JOIN commitments_commitment AS c ON c.id = la.commitment_id "
        "WHERE la.agency_id = {row}.id UNION "
        + PEOPLE.replace(
            "USERS", "SELECT user_id FROM commitments_affiliation WHERE agency_id = {row}.id"
        ),
    ),
    "commitments_party": (
        ALL_WRITES,
        None,
        "SELECT c.working_group_id AS g FROM commitments_agency AS ag "  # noqa: S608 (our SQL)
        "JOIN commitments_commitment_lead_agencies AS la ON la.agency_id = ag.id "
        "JOIN commitments_commitment AS c ON c.id = la.commitment_id "
        "WHERE ag.party_id = {row}.id UNION "
        + PEOPLE.replace(
            "USERS",
            "SELECT a.user_id FROM commitments_affiliation AS a "
            "JOIN commitments_agency AS ag ON ag.id = a.agency_id WHERE ag.party_id = {row}.id",
        ),
    ),
    # A person's agency: shown with their name, and what the list's "mine" holds (led by it).
    "commitments_affiliation": (
        ALL_WRITES,
        None,
        PEOPLE.replace("USERS", "SELECT {row}.user_id"),
    ),
    "auth_user": (
        ("UPDATE",),
        ("username", "first_name", "last_name"),
        PEOPLE.replace("USERS", "SELECT {row}.id"),
    ),
}

REVISIONS = "commitments_recordsrevision"
PREFIX = "records"


def _bump(groups_sql: str, vendor: str) -> str:
    existing = REVISIONS + ".revision" if vendor == "postgresql" else "revision"
    return (
        f"INSERT INTO {REVISIONS} (working_group_id, revision) "
        f"SELECT DISTINCT g, 1 FROM ({groups_sql}) AS groups WHERE g IS NOT NULL "
        f"ON CONFLICT (working_group_id) DO UPDATE SET revision = {existing} + 1"
    )


def _rows(write: str) -> list[str]:
    """The rows a write is about, as trigger row variables: NEW, OLD or both."""
    return {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[write]


def _event(write: str, columns) -> str:
    return f"UPDATE OF {', '.join(columns)}" if write == "UPDATE" and columns else write


def sqlite_statements(sources=SOURCES) -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, (writes, columns, ids) in sources.items():
        for write in writes:
            name = f"{PREFIX}_{table}_{write.lower()}"
            groups = " UNION ".join(ids.format(row=row) for row in _rows(write))
            forward.append(
                f"CREATE TRIGGER {name} AFTER {_event(write, columns)} ON {table} "
                f"FOR EACH ROW BEGIN {_bump(groups, 'sqlite')}; END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def _statement_groups(ids: str, write: str) -> str:
    """The groups of every row a statement wrote, from its transition tables."""
    tables = {"NEW": "new_rows", "OLD": "old_rows"}
    return " UNION ".join(
        f"SELECT x.g FROM {tables[row]} AS r CROSS JOIN LATERAL ({ids.format(row='r')}) AS x"
        for row in _rows(write)
    )


def postgresql_statements(sources=SOURCES) -> tuple[list[str], list[str]]:
    forward, backward = [], []
    for table, (writes, columns, ids) in sources.items():
        for write in writes:
            function = f"{PREFIX}_changed_{table}_{write.lower()}"
            trigger = f"{PREFIX}_changed_{write.lower()}"
            if columns:  # chosen columns: no transition tables, a trigger per row
                groups = " UNION ".join(ids.format(row=row) for row in _rows(write))
                timing = "FOR EACH ROW"
            else:
                groups = _statement_groups(ids, write)
                referencing = " ".join(
                    f"{row} TABLE AS {row.lower()}_rows" for row in _rows(write)
                )
                timing = f"REFERENCING {referencing} FOR EACH STATEMENT"
            forward.append(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_bump(groups, 'postgresql')}; RETURN NULL; END $$"
            )
            forward.append(
                f"CREATE TRIGGER {trigger} AFTER {_event(write, columns)} ON {table} "
                f"{timing} EXECUTE FUNCTION {function}()"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            backward.append(f"DROP FUNCTION IF EXISTS {function}()")
    return forward, backward


def _statements(vendor: str, sources=SOURCES):
    """The statements that create and drop the triggers of `sources` (migration 0018 gives
    its own)."""
    if vendor == "postgresql":
        return postgresql_statements(sources)
    if vendor == "sqlite":
        return sqlite_statements(sources)
    raise NotImplementedError(f"No records triggers for {vendor}.")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("commitments", "0015_tally_months_and_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordsRevision",
            fields=[
                ("working_group_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("revision", models.PositiveBigIntegerField(default=0)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
