"""What a working group agreed: action areas, commitments, and the follow-ups that track them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import rules
from ..rules import (
    is_visible,
    json_without_nul,
    no_bidi_controls,
    not_before_2000,
    not_in_future,
)
from .base import HistoricalRecordsKnowingRelations, History, HttpURLField, choices_check
from .groups import Agency, GroupScopedQuerySet, WorkingGroup
from .meetings import Meeting, SourceDocument


class ActionArea(models.Model):
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="action_areas"
    )
    name = models.CharField(max_length=200, validators=[no_bidi_controls])
    slug = models.SlugField(max_length=60)
    code = models.CharField(
        max_length=6,
        help_text="Short code used in commitment references, e.g. PC.",
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]*$", "Use capital letters and digits only, e.g. PC.")
        ],
    )
    description = models.TextField(blank=True, validators=[no_bidi_controls])
    order = models.PositiveSmallIntegerField(default=0)
    keywords = models.JSONField(
        default=list,
        blank=True,
        help_text="Words and phrases used to classify text into this area.",
        validators=[json_without_nul],
    )
    history = History()

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "slug"],
                name="actionarea_slug_unique_per_group",
                violation_error_message="This working group already has an area with this slug.",
            ),
            models.UniqueConstraint(
                fields=["working_group", "code"],
                name="actionarea_code_unique_per_group",
                violation_error_message="This working group already has an area with this code.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commitments:area_detail", args=[self.working_group.slug, self.slug])

    def clean(self) -> None:
        if not isinstance(self.keywords, list) or not all(
            isinstance(k, str) and k.strip() for k in self.keywords
        ):
            raise ValidationError({"keywords": "Keywords must be a list of non-empty words."})


# --------------------------------------------------------------------------- commitments


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    STALLED = "stalled", "Stalled"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.STALLED)


def status_progress_error(status: str | None, progress: int | None) -> str | None:
    """The message for a status and progress that contradict each other, else None."""
    if status == Status.NOT_STARTED and progress not in (None, 0):
        return "Progress must be 0 while the status is “Not started”."
    if status == Status.COMPLETED and progress not in (None, 100):
        return "A completed commitment must be at 100% progress."
    return None


class CommitmentQuerySet(GroupScopedQuerySet):
    def open(self) -> CommitmentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> CommitmentQuerySet:
        """Open and due before today (rules.overdue_q)."""
        return self.open().filter(rules.overdue_q(today))

    def due_soon(self, today: datetime.date, days: int = rules.DUE_SOON_DAYS) -> CommitmentQuerySet:
        """Open and due from today to `days` ahead (rules.due_soon_q)."""
        return self.open().filter(rules.due_soon_q(today, days))

    def inactive(self, today: datetime.date) -> CommitmentQuerySet:
        """Open, and nobody has reported on it for rules.inactive_after_days() (see
        `Commitment.last_activity_on`). Not the same as the status “Stalled”, which someone
        chose."""
        return self.open().filter(rules.inactive_q(today))


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Commitment(models.Model):
    Priority = Priority

    Status = Status

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="commitments"
    )
    action_area = models.ForeignKey(
        ActionArea, on_delete=models.PROTECT, related_name="commitments"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="commitments")
    reference = models.CharField(
        max_length=40, editable=False, help_text="Stable reference, e.g. DPEWG-1-PC-01."
    )
    title = models.CharField(max_length=300, validators=[no_bidi_controls])
    description = models.TextField(blank=True, validators=[no_bidi_controls])
    lead_agencies = models.ManyToManyField(Agency, related_name="commitments_led", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments_owned",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    due_date = models.DateField(null=True, blank=True, validators=[not_before_2000])
    source_document = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )
    source_locator = models.CharField(
        max_length=100, blank=True, help_text="Where in the source, e.g. “para. 5”."
    )
    source_excerpt = models.TextField(
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000)],
        help_text="The agreed words, quoted exactly.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    last_activity_on = models.DateField(
        editable=False,
        help_text="The date of the last follow-up, or the day it was agreed (the meeting's "
        "last day) when there is none. Kept by the services.",
    )
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="What the list's search looks in, case-folded: reference, title, "
        "description, agreed words, lead agencies, follow-up notes and external references. "
        "Kept by the services.",
    )
    first_completed_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The date of the first follow-up that completed it (its burn-up month). "
        "Kept by the services.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecordsKnowingRelations(
        m2m_fields=[lead_agencies], excluded_fields=["search_text", "first_completed_on"]
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "reference"],
                name="commitment_reference_unique_per_group",
                violation_error_message="This reference is already used in this working group.",
            ),
            choices_check("status", Status, "commitment_status_valid"),
            choices_check("priority", Priority, "commitment_priority_valid"),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="commitment_progress_0_to_100",
                violation_error_message="Progress must be between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.NOT_STARTED) | Q(progress=0),
                name="commitment_not_started_is_0",
                violation_error_message="Progress must be 0 while the status is “Not started”.",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.COMPLETED) | Q(progress=100),
                name="commitment_completed_is_100",
                violation_error_message="A completed commitment must be at 100% progress.",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="commitment_version_positive"),
        ]
        indexes = [
            # Filters of the list, each followed by its default order (the reference), so a
            # page is read in order from the index, without sorting every matching row.
            models.Index(fields=["working_group", "status", "reference"]),
            models.Index(fields=["working_group", "due_date"]),
            models.Index(fields=["working_group", "last_activity_on"]),
            models.Index(fields=["working_group", "action_area", "status", "reference"]),
            models.Index(fields=["working_group", "meeting"]),
            models.Index(fields=["working_group", "owner"]),
            # The briefing pack's order and numbers (reports.pack): area, attention (from the
            # status and the two dates), due date, reference, read from the index alone.
            # The id too, so that PostgreSQL answers from the index alone as SQLite does (an
            # INCLUDE, which SQLite lacks, would warn on every command there).
            models.Index(
                fields=[
                    "working_group",
                    "action_area",
                    "status",
                    "due_date",
                    "last_activity_on",
                    "reference",
                    "id",
                ],
                name="commitment_pack_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "commitments:commitment_detail", args=[self.working_group.slug, self.reference]
        )

    def clean(self) -> None:
        errors = {}
        if self.working_group_id:
            if self.action_area_id and self.action_area.working_group_id != self.working_group_id:
                errors["action_area"] = "This action area belongs to another working group."
            if self.meeting_id and self.meeting.working_group_id != self.working_group_id:
                errors["meeting"] = "This meeting belongs to another working group."
            if (
                self.source_document_id
                and self.source_document.working_group_id != self.working_group_id
            ):
                errors["source_document"] = "This document belongs to another working group."
        message = status_progress_error(self.status, self.progress)
        if message:
            errors["progress"] = message
        if errors:
            raise ValidationError(errors)

    # Its long texts: a page that shows only its reference and title defers them.
    LONG_TEXTS = ("description", "source_excerpt", "search_text")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and rules.is_overdue(due_date=self.due_date, today=today)


class FollowUpQuerySet(GroupScopedQuerySet):
    def follow_ups(self) -> FollowUpQuerySet:
        """Reports of what happened (not edits of the commitment's details)."""
        return self.filter(kind=EntryKind.FOLLOW_UP)


class EntryKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    EDIT = "edit", "Edit"


class FollowUp(models.Model):
    """One entry in a commitment's log, in the order things happened. Append-only: nobody may
    change or delete one; a mistaken follow-up is corrected by a new one (`corrects`).

    Most entries are follow-ups: someone reports what happened, and may move the status and
    progress. An *edit* entry records a change of the commitment's details (title, area, due
    date, owner, lead agencies) with who made it and why, so that both sides see it: nobody
    can quietly move a deadline. Each entry carries the commitment's version after it.

    It keeps no history of its own (no `History`): an entry is written once, by its author, at
    its `created_at`, and never changed, so a history row would only copy it; the commitment's
    history records what the entry moved."""

    Kind = EntryKind

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="follow_ups", editable=False
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(
        max_length=20, choices=EntryKind.choices, default=EntryKind.FOLLOW_UP, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    occurred_on = models.DateField(
        help_text="When it happened (not in the future).",
        validators=[not_in_future, not_before_2000],
    )
    note = models.TextField(
        max_length=10000,
        blank=True,
        validators=[MaxLengthValidator(10000), no_bidi_controls],
        help_text="What happened; for an edit, why it was made.",
    )
    status_before = models.CharField(max_length=20, choices=Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Status.choices, blank=True)
    progress_before = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    changes = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="For an edit: what changed, as a list of {field, label, before, after}.",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier entry this one corrects.",
    )
    evidence_url = HttpURLField(max_length=500, blank=True)
    external_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="An operation name, an incident number…",
        validators=[no_bidi_controls],
    )
    commitment_version = models.PositiveIntegerField(
        editable=False, help_text="The commitment's version after this entry."
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(note="") | Q(kind=EntryKind.EDIT),
                name="followup_note_required",
                violation_error_message="A follow-up needs a note.",
            ),
            choices_check("kind", EntryKind, "followup_kind_valid"),
            models.CheckConstraint(
                condition=Q(status_before="") | Q(status_before__in=Status.values),
                name="followup_status_before_valid",
            ),
            models.CheckConstraint(
                condition=Q(status_after="") | Q(status_after__in=Status.values),
                name="followup_status_after_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress_after__isnull=True)
                | Q(progress_after__gte=0, progress_after__lte=100),
                name="followup_progress_after_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(progress_before__isnull=True)
                | Q(progress_before__gte=0, progress_before__lte=100),
                name="followup_progress_before_0_to_100",
            ),
            models.UniqueConstraint(
                fields=["commitment", "commitment_version"],
                name="followup_one_per_commitment_version",
            ),
        ]
        indexes = [
            # A commitment's timeline, in the order things happened.
            models.Index(fields=["commitment", "-occurred_on", "-created_at"]),
            # A group's feed and recent activity.
            models.Index(fields=["working_group", "-occurred_on", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.reference} · {self.occurred_on} · {self.author}"

    def clean(self) -> None:
        # A note of only spaces or invisible characters (zero-width space...) says nothing.
        if self.kind == EntryKind.FOLLOW_UP and self.note is not None and not is_visible(self.note):
            raise ValidationError({"note": "Write what happened: the note cannot be empty."})
        if self.corrects_id and self.corrects.commitment_id != self.commitment_id:
            raise ValidationError({"corrects": "That entry belongs to another commitment."})

    @property
    def is_edit(self) -> bool:
        return self.kind == EntryKind.EDIT

    @property
    def status_changed(self) -> bool:
        return bool(self.status_after) and self.status_after != self.status_before

    @property
    def progress_changed(self) -> bool:
        return self.progress_after is not None and self.progress_after != self.progress_before
