"""The domain: working groups, their meetings, what they agreed, and how it is followed up.

Data that differs between working groups (parties, agencies, action areas) is rows; only fixed
vocabularies (status, role, format...) are TextChoices, each guarded by a CheckConstraint.
Writes go through `commitments.services`; the querysets here are the reads views reuse.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

http_url_validator = URLValidator(schemes=["http", "https"])


def _choices_check(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# --------------------------------------------------------------------------- parties and people


class Party(models.Model):
    """A side of a bilateral working group, e.g. the United States or India."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        max_length=10, unique=True, help_text="Short code shown in lists, e.g. US or IN."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    acronym = models.CharField(max_length=20)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party__name", "acronym"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["party", "acronym"],
                name="agency_acronym_unique_per_party",
                violation_error_message="This party already has an agency with this acronym.",
            ),
            models.UniqueConstraint(
                fields=["party", "name"],
                name="agency_name_unique_per_party",
                violation_error_message="This party already has an agency with this name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acronym} ({self.party.code})"


class Person(models.Model):
    """Someone named in a source document; not an account."""

    name = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["name", "agency"], name="person_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


# --------------------------------------------------------------------------- working groups


class WorkingGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkingGroupQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user)


class WorkingGroup(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    short_name = models.CharField(
        max_length=20,
        unique=True,
        help_text="Used as the prefix of commitment references, e.g. DPEWG.",
        validators=[
            models.fields.validators.RegexValidator(
                r"^[A-Z][A-Z0-9]*$", "Use capital letters and digits only, e.g. DPEWG."
            )
        ],
    )
    description = models.TextField(blank=True)
    parties = models.ManyToManyField(Party, related_name="working_groups", blank=True)
    lead_agencies = models.ManyToManyField(
        Agency, related_name="led_working_groups", blank=True, help_text="The co-leads."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[parties, lead_agencies])

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commitments:group_dashboard", args=[self.slug])


class MembershipRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    ANALYST = "analyst", "Analyst"
    COORDINATOR = "coordinator", "Coordinator"


class Membership(models.Model):
    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["working_group__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "working_group"],
                name="membership_unique_per_user_and_group",
                violation_error_message="This user is already a member of this working group.",
            ),
            _choices_check("role", MembershipRole, "membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.working_group.short_name} ({self.get_role_display()})"

    @property
    def can_follow_up(self) -> bool:
        return self.role in (self.Role.ANALYST, self.Role.COORDINATOR)

    @property
    def can_coordinate(self) -> bool:
        return self.role == self.Role.COORDINATOR


# --------------------------------------------------------------------------- sources and meetings


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
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty when the document carries no date."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    text = models.TextField(blank=True, help_text="The document's full text, pasted as published.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            _choices_check("kind", SourceKind, "sourcedocument_kind_valid"),
            models.UniqueConstraint(
                fields=["working_group", "title"], name="sourcedocument_title_unique_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        return self.filter(working_group__in=WorkingGroup.objects.visible_to(user))


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
    title = models.CharField(max_length=300)
    start_date = models.DateField()
    end_date = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    opened_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings_opened"
    )
    participants = models.ManyToManyField(
        Person, through="Participation", related_name="meetings", blank=True
    )
    summary = models.TextField(blank=True)
    source_documents = models.ManyToManyField(SourceDocument, related_name="meetings", blank=True)
    history = HistoricalRecords(m2m_fields=[source_documents])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["working_group__name", "-start_date"]
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
            _choices_check("format", MeetingFormat, "meeting_format_valid"),
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="participation_unique_per_meeting",
                violation_error_message="This person is already listed for this meeting.",
            ),
            _choices_check("role", ParticipationRole, "participation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display()})"


# --------------------------------------------------------------------------- action areas


class ActionAreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActionAreaQuerySet:
        return self.filter(working_group__in=WorkingGroup.objects.visible_to(user))


class ActionArea(models.Model):
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="action_areas"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    code = models.CharField(
        max_length=6,
        help_text="Short code used in commitment references, e.g. PC.",
        validators=[
            models.fields.validators.RegexValidator(
                r"^[A-Z][A-Z0-9]*$", "Use capital letters and digits only, e.g. PC."
            )
        ],
    )
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    keywords = models.JSONField(
        default=list,
        blank=True,
        help_text="Words and phrases used to classify text into this area.",
    )
    history = HistoricalRecords()

    objects = ActionAreaQuerySet.as_manager()

    class Meta:
        ordering = ["working_group__name", "order", "name"]
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


class CommitmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> CommitmentQuerySet:
        return self.filter(working_group__in=WorkingGroup.objects.visible_to(user))

    def open(self) -> CommitmentQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> CommitmentQuerySet:
        return self.open().filter(due_date__lt=today)

    def due_within(self, today: datetime.date, days: int) -> CommitmentQuerySet:
        return self.open().filter(
            due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days)
        )

    def inactive_since(self, moment: datetime.datetime) -> CommitmentQuerySet:
        return self.open().filter(last_activity_at__lt=moment)


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
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
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
    due_date = models.DateField(null=True, blank=True)
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
    last_activity_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[lead_agencies])

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["working_group__name", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "reference"],
                name="commitment_reference_unique_per_group",
                violation_error_message="This reference is already used in this working group.",
            ),
            _choices_check("status", Status, "commitment_status_valid"),
            _choices_check("priority", Priority, "commitment_priority_valid"),
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
            models.Index(fields=["working_group", "status"]),
            models.Index(fields=["working_group", "due_date"]),
            models.Index(fields=["working_group", "last_activity_at"]),
            models.Index(fields=["working_group", "action_area", "status"]),
            models.Index(fields=["working_group", "meeting"]),
            models.Index(fields=["working_group", "owner"]),
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

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user) -> FollowUpQuerySet:
        return self.filter(commitment__working_group__in=WorkingGroup.objects.visible_to(user))


