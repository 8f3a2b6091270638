"""Meetings of a working group, who took part, and the documents that record them."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ..rules import no_bidi_controls, not_before_2000
from .base import History, HttpURLField, choices_check
from .groups import GroupScopedQuerySet, Person, WorkingGroup


class SourceKind(models.TextChoices):
    JOINT_STATEMENT = "joint_statement", "Joint statement"
    READOUT = "readout", "Readout"
    PRESS_RELEASE = "press_release", "Press release"
    MINUTES = "minutes", "Minutes"
    NEWS_REPORT = "news_report", "News report"


class SourceDocument(models.Model):
    Kind = SourceKind

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="source_documents"
    )
    title = models.CharField(max_length=300, validators=[no_bidi_controls])
    publisher = models.CharField(max_length=200, validators=[no_bidi_controls])
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty when the document carries no date.",
        validators=[not_before_2000],
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = HttpURLField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text="The document's full text, pasted as published.")
    history = History()

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            choices_check("kind", SourceKind, "sourcedocument_kind_valid"),
            models.UniqueConstraint(
                fields=["working_group", "title"], name="sourcedocument_title_unique_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    HYBRID = "hybrid", "Hybrid"


class Meeting(models.Model):
    Format = MeetingFormat

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=300, validators=[no_bidi_controls])
    start_date = models.DateField(validators=[not_before_2000])
    end_date = models.DateField(validators=[not_before_2000])
    location = models.CharField(max_length=200, blank=True, validators=[no_bidi_controls])
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    opened_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings_opened"
    )
    participants = models.ManyToManyField(
        Person, through="Participation", related_name="meetings", blank=True
    )
    summary = models.TextField(blank=True, validators=[no_bidi_controls])
    source_documents = models.ManyToManyField(SourceDocument, related_name="meetings", blank=True)
    history = History(m2m_fields=[source_documents])

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "number"],
                name="meeting_number_unique_per_group",
                violation_error_message="This working group already has a meeting with this number.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="meeting_ends_after_it_starts",
                violation_error_message="The meeting cannot end before it starts.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="meeting_number_positive"),
            choices_check("format", MeetingFormat, "meeting_format_valid"),
        ]
        indexes = [models.Index(fields=["working_group", "start_date"])]

    def __str__(self) -> str:
        return f"{self.working_group.short_name} meeting {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:meeting_detail", args=[self.working_group.slug, self.number])


class ParticipationRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    DELEGATION_LEAD = "delegation_lead", "Delegation lead"
    DELEGATE = "delegate", "Delegate"


class Participation(models.Model):
    Role = ParticipationRole

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DELEGATE)
    history = History()

    class Meta:
        ordering = ["meeting_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="participation_unique_per_meeting",
                violation_error_message="This person is already listed for this meeting.",
            ),
            choices_check("role", ParticipationRole, "participation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display()})"
