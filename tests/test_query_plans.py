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
        # Each range a search of the unique constraint's index (SQLite names it itself), the
        # years, months and days before a day (models.tallies.before_day), and the days due
        # soon: seven ranges, never every row of the group.
        searches = [line for line in text.splitlines() if "SEARCH" in line]
        assert "MULTI-INDEX OR" in text and len(searches) == 7, text
        for line in searches:
            assert "USING INDEX" in line, text
            assert "working_group_id=? AND kind=? AND key>? AND key<?" in line, text


@pytest.mark.parametrize(
    "filters", [{}, {"status": "in_progress"}, {"area": "pc", "status": "in_progress"}]
)
def test_a_far_page_of_the_list_reads_ids_in_order_from_an_index(group, commitment, filters):
    from commitments import selectors
    from commitments.models import ActionArea

    if "area" in filters:
        filters = {**filters, "area": ActionArea.objects.get(working_group=group, slug="pc")}
    ids = selectors.commitment_list(group=group, **filters).values_list("pk", flat=True)
    text = plan(ids[5000:5025])
    # No sort of every matching row before skipping them: the index gives the order.
    if connection.vendor == "postgresql":
        assert "Sort" not in text and "Index" in text, text
        if not filters:
            # The default order from the index that holds the ids too (migration 0013): the
            # skipped rows are never fetched from the table. Asked with every other way of
            # reading off (on a table this small, the planner may rightly prefer another
            # index that gives the same order, depending on what the tests before wrote).
            text = plan(ids[5000:5025], avoid=("seqscan", "sort", "indexscan", "bitmapscan"))
            assert "Index Only Scan using commitment_list_order" in text, text
    else:
        assert "TEMP B-TREE" not in text and "INDEX" in text, text


def test_ids_first_pages_are_the_pages_of_the_list(group):
    from commitments import selectors
    from tests import factories

    for i in range(7):
        factories.commitment(group, title=f"Commitment {i}")
    listed = selectors.commitment_list(group=group)
    expected = [c.reference for c in listed]
    for number in ("1", "2", "3", "99"):
        plain = selectors.paginate(listed, number, 3)
        ids_first = selectors.paginate(listed, number, 3, ids_first=True)
        assert [c.reference for c in ids_first] == [c.reference for c in plain]
        assert ids_first.paginator.count == len(expected)
    last = selectors.paginate(listed, "3", 3, ids_first=True)
    assert [c.reference for c in last] == expected[6:]
    # The rows come with their relations, as the list's template needs them.
    assert last[0].action_area.code == "PC"


@pytest.mark.parametrize("sort", ["reference", "due", "-due", "activity", "-activity"])
def test_pages_of_the_second_half_read_from_the_end_are_the_pages_of_the_list(group, sort):
    """IdsFirst reads a page past the middle backwards (the reverse order, then turned
    around): every page, under every order of the list (due dates missing, and shared, sort
    with their nulls last both ways), is the page the plain paginator gives."""
    import datetime as dt

    from commitments import selectors
    from tests import factories

    day = dt.date(2026, 3, 1)
    for i in range(11):
        due = None if i % 4 == 0 else day + dt.timedelta(days=i % 3)
        factories.commitment(group, title=f"Commitment {i}", due_date=due)
    listed = selectors.commitment_list(group=group, sort=sort)
    expected = [c.reference for c in listed]
    for count in (None, len(expected)):
        for number in range(1, 6):
            plain = selectors.paginate(listed, str(number), 3)
            with CaptureQueriesContext(connection) as captured:
                ids_first = selectors.paginate(listed, str(number), 3, ids_first=True, count=count)
                got = [c.reference for c in ids_first]
            assert got == [c.reference for c in plain], (sort, number)
            if number == 4 and count:  # rows 10-11 of 11: from the end, nothing skipped
                (ids_sql,) = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]]
                assert "OFFSET" not in ids_sql and " DESC" in ids_sql, ids_sql


