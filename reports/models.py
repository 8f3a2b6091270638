"""Each member's settings for what the tracker sends them, and the record of digests sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MemberSettings(models.Model):
    """A member's private calendar feed and weekly digest.

    The feed's address carries a token that is an HMAC of `calendar_key` with the installation's
    SECRET_KEY (see `reports.calendar`): the database never holds the token itself, a new key
    makes every earlier address stop working, and an empty key turns the feed off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_settings"
    )
    calendar_key = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.BooleanField(
        "weekly digest",
        default=True,
        help_text="E-mail me each week what is overdue, due soon, inactive and what changed.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "member's report settings"
        verbose_name_plural = "members' report settings"

    def __str__(self) -> str:
        return f"Report settings of {self.user}"


class DigestState(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DigestDelivery(models.Model):
    """One digest per member per week. The row is claimed (inserted) before the mail is sent:
    the unique constraint makes a second run, or a second server running the command at the
    same moment, skip that member for that week."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    week = models.DateField(help_text="The Monday of the ISO week the digest is for.")
    state = models.CharField(
        max_length=10, choices=DigestState.choices, default=DigestState.SENDING
    )
    since = models.DateTimeField(help_text="What changed is counted from here.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-week", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_user_and_week"),
            models.CheckConstraint(
                condition=models.Q(state__in=DigestState.values), name="digest_state_valid"
            ),
        ]
        verbose_name_plural = "digest deliveries"

    def __str__(self) -> str:
        return f"Digest for {self.user} (week of {self.week})"


class ImportBatch(models.Model):
    """An uploaded file of commitments, read and checked (the dry run), waiting to be applied.
    It keeps the file's cells, not the file, and the version of each commitment at the dry
    run, so that applying it refuses rows changed in the meantime."""

    working_group = models.ForeignKey(
        "commitments.WorkingGroup", on_delete=models.CASCADE, related_name="import_batches"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    filename = models.CharField(max_length=200)
    rows = models.JSONField(help_text="[line number, {heading: text}] per row of the file.")
    versions = models.JSONField(default=dict, help_text="Reference -> version at the dry run.")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.working_group})"
