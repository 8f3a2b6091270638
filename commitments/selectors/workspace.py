"""Reads of the analysts' pages: each returns what one page shows, in a fixed number of queries
whatever the amount of data (the view tests hold every page to a query budget).

Selectors read data of objects the caller has already authorised through `commitments.access`
(a working group, a commitment, a meeting...): they never decide visibility themselves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    ActionArea,
    Affiliation,
    Agency,
    Commitment,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Membership,
    Participation,
    Party,
    Status,
    WorkingGroup,
)
from .catalogue import catalogue
from .outcomes import BurnUp, burn_up_from
from .tallies import DUE_SOON_DAYS, counted, group_tallies

LIST_PAGE_SIZE = 25
DETAIL_LIST_PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 20
DASHBOARD_LIST_SIZE = 8
FEED_SIZE = 10
# What a page shows with each log entry: its author's agency and side, the entry it corrects.
ENTRY_RELATED = ("author__affiliation__agency__party", "corrects")


# --------------------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # percentage of the total, for drawing


@dataclass
class StatusSummary:
    """How many commitments are in each status, and the average progress of those that count
    (withdrawn ones do not)."""

    total: int
    counts: list[StatusCount]
    progress: int

    @classmethod
    def from_row(cls, row) -> StatusSummary:
        """From the values of `_status_annotations()`: a dict (aggregate) or an object."""
        values = row if isinstance(row, dict) else vars(row)
        total = values["total"] or 0
        counts = [
            StatusCount(value, label, n, 100 * n / total if total else 0)
            for value, label in Status.choices
            for n in [values[f"n_{value}"] or 0]
        ]
        return cls(total=total, counts=counts, progress=round(values["avg_progress"] or 0))


def _status_annotations(path: str = "") -> dict:
    """Count per status and the average progress, through `path` (e.g. "commitments__")."""
    pk = path + "pk" if path else "pk"
    annotations = {
        f"n_{value}": Count(pk, filter=Q(**{path + "status": value})) for value in Status.values
    }
    annotations["total"] = Count(pk)
    annotations["avg_progress"] = Avg(
        path + "progress", filter=~Q(**{path + "status": Status.WITHDRAWN})
    )
    return annotations


def _with_latest_measurement(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
    return indicators.annotate(
        latest_value=Subquery(
            latest.values("value")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        latest_period_end=Subquery(latest.values("period_end")[:1]),
    )


def inactive_after_days() -> int:
    """How many days without a follow-up make an open commitment *inactive*."""
    return settings.INACTIVE_AFTER_DAYS


def inactive_before(today: datetime.date) -> datetime.date:
    """Open commitments whose last activity is before this day are inactive."""
    return today - datetime.timedelta(days=inactive_after_days())


# --------------------------------------------------------------------------- home


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


# --------------------------------------------------------------------------- dashboard


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
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due_soon = list(listed.due_between(today, soon).order_by(*by_due)[:DASHBOARD_LIST_SIZE])
    inactive = list(
        listed.inactive_since(quiet_before).order_by("last_activity_on", "reference")[
            :DASHBOARD_LIST_SIZE
        ]
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


# --------------------------------------------------------------------------- commitments list

_SORTS = {
    "reference": ("reference",),
    "due": (F("due_date").asc(nulls_last=True), "reference"),
    "-due": (F("due_date").desc(nulls_last=True), "reference"),
    "activity": ("last_activity_on", "reference"),
    "-activity": ("-last_activity_on", "reference"),
}


def led_by(side: str):
    """A filter on commitments for the list's "Led by" values (see forms.side_choices): a party
    code (led by its agencies, alone or shared), "<code>-only" (led by that side alone), or
    "shared" (led by agencies of more than one side)."""
    leads = Commitment.lead_agencies.through.objects.filter(commitment=OuterRef("pk"))
    if side == "shared":
        several = (
            leads.order_by()
            .values("commitment")
            .annotate(sides=Count("agency__party", distinct=True))
            .filter(sides__gte=2)
        )
        return Exists(several)
    code, _, only = side.partition("-")
    ours = Exists(leads.filter(agency__party__code=code))
    if only == "only":
        return ours & ~Exists(leads.exclude(agency__party__code=code))
    return ours


_MATCHES_AT_MOST = 10_000_000
# One word with a digit or a hyphen: perhaps part of a reference ("PC-01", "2-SC").
_REFERENCE_LIKE = re.compile(r"\S*[\d-]\S*")


def matching(commitments: QuerySet[Commitment], q: str) -> QuerySet[Commitment]:
    """The commitments whose searchable text holds every word of `q` (full-text index: the
    reference, title, description, agreed words, lead agencies, notes), or, when `q` looks
    like part of a reference, whose reference holds it. On PostgreSQL the match is a subquery
    of ids: ORed with the reference's substring match directly, it would stop PostgreSQL from
    using its index (to_tsvector of every row); as a subquery, the index finds the ids once
    and each row is a hash lookup. No join: no row twice, so no DISTINCT. The substring match
    reads every reference of the group (no index serves "contains"): only for a
    reference-like `q`; a word search stays with the index."""
    q = q.strip()
    if connection.vendor == "sqlite":
        # The lookup is already a subquery of ids there (the full-text table's rowids).
        found = Q(search_text__matches=q)
    else:
        # The LIMIT (never reached) keeps PostgreSQL from turning the IN into a join that
        # checks each row of the list's order against the text (to_tsvector per row): the
        # matches are then found once, through the index, and hashed. Unordered: the model's
        # default order would have it sort every match first.
        found = Q(
            pk__in=Commitment.objects.filter(search_text__matches=q)
            .order_by()
            .values("pk")[:_MATCHES_AT_MOST]
        )
    if _REFERENCE_LIKE.fullmatch(q):
        return commitments.filter(found | Q(reference__icontains=q))
    return commitments.filter(found)


def commitment_list(
    *,
    group: WorkingGroup,
    q: str = "",
    area: ActionArea | None = None,
    status: str = "",
    priority: str = "",
    attention: str = "",
    agency=None,
    party: str = "",
    meeting: Meeting | None = None,
    owner=None,
    mine=None,
    sort: str = "reference",
    today: datetime.date | None = None,
) -> QuerySet[Commitment]:
    """The group's commitments matching the filters, ready for a page of the list (with the
    area, meeting and owner joined and the lead agencies prefetched). `mine` is a user: what
    they own or their agency leads. `party` is a "Led by" value (see `led_by`)."""
    today = today or timezone.localdate()
    qs = Commitment.objects.in_group(group)
    if q:
        qs = matching(qs, q)
    if area is not None:
        qs = qs.filter(action_area=area)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if attention == "overdue":
        qs = qs.overdue(today)
    elif attention == "due_soon":
        qs = qs.due_within(today, DUE_SOON_DAYS)
    elif attention == "inactive":
        qs = qs.inactive_since(inactive_before(today))
    leads = Commitment.lead_agencies.through.objects.filter(commitment=OuterRef("pk"))
    if agency is not None:
        qs = qs.filter(Exists(leads.filter(agency=agency)))
    if party:
        qs = qs.filter(led_by(party))
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if mine is not None:
        my_agency = Affiliation.objects.filter(user=mine).values("agency")
        qs = qs.filter(Q(owner=mine) | Exists(leads.filter(agency__in=my_agency)))
    return _as_listed(qs).order_by(*_SORTS.get(sort or "reference", _SORTS["reference"]))


def _as_listed(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """What a row of the list shows with each commitment: its area, meeting and owner, and its
    lead agencies with their side, by side then acronym."""
    return commitments.select_related("action_area", "meeting", "owner").prefetch_related(
        Prefetch(
            "lead_agencies",
            queryset=Agency.objects.select_related("party").order_by("party__name", "acronym"),
        )
    )


def list_rows(ids: list[int]) -> list[Commitment]:
    """These commitments as a row of the list shows them, in this order, without their long
    texts (2 queries: the commitments with their area, meeting and owner, their lead
    agencies)."""
    found = _as_listed(Commitment.objects.filter(pk__in=ids)).defer(*Commitment.LONG_TEXTS)
    rows = {commitment.pk: commitment for commitment in found}
    return [rows[pk] for pk in ids if pk in rows]


def paginate(queryset, page_number, per_page: int, *, count: int | None = None) -> Page:
    """A page of results; a page number out of range or not a number gives the nearest page.
    A caller that already counted the rows passes `count`, which saves the COUNT query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(page_number)


