"""Admin of indicators and their measurements."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from ..models import Indicator, Measurement
from .base import (
    GROUP_SCOPE_JS,
    ServiceAdmin,
    ServiceInline,
    changelist_link,
    count_of,
    scope_autocompletes,
)


class MeasurementInline(ServiceInline):
    model = Measurement
    fields = ("period_end", "value", "note", "entered_by", "created_at")
    readonly_fields = ("entered_by", "created_at")
    extra = 0

    def get_queryset(self, request):
        # The indicator too: each row's heading is the measurement's __str__.
        return super().get_queryset(request).select_related("entered_by", "indicator")


@admin.register(Indicator)
class IndicatorAdmin(ServiceAdmin):
    list_display = (
        "name",
        "working_group",
        "action_area",
        "commitment_reference",
        "unit",
        "baseline",
        "target",
        "target_date",
        "direction",
        "latest_value",
        "measurement_count",
    )
    list_filter = ("working_group", "action_area", "direction")
    list_select_related = ("working_group", "action_area", "commitment")
    search_fields = ("name", "description", "unit", "commitment__reference")
    autocomplete_fields = ("working_group", "action_area", "commitment")
    date_hierarchy = "target_date"
    inlines = (MeasurementInline,)

    class Media:
        js = GROUP_SCOPE_JS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return scope_autocompletes(form_class, ("action_area", "commitment"))

    ordering = ("working_group__name", "name")

    def get_queryset(self, request):
        latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period_end")
        return (
            super()
            .get_queryset(request)
            .annotate(
                measurement_count=count_of(Measurement, "indicator"),
                latest_value=Subquery(latest.values("value")[:1]),
                latest_period_end=Subquery(latest.values("period_end")[:1]),
            )
        )

    @admin.display(description="Commitment", ordering="commitment__reference")
    def commitment_reference(self, obj: Indicator) -> str:
        return obj.commitment.reference if obj.commitment else "–"

    @admin.display(description="Latest value", ordering="latest_period_end")
    def latest_value(self, obj: Indicator) -> str:
        if obj.latest_value is None:
            return "–"
        return f"{obj.latest_value} {obj.unit} ({obj.latest_period_end})"

    @admin.display(description="Measurements", ordering="measurement_count")
    def measurement_count(self, obj: Indicator) -> str:
        return changelist_link(Measurement, str(obj.measurement_count), indicator__id__exact=obj.pk)


@admin.register(Measurement)
class MeasurementAdmin(ServiceAdmin):
    list_display = ("indicator", "period_end", "value", "unit", "entered_by", "created_at")
    list_filter = ("indicator__working_group", "indicator")
    list_select_related = ("indicator", "entered_by")
    search_fields = ("indicator__name", "note")
    autocomplete_fields = ("indicator",)
    readonly_fields = ("entered_by", "created_at")
    date_hierarchy = "period_end"
    ordering = ("indicator__name", "-period_end")

    @admin.display(description="Unit", ordering="indicator__unit")
    def unit(self, obj: Measurement) -> str:
        return obj.indicator.unit
