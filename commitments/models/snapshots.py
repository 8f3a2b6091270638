"""Snapshots: every commitment of a group as it stood at one moment (status, progress, due
date, leads, compliance scores), frozen when a review closes or on demand. Immutable: the
rows are written once, by `services.snapshot_take`, and refuse every later change, whatever
the path (save, delete, queryset update or delete)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .commitments import ActionArea, Commitment, Status
from .compliance import ComplianceReview
from .groups import GroupScopedQuerySet, WorkingGroup

IMMUTABLE = "Snapshots are immutable: take a new one instead."


class ImmutableQuerySet(GroupScopedQuerySet):
    def update(self, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")

    def delete(self):
        raise ValidationError(IMMUTABLE, code="immutable")


class ImmutableModel(models.Model):
    """Written once: a second save or a delete is refused (an invariant of the data, like a
    constraint, rather than a business rule: nothing may ever change a snapshot)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(IMMUTABLE, code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUTABLE, code="immutable")


class Snapshot(ImmutableModel):
    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.PROTECT, related_name="snapshots"
    )
    review = models.OneToOneField(
        ComplianceReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="snapshot",
        help_text="The review whose closing took it, if any.",
    )
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="snapshots_taken",
    )
    label = models.CharField(max_length=200, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["working_group_id", "-taken_at"]
        indexes = [models.Index(fields=["working_group", "-taken_at"])]

    def __str__(self) -> str:
        when = timezone.localtime(self.taken_at).strftime("%-d %b %Y %H:%M")
        return f"{self.label or 'Snapshot'} ({when})"


class SnapshotRowQuerySet(ImmutableQuerySet):
    group_path = "snapshot__working_group"


class SnapshotRow(ImmutableModel):
    """One commitment in a snapshot, copied (not referenced) so that later edits of the
    commitment, its area or its leads do not change what the snapshot says."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="rows")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="snapshot_rows"
    )
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    action_area = models.ForeignKey(
        ActionArea, on_delete=models.PROTECT, related_name="snapshot_rows"
    )
    area_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices)
    progress = models.PositiveSmallIntegerField()
    due_date = models.DateField(null=True, blank=True)
    last_activity_on = models.DateField()
    leads = models.JSONField(default=list, help_text="Lead agencies: [[acronym, party code]].")
    scores = models.JSONField(
        default=dict, help_text="Confirmed compliance scores: {party code: -1, 0 or 1}."
    )

    objects = SnapshotRowQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot_id", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "commitment"], name="snapshotrow_one_per_commitment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} in {self.snapshot}"

    @property
    def sides(self) -> list[str]:
        return sorted({code for _acronym, code in self.leads})
