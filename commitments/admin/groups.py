"""Admin of working groups, their members and their action areas."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.text import Truncator

from ..models import ActionArea, Commitment, Meeting, Membership, WorkingGroup
from .base import (
    GroupScopedAutocomplete,
    ServiceAdmin,
    ServiceInline,
    changelist_link,
    count_of,
)


class ActionAreaInline(ServiceInline):
    model = ActionArea
    fields = ("order", "code", "name", "slug", "keywords")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    show_change_link = True


class MembershipInline(ServiceInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "working_group")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ServiceAdmin):
    list_display = (
        "name",
        "short_name",
        "slug",
        "member_count",
        "meeting_count",
        "commitment_count",
        "created_at",
    )
    search_fields = ("name", "short_name", "slug", "description")
    autocomplete_fields = ("parties", "lead_agencies")
    prepopulated_fields = {"slug": ("short_name",)}
    readonly_fields = ("created_at",)
    inlines = (ActionAreaInline, MembershipInline)
    ordering = ("name",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=count_of(Membership, "working_group"),
                meeting_count=count_of(Meeting, "working_group"),
                commitment_count=count_of(Commitment, "working_group"),
            )
        )

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: WorkingGroup) -> str:
        return changelist_link(Membership, str(obj.member_count), working_group__id__exact=obj.pk)

    @admin.display(description="Meetings", ordering="meeting_count")
    def meeting_count(self, obj: WorkingGroup) -> str:
        return changelist_link(Meeting, str(obj.meeting_count), working_group__id__exact=obj.pk)

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: WorkingGroup) -> str:
        return changelist_link(
            Commitment, str(obj.commitment_count), working_group__id__exact=obj.pk
        )


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "user_full_name", "working_group", "role", "created_at")
    list_filter = ("role", "working_group")
    list_select_related = ("user", "working_group")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "working_group__short_name",
        "working_group__name",
    )
    autocomplete_fields = ("user", "working_group")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    ordering = ("working_group__name", "user__username")

    @admin.display(description="Name", ordering="user__last_name")
    def user_full_name(self, obj: Membership) -> str:
        return obj.user.get_full_name()


@admin.register(ActionArea)
class ActionAreaAdmin(GroupScopedAutocomplete, ServiceAdmin):
    list_display = ("name", "code", "working_group", "order", "commitment_count", "keyword_list")
    list_filter = ("working_group",)
    list_select_related = ("working_group",)
    search_fields = ("name", "code", "slug", "description", "working_group__short_name")
    autocomplete_fields = ("working_group",)
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("working_group__name", "order", "name")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(commitment_count=count_of(Commitment, "action_area"))
        )

    @admin.display(description="Commitments", ordering="commitment_count")
    def commitment_count(self, obj: ActionArea) -> str:
        return changelist_link(Commitment, str(obj.commitment_count), action_area__id__exact=obj.pk)

    @admin.display(description="Keywords")
    def keyword_list(self, obj: ActionArea) -> str:
        return Truncator(", ".join(obj.keywords or [])).chars(80)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(GroupScopedAutocomplete, DjangoUserAdmin):
    """Django's user admin; its autocomplete (a commitment's owner) offers the chosen group's
    members only."""

    group_lookup = "memberships__working_group"
