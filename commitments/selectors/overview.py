"""Reads of the overview pages: what each side owes, recent activity, the members."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page
from django.db.models import Avg, Case, Count, Exists, F, OuterRef, Q, When
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    ActionArea,
    Commitment,
    FollowUp,
    Membership,
    MembershipRole,
    Party,
    Status,
    WorkingGroup,
)
from .workspace import (
    ENTRY_RELATED,
    StatusSummary,
    _lead_agencies_prefetch,
    inactive_after_days,
    inactive_before,
    paginate,
)

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
    commitments: list[Commitment]


@dataclass
class Sides:
    group: WorkingGroup
    sides: list[SideRecord]
    shared: int
    unled: int
    inactive_after_days: int = field(default_factory=inactive_after_days)


SIDE_LIST_SIZE = 50


def sides(*, group: WorkingGroup, today: datetime.date | None = None) -> Sides:
    """What each side owes: for each party of the group, the commitments its agencies lead
    (alone or with the other side) with their count per status, average progress, overdue and
    inactive counts; and the first of them, most pressing first. The parties (1), every
    side's figures at once (1), then a list and its lead agencies per party (2 each)."""
    today = today or timezone.localdate()
    quiet_before = inactive_before(today)
    parties = list(group.parties.order_by("name"))
    leads = Commitment.lead_agencies.through.objects.filter(commitment=OuterRef("pk"))
    flags = {f"by_{p.pk}": Exists(leads.filter(agency__party=p)) for p in parties}
    several = (
        leads.order_by()
        .values("commitment")
        .annotate(sides=Count("agency__party", distinct=True))
        .filter(sides__gte=2)
    )
    commitments = Commitment.objects.in_group(group).annotate(
        **flags, shared=Exists(several), any_lead=Exists(leads)
    )
    figures = {}
    for p in parties:
        mine = Q(**{f"by_{p.pk}": True})
        figures[f"led_{p.pk}"] = Count("pk", filter=mine)
        figures[f"alone_{p.pk}"] = Count("pk", filter=mine & Q(shared=False))
        figures[f"overdue_{p.pk}"] = Count(
            "pk", filter=mine & Q(status__in=OPEN_STATUSES, due_date__lt=today)
        )
        figures[f"inactive_{p.pk}"] = Count(
            "pk", filter=mine & Q(status__in=OPEN_STATUSES, last_activity_on__lt=quiet_before)
        )
        figures[f"progress_{p.pk}"] = Avg("progress", filter=mine & ~Q(status=Status.WITHDRAWN))
        for value in Status.values:
            figures[f"n_{value}_{p.pk}"] = Count("pk", filter=mine & Q(status=value))
    totals = commitments.aggregate(
        **figures,
        shared_total=Count("pk", filter=Q(shared=True)),
        unled=Count("pk", filter=Q(any_lead=False)),
    )
    records = []
    for p in parties:
        row = {f"n_{v}": totals[f"n_{v}_{p.pk}"] for v in Status.values}
        row.update(total=totals[f"led_{p.pk}"], avg_progress=totals[f"progress_{p.pk}"])
        pressing = (
            commitments.filter(**{f"by_{p.pk}": True})
            .select_related("action_area")
            .prefetch_related(_lead_agencies_prefetch())
            .order_by(
                Case(When(status__in=OPEN_STATUSES, then=0), default=1),
                F("due_date").asc(nulls_last=True),
                "reference",
            )[:SIDE_LIST_SIZE]
        )
        records.append(
            SideRecord(
                party=p,
                led=totals[f"led_{p.pk}"],
                alone=totals[f"alone_{p.pk}"],
                shared=totals[f"led_{p.pk}"] - totals[f"alone_{p.pk}"],
                summary=StatusSummary.from_row(row),
                overdue=totals[f"overdue_{p.pk}"],
                inactive=totals[f"inactive_{p.pk}"],
                commitments=list(pressing),
            )
        )
    return Sides(group=group, sides=records, shared=totals["shared_total"], unled=totals["unled"])


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
