"""Admin of meetings and who took part in them."""

from __future__ import annotations

from django.contrib import admin

from ..models import Commitment, Meeting, Participation
from .base import (
    ReadOnlyInline,
    ServiceAdmin,
    ServiceInline,
    changelist_link,
    count_of,
    related_filter,
)


class ParticipationInline(ServiceInline):
    model = Participation
    fields = ("person", "role")
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class CommitmentSummaryInline(ReadOnlyInline):
    """What the meeting agreed, read-only: commitments are changed on their own page."""

    model = Commitment
    fields = ("reference", "title", "action_area", "status", "progress", "due_date")
    readonly_fields = fields
    verbose_name_plural = "Commitments agreed at this meeting"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("action_area", "working_group")


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    list_display = (
        "number",
        "title",
        "working_group",
        "start_date",
        "end_date",
        "location",
        "format",
        "participant_count",
        "commitment_count",
    )
    list_display_links = ("number", "title")
    list_filter = ("working_group", "format")
    list_select_related = ("working_group",)
    search_fields = ("title", "location", "summary", "working_group__short_name")
    autocomplete_fields = ("working_group", "opened_by", "source_documents")
    date_hierarchy = "start_date"
    inlines = (ParticipationInline, CommitmentSummaryInline)
    ordering = ("working_group__name", "-start_date")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("working_group")
            .annotate(
                participant_count=count_of(Participation, "meeting"),
                commitment_count=count_of(Commitment, "meeting"),
            )
        )

    @admin.display(description="Participants", ordering="participant_count")
    def participant_count(self, obj: Meeting) -> int:
        return obj.participant_count

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: Meeting) -> str:
        return changelist_link(Commitment, str(obj.commitment_count), meeting__id__exact=obj.pk)


@admin.register(Participation)
class ParticipationAdmin(ServiceAdmin):
    list_display = ("person", "role", "meeting")
    list_filter = ("role", "meeting__working_group", ("meeting", related_filter()))
    list_select_related = ("person", "meeting__working_group")
    search_fields = ("person__name", "person__title", "meeting__title")
    autocomplete_fields = ("meeting", "person")
    ordering = ("meeting", "role", "person__name")
