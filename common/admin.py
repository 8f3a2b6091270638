"""Admin behaviour every app shares."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """Nobody, a superuser included, adds, changes or deletes anything through this model
    admin or inline: it shows rows written elsewhere (by the services, the database or the
    request log). Who may view them is left to the admin it is mixed into: Django's view
    permission by default, or an override of `has_view_permission` next to the mixin.

    Put it first among the bases, so that it wins over the admin's own permission methods.
    `has_add_permission` takes the `obj` an inline is asked with; a model admin is asked
    without one."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