def list_page(*, group: WorkingGroup, filters: dict, page_number) -> Page:
    """A page of the commitments list for the list's `filters` (commitment_list's
    arguments), without the commitments' long texts. How many match comes from the tallies
    when they can say it (no filter, an area, a status): one short read instead of a count."""
    return paginate(
        commitment_list(group=group, **filters).defer(*Commitment.LONG_TEXTS),
        page_number,
        LIST_PAGE_SIZE,
        count=counted(group=group, filters=filters),
    )


# --------------------------------------------------------------------------- commitment page


@dataclass
class CommitmentDetail:
    """What the commitment page shows besides the commitment, each read when first asked: a
    page kept whole (selectors.page_key) asks for neither, and building the indicators'
    query alone costs a quarter of a millisecond."""

    commitment: Commitment

    @cached_property
    def lead_agencies(self) -> list[Agency]:
        return lead_agencies(commitment=self.commitment)

    @cached_property
    def indicators(self) -> QuerySet[Indicator]:
        return _with_latest_measurement(
            Indicator.objects.filter(commitment=self.commitment).order_by("name")
        )


def lead_agencies(*, commitment: Commitment) -> list[Agency]:
    """The commitment's lead agencies with their party, by side (1 query)."""
    return list(
        Agency.objects.filter(commitments_led=commitment)
        .select_related("party")
        .order_by("party__name", "acronym")
    )


