"""Admin of reference data: parties, agencies, people and source documents."""

from __future__ import annotations

from django.contrib import admin

from ..models import Affiliation, Agency, Commitment, Party, Person, SourceDocument
from .base import GroupScopedAutocomplete, ServiceAdmin, count_of, related_filter


@admin.register(Party)
class PartyAdmin(ServiceAdmin):
    list_display = ("name", "code", "agency_count")
    search_fields = ("name", "code")
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agency_count=count_of(Agency, "party"))

    @admin.display(description="Agencies", ordering="agency_count")
    def agency_count(self, obj: Party) -> int:
        return obj.agency_count


@admin.register(Agency)
class AgencyAdmin(GroupScopedAutocomplete, ServiceAdmin):
    group_lookup = "party__working_groups"

    list_display = ("acronym", "name", "party", "people_count", "commitments_led_count")
    list_display_links = ("acronym", "name")
    list_filter = ("party",)
    list_select_related = ("party",)
    search_fields = ("acronym", "name", "party__name", "party__code")
    autocomplete_fields = ("party",)
    ordering = ("party__name", "acronym")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("party")
            .annotate(
                people_count=count_of(Person, "agency"),
                commitments_led_count=count_of(Commitment.lead_agencies.through, "agency"),
            )
        )

    @admin.display(description="People", ordering="people_count")
    def people_count(self, obj: Agency) -> int:
        return obj.people_count

    @admin.display(description="Commitments led", ordering="commitments_led_count")
    def commitments_led_count(self, obj: Agency) -> int:
        return obj.commitments_led_count


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    list_display = ("name", "title", "agency")
    list_filter = (("agency__party", related_filter()), ("agency", related_filter()))
    list_select_related = ("agency__party",)
    search_fields = ("name", "title", "agency__acronym", "agency__name")
    autocomplete_fields = ("agency",)
    ordering = ("name",)


@admin.register(SourceDocument)
class SourceDocumentAdmin(GroupScopedAutocomplete, ServiceAdmin):
    list_display = ("title", "publisher", "kind", "published_on", "working_group", "has_text")
    list_filter = ("kind", "working_group", "publisher")
    list_select_related = ("working_group",)
    search_fields = ("title", "publisher", "url")
    autocomplete_fields = ("working_group",)
    date_hierarchy = "published_on"
    ordering = ("-published_on", "title")

    @admin.display(description="Text pasted", boolean=True)
    def has_text(self, obj: SourceDocument) -> bool:
        return bool(obj.text)


@admin.register(Affiliation)
class AffiliationAdmin(ServiceAdmin):
    """Which agency (and so which side) a user works for: shown beside their name wherever
    they reported something."""

    list_display = ("user", "agency", "party")
    list_filter = (("agency__party", related_filter()), ("agency", related_filter()))
    list_select_related = ("user", "agency__party")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__acronym")
    autocomplete_fields = ("user", "agency")
    ordering = ("user__username",)

    @admin.display(description="Side", ordering="agency__party__name")
    def party(self, obj: Affiliation) -> str:
        return obj.agency.party.name
