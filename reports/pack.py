"""The briefing pack for a meeting (or for now): its content, gathered once as plain data, then
drawn three ways: a print-ready page, a Word document and an XLSX workbook. A fixed number of
queries whatever the number of commitments.

Per action area, each commitment with its status now (and at the last snapshot when the
outcomes' snapshots exist), the follow-ups since the previous meeting, overdue and inactive
items first; the indicators with their latest values; the compliance table and what changed
since the previous meeting where the outcomes provide them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from commitments import selectors as domain
from commitments.models import (
    OPEN_STATUSES,
    ActionArea,
    Agency,
    Commitment,
    ComplianceReview,
    FollowUp,
    Indicator,
    Measurement,
    Meeting,
    Party,
    ReviewState,
    Snapshot,
    SnapshotRow,
    Status,
    WorkingGroup,
)
from commitments.selectors.charts import LineChart, Point, indicator_chart

# What the pack shows of a commitment and of a follow-up, and all it reads of them: a group of
# 10,000 commitments makes some 50,000 rows, so each is read without the columns (and joined
# rows) it does not show.
COMMITMENT_FIELDS = ("reference", "title", "status", "progress", "due_date", "last_activity_on",
                     "action_area_id")  # fmt: skip
FOLLOW_UP_FIELDS = ("commitment_id", "occurred_on", "kind", "note", "status_before",
                    "status_after")  # fmt: skip
ATTENTION_ORDER = {"overdue": 0, "inactive": 1, "open": 2, "completed": 3, "withdrawn": 4}
DEFAULT_SINCE_DAYS = 90  # with no earlier meeting, follow-ups of the last 90 days


@dataclass
class Item:
    commitment: Commitment  # only the fields the pack shows (COMMITMENT_FIELDS)
    attention: str  # overdue, inactive, open, completed, withdrawn
    follow_ups: list[FollowUp] = field(default_factory=list)
    status_then: str = ""  # at the last snapshot, when there is one
    leads: list[Agency] = field(default_factory=list)  # with their side, by side and acronym

    @property
    def attention_label(self) -> str:
        return {"overdue": "Overdue", "inactive": "Inactive"}.get(self.attention, "")


@dataclass
class AreaSection:
    area: ActionArea
    items: list[Item]
    indicators: list[Indicator]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass
class Pack:
    group: WorkingGroup
    meeting: Meeting | None
    previous: Meeting | None
    since: datetime.date
    today: datetime.date
    classification: str
    sections: list[AreaSection]
    totals: dict[str, int]
    snapshot: Snapshot | None = None  # the last one taken by the pack's day
    changes: domain.Changes | None = None  # since that snapshot
    compliance: domain.ReviewDetail | None = None  # the last closed review
    charts: dict[int, LineChart] = field(default_factory=dict)  # indicator id -> chart

    @property
    def title(self) -> str:
        return title_of(self.meeting, self.today)


def title_of(meeting: Meeting | None, today: datetime.date) -> str:
    if meeting:
        return f"Briefing for meeting {meeting.number}: {meeting.title}"
    return f"Briefing pack, {today:%-d %B %Y}"


def classification_of(value: str | None) -> str:
    text = " ".join((value or "").split())[:120]
    return text or settings.BRIEFING_CLASSIFICATION


def _attention(c: Commitment, today: datetime.date, quiet_before: datetime.date) -> str:
    if c.status == Status.COMPLETED:
        return "completed"
    if c.status == Status.WITHDRAWN:
        return "withdrawn"
    if c.due_date and c.due_date < today:
        return "overdue"
    if c.last_activity_on < quiet_before:
        return "inactive"
    return "open"


def _lead_agencies(group: WorkingGroup) -> dict[int, list[Agency]]:
    """Each commitment's lead agencies, by side then acronym (the database's order), in one
    query of (commitment, agency, its names) rows: one object per agency and side, however
    many commitments they lead."""
    agencies: dict[int, Agency] = {}
    leads: dict[int, list[Agency]] = {}
    for commitment_id, agency_id, acronym, name, party_id, code, party_name in (
        Commitment.lead_agencies.through.objects.filter(commitment__working_group=group)
        .order_by("agency__party__name", "agency__acronym")
        .values_list("commitment_id", "agency_id", "agency__acronym", "agency__name",
                     "agency__party_id", "agency__party__code", "agency__party__name")
    ):  # fmt: skip
        if agency_id not in agencies:
            party = Party(pk=party_id, code=code, name=party_name)
            agencies[agency_id] = Agency(pk=agency_id, acronym=acronym, name=name, party=party)
        leads.setdefault(commitment_id, []).append(agencies[agency_id])
    return leads


def briefing_pack(
    *,
    group: WorkingGroup,
    meeting: Meeting | None = None,
    classification: str | None = None,
    today: datetime.date | None = None,
) -> Pack:
    """A fixed number of queries, whatever the number of commitments: the meetings, the areas,
    the commitments (only what it shows of them), their lead agencies (`_lead_agencies`), the
    follow-ups since the previous meeting, the indicators with their latest measurement and all
    their measurements; then the outcomes: the last snapshot, its statuses and what changed since
    (`changes_between`), and the last closed review's compliance (`review_detail`)."""
    today = today or timezone.localdate()
    quiet_before = domain.inactive_before(today)
    meetings = list(Meeting.objects.in_group(group).order_by("start_date", "number"))
    if meeting is not None:
        earlier = [m for m in meetings if m.start_date < meeting.start_date]
    else:
        earlier = [m for m in meetings if m.end_date <= today]
    previous = earlier[-1] if earlier else None
    since = previous.end_date if previous else today - datetime.timedelta(days=DEFAULT_SINCE_DAYS)

    areas = list(ActionArea.objects.in_group(group).order_by("order", "name"))
    commitments = list(
        Commitment.objects.in_group(group).only(*COMMITMENT_FIELDS).order_by("reference")
    )
    leads = _lead_agencies(group)
    follow_ups: dict[int, list[FollowUp]] = {}
    for entry in (
        FollowUp.objects.in_group(group)
        .filter(occurred_on__gt=since)
        .only(*FOLLOW_UP_FIELDS)
        .order_by("occurred_on", "created_at")
    ):
        follow_ups.setdefault(entry.commitment_id, []).append(entry)
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
    indicators = list(
        Indicator.objects.in_group(group)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period_end=Subquery(latest.values("period_end")[:1]),
        )
        .order_by("name")
    )
    measurements: dict[int, list[Point]] = {}
    for indicator_id, day, value in (
        Measurement.objects.filter(indicator__working_group=group)
        .order_by("period_end")
        .values_list("indicator_id", "period_end", "value")
    ):
        measurements.setdefault(indicator_id, []).append(Point(day, value))
    charts = {
        i.pk: indicator_chart(measurements[i.pk], baseline=i.baseline, target=i.target,
                              target_date=i.target_date)
        for i in indicators
        if i.pk in measurements
    }  # fmt: skip

    # The outcomes: the last snapshot by the pack's day, and the last closed review.
    day = meeting.start_date if meeting else today
    snapshot = (
        Snapshot.objects.in_group(group)
        .filter(taken_at__date__lte=day)
        .order_by("-taken_at", "-pk")
        .first()
    )
    status_then: dict[int, str] = {}
    changes = None
    if snapshot is not None:
        labels = dict(Status.choices)
        status_then = {
            commitment_id: labels.get(status, status)
            for commitment_id, status in SnapshotRow.objects.filter(snapshot=snapshot).values_list(
                "commitment_id", "status"
            )
        }
        changes = domain.changes_between(group=group, before=snapshot)
    review = (
        ComplianceReview.objects.filter(working_group=group, state=ReviewState.CLOSED)
        .select_related("meeting", "working_group")
        .order_by("-opened_at")
        .first()
    )
    compliance = domain.review_detail(review=review) if review is not None else None

    by_area: dict[int, list[Item]] = {area.pk: [] for area in areas}
    totals = dict.fromkeys(ATTENTION_ORDER, 0)
    for c in commitments:
        item = Item(
            c, _attention(c, today, quiet_before), follow_ups.get(c.pk, []),
            status_then.get(c.pk, ""), leads.get(c.pk, []),
        )  # fmt: skip
        by_area.setdefault(c.action_area_id, []).append(item)
        totals[item.attention] += 1
    sections = []
    for area in areas:
        items = sorted(
            by_area.get(area.pk, []),
            key=lambda i: (ATTENTION_ORDER[i.attention], i.commitment.due_date or datetime.date.max,
                           i.commitment.reference),
        )  # fmt: skip
        counts = {key: sum(1 for i in items if i.attention == key) for key in ATTENTION_ORDER}
        sections.append(
            AreaSection(
                area=area,
                items=items,
                indicators=[i for i in indicators if i.action_area_id == area.pk],
                counts=counts,
            )
        )
    totals["all"] = len(commitments)
    totals["open_all"] = sum(1 for c in commitments if c.status in OPEN_STATUSES)
    return Pack(
        group=group,
        meeting=meeting,
        previous=previous,
        since=since,
        today=today,
        classification=classification_of(classification),
        sections=sections,
        totals=totals,
        snapshot=snapshot,
        changes=changes,
        compliance=compliance,
        charts=charts,
    )
