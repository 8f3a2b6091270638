"""One explicit cache: pieces of pages kept under their working group's version.

A page that is worth keeping (the dashboard, a part of the briefing pack: see the measurements
in bench/README.md) wraps what it shows of the group's records in Django's own tag, keyed on the
group's version and on everything else the piece shows (the day, the asker's role, the part):

    {% cache kept_for dashboard piece %}      with  piece = cache.piece(group, today, role)

The group's version comes with the group from `access.get_group_for_user` (no query of its
own). Every write of the services raises it once the transaction commits (`changed`, called by
`services.base` for each row it writes and by the services that write in bulk), so the next
view after a write draws the piece again under a new key; nothing is deleted and nothing kept
is shown stale. Kept pieces hold no form, no CSRF token and nothing of one person's. The cache
is settings.CACHES["default"]: Redis in production (shared by every worker and server),
this process's memory in development and tests. After a repair made in SQL, run
`manage.py bump_cache_version`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import (
    ComplianceScore,
    GroupVersion,
    Measurement,
    Participation,
    SnapshotRow,
    WorkingGroup,
)

EVERY_GROUP = None


def changed(group_ids: Iterable[int | None] | None) -> None:
    """Raise these groups' versions (EVERY_GROUP: all of them) when the current transaction
    commits, at once outside one. After the commit: the version row is no lock held by
    every writer of the group, and a reader never keeps a piece under the new version before
    the write is visible."""
    if group_ids is EVERY_GROUP:
        transaction.on_commit(lambda: _raise(EVERY_GROUP))
        return
    ids = {pk for pk in group_ids if pk is not None}
    if ids:
        transaction.on_commit(lambda: _raise(ids))


def changed_for(instance) -> None:
    """Raise the version of the group(s) whose pages may show this row. A new group gets its
    version row at once, in the same transaction as the group."""
    if isinstance(instance, WorkingGroup):
        GroupVersion.objects.get_or_create(working_group_id=instance.pk)
    changed(groups_of(instance))


def groups_of(instance) -> set[int] | None:
    """The groups whose pages show this row: its own group, its parent's, or EVERY_GROUP for
    what pages of many groups show (parties, agencies, people and their affiliations)."""
    if isinstance(instance, WorkingGroup):
        return {instance.pk}
    group_id = getattr(instance, "working_group_id", None)
    if group_id is not None:
        return {group_id}
    parent = {
        Measurement: "indicator",
        Participation: "meeting",
        SnapshotRow: "snapshot",
        ComplianceScore: "review",
    }.get(type(instance))
    if parent is not None:
        return {getattr(instance, parent).working_group_id}
    return EVERY_GROUP


def _raise(ids: set[int] | None) -> None:
    versions = GroupVersion.objects.all()
    groups = WorkingGroup.objects.all()
    if ids is not EVERY_GROUP:
        versions = versions.filter(working_group_id__in=ids)
        groups = groups.filter(pk__in=ids)
    raised = versions.update(version=F("version") + 1)
    if raised < len(ids if ids is not EVERY_GROUP else groups):
        # A group without its row yet (made before this version existed, or by hand).
        GroupVersion.objects.bulk_create(
            [
                GroupVersion(working_group_id=pk, version=1)
                for pk in groups.values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )


def version_of(group: WorkingGroup) -> int:
    """The group's version: read with the group by `access.get_group_for_user`, else asked."""
    known = getattr(group, "cache_version", None)
    if known is not None:
        return known
    return (
        GroupVersion.objects.filter(working_group_id=group.pk)
        .values_list("version", flat=True)
        .first()
        or 0
    )


def piece(group: WorkingGroup, *parts) -> tuple:
    """The key of a kept piece of one of the group's pages: the group, its version and
    `parts`, everything else the piece shows (the day, the asker's role, the part...)."""
    return (group.pk, version_of(group), *parts)


def kept_for() -> int:
    """How long a kept piece lives at most, in seconds (settings.PAGE_CACHE_SECONDS): a new
    version makes new keys anyway; this only lets old keys go."""
    return settings.PAGE_CACHE_SECONDS
