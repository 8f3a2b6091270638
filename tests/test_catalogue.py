"""A working group's catalogue (areas, meetings, sides, agencies, co-leads, members) is kept in
memory under a revision that database triggers raise on every change (models.catalogue,
migration 0014, selectors.catalogue). What could go wrong, each checked:

* a write that changes the catalogue but not its revision (a stale page): every table and
  kind of write, made the ways the app makes them and as plain SQL (the admin, a shell);
* a write that raises the revision of another group, or raises it for nothing (a visit);
* choices drawn from the catalogue that differ from what Django's fields would list;
* a catalogue kept from inside a transaction that may still roll back.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments import access, selectors, services
from commitments.filters import CommitmentFilterForm
from commitments.models import CatalogueRevision, Party
from commitments.models.catalogue import SOURCES
from tests import factories
from tests.factories import Role
from tests.test_views_support import signed_in, url

pytestmark = pytest.mark.django_db


def revision(group) -> int:
    row = CatalogueRevision.objects.filter(working_group_id=group.pk).first()
    return row.revision if row else 0


class Watch:
    """The revisions of some groups before and after a write."""

    def __init__(self, *groups):
        self.groups = groups
        self.before = [revision(g) for g in groups]

    def raised(self) -> list[bool]:
        return [revision(g) > b for g, b in zip(self.groups, self.before, strict=True)]


@pytest.fixture
def third_party_group(db):
    """A group of its own sides (not the US and India), to see writes stay in their groups."""
    uk, _ = services.party_ensure(code="UK", name="United Kingdom")
    fr, _ = services.party_ensure(code="FR", name="France")
    group, _ = services.working_group_ensure(
        slug="ukfr", name="UK-France group", short_name="UKFR", parties=[uk, fr]
    )
    return group


def test_it_raises_the_revision_of_the_group_whose_areas_and_meetings_change(group, other_group):
    w = Watch(group, other_group)
    area = factories.action_area(group, "SC", name="Supply chain")
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    services.action_area_update(action_area=area, name="Supply chains")
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    services.action_area_delete(action_area=area)
    assert w.raised() == [True, False]

    w = Watch(group, other_group)
    meeting = factories.meeting(group, 2)
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    services.meeting_update(meeting=meeting, title="Second meeting, revised")
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    services.meeting_delete(meeting=meeting)
    assert w.raised() == [True, False]


def test_it_raises_it_when_members_come_go_or_are_renamed_and_not_on_a_visit(group, other_group):
    w = Watch(group, other_group)
    person = factories.member(group, Role.ANALYST, "newcomer")
    assert w.raised() == [True, False]
    membership = person.memberships.get(working_group=group)

    w = Watch(group, other_group)
    person.first_name = "Nadia"
    person.save()  # as the admin's user form does: not through a service
    assert w.raised() == [True, False]

    w = Watch(group, other_group)
    services.membership_mark_activity_seen(membership=membership, at=timezone.now())
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])
    assert w.raised() == [False, False], "a visit or a sign-in is no change of the catalogue"

    w = Watch(group, other_group)
    services.membership_delete(membership=membership)
    assert w.raised() == [True, False]


def test_it_raises_it_for_every_group_of_a_side_whose_name_or_agencies_change(
    group, other_group, third_party_group
):
    us = Party.objects.get(code="US")
    w = Watch(group, other_group, third_party_group)
    services.party_update(party=us, name="United States of America")
    assert w.raised() == [True, True, False]

    w = Watch(group, other_group, third_party_group)
    dea = factories.agency("US", "DEA", "Drug Enforcement Administration")
    assert w.raised() == [True, True, False]
    w = Watch(group, other_group, third_party_group)
    services.agency_update(agency=dea, acronym="DEA-HQ")
    assert w.raised() == [True, True, False]
    w = Watch(group, other_group, third_party_group)
    services.agency_delete(agency=dea)
    assert w.raised() == [True, True, False]


def test_it_raises_it_when_a_group_gains_or_loses_a_side_or_a_co_lead(group, other_group):
    ondcp, _ = factories.lead_agencies()
    w = Watch(group, other_group)
    group.lead_agencies.add(ondcp)  # a many-to-many row, as the admin writes it
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    group.lead_agencies.remove(ondcp)
    assert w.raised() == [True, False]

    india = Party.objects.get(code="IN")
    w = Watch(group, other_group)
    group.parties.remove(india)
    assert w.raised() == [True, False]
    w = Watch(group, other_group)
    group.parties.add(india)
    assert w.raised() == [True, False]


def test_it_raises_it_for_a_change_made_in_plain_sql(group, other_group):
    """Whatever makes the change: the triggers are the database's."""
    w = Watch(group, other_group)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commitments_actionarea SET name = %s WHERE working_group_id = %s",
            ["Renamed in SQL", group.pk],
        )
    assert w.raised() == [True, False]


