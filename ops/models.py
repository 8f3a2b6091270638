"""The audit trail in the database: one row per security event, appended and never changed.

Written by `ops.audit.record_event()` (the `audit()` helper calls it beside the log line), so an
investigation does not depend on log files. Rows keep the user's id and name as plain values,
not a foreign key: the trail outlives the account."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """An audit event cannot be changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are never changed.")

    def delete(self):
        raise AppendOnlyError("Audit events are never deleted.")

    # bulk_update() goes through update().


class AuditEvent(models.Model):
    when = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=100, db_index=True)
    level = models.CharField(max_length=10)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=255, blank=True, db_index=True)
    address = models.CharField(max_length=64, blank=True, db_index=True)
    path = models.CharField(max_length=2000, blank=True)
    method = models.CharField(max_length=16, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-when", "-id"]
        verbose_name = "audit event"

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M:%S} {self.event} {self.username or '-'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are never deleted.")
