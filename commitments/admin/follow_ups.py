"""Admin of follow-ups: the business log, read-only for everyone."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator

from common.admin import ReadOnlyAdminMixin

from ..models import FollowUp, Status
from ..services.conflicts import describe
from .base import LabelledAdmin, ReadOnlyInline, related_filter


class FollowUpInline(ReadOnlyInline):
    """A commitment's log, newest first (by the date things happened), read-only: follow-ups
    are added with the form above, edits are recorded when the details change."""

    model = FollowUp
    fields = ("occurred_on", "author", "change", "note", "evidence", "created_at")
    readonly_fields = fields
    ordering = ("-occurred_on", "-created_at", "-id")
    verbose_name_plural = "Follow-ups, newest first"

    def get_queryset(self, request):
        # The commitment too: each row's heading is the follow-up's __str__.
        return super().get_queryset(request).select_related("author", "commitment")

    @admin.display(description="Change")
    def change(self, obj: FollowUp) -> str:
        return follow_up_change(obj)

    @admin.display(description="Evidence")
    def evidence(self, obj: FollowUp) -> str:
        if not obj.evidence_url:
            return obj.external_reference or "–"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            obj.evidence_url,
            obj.external_reference or "link",
        )


def follow_up_change(obj: FollowUp) -> str:
    if obj.is_edit:
        return describe(obj)
    parts = []
    if obj.status_changed:
        parts.append(
            f"{Status(obj.status_before).label if obj.status_before else '?'} → "
            f"{Status(obj.status_after).label}"
        )
    if obj.progress_changed:
        parts.append(f"{obj.progress_before}% → {obj.progress_after}%")
    return "; ".join(parts) or "–"


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, LabelledAdmin):
    """The business log, read-only for everyone, superusers included: nobody adds one here
    (use the commitment's form or the analysts' pages), and nobody changes or deletes one. A
    mistaken follow-up is corrected by a new one that names it. No history of its own either
    (see the model): its history page says so and links to the commitment's history
    (templates/admin/commitments/followup/object_history.html)."""

    list_display = (
        "commitment_reference",
        "occurred_on",
        "kind",
        "author",
        "change",
        "short_note",
        "external_reference",
        "created_at",
    )
    list_display_links = ("commitment_reference", "occurred_on")
    list_filter = (
        "kind",
        "status_after",
        "commitment__working_group",
        ("author", related_filter(only_used=True)),
    )
    list_select_related = ("commitment", "author")
    search_fields = ("note", "commitment__reference", "external_reference", "author__username")
    search_help_text = "Note, commitment reference, external reference or author."
    date_hierarchy = "occurred_on"
    ordering = ("-occurred_on", "-created_at", "-id")
    readonly_fields = (
        "commitment",
        "author",
        "created_at",
        "commitment_version",
        "status_before",
        "status_after",
        "progress_before",
        "progress_after",
    )
    fields = (
        ("commitment", "commitment_version"),
        ("author", "created_at"),
        "occurred_on",
        ("status_before", "status_after"),
        ("progress_before", "progress_after"),
        "note",
        ("evidence_url", "external_reference"),
    )

    @admin.display(description="Commitment", ordering="commitment__reference")
    def commitment_reference(self, obj: FollowUp) -> str:
        return obj.commitment.reference

    @admin.display(description="Change")
    def change(self, obj: FollowUp) -> str:
        return follow_up_change(obj)

    @admin.display(description="Note")
    def short_note(self, obj: FollowUp) -> str:
        return Truncator(obj.note).chars(90)
