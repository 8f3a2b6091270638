"""Admin of compliance reviews and their scores. Writes go through the services, which refuse
any change to a closed review; the admin also offers no change or delete on one (read-only
pages), so nobody is shown a form that cannot be saved."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from ..models import (
    ComplianceReview,
    ComplianceScore,
    GroupVersion,
    Snapshot,
    SnapshotRow,
    Tally,
)
from .base import ReadOnlyInline, ServiceAdmin


def _frozen(obj) -> bool:
    review = obj.review if isinstance(obj, ComplianceScore) else obj
    return review is not None and not review.is_open


class FrozenWhenClosed:
    """No change or delete of a closed review or of its scores."""

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and _frozen(obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and _frozen(obj))


@admin.register(ComplianceReview)
class ComplianceReviewAdmin(FrozenWhenClosed, ServiceAdmin):
    list_display = ("meeting", "working_group", "state", "opened_at", "closed_at", "opened_by")
    list_filter = ("working_group", "state")
    list_select_related = ("meeting", "working_group", "opened_by")
    readonly_fields = ("opened_at", "closed_at", "opened_by")
    fields = ("working_group", "meeting", "state", "opened_by", "opened_at", "closed_at")
    autocomplete_fields = ("working_group", "meeting")
    search_fields = ("meeting__title",)


@admin.register(ComplianceScore)
class ComplianceScoreAdmin(FrozenWhenClosed, ServiceAdmin):
    list_display = (
        "commitment",
        "party",
        "score",
        "state",
        "review",
        "proposed_by",
        "confirmed_by",
    )
    list_filter = ("review__working_group", "party", "state", "score")
    list_select_related = ("commitment", "party", "review__meeting", "proposed_by", "confirmed_by")
    autocomplete_fields = ("commitment",)
    raw_id_fields = ("review",)
    readonly_fields = ("proposed_by", "confirmed_by", "updated_at")
    search_fields = ("commitment__reference", "rationale")


class SnapshotRowInline(ReadOnlyInline):
    model = SnapshotRow
    fields = ("reference", "area_name", "status", "progress", "due_date", "leads", "scores")
    readonly_fields = fields
    show_change_link = False


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are immutable: the admin shows them and changes nothing."""

    list_display = ("__str__", "working_group", "taken_at", "taken_by", "review")
    list_filter = ("working_group",)
    list_select_related = ("working_group", "taken_by", "review__meeting__working_group")
    inlines = (SnapshotRowInline,)


@admin.register(SnapshotRow)
class SnapshotRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "snapshot", "status", "progress", "due_date")
    list_filter = ("snapshot__working_group", "status")
    list_select_related = ("snapshot",)
    search_fields = ("reference", "title")


@admin.register(Tally)
class TallyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The dashboard's counts, kept by the services: shown for an investigation, changed by
    nobody here (`manage.py check_tallies --rebuild` counts them again)."""

    list_display = ("working_group", "kind", "key", "n", "total")
    list_filter = ("working_group", "kind")
    list_select_related = ("working_group",)
    search_fields = ("key",)
    ordering = ("working_group", "kind", "key")


@admin.register(GroupVersion)
class GroupVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each group's version, raised by the services on every write (commitments.cache): shown
    for an investigation, changed by nobody here (`manage.py bump_cache_version`)."""

    list_display = ("working_group", "version")
    list_select_related = ("working_group",)
    ordering = ("working_group__name",)
