from django.db import migrations

# SQLite only: the list's search (commitments/search.py) through an FTS5 index of
# Commitment.search_text, kept by triggers (so every write path keeps it: the services, the
# sample data's bulk inserts, migrations). PostgreSQL has its GIN index (0006).
# The same tokens as PostgreSQL's `simple` configuration: words, no stemming, no accent folding.
CREATE = [
    "CREATE VIRTUAL TABLE commitment_search USING fts5(search_text, "
    "content='commitments_commitment', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER commitment_search_insert AFTER INSERT ON commitments_commitment BEGIN "
    "INSERT INTO commitment_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER commitment_search_delete AFTER DELETE ON commitments_commitment BEGIN "
    "INSERT INTO commitment_search(commitment_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER commitment_search_update AFTER UPDATE OF search_text "
    "ON commitments_commitment BEGIN "
    "INSERT INTO commitment_search(commitment_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO commitment_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO commitment_search(commitment_search) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS commitment_search_insert",
    "DROP TRIGGER IF EXISTS commitment_search_delete",
    "DROP TRIGGER IF EXISTS commitment_search_update",
    "DROP TABLE IF EXISTS commitment_search",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0008_bench_list_indexes_in_reference_order")]

    operations = [migrations.RunPython(create, drop)]
