"""The briefing pack's three forms at scale: the print-ready page, the Word document and the
Excel workbook of a synthetic group of N commitments with 10 follow-ups each
(`generate_sample_data`), asked for through the real views, in-process, in a scratch SQLite
database (or the PostgreSQL database DATABASE_URL names, which must contain "bench").

    .venv/bin/python -m bench.pack_forms [N ...]          e.g. 1000 10000 (the default)

Each form holds the pack's first part: the whole pack up to settings.BRIEFING_PART_SIZE
commitments, that many past it (until 7 December 2026 every commitment of the group, whatever
its size). Measured in commitments per second. Prints, per form,
the best of a few requests: seconds, commitments/s, MB out, and the peak of Python allocations
during one more (tracemalloc: the XML trees python-docx and openpyxl build in C are not seen
there), then the process's peak RSS."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402 (after the path)

FORMS = {"page": "briefing/", "word": "briefing.docx", "excel": "briefing.xlsx"}
TIMES = 3  # requests per form and size; the best is kept (the machine is shared)


def _fetch(client, path: str) -> int:
    response = client.get(path, secure=True)
    assert response.status_code == 200, (path, response.status_code)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def main(sizes: list[int]) -> None:
    harness.in_process_django("bench-pack-")
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from commitments.models import Membership, WorkingGroup
    from tests import factories

    print(f"{'commitments':>11} {'form':>6} {'seconds':>8} {'commitments/s':>14} {'MB out':>7} "
          f"{'peak alloc MB':>14}")  # fmt: skip
    for size in sorted(sizes):
        call_command("generate_sample_data", groups=1, commitments=size, verbosity=0)
        group = WorkingGroup.objects.get(slug="sample-1")
        viewer = factories.member(group, Membership.Role.VIEWER, f"pack-viewer-{size}")
        client = Client()
        client.force_login(viewer)
        for form, tail in FORMS.items():
            path = f"/g/{group.slug}/{tail}"
            best, out = float("inf"), 0
            for _ in range(TIMES):  # speed, untraced (tracemalloc slows Python several times)
                started = time.perf_counter()
                out = _fetch(client, path)
                best = min(best, time.perf_counter() - started)
            tracemalloc.start()
            _fetch(client, path)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            drawn = min(size, settings.BRIEFING_PART_SIZE)
            print(f"{size:>11} {form:>6} {best:>8.2f} {drawn / best:>14.0f} {out / 1e6:>7.1f} "
                  f"{peak / 1e6:>14.1f}", flush=True)  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000])
