"""Snapshots: freeze every commitment of a group as it stands now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from ..models import (
    IMMUTABLE,
    Agency,
    Commitment,
    ComplianceReview,
    ComplianceScore,
    ReviewState,
    ScoreState,
    Snapshot,
    SnapshotRow,
    WorkingGroup,
)
from . import base


@transaction.atomic
def snapshot_take(
    *,
    working_group: WorkingGroup,
    actor=None,
    review: ComplianceReview | None = None,
    label: str = "",
) -> Snapshot:
    """A snapshot of every commitment of the group: status, progress, due date, last activity,
    lead agencies with their side, and the confirmed scores of `review` (or, without one, of
    the group's latest closed review). A fixed number of queries whatever the size: the rows
    are copied from validated commitments and written in one statement."""
    if review is not None and review.working_group_id != working_group.pk:
        raise ValidationError({"review": "This review belongs to another working group."})
    if not label:
        label = f"Review for meeting {review.meeting.number} closed" if review else "Snapshot"
    snapshot = base.save(
        Snapshot(working_group=working_group, review=review, taken_by=actor, label=label)
    )
    scored = review or (
        ComplianceReview.objects.filter(working_group=working_group, state=ReviewState.CLOSED)
        .order_by("-opened_at")
        .first()
    )
    scores: dict[int, dict[str, int]] = {}
    if scored is not None:
        for commitment_id, code, value in ComplianceScore.objects.filter(
            review=scored, state=ScoreState.CONFIRMED
        ).values_list("commitment_id", "party__code", "score"):
            scores.setdefault(commitment_id, {})[code] = value
    commitments = (
        Commitment.objects.filter(working_group=working_group)
        .select_related("action_area")
        .prefetch_related(
            Prefetch(
                "lead_agencies",
                queryset=Agency.objects.select_related("party").order_by("party__code", "acronym"),
            )
        )
    )
    SnapshotRow.objects.bulk_create(
        [
            SnapshotRow(
                snapshot=snapshot,
                commitment=c,
                reference=c.reference,
                title=c.title,
                action_area=c.action_area,
                area_name=c.action_area.name,
                status=c.status,
                progress=c.progress,
                due_date=c.due_date,
                last_activity_on=c.last_activity_on,
                leads=[[a.acronym, a.party.code] for a in c.lead_agencies.all()],
                scores=scores.get(c.pk, {}),
            )
            for c in commitments
        ]
    )
    return snapshot


def snapshot_update(**_kwargs) -> None:
    raise ValidationError(IMMUTABLE, code="immutable")


def snapshot_delete(**_kwargs) -> None:
    raise ValidationError(IMMUTABLE, code="immutable")
