"""Admin of the readout importer: readouts and candidates to read (they are decided in the
app's review page), and the other names of parties that the finder recognises."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from . import services
from .models import Candidate, PartyAlias, Readout


@admin.register(Readout)
class ReadoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("source_document", "meeting", "working_group", "imported_by", "imported_at")
    list_filter = ("working_group",)
    list_select_related = (
        "source_document",
        "meeting__working_group",
        "working_group",
        "imported_by",
    )
    search_fields = ("source_document__title", "filename")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "readout", "paragraph", "state", "confidence", "commitment")
    list_filter = ("state", "manual")
    list_select_related = ("readout__source_document", "commitment")
    search_fields = ("title", "text")


@admin.register(PartyAlias)
class PartyAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "party")
    list_select_related = ("party",)
    search_fields = ("alias", "party__name")

    def save_model(self, request, obj, form, change) -> None:
        fields = {"party": form.cleaned_data["party"], "alias": form.cleaned_data["alias"]}
        if change:
            saved = services.party_alias_update(
                party_alias=PartyAlias.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        else:
            saved = services.party_alias_create(actor=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        services.party_alias_delete(party_alias=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
