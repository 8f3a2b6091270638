"""`python manage.py check_tallies [--group SLUG] [--rebuild]`: compare the dashboard's counts
(`models.Tally`, kept by the services) with a count of the commitments themselves, and say
where they differ; `--rebuild` counts again and stores the result (after rows were changed
outside the services, e.g. by hand in SQL). Exits with status 1 when counts differ and were
not rebuilt, so it can run from cron or a deployment check."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commitments import services
from commitments.models import WorkingGroup


class Command(BaseCommand):
    help = "Check (or rebuild) the dashboard's maintained counts against the commitments."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--group", help="One working group's slug (default: every group).")
        parser.add_argument("--rebuild", action="store_true", help="Count again and store.")

    def handle(self, *args, group: str | None, rebuild: bool, **options) -> None:
        groups = WorkingGroup.objects.order_by("slug")
        if group:
            groups = groups.filter(slug=group)
            if not groups.exists():
                raise CommandError(f"No working group has the slug “{group}”.")
        wrong = 0
        for found in groups:
            differences = services.tally_differences(working_group_id=found.pk)
            if not differences:
                self.stdout.write(f"{found.slug}: counts are true.")
                continue
            for (kind, key, column), (have, want) in sorted(differences.items()):
                self.stdout.write(f"{found.slug}: {kind} {key} {column}: {have}, counted {want}")
            if rebuild:
                services.tally_rebuild(working_group_id=found.pk)
                self.stdout.write(f"{found.slug}: rebuilt.")
            else:
                wrong += 1
        if wrong:
            raise CommandError(f"{wrong} group(s) with wrong counts: run with --rebuild.")
