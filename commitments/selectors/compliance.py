"""Per-side compliance, as the G7/G20 Research Group's reports compute it: the average of the
confirmed scores (-1, 0, +1) and the percentage ((average + 1) / 2 x 100), per side, per action
area and overall, with the movement since the previous closed review.

Plain data (dataclasses of numbers, names and model rows already loaded): the review page
renders it, and the briefing pack (reports) prints the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..models import (
    ActionArea,
    Commitment,
    ComplianceReview,
    ComplianceScore,
    Party,
    ReviewState,
    ScoreState,
)


@dataclass(frozen=True)
class Compliance:
    """`count` confirmed scores adding up to `total`."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / self.count).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def percent(self) -> Decimal | None:
        """(average + 1) / 2 x 100, to one decimal, from the unrounded average."""
        if not self.count:
            return None
        exact = (Decimal(self.total) / self.count + 1) / 2 * 100
        return exact.quantize(Decimal("0.1"), ROUND_HALF_UP)

    def add(self, score: int) -> Compliance:
        return Compliance(self.count + 1, self.total + score)


def movement(now: Compliance, before: Compliance | None) -> Decimal | None:
    """Percentage points gained (or lost) since the previous review; None when either is empty."""
    if before is None or now.percent is None or before.percent is None:
        return None
    return now.percent - before.percent


@dataclass
class Cell:
    party: Party
    score: ComplianceScore | None
    previous: int | None  # the confirmed score in the previous review


@dataclass
class Row:
    commitment: Commitment
    cells: list[Cell]


@dataclass
class AreaRecord:
    area: ActionArea
    rows: list[Row] = field(default_factory=list)
    per_side: dict[int, Compliance] = field(default_factory=dict)  # party id -> compliance
    previous_per_side: dict[int, Compliance] = field(default_factory=dict)


@dataclass
class SideRecord:
    party: Party
    overall: Compliance
    previous: Compliance | None
    # (area, compliance now, at the previous review, movement in points)
    per_area: list[tuple[ActionArea, Compliance, Compliance | None, Decimal | None]]

    @property
    def movement(self) -> Decimal | None:
        return movement(self.overall, self.previous)


@dataclass
class ReviewDetail:
    review: ComplianceReview
    parties: list[Party]
    areas: list[AreaRecord]
    sides: list[SideRecord]
    overall: Compliance
    previous_review: ComplianceReview | None
    previous_overall: Compliance | None
    proposed: int  # scores awaiting a coordinator's confirmation

    @property
    def movement(self) -> Decimal | None:
        return movement(self.overall, self.previous_overall)


def previous_review(review: ComplianceReview) -> ComplianceReview | None:
    """The group's latest closed review opened before this one (1 query)."""
    return (
        ComplianceReview.objects.filter(
            working_group_id=review.working_group_id,
            state=ReviewState.CLOSED,
            opened_at__lt=review.opened_at,
        )
        .select_related("meeting")
        .order_by("-opened_at")
        .first()
    )


def review_detail(*, review: ComplianceReview) -> ReviewDetail:
    """The review's table and figures (5 queries): the group's sides, the commitments under
    review with their area, the scores with who proposed and confirmed them, the previous
    closed review and its confirmed scores."""
    parties = list(review.working_group.parties.order_by("name"))
    commitments = list(
        review.commitments.select_related("action_area").order_by(
            "action_area__order", "action_area__name", "reference"
        )
    )
    scores = {
        (s.commitment_id, s.party_id): s
        for s in ComplianceScore.objects.filter(review=review).select_related(
            "proposed_by", "confirmed_by"
        )
    }
    before = previous_review(review)
    before_scores: dict[tuple[int, int], int] = {}
    if before is not None:
        before_scores = {
            (c, p): v
            for c, p, v in ComplianceScore.objects.filter(
                review=before, state=ScoreState.CONFIRMED
            ).values_list("commitment_id", "party_id", "score")
        }

    areas: dict[int, AreaRecord] = {}
    overall, previous_overall = Compliance(), Compliance()
    side_now = {p.pk: Compliance() for p in parties}
    side_before = {p.pk: Compliance() for p in parties}
    proposed = 0
    for c in commitments:
        record = areas.setdefault(c.action_area_id, AreaRecord(area=c.action_area))
        cells = []
        for p in parties:
            score = scores.get((c.pk, p.pk))
            earlier = before_scores.get((c.pk, p.pk))
            cells.append(Cell(party=p, score=score, previous=earlier))
            if score is not None and score.state == ScoreState.CONFIRMED:
                record.per_side[p.pk] = record.per_side.get(p.pk, Compliance()).add(score.score)
                side_now[p.pk] = side_now[p.pk].add(score.score)
                overall = overall.add(score.score)
            elif score is not None:
                proposed += 1
            if earlier is not None:
                record.previous_per_side[p.pk] = record.previous_per_side.get(
                    p.pk, Compliance()
                ).add(earlier)
                side_before[p.pk] = side_before[p.pk].add(earlier)
                previous_overall = previous_overall.add(earlier)
        record.rows.append(Row(commitment=c, cells=cells))

    sides = [
        SideRecord(
            party=p,
            overall=side_now[p.pk],
            previous=side_before[p.pk] if before is not None else None,
            per_area=[
                (a.area, now, earlier, movement(now, earlier))
                for a in areas.values()
                for now in [a.per_side.get(p.pk, Compliance())]
                for earlier in [a.previous_per_side.get(p.pk) if before is not None else None]
            ],
        )
        for p in parties
    ]
    return ReviewDetail(
        review=review,
        parties=parties,
        areas=list(areas.values()),
        sides=sides,
        overall=overall,
        previous_review=before,
        previous_overall=previous_overall if before is not None else None,
        proposed=proposed,
    )


def reviews(*, group) -> list[ComplianceReview]:
    """The group's reviews, the latest first, with their meeting (1 query)."""
    return list(
        ComplianceReview.objects.in_group(group)
        .select_related("meeting", "opened_by")
        .order_by("-opened_at")
    )


def review_commitment(*, review: ComplianceReview, reference: str) -> Commitment | None:
    """The commitment under review with this reference, with its area (1 query)."""
    return review.commitments.select_related("action_area").filter(reference=reference).first()


def group_party(*, group, code: str) -> Party | None:
    """The group's side with this code (1 query)."""
    return group.parties.filter(code=code).first()


def review_score(*, review, commitment, party) -> ComplianceScore | None:
    return (
        ComplianceScore.objects.filter(review=review, commitment=commitment, party=party)
        .select_related("proposed_by", "confirmed_by")
        .first()
    )
