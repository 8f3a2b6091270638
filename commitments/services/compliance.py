"""Compliance reviews: open one for a meeting, propose and confirm each side's scores, close it.

A closed review is frozen: every service here that would change it or its scores refuses with
a ValidationError, the admin's included (it calls the same services). Who may score is a rule
of the domain, checked here with the caller's `GroupAccess`: an analyst proposes the scores of
the side their affiliation names, a coordinator proposes for any side and confirms.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    OPEN_STATUSES,
    Commitment,
    ComplianceReview,
    ComplianceScore,
    Meeting,
    Party,
    ReviewState,
    ScoreState,
    WorkingGroup,
)
from . import base
from .snapshots import snapshot_take

CLOSED = "This review is closed: its scores are frozen."


def _refuse_if_closed(review: ComplianceReview) -> None:
    """Read the state from the database under a lock: a review closed meanwhile refuses too."""
    state = (
        ComplianceReview.objects.select_for_update()
        .values_list("state", flat=True)
        .get(pk=review.pk)
    )
    if state != ReviewState.OPEN:
        raise ValidationError(CLOSED, code="closed")


def commitments_under_review(meeting: Meeting):
    """The commitments a review for `meeting` covers: agreed at this meeting or an earlier one
    and open (not started, in progress or stalled) when the review is opened."""
    return Commitment.objects.filter(
        working_group_id=meeting.working_group_id,
        meeting__start_date__lte=meeting.start_date,
        status__in=OPEN_STATUSES,
    )


@transaction.atomic
def compliance_review_open(
    *, working_group: WorkingGroup, meeting: Meeting, actor
) -> ComplianceReview:
    """A new open review for `meeting`, covering `commitments_under_review(meeting)`."""
    review = base.save(
        ComplianceReview(working_group=working_group, meeting=meeting, opened_by=actor),
        actor=actor,
    )
    # Written row by row from the ids (a new review holds none yet): the related manager's
    # set() would read every commitment and ask for the ones already there with an IN list of
    # all their ids, which PostgreSQL refuses past 65,535 parameters.
    through = ComplianceReview.commitments.through
    through.objects.bulk_create(
        through(compliancereview_id=review.pk, commitment_id=pk)
        for pk in commitments_under_review(meeting).order_by("pk").values_list("pk", flat=True)
    )
    return review


@transaction.atomic
def compliance_review_close(*, review: ComplianceReview, actor) -> ComplianceReview:
    """Close the review (its scores are frozen from now on) and freeze a snapshot of every
    commitment of the group, with the review's confirmed scores."""
    _refuse_if_closed(review)
    review.state = ReviewState.CLOSED
    review.closed_at = timezone.now()
    base.save(review, actor=actor)
    snapshot_take(working_group=review.working_group, review=review, actor=actor)
    return review


def _actor_side_id(actor) -> int | None:
    return (
        Party.objects.filter(agencies__affiliations__user=actor)
        .values_list("pk", flat=True)
        .first()
    )


def _require_may_propose(actor_access, actor, party: Party) -> None:
    if actor_access.can_coordinate:
        return
    if not actor_access.can_follow_up:
        raise PermissionDenied("Your role does not allow scoring.")
    if _actor_side_id(actor) != party.pk:
        raise PermissionDenied(
            f"Analysts propose the scores of their own side only ({party.name} is not yours)."
        )


@transaction.atomic
def compliance_score_propose(
    *,
    review: ComplianceReview,
    commitment: Commitment,
    party: Party,
    score: int,
    rationale: str,
    evidence_url: str = "",
    actor,
    actor_access,
) -> ComplianceScore:
    """Propose (or revise) a side's score for a commitment; a revision of a confirmed score
    needs confirming again. Refused on a closed review, for a commitment outside it, a side
    outside the group, and (PermissionDenied) for an analyst of the other side."""
    _refuse_if_closed(review)
    _require_may_propose(actor_access, actor, party)
    existing = ComplianceScore.objects.filter(
        review=review, commitment=commitment, party=party
    ).first()
    row = existing or ComplianceScore(review=review, commitment=commitment, party=party)
    row.score = score
    row.rationale = (rationale or "").strip()
    row.evidence_url = evidence_url
    row.proposed_by = actor
    row.state = ScoreState.PROPOSED
    row.confirmed_by = None
    return base.save(row, actor=actor)


@transaction.atomic
def compliance_score_confirm(
    *, compliance_score: ComplianceScore, actor, actor_access, **revision: Any
) -> ComplianceScore:
    """A coordinator confirms a score, revising it on the way if `revision` says so (score,
    rationale, evidence_url)."""
    score = compliance_score
    _refuse_if_closed(score.review)
    if not actor_access.can_coordinate:
        raise PermissionDenied("Only a coordinator confirms scores.")
    unknown = set(revision) - {"score", "rationale", "evidence_url"}
    if unknown:
        raise TypeError(f"Not revisable: {sorted(unknown)}")
    for name, value in revision.items():
        setattr(score, name, value.strip() if name == "rationale" else value)
    score.state = ScoreState.CONFIRMED
    score.confirmed_by = actor
    return base.save(score, actor=actor)


# --------------------------------------------------------------------------- the admin's doors
# The admin writes through these; each refuses on a closed review like the services above.


@transaction.atomic
def compliance_review_create(*, actor=None, working_group, meeting, **fields: Any):
    if fields.get("state", ReviewState.OPEN) != ReviewState.OPEN:
        raise ValidationError({"state": "A review is opened open; close it with its button."})
    return compliance_review_open(working_group=working_group, meeting=meeting, actor=actor)


@transaction.atomic
def compliance_review_update(*, compliance_review: ComplianceReview, actor=None, **changes: Any):
    _refuse_if_closed(compliance_review)
    if changes.get("state") == ReviewState.CLOSED:
        changes.pop("state")
        base.update(compliance_review, actor=actor, **changes)
        compliance_review_close(review=compliance_review, actor=actor)
        return compliance_review
    return base.update(compliance_review, actor=actor, **changes)[0]


@transaction.atomic
def compliance_review_delete(*, compliance_review: ComplianceReview, actor=None) -> None:
    _refuse_if_closed(compliance_review)
    base.delete(compliance_review, actor=actor)


@transaction.atomic
def compliance_score_create(*, actor=None, review, **fields: Any) -> ComplianceScore:
    _refuse_if_closed(review)
    return base.create(ComplianceScore, actor=actor, review=review, **fields)


@transaction.atomic
def compliance_score_update(
    *, compliance_score: ComplianceScore, actor=None, **changes: Any
) -> ComplianceScore:
    _refuse_if_closed(compliance_score.review)
    if "review" in changes and changes["review"].pk != compliance_score.review_id:
        _refuse_if_closed(changes["review"])
    return base.update(compliance_score, actor=actor, **changes)[0]


@transaction.atomic
def compliance_score_delete(*, compliance_score: ComplianceScore, actor=None) -> None:
    _refuse_if_closed(compliance_score.review)
    base.delete(compliance_score, actor=actor)
