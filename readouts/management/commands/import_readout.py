"""`python manage.py import_readout FILE --meeting SLUG:NUMBER [--accept-all --as USERNAME]`:
the readout importer for scripts. Prints each candidate; with --accept-all, makes every one a
commitment (the suggested area, title, due date, and the co-leads of the parties named)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.models import Meeting, SourceKind

from ... import selectors, services
from ...files import FileRefused, clean_name, text_of


class Command(BaseCommand):
    help = (
        "Import a readout (.txt, .docx or .html) for a meeting and list the candidate "
        "commitments found in it; with --accept-all, accept every one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--meeting", required=True, help="GROUP-SLUG:NUMBER, e.g. dpewg:2")
        parser.add_argument("--title", help="The document's title (default: the file's name).")
        parser.add_argument("--publisher", default="", help="Who published it.")
        parser.add_argument("--kind", default=SourceKind.READOUT, choices=SourceKind.values)
        parser.add_argument("--accept-all", action="store_true")
        parser.add_argument(
            "--as", dest="username", help="The coordinator the import is recorded as (required)."
        )

    def handle(self, *args, file: Path, meeting: str, **options) -> None:
        slug, _, number = meeting.partition(":")
        if not slug or not number.isdigit():
            raise CommandError("--meeting takes GROUP-SLUG:NUMBER, e.g. us-india-dpewg:2.")
        found = Meeting.objects.filter(working_group__slug=slug, number=int(number)).first()
        if found is None:
            raise CommandError(f"No meeting {number} in a working group with the slug {slug!r}.")
        if not options["username"]:
            raise CommandError("Say who imports it: --as USERNAME (a coordinator of the group).")
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            text = text_of(file.read_bytes()[: 2 * 1024 * 1024 + 1])
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror}).") from None
        except FileRefused as refusal:
            raise CommandError(f"{file}: {refusal}") from None
        try:
            with transaction.atomic():
                readout, created = services.readout_import(
                    meeting=found,
                    text=text,
                    title=options["title"] or clean_name(file.name),
                    publisher=options["publisher"] or "Unknown publisher",
                    kind=options["kind"],
                    filename=clean_name(file.name),
                    actor=actor,
                )
                self._list(readout, created)
                if options["accept_all"]:
                    self._accept_all(readout, actor)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(str(getattr(error, "messages", [error])[0])) from None

    def _list(self, readout, created: bool) -> None:
        review = selectors.review(readout=readout)
        state = "imported" if created else "already imported: nothing changed"
        self.stdout.write(
            f"{readout.source_document.title} ({state}), {len(review.candidates)} candidates"
        )
        for c in review.candidates:
            self.stdout.write(
                f"\n¶{c.paragraph} [{c.get_state_display()}] confidence {c.confidence:.2f}\n"
                f"  {c.sentence}\n"
                f"  area: {c.area.name if c.area else '—'}; parties: {', '.join(c.parties) or '—'}"
                f"{'; due ' + c.due_date.isoformat() if c.due_date else ''}"
            )

    def _accept_all(self, readout, actor) -> None:
        choices = selectors.accept_choices(readout.working_group)
        agencies = {a.pk: a for _, side in choices.sides for a in side}
        code_of = {a.pk: party.code for party, side in choices.sides for a in side}
        accepted = 0
        for c in selectors.review(readout=readout).candidates:
            if c.state != "proposed":
                continue
            if c.area is None:
                self.stdout.write(
                    self.style.WARNING(f"¶{c.paragraph}: no area suggested, left to review")
                )
                continue
            leads = [agencies[pk] for pk in choices.co_lead_ids if code_of.get(pk) in c.parties]
            commitment = services.candidate_accept(
                candidate=c, actor=actor, title=c.title, action_area=c.area,
                lead_agencies=leads, due_date=c.due_date,
            )  # fmt: skip
            accepted += 1
            self.stdout.write(f"accepted ¶{c.paragraph} as {commitment.reference}")
        self.stdout.write(self.style.SUCCESS(f"{accepted} commitments created."))
