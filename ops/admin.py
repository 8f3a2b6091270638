"""The audit trail in the admin: readable by superusers, changeable by nobody."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("when", "event", "level", "username", "address", "method", "path", "status")
    list_filter = ("event", "level")
    search_fields = ("username", "address", "path", "request_id")
    date_hierarchy = "when"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    # Changed by nobody (the mixin); seen by active superusers only, whatever their permissions.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser
