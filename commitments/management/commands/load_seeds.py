"""`python manage.py load_seeds [files...]`: load working groups from seeds/*.yaml."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.imports.records import RecordError
from commitments.imports.seeds import load_seed_file


def default_seed_files() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "seeds").glob("*.yaml"))


def _shown(path: Path) -> Path:
    """The path relative to the current directory when it is inside it (shorter messages)."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


class Command(BaseCommand):
    help = (
        "Load working groups from seed files (default: every seeds/*.yaml, in name order) "
        "through the services. Idempotent: existing records are kept as they are. The whole "
        "load is one transaction: a malformed file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="Seed files (YAML). Default: seeds/*.yaml."
        )

    def handle(self, *args, files: list[Path], **options) -> None:
        paths = [_shown(path) for path in files or default_seed_files()]
        if not paths:
            raise CommandError(f"No seed files: {Path(settings.BASE_DIR) / 'seeds'} has no *.yaml.")
        try:
            with transaction.atomic():
                results = [load_seed_file(path) for path in paths]
        except RecordError as error:
            raise CommandError(f"{error}\nNothing was loaded.") from error
        created = sum(sum(result.created.values()) for result in results)
        kept = sum(sum(result.kept.values()) for result in results)
        for result in results:
            self.stdout.write(f"{result.path} ({result.group.short_name}): {result.summary()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(results)} seed file(s): {created} records created, {kept} kept."
            )
        )
