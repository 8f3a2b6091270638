"""A working group's catalogue: its action areas, meetings, sides, their agencies, its co-leads
and its members, which pages read on every request (the list's filters, the dashboard, the
sides). Kept in memory (the worker's "catalogue" cache) under the group and its catalogue
revision, a number the database adds one to on every write to those tables
(models.catalogue, migration 0014), read with the group at no cost
(`access.get_group_for_user`). So they are read from the database once after each change, and
a change shows at once: its new number is a new key.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from ..models import ActionArea, Agency, Meeting, WorkingGroup

CACHE = "catalogue"


@dataclass(frozen=True)
class Catalogue:
    areas: tuple[ActionArea, ...]  # by order, then name
    meetings: tuple[dict, ...]  # pk, number, title, dates, location; the latest first
    parties: tuple  # the sides, by name
    agencies: tuple[Agency, ...]  # the sides' agencies with their party, by party and acronym
    co_leads: tuple[Agency, ...]  # the group's co-leads with their party, likewise
    members: tuple[dict, ...]  # active members' pk, username, names; by name


def catalogue(*, group: WorkingGroup) -> Catalogue:
    """The group's catalogue: from memory when the group was read with its revision and
    nothing changed since, otherwise six queries (and kept, unless inside a transaction of
    our own, whose writes may still be undone)."""
    revision = getattr(group, "catalogue_revision", _UNKNOWN)
    if revision is _UNKNOWN or _in_own_transaction():
        return read_catalogue(group)
    # The group's creation time too: a test's rolled-back group may leave its id to the next.
    key = f"catalogue:{group.pk}:{group.created_at.isoformat()}:{revision or 0}"
    cache = caches[CACHE]
    found = cache.get(key)
    if found is None:
        found = read_catalogue(group)
        cache.set(key, found)
    return found


_UNKNOWN = object()


def page_memo(*, group: WorkingGroup, parts: tuple = ()) -> str | None:
    """The {% memo %} key of a page (or part of one) kept until the group changes: `page_key`
    and `parts`, what the piece also shows (of the asker, of the request). None when the
    page is not to be kept (see page_key)."""
    key = page_key(group=group)
    return None if key is None else repr((key, *parts))


def page_key(*, group: WorkingGroup, today=None) -> tuple | None:
    """The key of a page drawn only from the group's records (commitments, their lead
    agencies, their log, the tallies, the names of their owners and authors:
    models.catalogue.RECORDS_SOURCES), its catalogue and the day, to keep it whole
    ({% memo %}): both revisions, which triggers raise on every change, the group (its
    creation too: a test's rolled-back group may leave its id to the next) and its names, and
    the day. The caller adds what the page shows of the person asking (their role). None
    (draw it, do not keep it) when the group was read without its revisions, or inside a
    transaction of our own that may still roll back."""
    catalogue_revision = getattr(group, "catalogue_revision", _UNKNOWN)
    records_revision = getattr(group, "records_revision", _UNKNOWN)
    if _UNKNOWN in (catalogue_revision, records_revision) or _in_own_transaction():
        return None
    return (
        group.pk,
        group.created_at.isoformat(),
        group.slug,
        group.name,
        group.short_name,
        catalogue_revision or 0,
        records_revision or 0,
        (today or timezone.localdate()).isoformat(),
    )


def _in_own_transaction() -> bool:
    """Inside a transaction that may still roll back (a test case's own does not count: it
    holds the whole test)."""
    return any(not getattr(a, "_from_testcase", False) for a in connection.atomic_blocks)


def read_catalogue(group: WorkingGroup) -> Catalogue:
    return Catalogue(
        areas=tuple(ActionArea.objects.in_group(group).order_by("order", "name")),
        meetings=tuple(
            Meeting.objects.in_group(group)
            .order_by("-start_date", "-number")
            .values("pk", "number", "title", "start_date", "end_date", "location")
        ),
        parties=tuple(group.parties.order_by("name")),
        agencies=tuple(
            Agency.objects.filter(party__working_groups=group)
            .select_related("party")
            .order_by("party__name", "acronym")
        ),
        co_leads=tuple(
            group.lead_agencies.select_related("party").order_by("party__name", "acronym")
        ),
        members=tuple(
            get_user_model()
            .objects.filter(memberships__working_group=group, is_active=True)
            .order_by("first_name", "last_name", "username")
            .values("pk", "username", "first_name", "last_name")
        ),
    )
