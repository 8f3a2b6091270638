"""Snapshots: freeze every commitment of a group as it stands now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import (
    IMMUTABLE,
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
    # Plain rows, not model instances (a group of 100,000 commitments would build 300,000):
    # the commitments with their area's name, then every lead agency of the group at once.
    leads: dict[int, list[list[str]]] = {}
    for commitment_id, acronym, code in (
        Commitment.lead_agencies.through.objects.filter(commitment__working_group=working_group)
        .order_by("commitment_id", "agency__party__code", "agency__acronym")
        .values_list("commitment_id", "agency__acronym", "agency__party__code")
    ):
        leads.setdefault(commitment_id, []).append([acronym, code])
    SnapshotRow.objects.bulk_create(
        [
            SnapshotRow(
                snapshot=snapshot,
                commitment_id=pk,
                reference=reference,
                title=title,
                action_area_id=area_id,
                area_name=area_name,
                status=status,
                progress=progress,
                due_date=due_date,
                last_activity_on=last_activity_on,
                leads=leads.get(pk, []),
                scores=scores.get(pk, {}),
            )
            for pk, reference, title, area_id, area_name, status, progress, due_date,
            last_activity_on in Commitment.objects.filter(working_group=working_group)
            .order_by("pk")
            .values_list("pk", "reference", "title", "action_area_id", "action_area__name",
                         "status", "progress", "due_date", "last_activity_on")
        ]
    )  # fmt: skip
    return snapshot


def snapshot_update(**_kwargs) -> None:
    raise ValidationError(IMMUTABLE, code="immutable")


def snapshot_delete(**_kwargs) -> None:
    raise ValidationError(IMMUTABLE, code="immutable")
