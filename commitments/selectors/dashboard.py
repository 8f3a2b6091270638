"""Reads of the home page (the user's working groups) and of a group's dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    ActionArea,
    Agency,
    Commitment,
    FollowUp,
    Membership,
    Party,
    WorkingGroup,
)
from .catalogue import catalogue
from .common import ENTRY_RELATED, StatusSummary, inactive_after_days, inactive_before
from .outcomes import BurnUp, burn_up_from
from .tallies import group_tallies

DASHBOARD_LIST_SIZE = 8
FEED_SIZE = 10


def group_summaries(*, groups: QuerySet[WorkingGroup], user) -> list[WorkingGroup]:
    """The given working groups (those the user may see: `access.visible_groups`), each with
    the user's membership role and its size. One query."""
    role = Membership.objects.filter(working_group=OuterRef("pk"), user=user).values("role")[:1]
    return list(
        groups.annotate(
            my_role=Subquery(role),
            n_commitments=Count("commitments", distinct=True),
            n_open=Count(
                "commitments", filter=Q(commitments__status__in=OPEN_STATUSES), distinct=True
            ),
        ).order_by("name")
    )


@dataclass
class Dashboard:
    group: WorkingGroup
    areas: list[ActionArea]
    overall: StatusSummary
    counts: dict
    overdue: list[Commitment]
    due_soon: list[Commitment]
    inactive: list[Commitment]
    feed: list[FollowUp]
    meetings: list[dict]  # number, title, start_date, end_date, location, n_commitments
    next_meeting: dict | None
    parties: list[Party]
    co_leads: list[Agency]
    burn_up: BurnUp
    inactive_after_days: int = field(default_factory=inactive_after_days)


def _listed(group_id: int):
    """What the dashboard's lists show, without the long texts (the search text is a kilobyte
    a row)."""
    return Commitment.objects.filter(working_group_id=group_id).only(
        "reference", "title", "status", "due_date", "last_activity_on"
    )


def group_dashboard(*, group: WorkingGroup, today: datetime.date | None = None) -> Dashboard:
    """Six queries, whatever the number of commitments: the group's tallies (two: the counts
    the services keep, so nothing counts the commitments row by row), the three attention
    lists and the activity feed; the areas, meetings, parties and co-leads come from the
    group's catalogue (`catalogue`: kept in memory until one of them changes; four more
    queries after a change). The summaries, the meetings' counts and the burn-up are computed
    from the tallies."""
    today = today or timezone.localdate()
    quiet_before = inactive_before(today)
    known = catalogue(group=group)

    # The action areas (the catalogue's: a copy of this request's own).
    areas = list(known.areas)
    # 1-2. The group's maintained counts (models.Tally): per area and status, the commitments
    # agreed per meeting and completed per month, and the attention counts summed over days.
    tallies = group_tallies(group=group, today=today, quiet_before=quiet_before)
    for area in areas:
        area.summary = StatusSummary.from_row(tallies.figures(area.pk))
    counts = tallies.figures()
    counts.update(overdue=tallies.overdue, due_soon=tallies.due_soon, inactive=tallies.inactive)
    overall = StatusSummary.from_row(counts)

    # 3-5. The first few commitments of each attention list.
    listed = _listed(group.pk)
    by_due = ("due_date", "reference")
    overdue = list(listed.overdue(today).order_by(*by_due)[:DASHBOARD_LIST_SIZE])
    due_soon = list(listed.due_soon(today).order_by(*by_due)[:DASHBOARD_LIST_SIZE])
    inactive = list(
        listed.inactive(today).order_by("last_activity_on", "reference")[:DASHBOARD_LIST_SIZE]
    )
    # 6. The latest entries (follow-ups and edits), by the date they happened, with their
    # commitment and their author's agency and side.
    feed = list(
        FollowUp.objects.filter(working_group=group)
        .select_related("commitment", *ENTRY_RELATED)
        .defer(*(f"commitment__{name}" for name in Commitment.LONG_TEXTS))
        .order_by("-occurred_on", "-created_at", "-id")[:FEED_SIZE]
    )
    # The meetings (as dicts: a big group has hundreds): the latest, with how many
    # commitments each agreed (from the tallies), the next one, and every last day for the
    # burn-up.
    agreed = tallies.per_meeting()
    all_meetings = [dict(meeting) for meeting in known.meetings]
    for meeting in all_meetings:
        meeting["n_commitments"] = agreed.get(meeting["pk"], 0)
    meetings = all_meetings[:10]
    upcoming = [m for m in all_meetings if m["start_date"] >= today]
    next_meeting = upcoming[-1] if upcoming else None
    # Its parties and co-leads (each with its party).
    parties = list(known.parties)
    co_leads = list(known.co_leads)
    return Dashboard(
        parties=parties,
        co_leads=co_leads,
        group=group,
        areas=areas,
        overall=overall,
        counts=counts,
        overdue=overdue,
        due_soon=due_soon,
        inactive=inactive,
        feed=feed,
        meetings=meetings,
        next_meeting=next_meeting,
        burn_up=burn_up_from(tallies, areas=areas, meetings=all_meetings, today=today),
    )
