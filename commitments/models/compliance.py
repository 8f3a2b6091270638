"""Per-side compliance at each meeting: a review of the commitments open at a meeting's date,
scored for each side on the G7/G20 Research Group's scale, and frozen when it is closed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..rules import http_url_validator
from .base import History, choices_check
from .commitments import Commitment
from .groups import GroupScopedQuerySet, Party, WorkingGroup
from .meetings import Meeting


class ReviewState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ComplianceReview(models.Model):
    """A review of the commitments open at a meeting's date (`commitments`, fixed when it is
    opened). Scores can be proposed and revised while it is open; closing it freezes them."""

    State = ReviewState

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="compliance_reviews"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="compliance_reviews"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_reviews_opened",
    )
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN)
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    commitments = models.ManyToManyField(
        Commitment, related_name="compliance_reviews", blank=True, editable=False
    )
    history = History()

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "meeting"],
                name="compliancereview_one_per_meeting",
                violation_error_message="This meeting already has a compliance review.",
            ),
            choices_check("state", ReviewState, "compliancereview_state_valid"),
            models.CheckConstraint(
                condition=Q(state=ReviewState.OPEN, closed_at__isnull=True)
                | Q(state=ReviewState.CLOSED, closed_at__isnull=False),
                name="compliancereview_closed_when_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Compliance review for {self.meeting}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:review_detail", args=[self.working_group.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == ReviewState.OPEN

    def clean(self) -> None:
        if (
            self.working_group_id
            and self.meeting_id
            and self.meeting.working_group_id != self.working_group_id
        ):
            raise ValidationError({"meeting": "This meeting belongs to another working group."})


class ScoreState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"


class Score(models.IntegerChoices):
    """The G7/G20 Research Group's compliance scale."""

    NO_ACTION = -1, "−1: no action, or backsliding"
    PARTIAL = 0, "0: partial, or in progress"
    FULL = 1, "+1: full, or nearly full"


class ComplianceScore(models.Model):
    """One side's compliance with one commitment in a review: proposed by an analyst of that
    side (or a coordinator), confirmed by a coordinator. Only confirmed scores count."""

    State = ScoreState
    Value = Score

    review = models.ForeignKey(ComplianceReview, on_delete=models.CASCADE, related_name="scores")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="compliance_scores"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="compliance_scores")
    score = models.SmallIntegerField(choices=Score.choices)
    rationale = models.TextField(max_length=4000)
    evidence_url = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_scores_proposed",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_scores_confirmed",
    )
    state = models.CharField(max_length=10, choices=ScoreState.choices, default=ScoreState.PROPOSED)
    updated_at = models.DateTimeField(auto_now=True)
    history = History()

    class Meta:
        ordering = ["review_id", "commitment_id", "party_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "commitment", "party"],
                name="compliancescore_one_per_side",
                violation_error_message="This side already has a score for this commitment.",
            ),
            models.CheckConstraint(
                condition=Q(score__in=Score.values),
                name="compliancescore_score_on_scale",
                violation_error_message="A score is −1, 0 or +1.",
            ),
            choices_check("state", ScoreState, "compliancescore_state_valid"),
            models.CheckConstraint(
                condition=~Q(rationale=""),
                name="compliancescore_rationale_required",
                violation_error_message="Give the reasons for the score.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.reference} · {self.party.code}: {self.score:+d}"

    def clean(self) -> None:
        errors = {}
        if self.rationale is not None and not self.rationale.strip():
            errors["rationale"] = "Give the reasons for the score."
        review, commitment_id, party_id = self.review_id, self.commitment_id, self.party_id
        if (
            review
            and commitment_id
            and not self.review.commitments.filter(pk=commitment_id).exists()
        ):
            errors["commitment"] = "This commitment is not part of the review."
        if (
            review
            and party_id
            and not self.review.working_group.parties.filter(pk=party_id).exists()
        ):
            errors["party"] = "This side is not a party of the working group."
        if errors:
            raise ValidationError(errors)