class FollowUp(models.Model):
    """One entry in a commitment's log. Append-only: only a superuser may edit or delete one."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="follow_ups")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    occurred_on = models.DateField(help_text="When it happened (not in the future).")
    note = models.TextField(max_length=10000, validators=[MaxLengthValidator(10000)])
    status_before = models.CharField(max_length=20, choices=Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Status.choices, blank=True)
    progress_before = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    evidence_url = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    external_reference = models.CharField(
        max_length=200, blank=True, help_text="An operation name, an incident number…"
    )
    commitment_version = models.PositiveIntegerField(
        editable=False, help_text="The commitment's version after this follow-up."
    )
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(note=""),
                name="followup_note_required",
                violation_error_message="A follow-up needs a note.",
            ),
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
            models.Index(fields=["commitment", "-created_at"]),
            models.Index(fields=["-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.reference} · {self.occurred_on} · {self.author}"

    def clean(self) -> None:
        if self.note is not None and not self.note.strip():
            raise ValidationError({"note": "Write what happened: the note cannot be empty."})
        if self.occurred_on and self.occurred_on > timezone.localdate():
            raise ValidationError({"occurred_on": "The date cannot be in the future."})

    @property
    def status_changed(self) -> bool:
        return bool(self.status_after) and self.status_after != self.status_before

    @property
    def progress_changed(self) -> bool:
        return self.progress_after is not None and self.progress_after != self.progress_before


# --------------------------------------------------------------------------- indicators


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> IndicatorQuerySet:
        return self.filter(working_group__in=WorkingGroup.objects.visible_to(user))


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Indicator(models.Model):
    """A measurable outcome the working group tracks."""

    Direction = Direction

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="indicators"
    )
    action_area = models.ForeignKey(
        ActionArea, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=50)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    source_locator = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["working_group__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "name"],
                name="indicator_name_unique_per_group",
                violation_error_message="This working group already has an indicator with this name.",
            ),
            _choices_check("direction", Direction, "indicator_direction_valid"),
        ]
        indexes = [models.Index(fields=["working_group", "action_area"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.working_group_id:
            if self.action_area_id and self.action_area.working_group_id != self.working_group_id:
                errors["action_area"] = "This action area belongs to another working group."
            if self.commitment_id and self.commitment.working_group_id != self.working_group_id:
                errors["commitment"] = "This commitment belongs to another working group."
        if errors:
            raise ValidationError(errors)


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="measurement_unique_per_period",
                violation_error_message="This indicator already has a value for this period.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period_end})"
