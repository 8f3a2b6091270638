"""`python manage.py snapshot --group SLUG [--label TEXT]`: freeze a snapshot of every
commitment of the working group now (status, progress, due date, leads, the latest closed
review's confirmed scores), through `services.snapshot_take`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commitments import services
from commitments.models import WorkingGroup


class Command(BaseCommand):
    help = "Freeze a snapshot of every commitment of a working group."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--group", required=True, help="The working group's slug.")
        parser.add_argument("--label", default="", help="What to call it (optional).")

    def handle(self, *args, group: str, label: str, **options) -> None:
        found = WorkingGroup.objects.filter(slug=group).first()
        if found is None:
            raise CommandError(f"No working group has the slug “{group}”.")
        snapshot = services.snapshot_take(working_group=found, label=label or "Snapshot")
        self.stdout.write(
            f"Snapshot {snapshot.pk} of {found.short_name}: {snapshot.rows.count()} commitments."
        )
