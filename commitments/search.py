"""The list's search: what a commitment is found by, and how a query is matched.

A commitment keeps its searchable text in one column, `Commitment.search_text` (kept by the
services): its reference, title, description, the agreed words, its lead agencies, and the notes
and external references of its follow-ups, normalised (NFKC, case-folded, spaces collapsed) so
that any script matches, Devanagari included.

A query is matched with full-text search over that column, the same on both databases: no
stemming, so names and operation codes match as written; every word of the query, as a prefix
of a word of the text. On PostgreSQL through the `simple` configuration, a stored tsvector
column and its GIN index (migration 0012); on SQLite through an FTS5 table, `commitment_search`, with the unicode61
tokenizer, kept by triggers (migration 0009). A query that looks like part of a reference
(one word with a digit or a hyphen) is also matched as a substring of the reference (by the
list, selectors.matching), so "PC-01" finds its commitment on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Lookup, TextField

# SQLite's full-text index of Commitment.search_text (migration 0009).
SQLITE_INDEX = "commitment_search"
# PostgreSQL's stored tsvector of Commitment.search_text, GIN-indexed (migration 0012).
PG_TABLE, PG_VECTOR = "commitments_commitment", "search_vector"
_SPACE = re.compile(r"\s+")
# What a PostgreSQL tsquery would read as an operator; a query's words are plain words.
_TSQUERY_SPECIAL = re.compile(r"[&|!():*<>'\\]")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def search_text(parts: Iterable[str]) -> str:
    """The searchable text of a commitment from its parts (None and empty parts skipped)."""
    return normalise(" ".join(p for p in parts if p))


def terms(query: str) -> list[str]:
    """The words of a query, normalised; at most 10 (the rest of an over-long query is noise)."""
    return [w for w in normalise(query).split(" ") if w][:10]


@TextField.register_lookup
class Matches(Lookup):
    """`search_text__matches=<query>`: every word of the query is found (see the module)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):  # any other engine, and other text columns
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = terms(self.rhs) or [""]
        sql = " AND ".join(f"INSTR({lhs}, %s) > 0" for _ in words)
        return f"({sql})", [*lhs_params * len(words), *words]

    def as_sqlite(self, compiler, connection):
        target = self.lhs.target
        if (target.model._meta.db_table, target.column) != (
            "commitments_commitment",
            "search_text",
        ):
            return self.as_sql(compiler, connection)
        # Each word a quoted FTS5 phrase (its punctuation is then only a separator) with `*`:
        # a prefix, as on PostgreSQL. A word with no letter or digit matches nothing there.
        words = [w for w in terms(self.rhs) if any(ch.isalnum() for ch in w)]
        if not words:
            return "0", []
        query = " AND ".join('"{}"*'.format(w.replace('"', '""')) for w in words)
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        pk = f"{table}.{connection.ops.quote_name(target.model._meta.pk.column)}"
        # Names only (ours and Django's quoting); the query is a parameter.
        sql = f"{pk} IN (SELECT rowid FROM {SQLITE_INDEX} WHERE {SQLITE_INDEX} MATCH %s)"  # noqa: S608
        return sql, [query]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = [_TSQUERY_SPECIAL.sub(" ", w).strip() for w in terms(self.rhs)]
        words = [w for w in words if w]
        if not words:
            return "FALSE", []
        query = " & ".join(f"'{w}':*" for w in " ".join(words).split())
        tsquery = "to_tsquery('simple'::regconfig, %s)"
        target = self.lhs.target
        if (target.model._meta.db_table, target.column) == (PG_TABLE, "search_text"):
            # The stored vector of migration 0012, with its GIN index.
            table = compiler.quote_name_unless_alias(self.lhs.alias)
            return f"{table}.{PG_VECTOR} @@ {tsquery}", [query]
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ {tsquery}", [*lhs_params, query]

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])