def test_it_has_the_triggers_of_every_source_in_the_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'catalogue_changed'"
            )
            tables = {row[0] for row in cursor.fetchall()}
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'catalogue_%'"
            )
            tables = {row[0] for row in cursor.fetchall()}
    assert tables == set(SOURCES)


def read_group(user, group):
    """The group as the pages read it: with its catalogue's revision."""
    return access.get_group_for_user(user, group.slug).group


def test_it_reads_the_catalogue_once_and_again_after_a_change(group, admin_user):
    caches["catalogue"].clear()
    with CaptureQueriesContext(connection) as first:
        selectors.catalogue(group=read_group(admin_user, group))
    with CaptureQueriesContext(connection) as again:
        known = selectors.catalogue(group=read_group(admin_user, group))
    assert len(first) == 1 + 6
    assert len(again) == 1, "only the group itself (with the revision)"
    assert [a.name for a in known.areas] == ["Precursor chemicals"]

    services.action_area_update(action_area=group.action_areas.get(), name="Chemicals")
    known = selectors.catalogue(group=read_group(admin_user, group))
    assert [a.name for a in known.areas] == ["Chemicals"]


def test_it_keeps_nothing_read_inside_a_transaction_that_may_roll_back(group, admin_user):
    caches["catalogue"].clear()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.action_area_update(action_area=group.action_areas.get(), name="Undone")
        assert [a.name for a in selectors.catalogue(group=read_group(admin_user, group)).areas] == [
            "Undone"
        ]
        raise Undo
    services.meeting_update(meeting=group.meetings.get(), title="Renamed")  # the same revision
    known = selectors.catalogue(group=read_group(admin_user, group))
    assert [a.name for a in known.areas] == ["Precursor chemicals"]
    assert [m["title"] for m in known.meetings] == ["Renamed"]


def test_the_filters_list_the_choices_djangos_fields_would(group):
    """Values and labels, in order: the catalogue's choices against what the form's model
    choice fields list from their querysets."""
    factories.action_area(group, "SC", name="Supply chain", order=2)
    factories.action_area(group, "JO", name="Joint operations", order=1)
    for number, day in ((3, datetime.date(2026, 6, 1)), (2, datetime.date(2026, 9, 1))):
        factories.meeting(group, number, start_date=day, end_date=day)
    factories.agency("US", "DEA")
    factories.agency("IN", "NCB")
    factories.member(group, Role.ANALYST, "zed", first_name="Zara", last_name="Ahmed")
    factories.member(group, Role.VIEWER, "amy")
    factories.member(group, Role.VIEWER, "gone", is_active=False)
    form = CommitmentFilterForm(group=group, inactive_after_days=30)
    querysets = CommitmentFilterForm.value_querysets(group)
    for name in ("area", "agency", "meeting", "owner"):
        field = form.fields[name]
        django = forms.ModelChoiceField(
            queryset=querysets[name](),
            to_field_name=field.to_field_name,
            empty_label=field.empty_label,
        )
        django.label_from_instance = field.label_from_instance
        expected = [(str(value), str(label)) for value, label in django.choices]
        assert [(str(value), str(label)) for value, label in field.choices] == expected, name
        assert len(expected) > 2, name


def test_a_page_shows_a_change_of_the_catalogue_at_once(client, group):
    analyst = factories.member(group, Role.ANALYST, "analyst", first_name="Ana")
    signed_in(client, analyst)
    page = url("commitments:commitment_list", group.slug)
    assert "Precursor chemicals" in client.get(page).content.decode()

    with connection.cursor() as cursor:  # as a shell or the admin would: no service
        cursor.execute(
            "UPDATE commitments_actionarea SET name = %s WHERE working_group_id = %s",
            ["Chemical precursors", group.pk],
        )
        cursor.execute(
            "UPDATE auth_user SET last_name = %s WHERE id = %s", ["Lindqvist", analyst.pk]
        )
    body = client.get(page).content.decode()
    assert "Chemical precursors" in body
    assert "Precursor chemicals" not in body
    assert "Ana Lindqvist" in body
