"""Reads of the overview pages: what each side owes, recent activity, the members."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Case, Exists, OuterRef, When
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    ActionArea,
    Commitment,
    FollowUp,
    Membership,
    MembershipRole,
    Party,
    WorkingGroup,
)
from .catalogue import catalogue
from .common import (
    ENTRY_RELATED,
    StatusSummary,
    inactive_after_days,
    inactive_before,
    paginate,
)
from .listing import list_rows
from .tallies import side_tallies

# --------------------------------------------------------------------------- each side


@dataclass
class SideRecord:
    """What one party's agencies lead in a group, and how it stands."""

    party: Party
    led: int
    alone: int
    shared: int
    summary: StatusSummary
    overdue: int
    inactive: int
    commitments: list[Commitment]  # its most pressing open ones, as list rows


SIDE_LIST_SIZE = 20  # each side's most pressing open commitments shown, at most


@dataclass
class Sides:
    group: WorkingGroup
    sides: list[SideRecord]
    shared: int
    unled: int
    inactive_after_days: int = field(default_factory=inactive_after_days)
    list_size: int = SIDE_LIST_SIZE


def _open_led_by(group_id: int, party_id: int):
    """The group's open commitments that agencies of this side lead (alone or not)."""
    leads = Commitment.lead_agencies.through.objects.filter(
        commitment=OuterRef("pk"), agency__party_id=party_id
    )
    return Commitment.objects.filter(
        Exists(leads), working_group_id=group_id, status__in=OPEN_STATUSES
    )


def sides(*, group: WorkingGroup, today: datetime.date | None = None) -> Sides:
    """What each side owes: for each party of the group, the commitments its agencies lead
    (alone or with the other side) with their count per status, average progress, overdue and
    inactive counts, from the tallies the services keep; and its open commitments, most
    pressing first (by due date, then those with none), as list rows. Whatever the number of
    commitments: the parties (the catalogue's, kept in memory), the tallies (2), two short reads of ids per party, and the
    rows with their lead agencies (2)."""
    today = today or timezone.localdate()
    quiet_before = inactive_before(today)
    parties = list(catalogue(group=group).parties)
    counts, shared, unled = side_tallies(
        group=group, parties=parties, today=today, quiet_before=quiet_before
    )
    pressing = {}
    for p in parties:
        # Two reads of ids in index order, each stopping at SIDE_LIST_SIZE rows.
        led = _open_led_by(group.pk, p.pk).values_list("pk", flat=True)
        ids = list(
            led.filter(due_date__isnull=False).order_by("due_date", "reference")[:SIDE_LIST_SIZE]
        )
        if len(ids) < SIDE_LIST_SIZE:  # room left for those without a due date
            room = SIDE_LIST_SIZE - len(ids)
            ids += led.filter(due_date=None).order_by("reference")[:room]
        pressing[p.pk] = ids
    rows = {row.pk: row for row in list_rows([pk for ids in pressing.values() for pk in ids])}
    records = []
    for p in parties:
        side = counts[p.pk]
        records.append(
            SideRecord(
                party=p,
                led=side.led,
                alone=side.alone,
                shared=side.led - side.alone,
                summary=StatusSummary.from_row(side.figures()),
                overdue=side.overdue,
                inactive=side.inactive,
                commitments=[rows[pk] for pk in pressing[p.pk]],
            )
        )
    return Sides(group=group, sides=records, shared=shared, unled=unled)


# --------------------------------------------------------------------------- recent activity

ACTIVITY_PAGE_SIZE = 50
ACTIVITY_DEFAULT_DAYS = 7


@dataclass
class ActivityRange:
    since: datetime.date
    until: datetime.date
    since_previous_visit: bool


def activity_default_range(*, seen_at, today: datetime.date | None = None) -> ActivityRange:
    """Since the member's previous look at the recent activity, or the last 7 days."""
    today = today or timezone.localdate()
    if seen_at is not None:
        since = min(timezone.localtime(seen_at).date(), today)
        return ActivityRange(since=since, until=today, since_previous_visit=True)
    return ActivityRange(
        since=today - datetime.timedelta(days=ACTIVITY_DEFAULT_DAYS),
        until=today,
        since_previous_visit=False,
    )


def recent_activity(
    *,
    group: WorkingGroup,
    since: datetime.date,
    until: datetime.date,
    area: ActionArea | None = None,
    party: Party | None = None,
    page_number=1,
) -> Page:
    """Follow-ups and edits of the group that happened between `since` and `until`
    (inclusive), optionally of one area or reported by one side (the author's agency), the
    latest first by the date it happened, then by when it was recorded; a page at a time with
    each entry's commitment and author's side (count + page: 2 queries)."""
    entries = FollowUp.objects.in_group(group).filter(occurred_on__range=(since, until))
    if area is not None:
        entries = entries.filter(commitment__action_area=area)
    if party is not None:
        entries = entries.filter(author__affiliation__agency__party=party)
    entries = entries.select_related("commitment__action_area", *ENTRY_RELATED).order_by(
        "-occurred_on", "-created_at", "-id"
    )
    return paginate(entries, page_number, ACTIVITY_PAGE_SIZE)


# --------------------------------------------------------------------------- members


def members(*, group: WorkingGroup) -> list[Membership]:
    """The group's members with their account, agency and side, coordinators first (1 query)."""
    order = Case(
        When(role=MembershipRole.COORDINATOR, then=0),
        When(role=MembershipRole.ANALYST, then=1),
        default=2,
    )
    return list(
        Membership.objects.in_group(group)
        .select_related("user__affiliation__agency__party")
        .order_by(order, "user__last_name", "user__first_name", "user__username")
    )


def membership(*, user, group: WorkingGroup) -> Membership | None:
    """The user's own membership of the group, if any (1 query)."""
    return Membership.objects.in_group(group).filter(user=user).first()
