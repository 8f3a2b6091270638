"""Who may see or change what: the one place that decides.

A stranger to a working group gets 404 for everything in it (we do not confirm it exists); a member
whose role is too low for a write gets 403. Superusers act as coordinators of every group; other
staff see every group (they run the admin) but write only where a membership allows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Commitment, Membership, WorkingGroup

Role = Membership.Role
_RANK = {None: 0, Role.VIEWER: 1, Role.ANALYST: 2, Role.COORDINATOR: 3}


@dataclass(frozen=True)
class GroupAccess:
    """A user's standing in one working group."""

    group: WorkingGroup
    role: str | None

    @property
    def can_view(self) -> bool:
        return self.role is not None

    @property
    def can_follow_up(self) -> bool:
        return _RANK[self.role] >= _RANK[Role.ANALYST]

    @property
    def can_coordinate(self) -> bool:
        return _RANK[self.role] >= _RANK[Role.COORDINATOR]

    def require(self, role: str) -> GroupAccess:
        if _RANK[self.role] < _RANK[role]:
            raise PermissionDenied(
                f"Your role in {self.group.short_name} does not allow this "
                f"(it needs {Role(role).label.lower()})."
            )
        return self


def role_in(user, group: WorkingGroup) -> str | None:
    """The user's effective role in the group, or None when they may not see it."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.COORDINATOR
    role = (
        Membership.objects.filter(user=user, working_group=group)
        .values_list("role", flat=True)
        .first()
    )
    if role is None and user.is_staff:
        return Role.VIEWER
    return role


def access_for(user, group: WorkingGroup) -> GroupAccess:
    return GroupAccess(group=group, role=role_in(user, group))


def get_group_for_user(user, slug: str, *, need: str = Role.VIEWER) -> GroupAccess:
    """The working group with this slug as this user sees it: 404 for a stranger, 403 when the
    user's role is below `need`."""
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Http404("No such working group.")
    access = access_for(user, group)
    if not access.can_view:
        raise Http404("No such working group.")
    return access.require(need)


def get_commitment_for_user(
    user, slug: str, reference: str, *, need: str = Role.VIEWER
) -> tuple[GroupAccess, Commitment]:
    access = get_group_for_user(user, slug)
    commitment = (
        Commitment.objects.filter(working_group=access.group, reference=reference)
        .select_related("working_group", "action_area", "meeting", "owner", "source_document")
        .first()
    )
    if commitment is None:
        raise Http404("No such commitment.")
    access.require(need)
    return access, commitment
