"""Each working group's version: a number the services raise (on commit) whenever they write
something a page of that group shows. `commitments.cache` keeps pieces of pages under it, so a
write makes new keys and nothing kept is ever shown stale; old keys simply expire."""

from __future__ import annotations

from django.db import models

from .groups import WorkingGroup


class GroupVersion(models.Model):
    working_group = models.OneToOneField(
        WorkingGroup, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        # Raised by `commitments.cache.changed` only; no one edits it by hand (the command
        # `bump_cache_version` raises it after a repair made in SQL).
        default_permissions = ()

    def __str__(self) -> str:
        return f"Group {self.working_group_id}: version {self.version}"
