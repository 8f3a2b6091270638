"""Memory and speed of the commitments exports at scale: N commitments (default 100,000) in a
scratch SQLite database (or the PostgreSQL database DATABASE_URL names, which must contain
"bench"), exported as CSV and XLSX through the real views, streamed to nowhere.

    .venv/bin/python -m bench.export_memory [N ...]          e.g. 10000 100000

Prints rows/s and the peak of Python allocations during each export (tracemalloc), and the
process's peak RSS. Constant memory shows as the same peak at 10,000 and at 100,000 rows.
The rows are bulk-inserted (bench data, not a write path of the app)."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402 (after the path)


def main(sizes: list[int]) -> None:
    harness.in_process_django("bench-export-")
    from django.test import Client

    from commitments.models import Commitment, Status
    from tests import factories

    group = factories.working_group("EXPORT", slug="export-bench", name="Export bench group")
    area = factories.action_area(group, "OPS", name="Joint operations")
    meeting = factories.meeting(group, 1)
    us, india = factories.lead_agencies()
    viewer = factories.member(group, "viewer", "bench-viewer")
    client = Client()
    client.force_login(viewer)
    client.get("/g/export-bench/commitments.csv")  # imports and caches warmed
    made = 0
    print(f"{'rows':>8} {'format':>6} {'seconds':>8} {'rows/s':>8} {'MB out':>7} "
          f"{'peak alloc MB':>14} {'peak RSS MB':>12}")  # fmt: skip
    for size in sorted(sizes):
        batch = []
        statuses = [s for s in Status.values if s != Status.COMPLETED]
        for i in range(made, size):
            batch.append(
                Commitment(
                    working_group=group,
                    action_area=area,
                    meeting=meeting,
                    reference=f"EXPORT-1-OPS-{i + 1:06d}",
                    title=f"=Bench commitment {i}",
                    description="Exchange seizure data every quarter. " * 3,
                    status=statuses[i % len(statuses)],
                    progress=0 if statuses[i % len(statuses)] == Status.NOT_STARTED else i % 100,
                    search_text=f"bench commitment {i}",
                    last_activity_on=meeting.end_date,
                )
            )
            if len(batch) == 5000:
                Commitment.objects.bulk_create(batch)
                batch = []
        Commitment.objects.bulk_create(batch)
        through = Commitment.lead_agencies.through
        ids = Commitment.objects.filter(working_group=group).values_list("pk", flat=True)
        through.objects.all().delete()
        through.objects.bulk_create(
            [through(commitment_id=pk, agency=agency) for pk in ids for agency in (us, india)],
            batch_size=10000,
        )
        made = size
        for fmt in ("csv", "xlsx"):
            path = f"/g/export-bench/commitments.{fmt}"
            # Speed, untraced (tracemalloc slows Python several times over).
            started = time.perf_counter()
            out = sum(len(chunk) for chunk in client.get(path).streaming_content)
            seconds = time.perf_counter() - started
            # Memory: the peak of Python's allocations during a second, traced export.
            tracemalloc.start()
            sum(len(chunk) for chunk in client.get(path).streaming_content)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{size:>8} {fmt:>6} {seconds:>8.1f} {size / seconds:>8.0f} {out / 1e6:>7.1f} "
                  f"{peak / 1e6:>14.1f} {rss:>12.0f}")  # fmt: skip


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000])
