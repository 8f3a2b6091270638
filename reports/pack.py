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
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from commitments import rules
from commitments import selectors as domain
from commitments.models import (
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
    items: list[Item]  # those of the pack's part
    indicators: list[Indicator]  # in the part where the area begins, else none
    counts: dict[str, int]  # the whole area's, by attention
    total: int = 0  # the whole area's commitments
    part: int = 1  # the part where the area begins: its heading, indicators (and, when empty, all)
    last_part: int = 1  # the part that holds its last commitment
    continued: bool = False  # begun in an earlier part

    @property
    def parts_line(self) -> str:
        """Which parts hold the area, for the index of parts."""
        if not self.total:
            return f"no commitments (part {self.part})"
        if self.last_part == self.part:
            return f"part {self.part}"
        return f"parts {self.part}–{self.last_part}"


@dataclass
class Pack:
    group: WorkingGroup
    meeting: Meeting | None
    previous: Meeting | None
    since: datetime.date
    today: datetime.date
    classification: str
    areas: list[AreaSection]  # every area, for the cover's numbers (items only in `sections`)
    sections: list[AreaSection]  # the areas this part draws, each with its items of the part
    totals: dict[str, int]
    snapshot: Snapshot | None = None  # the last one taken by the pack's day
    changes: domain.Changes | None = None  # since that snapshot (on the first part)
    compliance: domain.ReviewDetail | None = None  # the last closed review (on the first part)
    charts: dict[int, LineChart] = field(default_factory=dict)  # indicator id -> chart
    part: int = 1
    parts: int = 1
    size: int = 1  # commitments per part (settings.BRIEFING_PART_SIZE when it was read)
    first: int = 0  # the part's first and last commitments, counted from 1 in the pack's order
    last: int = 0

    @property
    def title(self) -> str:
        return title_of(self.meeting, self.today, self.part)

    @property
    def part_line(self) -> str:
        """Where this part stands in the pack; empty for a pack in one part."""
        if self.parts == 1:
            return ""
        where = (
            f"Part {self.part} of {self.parts}: {_numbered(self.first, self.last)} of "
            f"{self.totals['all']:,}, in the pack's order."
        )
        return where + (
            " The compliance of each side and what changed are in part 1."
            if self.part > 1
            else " The numbers are the whole group's."
        )

    @property
    def previous_query(self) -> str:
        return self.query(self.part - 1) if self.part > 1 else ""

    @property
    def next_query(self) -> str:
        return self.query(self.part + 1) if self.part < self.parts else ""

    @property
    def asked(self) -> dict:
        """What was asked besides the part (meeting, classification line), as query values."""
        asked = {"meeting": self.meeting.number} if self.meeting else {}
        if self.classification != settings.BRIEFING_CLASSIFICATION:
            asked["classification"] = self.classification
        return asked

    def query(self, part: int) -> str:
        """The query string of another part of this pack: same meeting and classification."""
        asked = {**self.asked, "part": part} if part > 1 else self.asked
        return f"?{urlencode(asked)}" if asked else ""


def _numbered(first: int, last: int) -> str:
    return f"commitment {first:,}" if first == last else f"commitments {first:,}–{last:,}"


def part_size() -> int:
    """Commitments per part of the pack (settings.BRIEFING_PART_SIZE): a group of more is
    printed in parts, so that a page, a document and the memory each takes stay bounded."""
    return settings.BRIEFING_PART_SIZE


def title_of(meeting: Meeting | None, today: datetime.date, part: int = 1) -> str:
    title = (
        f"Briefing for meeting {meeting.number}: {meeting.title}"
        if meeting
        else f"Briefing pack, {today:%-d %B %Y}"
    )
    return f"{title}, part {part}" if part > 1 else title


def classification_of(value: str | None) -> str:
    text = " ".join((value or "").split())[:120]
    return text or settings.BRIEFING_CLASSIFICATION


ATTENTIONS = list(ATTENTION_ORDER)  # by rank


def attention_rank(today: datetime.date) -> Case:
    """A commitment's attention (ATTENTION_ORDER) as its rank, in SQL: completed, withdrawn;
    else overdue, inactive (domain rules: `rules.overdue_q`, `rules.inactive_q`), open."""
    rank = ATTENTION_ORDER
    return Case(
        When(status=Status.COMPLETED, then=Value(rank["completed"])),
        When(status=Status.WITHDRAWN, then=Value(rank["withdrawn"])),
        When(rules.overdue_q(today), then=Value(rank["overdue"])),
        When(rules.inactive_q(today), then=Value(rank["inactive"])),
        default=Value(rank["open"]),
        output_field=IntegerField(),
    )


def _lead_agencies(ids: list[int]) -> dict[int, list[Agency]]:
    """The lead agencies of these commitments, by side then acronym (the database's order), in
    one query of (commitment, agency, its names) rows: one object per agency and side, however
    many commitments they lead."""
    agencies: dict[int, Agency] = {}
    leads: dict[int, list[Agency]] = {}
    for commitment_id, agency_id, acronym, name, party_id, code, party_name in (
        Commitment.lead_agencies.through.objects.filter(commitment_id__in=ids)
        .order_by("agency__party__name", "agency__acronym")
        .values_list("commitment_id", "agency_id", "agency__acronym", "agency__name",
                     "agency__party_id", "agency__party__code", "agency__party__name")
    ):  # fmt: skip
        if agency_id not in agencies:
            party = Party(pk=party_id, code=code, name=party_name)
            agencies[agency_id] = Agency(pk=agency_id, acronym=acronym, name=name, party=party)
        leads.setdefault(commitment_id, []).append(agencies[agency_id])
    return leads


def numbers(group: WorkingGroup, rank: Case):
    """(area id, attention rank, how many) of the group's commitments: read from the index
    `commitment_pack_order` alone (tests/test_query_plans.py)."""
    return (
        Commitment.objects.in_group(group)
        .annotate(rank=rank)
        .values_list("action_area_id", "rank")
        .annotate(n=Count("pk"))
        .order_by()
    )


def in_order(group: WorkingGroup, rank: Case, areas: list[ActionArea]):
    """The ids of these areas' commitments in the pack's order: area (in the order given),
    attention, due date and reference; read from the index `commitment_pack_order` alone,
    and only the entries of these areas."""
    position = Case(
        *(When(action_area_id=area.pk, then=Value(n)) for n, area in enumerate(areas)),
        default=Value(len(areas)),
        output_field=IntegerField(),
    )
    return (
        Commitment.objects.in_group(group)
        .filter(action_area__in=[area.pk for area in areas])
        .annotate(rank=rank, position=position)
        .order_by("position", "rank", F("due_date").asc(nulls_last=True), "reference")
        .values_list("pk", flat=True)
    )


def briefing_pack(
    *,
    group: WorkingGroup,
    meeting: Meeting | None = None,
    classification: str | None = None,
    today: datetime.date | None = None,
    part: int = 1,
) -> Pack:
    """One part of the pack (the whole pack for a group of at most `part_size()` commitments;
    Http404 for a part it does not have). A fixed number of queries, whatever the number of
    commitments: the meetings, the areas, the group's numbers by area and attention, the part's
    ids in the pack's order, its commitments (only what it shows of them), their lead agencies (`_lead_agencies`) and
    follow-ups since the previous meeting, the indicators with their latest measurement and all
    their measurements; then the outcomes: the last snapshot and the part's statuses in it, and,
    on the first part, what changed since (`changes_between`) and the last closed review's
    compliance (`review_detail`)."""
    today = today or timezone.localdate()
    rank = attention_rank(today)
    meetings = list(Meeting.objects.in_group(group).order_by("start_date", "number"))
    if meeting is not None:
        earlier = [m for m in meetings if m.start_date < meeting.start_date]
    else:
        earlier = [m for m in meetings if m.end_date <= today]
    previous = earlier[-1] if earlier else None
    since = previous.end_date if previous else today - datetime.timedelta(days=DEFAULT_SINCE_DAYS)

    # The group's numbers, by area and attention: one aggregate, whatever the size.
    areas = list(ActionArea.objects.in_group(group).order_by("order", "name"))
    counts = {area.pk: dict.fromkeys(ATTENTION_ORDER, 0) for area in areas}
    for area_id, attention, n in numbers(group, rank):
        counts.setdefault(area_id, dict.fromkeys(ATTENTION_ORDER, 0))[ATTENTIONS[attention]] += n
    totals = {key: sum(c[key] for c in counts.values()) for key in ATTENTION_ORDER}
    totals["all"] = sum(totals.values())
    totals["open_all"] = totals["all"] - totals["completed"] - totals["withdrawn"]
    size = part_size()
    parts = max(1, -(-totals["all"] // size))
    if not 1 <= part <= parts:
        raise Http404("The pack has no such part.")
    first = (part - 1) * size

    # The part's commitments, in the pack's order: by area, what needs attention first, then
    # by due date and reference. Their ids first, from the index that holds the order's
    # columns (models.Commitment.Meta.indexes), reading only the entries of the areas the
    # part spans (each area's place in the order is known from the numbers); then their rows,
    # sorted again in Python (the database's collation may order references otherwise, which
    # would only move a commitment within its part).
    area_total = {area.pk: sum(counts[area.pk].values()) for area in areas}
    starts, start = {}, 0
    for area in areas:
        starts[area.pk], start = start, start + area_total[area.pk]
    spans = [
        a for a in areas if starts[a.pk] < first + size and starts[a.pk] + area_total[a.pk] > first
    ]
    skip = first - starts[spans[0].pk] if spans else 0
    ids = list(in_order(group, rank, spans)[skip : skip + size])
    position = {area.pk: n for n, area in enumerate(areas)}
    commitments = sorted(
        Commitment.objects.filter(pk__in=ids).only(*COMMITMENT_FIELDS).annotate(rank=rank),
        key=lambda c: (position.get(c.action_area_id, len(areas)), c.rank,
                       c.due_date or datetime.date.max, c.reference),
    )  # fmt: skip
    leads = _lead_agencies(ids)
    follow_ups: dict[int, list[FollowUp]] = {}
    for entry in (
        FollowUp.objects.filter(commitment_id__in=ids, occurred_on__gt=since)
        .only(*FOLLOW_UP_FIELDS)
        .order_by("occurred_on", "created_at")
    ):
        follow_ups.setdefault(entry.commitment_id, []).append(entry)

    # Each area begins in one part, which draws its heading and indicators (an empty area: the
    # part its place in the order falls in); a later part that holds more of it continues it.
    begins = {area.pk: min(starts[area.pk] // size + 1, parts) for area in areas}
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
    indicators = [
        i
        for i in Indicator.objects.in_group(group)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_period_end=Subquery(latest.values("period_end")[:1]),
        )
        .order_by("name")
        if begins.get(i.action_area_id) == part
    ]
    measurements: dict[int, list[Point]] = {}
    for indicator_id, day, value in (
        Measurement.objects.filter(indicator__in=[i.pk for i in indicators])
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
            for commitment_id, status in SnapshotRow.objects.filter(
                snapshot=snapshot, commitment_id__in=ids
            ).values_list("commitment_id", "status")
        }
        if part == 1:
            changes = domain.changes_between(group=group, before=snapshot)
    compliance = None
    if part == 1:
        review = (
            ComplianceReview.objects.filter(working_group=group, state=ReviewState.CLOSED)
            .select_related("meeting", "working_group")
            .order_by("-opened_at")
            .first()
        )
        compliance = domain.review_detail(review=review) if review is not None else None

    by_area: dict[int, list[Item]] = {}
    for c in commitments:
        item = Item(
            c, ATTENTIONS[c.rank], follow_ups.get(c.pk, []), status_then.get(c.pk, ""),
            leads.get(c.pk, []),
        )  # fmt: skip
        by_area.setdefault(c.action_area_id, []).append(item)
    every_area = [
        AreaSection(
            area=area,
            items=by_area.get(area.pk, []),
            indicators=[i for i in indicators if i.action_area_id == area.pk],
            counts=counts[area.pk],
            total=area_total[area.pk],
            part=begins[area.pk],
            last_part=min((starts[area.pk] + max(area_total[area.pk], 1) - 1) // size + 1, parts),
            continued=begins[area.pk] < part,
        )
        for area in areas
    ]
    return Pack(
        group=group,
        meeting=meeting,
        previous=previous,
        since=since,
        today=today,
        classification=classification_of(classification),
        areas=every_area,
        sections=[s for s in every_area if s.items or s.part == part],
        totals=totals,
        snapshot=snapshot,
        changes=changes,
        compliance=compliance,
        charts=charts,
        part=part,
        parts=parts,
        size=size,
        first=first + 1 if commitments else 0,
        last=first + len(commitments),
    )