@pytest.mark.parametrize("sort", ["reference", "due", "-due", "activity", "-activity"])
@pytest.mark.parametrize("q", ["harbour", "PC-"])
def test_a_search_reads_its_page_and_its_count_in_one_query(group, sort, q):
    """paginate(together=True): on PostgreSQL, a search's page and its count from one query
    (the count a window over every match, the page their top few), which are the page and
    the count the plain paginator gives, under every order, for every page number a URL can
    hold, for a word search and for a reference-like one. SQLite counts and reads as before
    (see paginate)."""
    import datetime as dt

    from commitments import selectors
    from tests import factories

    day = dt.date(2026, 3, 1)
    for i in range(13):
        due = None if i % 4 == 0 else day + dt.timedelta(days=i % 3)
        title = f"Harbour patrol {i}" if i % 5 else f"Border post {i}"
        factories.commitment(group, title=title, due_date=due)
    listed = selectors.commitment_list(group=group, q=q, sort=sort, paged=True)
    expected = [c.reference for c in listed]
    assert 3 < len(expected) <= 13
    for number in ("1", "2", "3", "4", "5", "99", "0", "-1", "abc", "2.5", None):
        plain = selectors.paginate(listed, number, 3)
        with CaptureQueriesContext(connection) as captured:
            page = selectors.paginate(
                listed, number, 3, ids_first=True, together=True, rows=selectors.list_rows
            )
            got = [row.reference for row in page]
        assert got == [c.reference for c in plain], (sort, number)
        assert (page.number, page.paginator.count) == (plain.number, len(expected))
        # Besides reading the page's rows by id (list_rows): one query, where there were two.
        reads = [
            x["sql"]
            for x in captured.captured_queries
            if "LIMIT" in x["sql"] or "COUNT(" in x["sql"].upper()
        ]
        if connection.vendor != "postgresql":  # SQLite counts, then reads (see paginate)
            assert reads and not any("OVER ()" in sql for sql in reads), reads
            continue
        if number in ("1", "2", "3", "abc", "2.5", None):  # a page with rows: that one query
            assert len(reads) == 1 and "COUNT(*) OVER ()" in reads[0], reads
            # A word search: the full-text condition itself (`search_vector @@`, which
            # test_the_search_reads_the_full_text_index shows the index serves), behind a
            # fence (OFFSET 0), without which the planner walks the list's order testing
            # every row's text (440 ms against 10 at 100,000 commitments). On tables this
            # small it rightly prefers the group's index: the SQL is asked, not the plan.
            inner = reads[0][reads[0].index("(SELECT") : reads[0].index(' "found" ORDER BY')]
            assert inner.endswith(" OFFSET 0)"), inner
            if q == "harbour":
                assert ".search_vector @@ to_tsquery(" in inner and " IN (SELECT" not in inner
        # Past the end, counted first: the last page's ids are still read behind the fence,
        # never as an ordered slice of the search (see selectors.matching's `direct`).
        assert all("OVER ()" in sql for sql in reads if "LIMIT" in sql), reads
    nothing = selectors.commitment_list(group=group, q="zanzibar", sort=sort, paged=True)
    page = selectors.paginate(nothing, "1", 3, ids_first=True, together=True)
    assert (list(page), page.paginator.count) == ([], 0)


@pytest.mark.parametrize("q", ["harbour", "PC-"])
def test_a_search_on_sqlite_walks_the_lists_order_when_it_matches_many(group, q):
    """SQLite reads the first pages of a search that matches many rows by walking the list's
    order (the `probed` match, `+id IN (...)`, no index for the match itself), and a rare
    word's page by id: every page equals the plain paginator's either way. PostgreSQL
    has no walk (it reads a search's page with its count: paginate's `together`)."""
    from commitments import selectors
    from tests import factories

    for i in range(13):
        title = f"Harbour patrol {i}" if i % 5 else "Zanzibar post" if i == 0 else "Border post"
        factories.commitment(group, title=title)
    filters = {"q": q}
    walk = selectors.search_walk(group=group, filters=filters)
    if connection.vendor == "postgresql":
        assert walk is None
        return
    listed = selectors.commitment_list(group=group, **filters)
    expected = [c.reference for c in listed]
    assert 3 < len(expected) <= 13
    for number in ("1", "2", "3", "4", "5", "99", "abc"):
        plain = selectors.paginate(listed, number, 3)
        with CaptureQueriesContext(connection) as captured:
            page = selectors.paginate(
                listed, number, 3, ids_first=True, rows=selectors.list_rows, walk=walk
            )
            got = [row.reference for row in page]
        assert got == [c.reference for c in plain], number
        (ids,) = [x["sql"] for x in captured.captured_queries if "LIMIT" in x["sql"]]
        assert '+"commitments_commitment"."id" IN' in ids, ids  # many matches: the walk
    text = plan(walk.queryset.values_list("pk", flat=True)[:3])
    assert "TEMP B-TREE" not in text and "INDEX" in text, text  # in order, from an index

    rare = {"q": "zanzibar"}  # 1 match in 13: the rows by id
    walk = selectors.search_walk(group=group, filters=rare)
    listed = selectors.commitment_list(group=group, **rare)
    with CaptureQueriesContext(connection) as captured:
        page = selectors.paginate(listed, "1", 3, ids_first=True, walk=walk)
    assert [c.title for c in page] == ["Zanzibar post"]
    (ids,) = [x["sql"] for x in captured.captured_queries if "LIMIT" in x["sql"]]
    assert "+" not in ids.split("WHERE")[1], ids
    assert selectors.search_walk(group=group, filters={**filters, "sort": "due"}) is None


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
    """Each side's overdue and inactive counts: six ranges per side, as the dashboard's."""
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
        assert "MULTI-INDEX OR" in text and len(searches) == 6 * len(parties) > 0, text
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
        text = plan(queryset, avoid=("seqscan", "bitmapscan"))
        if connection.vendor == "postgresql":
            assert "Index Only Scan using commitment_pack_order" in text, text
        else:
            assert "USING COVERING INDEX commitment_pack_order" in text, text
