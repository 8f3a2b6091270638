"""The queries that must not read every row of a big group use an index that answers them,
on SQLite and on PostgreSQL alike (the benchmark, bench/pages.py, shows the times at 100k).

The tables here are tiny, where a planner may rightly prefer reading the table, and their
statistics depend on what other tests did before: PostgreSQL is told to avoid what the test
asks about (enable_seqscan, enable_sort, and for the search, every plain index scan, off), which
leaves the question these tests ask: is there an index that serves the query? A disabled plan
still appears when nothing else can answer."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commitments.models import Commitment
from commitments.selectors.tallies import attention_counts, side_tallies

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
# Left with bitmap scans only, PostgreSQL can read an index only through a condition it serves.
SEARCH_AVOIDS = ("seqscan", "indexscan", "indexonlyscan")


def plan(queryset, *, avoid=("seqscan", "sort")) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting in avoid:
                cursor.execute(f"SET LOCAL enable_{setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_the_dashboard_counts_read_a_range_of_the_tallies_index(group, commitment):
    counts = attention_counts(group, today=TODAY, quiet_before=TODAY)
    assert list(counts) == [
        {"working_group": group.pk, "overdue": None, "due_soon": None, "inactive": 1}
    ]
    text = plan(counts)
    if connection.vendor == "postgresql":
        assert "tally_one_row_per_key" in text and "Seq Scan" not in text, text
    else:
        # Each range a search of the unique constraint's index (SQLite names it itself): the
        # days before a day, twice (overdue, inactive: models.tallies.before_day), and the
        # days due soon; three ranges, never every row of the group.
        searches = [line for line in text.splitlines() if "SEARCH" in line]
        assert "MULTI-INDEX OR" in text and len(searches) == 3, text
        for line in searches:
            assert "USING INDEX" in line, text
            assert "working_group_id=? AND kind=? AND key>? AND key<?" in line, text


@pytest.mark.parametrize(
    "filters", [{}, {"status": "in_progress"}, {"area": "pc", "status": "in_progress"}]
)
def test_a_far_page_of_the_list_reads_in_order_from_an_index(group, commitment, filters):
    from commitments import selectors
    from commitments.models import ActionArea

    if "area" in filters:
        filters = {**filters, "area": ActionArea.objects.get(working_group=group, slug="pc")}
    page = selectors.list_page(group=group, filters=filters, page_number=1)
    text = plan(page.paginator.object_list[5000:5025])
    # No sort of every matching row before skipping them: the index gives the order.
    if connection.vendor == "postgresql":
        assert "Sort" not in text and "Index" in text, text
    else:
        assert "TEMP B-TREE" not in text and "INDEX" in text, text


def test_the_search_reads_the_full_text_index(group, commitment):
    found = Commitment.objects.in_group(group).filter(search_text__matches="tighten precursor")
    assert list(found) == [commitment]
    assert not Commitment.objects.filter(
        search_text__matches="ighten"
    ).exists()  # words, not infixes
    # Without the group's filter, which on a handful of rows PostgreSQL rightly prefers.
    text = plan(
        Commitment.objects.filter(search_text__matches="tighten precursor").values("pk"),
        avoid=SEARCH_AVOIDS,
    )
    if connection.vendor == "postgresql":
        assert "commitment_search_vector" in text, text
    else:
        assert "VIRTUAL TABLE INDEX" in text and "commitment_search" in text, text


def test_the_search_index_follows_every_write(group, commitment, analyst):
    """The SQLite index is kept by triggers, PostgreSQL's is an expression index: a follow-up,
    an edit and a deletion are found (or not) at once, whoever wrote them."""
    from commitments import services

    services.follow_up_record(
        commitment=commitment, author=analyst, note="Operation Harbour", expected_version=1
    )
    assert list(Commitment.objects.filter(search_text__matches="harbour")) == [commitment]
    Commitment.objects.filter(pk=commitment.pk).update(search_text="something else")
    assert not Commitment.objects.filter(search_text__matches="harbour").exists()
    assert Commitment.objects.filter(search_text__matches="someth").count() == 1


def test_the_lists_search_uses_the_full_text_index_despite_the_reference_match(group, commitment):
    from commitments import selectors

    found = selectors.commitment_list(group=group, q="tighten")
    assert [c.reference for c in found] == [commitment.reference]
    assert [c.reference for c in selectors.commitment_list(group=group, q="PC-01")] == [
        commitment.reference
    ]
    # A reference-like query ORs the reference's substring match with the full-text one, a
    # subquery of ids (selectors.matching), which the index serves.
    by_reference = selectors.commitment_list(group=group, q="PC-01")
    text = plan(by_reference.values("pk"), avoid=SEARCH_AVOIDS)
    if connection.vendor == "postgresql":
        assert "commitment_search_vector" in text, text
    else:
        assert "VIRTUAL TABLE INDEX" in text and "commitment_search" in text, text


def test_the_sides_counts_read_ranges_of_the_tallies_index(group, commitment):
    """Each side's overdue and inactive counts: two ranges per side, as the dashboard's."""
    parties = list(group.parties.all())
    with CaptureQueriesContext(connection) as captured:
        side_tallies(group=group, parties=parties, today=TODAY, quiet_before=TODAY)
    (sql,) = [q["sql"] for q in captured.captured_queries if "SUM" in q["sql"].upper()]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        text = "\n".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert "tally_one_row_per_key" in text and "Seq Scan" not in text, text
    else:
        searches = [line for line in text.splitlines() if "SEARCH" in line]
        assert "MULTI-INDEX OR" in text and len(searches) == 2 * len(parties) > 0, text
        for line in searches:
            assert "working_group_id=? AND kind=? AND key>? AND key<?" in line, text


def test_the_briefing_pack_reads_its_numbers_and_order_from_one_index(group, commitment):
    """The pack's two reads of every commitment of the group (reports.pack: the numbers by
    area and attention, and the ids of a part in the pack's order) read the narrow index that
    holds every column they need, never the table's rows."""
    from reports import pack

    rank = pack.attention_rank(TODAY)
    areas = list(group.action_areas.all())
    assert list(pack.in_order(group, rank, areas)) == [commitment.pk]
    assert [n for *_, n in pack.numbers(group, rank)] == [1]
    for queryset in (pack.numbers(group, rank), pack.in_order(group, rank, areas)):
        # Plain index scans off too: inside a test's transaction the visibility map is never
        # all-visible, so the planner may prefer reading the table through any index; with
        # only index-only scans left, it must find one index that holds every column.
        text = plan(queryset, avoid=("seqscan", "bitmapscan", "indexscan"))
        if connection.vendor == "postgresql":
            assert "Index Only Scan using commitment_pack_order" in text, text
        else:
            assert "USING COVERING INDEX commitment_pack_order" in text, text