def area_by_slug(*, group: WorkingGroup, slug: str) -> ActionArea | None:
    """The group's area with this slug, or None (a value from a query string)."""
    return ActionArea.objects.in_group(group).filter(slug=slug).first() if slug else None


def commitment_detail(*, commitment: Commitment) -> CommitmentDetail:
    """The lead agencies with their party (1 query) and the indicators with their latest
    measurement (1 query), each read when first asked: the fragments that do not show them,
    and a page kept whole, do not pay for them."""
    return CommitmentDetail(commitment=commitment)


def correctable_entry(*, commitment: Commitment, pk: int) -> FollowUp | None:
    """A follow-up of this commitment that a new one may correct, with its author (1 query)."""
    return (
        FollowUp.objects.follow_ups()
        .filter(commitment=commitment, pk=pk)
        .select_related(*ENTRY_RELATED)
        .first()
    )


def timeline(*, commitment: Commitment, page_number=1) -> Page:
    """The commitment's log (follow-ups and edits), the latest first by the date it happened,
    then by when it was recorded; a page at a time, each entry with its author's agency and
    side (count + page: 2 queries)."""
    entries = (
        FollowUp.objects.filter(commitment=commitment)
        .select_related(*ENTRY_RELATED)
        .order_by("-occurred_on", "-created_at", "-id")
    )
    page = paginate(entries, page_number, TIMELINE_PAGE_SIZE)
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.commitment = commitment  # the one the page shows: no query per entry
    return page


# --------------------------------------------------------------------------- meeting page


def next_meeting_number(group: WorkingGroup) -> int:
    """The number the group's next meeting takes: one more than its highest."""
    highest = Meeting.objects.in_group(group).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


@dataclass
class MeetingDetail:
    meeting: Meeting
    participations: list[Participation]
    source_documents: list
    commitments: Page
    summary: StatusSummary


def meeting_detail(*, meeting: Meeting, page_number=1) -> MeetingDetail:
    """Participants with person, agency and party (1), source documents (1), the status summary
    of what it agreed (1), and a page of those commitments with their area (1: the summary has
    counted them)."""
    participations = list(
        meeting.participations.select_related("person__agency__party").order_by(
            "person__agency__party__name", "role", "person__name"
        )
    )
    source_documents = list(meeting.source_documents.order_by("-published_on", "title"))
    agreed = Commitment.objects.filter(meeting=meeting)
    summary = StatusSummary.from_row(agreed.aggregate(**_status_annotations()))
    commitments = paginate(
        agreed.select_related("action_area").order_by(
            "action_area__order", "action_area__name", "reference"
        ),
        page_number,
        DETAIL_LIST_PAGE_SIZE,
        count=summary.total,
    )
    return MeetingDetail(
        meeting=meeting,
        participations=participations,
        source_documents=source_documents,
        commitments=commitments,
        summary=summary,
    )


# --------------------------------------------------------------------------- action area page


@dataclass
class AreaDetail:
    area: ActionArea
    summary: StatusSummary
    commitments: Page
    indicators: list[Indicator]


def area_detail(*, area: ActionArea, page_number=1) -> AreaDetail:
    """The area's count per status and average progress (1 query), a page of its commitments
    with meeting and owner (1 query: the summary has counted them) and its indicators, directly or through
    one of its commitments, with the latest measurement (1 query)."""
    in_area = Commitment.objects.filter(action_area=area)
    summary = StatusSummary.from_row(in_area.aggregate(**_status_annotations()))
    commitments = paginate(
        in_area.select_related("meeting", "owner").order_by("reference"),
        page_number,
        DETAIL_LIST_PAGE_SIZE,
        count=summary.total,
    )
    indicators = list(
        _with_latest_measurement(
            Indicator.objects.filter(Q(action_area=area) | Q(commitment__action_area=area))
            .select_related("commitment")
            .order_by("name")
        )
    )
    return AreaDetail(area=area, summary=summary, commitments=commitments, indicators=indicators)


__all__ = [
    "DASHBOARD_LIST_SIZE",
    "DETAIL_LIST_PAGE_SIZE",
    "DUE_SOON_DAYS",
    "ENTRY_RELATED",
    "FEED_SIZE",
    "LIST_PAGE_SIZE",
    "TIMELINE_PAGE_SIZE",
    "AreaDetail",
    "CommitmentDetail",
    "Dashboard",
    "MeetingDetail",
    "StatusCount",
    "StatusSummary",
    "area_by_slug",
    "area_detail",
    "commitment_detail",
    "commitment_list",
    "correctable_entry",
    "counted",
    "group_dashboard",
    "group_summaries",
    "inactive_after_days",
    "inactive_before",
    "lead_agencies",
    "led_by",
    "list_page",
    "list_rows",
    "matching",
    "meeting_detail",
    "next_meeting_number",
    "paginate",
    "timeline",
]
