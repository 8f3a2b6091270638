"""Indicators: the measurable outcomes a working group tracks, and their measurements."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from ..rules import no_bidi_controls, not_before_2000, not_in_future
from .base import History, HttpURLField, choices_check
from .commitments import ActionArea, Commitment
from .groups import GroupScopedQuerySet, Party, WorkingGroup


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
    name = models.CharField(max_length=300, validators=[no_bidi_controls])
    description = models.TextField(blank=True, validators=[no_bidi_controls])
    unit = models.CharField(max_length=50, validators=[no_bidi_controls])
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True, validators=[not_before_2000])
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    source_locator = models.CharField(max_length=100, blank=True)
    history = History()

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "name"],
                name="indicator_name_unique_per_group",
                violation_error_message="This working group already has an indicator with this name.",
            ),
            choices_check("direction", Direction, "indicator_direction_valid"),
        ]
        indexes = [models.Index(fields=["working_group", "action_area"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commitments:indicator_detail", args=[self.working_group.slug, self.pk])

    def clean(self) -> None:
        errors = {}
        if self.working_group_id:
            if self.action_area_id and self.action_area.working_group_id != self.working_group_id:
                errors["action_area"] = "This action area belongs to another working group."
            if self.commitment_id and self.commitment.working_group_id != self.working_group_id:
                errors["commitment"] = "This commitment belongs to another working group."
        if errors:
            raise ValidationError(errors)


class MeasurementQuerySet(GroupScopedQuerySet):
    group_path = "indicator__working_group"


class Measurement(models.Model):
    """A value of an indicator for the period ending `period_end`. A correction changes the
    row through `services.measurement_correct`; its history (who, what, when, why) is kept by
    simple-history and shown on the indicator's page."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period_end = models.DateField(
        help_text="The last day of the period measured (not in the future).",
        validators=[not_in_future, not_before_2000],
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.TextField(blank=True, validators=[no_bidi_controls])
    evidence_url = HttpURLField(max_length=500, blank=True)
    reported_by = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        help_text="The side that reported the value.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = History()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_id", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                name="measurement_unique_per_period",
                violation_error_message="This indicator already has a value for this period.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period_end})"

    def clean(self) -> None:
        if (
            self.indicator_id
            and self.period_end
            and Measurement.objects.filter(
                indicator_id=self.indicator_id, period_end=self.period_end
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"period_end": "This indicator already has a value for this period."}
            )
        if (
            self.reported_by_id
            and self.indicator_id
            and not self.indicator.working_group.parties.filter(pk=self.reported_by_id).exists()
        ):
            raise ValidationError({"reported_by": "This side is not a party of the working group."})
