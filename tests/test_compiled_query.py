"""common.sql.CompiledQuery: the ORM's SQL built once, run with new values."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import access, selectors
from commitments.models import ActionArea
from common.sql import SHAPE, CompiledQuery, Many
from tests import factories

pytestmark = pytest.mark.django_db


def areas_named(name, group_id):
    return ActionArea.objects.filter(name=name, working_group_id=group_id).order_by("pk")


AREAS = CompiledQuery(areas_named, name="\x00name\x00", group_id=-7_000_000_002)


def test_it_runs_the_querysets_sql_with_the_values_given(group, other_group):
    factories.action_area(other_group, "PC", name="Precursor chemicals")
    for g in (group, other_group):
        found = list(AREAS.raw(name="Precursor chemicals", group_id=g.pk))
        assert found == list(areas_named("Precursor chemicals", g.pk))
        assert [a.working_group_id for a in found] == [g.pk]
    assert list(AREAS.raw(name="Nothing", group_id=group.pk)) == []


def test_it_builds_the_sql_once():
    built = []

    def build(name, group_id):
        built.append(name)
        return areas_named(name, group_id)

    query = CompiledQuery(build, name="\x00n\x00", group_id=-7_000_000_003)
    for _ in range(3):
        list(query.raw(name="x", group_id=1))
    assert built == ["\x00n\x00"]


def test_it_refuses_a_sentinel_the_query_does_not_use():
    query = CompiledQuery(lambda name, unused: areas_named(name, 1), name="\x00n", unused=-9)
    with pytest.raises(ValueError, match="unused"):
        query.raw(name="x", unused=2)


def test_the_access_check_reads_the_group_and_the_users_standing_in_one_query(
    group, analyst, outsider
):
    with CaptureQueriesContext(connection) as queries:
        read = access.get_group_for_user(analyst, group.slug)
    assert len(queries) == 1
    assert read.group == group and read.role == "analyst" and read.side is None
    assert read.group.catalogue_revision >= 1
    with pytest.raises(access.Http404):
        access.get_group_for_user(outsider, group.slug)


def test_it_takes_a_list_and_builds_the_sql_once_per_length(group, other_group):
    query = CompiledQuery(
        lambda ids: ActionArea.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "name"),
        ids=Many(-7_000_000_200),
    )
    areas = [factories.action_area(other_group, code) for code in ("AA", "BB", "CC")]
    ids = [a.pk for a in areas]
    for n in (1, 3, 2, 3):
        assert query.rows(ids=ids[:n]) == [(a.pk, a.name) for a in areas[:n]]
    assert len(query._compiled) == 3


def test_the_lists_rows_read_through_it_carry_real_dates(group):
    commitment = factories.commitment(group, due_date=datetime.date(2026, 5, 1))
    (row,) = selectors.list_rows([commitment.pk], today=datetime.date(2026, 6, 1))
    assert row.due_date == datetime.date(2026, 5, 1) and row.overdue
    assert isinstance(row.last_activity_on, datetime.date)


def test_it_takes_a_date_the_sql_holds_as_text_on_sqlite(group):
    early = factories.commitment(group, due_date=datetime.date(2026, 2, 1))
    factories.commitment(group, due_date=datetime.date(2026, 4, 1))
    query = CompiledQuery(
        lambda day: group.commitments.filter(due_date__lt=day).order_by("pk"),
        day=datetime.date(1001, 1, 1),
    )
    assert [c.pk for c in query.raw(day=datetime.date(2026, 3, 1))] == [early.pk]
    assert [c.due_date for c in query.raw(day=datetime.date(2026, 3, 1))] == [early.due_date]


def test_it_gives_models_with_what_they_select_related(group, analyst):
    commitment = factories.commitment(group, owner=analyst)
    query = CompiledQuery(
        lambda reference: (
            group.commitments.select_related("action_area", "owner__affiliation")
            .filter(reference=reference)
            .order_by("pk")
        ),
        reference="\x00ref\x00",
    )
    (found,) = query.models(reference=commitment.reference)
    with CaptureQueriesContext(connection) as queries:
        assert found == commitment
        assert found.action_area.name == "Precursor chemicals"
        assert found.owner == analyst
        assert not hasattr(found.owner, "affiliation")  # read with it: none, and no query
        assert isinstance(found.created_at, datetime.datetime)
    assert len(queries) == 0
    assert query.models(reference="NOPE") == []


def test_it_builds_a_slice_once_per_offset(group, other_group):
    for code in ("AA", "BB", "CC", "DD"):
        factories.action_area(other_group, code)
    areas = list(ActionArea.objects.filter(working_group=other_group).order_by("code"))
    query = CompiledQuery(
        lambda group_id, start, stop: ActionArea.objects.filter(working_group_id=group_id).order_by(
            "code"
        )[start:stop],
        group_id=-7_000_000_800,
        start=SHAPE,
        stop=SHAPE,
    )
    for start, stop in ((0, 2), (2, 4), (0, 2), (3, 5)):
        got = query.models(group_id=other_group.pk, start=start, stop=stop)
        assert got == areas[start:stop]
    assert len(query._compiled) == 3
