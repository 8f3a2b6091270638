"""The list's search: what a commitment is found by, and how a query is matched.

A commitment keeps its searchable text in one column, `Commitment.search_text` (kept by the
services): its reference, title, description, the agreed words, its lead agencies, and the notes
and external references of its follow-ups, normalised (NFKC, case-folded, spaces collapsed) so
that any script matches, Devanagari included.

On PostgreSQL a query is matched with full-text search over that column (the `simple`
configuration: no stemming, so names and operation codes match as written; each word of the
query as a prefix), backed by a GIN index. On SQLite every word of the query must occur in the
text (a substring match). The reference is always matched as a substring too, so a partial
reference like "PC-01" finds its commitment on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Lookup, TextField

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

    def as_sql(self, compiler, connection):  # SQLite and any other engine
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = terms(self.rhs) or [""]
        sql = " AND ".join(f"INSTR({lhs}, %s) > 0" for _ in words)
        return f"({sql})", [*lhs_params * len(words), *words]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = [_TSQUERY_SPECIAL.sub(" ", w).strip() for w in terms(self.rhs)]
        words = [w for w in words if w]
        if not words:
            return "FALSE", []
        query = " & ".join(f"'{w}':*" for w in " ".join(words).split())
        # The expression matches the GIN index of migration 0004 exactly, so the index is used.
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, %s)", [
            *lhs_params,
            query,
        ]

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [value])
