"""A readout imported for a meeting, and the candidate commitments found in it.

Candidates are never Commitment rows: they do not count anywhere until a coordinator accepts
one, which creates the commitment through `commitments.services` and links it here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commitments.models import (
    ActionArea,
    Commitment,
    GroupScopedQuerySet,
    Meeting,
    Party,
    SourceDocument,
    WorkingGroup,
)


class Readout(models.Model):
    """A document that records a meeting (a joint statement, a readout...), as imported: its
    text is the SourceDocument's; `digest` recognises the same text imported again."""

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="readouts"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="readouts")
    source_document = models.OneToOneField(
        SourceDocument, on_delete=models.PROTECT, related_name="readout"
    )
    reference_date = models.DateField(
        help_text="The date relative due dates count from (“within six months”)."
    )
    filename = models.CharField(
        max_length=200, blank=True, help_text="The uploaded file's name, shown only."
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the normalised text.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="readouts_imported"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "digest"],
                name="readout_text_once_per_group",
                violation_error_message="This text has already been imported for this group.",
            )
        ]

    def __str__(self) -> str:
        return str(self.source_document)


class CandidateState(models.TextChoices):
    PROPOSED = "proposed", "To review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Set aside"
    TRACKED = "tracked", "Already tracked"


class Candidate(models.Model):
    """A passage of a readout that states an agreed or intended action, with what the finder
    suggests for it; or a passage a coordinator selected (`manual`)."""

    State = CandidateState

    readout = models.ForeignKey(Readout, on_delete=models.CASCADE, related_name="candidates")
    paragraph = models.PositiveIntegerField(help_text="1-based.")
    start = models.PositiveIntegerField(help_text="Offset of the passage in its paragraph.")
    end = models.PositiveIntegerField()
    sentence = models.TextField(help_text="The whole sentence, for context.")
    text = models.TextField(help_text="The passage: the exact agreed words.")
    area = models.ForeignKey(ActionArea, on_delete=models.SET_NULL, null=True, blank=True)
    parties = models.JSONField(default=list, blank=True, help_text="Codes of the parties named.")
    title = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    due_text = models.CharField(max_length=200, blank=True)
    due_note = models.CharField(max_length=300, blank=True)
    confidence = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    manual = models.BooleanField(default=False, help_text="Selected by a coordinator.")
    state = models.CharField(
        max_length=20, choices=CandidateState.choices, default=CandidateState.PROPOSED
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="readout_candidates",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["readout_id", "paragraph", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CandidateState.values), name="candidate_state_valid"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="candidate_span"),
            models.UniqueConstraint(
                fields=["readout", "paragraph", "start", "end"],
                name="candidate_passage_once",
                violation_error_message="This passage is already a candidate.",
            ),
        ]
        indexes = [models.Index(fields=["readout", "state"])]

    def __str__(self) -> str:
        return f"{self.readout} ¶{self.paragraph}: {self.title}"


class PartyAlias(models.Model):
    """Other names a readout may use for a party ("Indian", "New Delhi", "American"): data,
    edited in the admin. The party's name and its agencies' names and acronyms are used
    anyway."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=100)

    class Meta:
        ordering = ["party_id", "alias"]
        verbose_name_plural = "party aliases"
        constraints = [
            models.UniqueConstraint(fields=["party", "alias"], name="party_alias_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} ({self.party.code})"
