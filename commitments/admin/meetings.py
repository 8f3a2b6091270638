"""Admin of meetings and who took part in them."""

from __future__ import annotations

from django.contrib import admin

from ..models import Commitment, Meeting, Participation
from .base import (
    GROUP_SCOPE_JS,
    GroupScopedAutocomplete,
    ReadOnlyInline,
    ServiceAdmin,
    ServiceInline,
    changelist_link,
    count_of,
    related_filter,
    scope_autocompletes,
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
class MeetingAdmin(GroupScopedAutocomplete, ServiceAdmin):
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
    search_help_text = "Title, place, summary, group; or a meeting number, e.g. 2."

    class Media:
        js = GROUP_SCOPE_JS

    def get_search_results(self, request, queryset, search_term):
        """Also by number: searching “2” finds meeting 2 (of the group, when one is chosen)."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) < 6:
            by_number, _ = super().get_search_results(request, queryset, "")
            results = results | by_number.filter(number=int(term))
        return results, distinct

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return scope_autocompletes(form_class, ("source_documents",))

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
