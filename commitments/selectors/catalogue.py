"""A working group's catalogue: its action areas, meetings, sides, their agencies, its co-leads
and its members, which several pages read (the list's filters, the dashboard, the sides).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth import get_user_model

from ..models import ActionArea, Agency, Meeting, Party, WorkingGroup


class Catalogue:
    """What the group's pages pick from, each read (one query) when first asked for."""

    def __init__(self, group: WorkingGroup):
        self.group = group

    @cached_property
    def areas(self) -> tuple[ActionArea, ...]:
        """By order, then name."""
        return tuple(ActionArea.objects.in_group(self.group).order_by("order", "name"))

    @cached_property
    def meetings(self) -> tuple[dict, ...]:
        """pk, number, title, dates and location of each; the latest first."""
        return tuple(
            Meeting.objects.in_group(self.group)
            .order_by("-start_date", "-number")
            .values("pk", "number", "title", "start_date", "end_date", "location")
        )

    @cached_property
    def parties(self) -> tuple[Party, ...]:
        """The sides, by name."""
        return tuple(self.group.parties.order_by("name"))

    @cached_property
    def agencies(self) -> tuple[Agency, ...]:
        """The sides' agencies with their party, by party and acronym."""
        return tuple(
            Agency.objects.filter(party__working_groups=self.group)
            .select_related("party")
            .order_by("party__name", "acronym")
        )

    @cached_property
    def co_leads(self) -> tuple[Agency, ...]:
        """The group's co-leads with their party, by party and acronym."""
        return tuple(
            self.group.lead_agencies.select_related("party").order_by("party__name", "acronym")
        )

    @cached_property
    def members(self) -> tuple[dict, ...]:
        """Active members' pk, username and names, by name."""
        return tuple(
            get_user_model()
            .objects.filter(memberships__working_group=self.group, is_active=True)
            .order_by("first_name", "last_name", "username")
            .values("pk", "username", "first_name", "last_name")
        )


def catalogue(*, group: WorkingGroup) -> Catalogue:
    """The group's catalogue: each part read when a page first asks for it."""
    return Catalogue(group)
