"""`python manage.py bump_cache_version [--group SLUG ...]`: raise the version of a working
group (every group without --group), so that every page piece kept for it is drawn again on
its next view. For after a repair made in SQL or a shell, which the services did not see
(commitments.cache)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commitments import cache
from commitments.models import WorkingGroup


class Command(BaseCommand):
    help = "Raise working groups' versions so their pages are drawn again (after a SQL repair)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--group", action="append", default=[], help="A group's slug (repeatable)."
        )

    def handle(self, *args, group: list[str], **options) -> None:
        if not group:
            cache.changed(cache.EVERY_GROUP)
            self.stdout.write("Every working group's pages will be drawn again.")
            return
        found = dict(WorkingGroup.objects.filter(slug__in=group).values_list("slug", "pk"))
        missing = [slug for slug in group if slug not in found]
        if missing:
            raise CommandError(f"No working group has the slug “{missing[0]}”.")
        cache.changed(found.values())
        self.stdout.write(f"Pages of {', '.join(group)} will be drawn again.")
