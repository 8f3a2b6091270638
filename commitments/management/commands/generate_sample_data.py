"""`python manage.py generate_sample_data --groups G --commitments N --follow-ups-per-commitment F`:
synthetic working groups for benchmarks and trials at scale (see commitments/sample_data.py for
what it makes, why it bulk-inserts, and the rules that keep real groups out of reach).
Refused unless DEBUG is on or --allow-without-debug is given."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from commitments import sample_data


class Command(BaseCommand):
    help = (
        "Create (or replace) synthetic working groups sample-1 … sample-G holding N commitments "
        "in all with F follow-ups each. Never touches a real group. Development and benchmark "
        "databases only: refused unless DEBUG or --allow-without-debug."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--groups", type=int, default=1)
        parser.add_argument("--commitments", type=int, required=True)
        parser.add_argument("--follow-ups-per-commitment", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run although DEBUG is off (a benchmark database served with production settings).",
        )

    def handle(self, *args, **options) -> None:
        try:
            result = sample_data.generate(
                groups=options["groups"],
                commitments=options["commitments"],
                follow_ups_per_commitment=options["follow_ups_per_commitment"],
                seed=options["seed"],
                allow_without_debug=options["allow_without_debug"],
                progress_stream=self.stderr._out if options["verbosity"] else None,
            )
        except sample_data.SampleDataRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"{', '.join(result.groups)}: {result.commitments:,} commitments, "
            f"{result.follow_ups:,} follow-ups in {result.seconds:.1f} s"
        )
