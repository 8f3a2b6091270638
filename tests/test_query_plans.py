"""The queries that must not read every row of a big group use an index that answers them,
on SQLite and on PostgreSQL alike (the benchmark, bench/pages.py, shows the times at 100k).

The tables here are tiny, where a planner may rightly prefer reading the table: PostgreSQL is
told not to (enable_seqscan off), which leaves the question this test asks: is there an index
that serves the query, and does the planner take it?"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from commitments.models import Commitment
from commitments.selectors.workspace import dashboard_tally

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_dashboard_tally_reads_only_its_covering_index(group, commitment):
    tally = dashboard_tally(Commitment.objects.in_group(group), today=TODAY, quiet_before=TODAY)
    assert [(row["status"], row["n"]) for row in tally] == [("not_started", 1)]
    text = plan(tally)
    if connection.vendor == "postgresql":
        assert "Index Only Scan using commitment_dashboard_tally" in text, text
    else:
        assert "USING COVERING INDEX commitment_dashboard_tally" in text, text
