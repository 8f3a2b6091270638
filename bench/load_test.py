"""Load test: N simulated analysts against gunicorn on 127.0.0.1, then a check that nothing was
lost. Not part of the test suite.

Each analyst signs in, then, until the time or request budget runs out, opens a commitment (a
few, so that analysts collide), thinks briefly, and either logs a follow-up through the form
(without JavaScript: 302 means saved, 409 that someone saved first) or changes the status from
the list (with htmx: the row comes back saved, or with the conflict message). Afterwards it
reads the database back and checks that the stored follow-ups are exactly the acknowledged
writes, that every commitment's status is its last follow-up's, and that no request failed with
a 5xx or "database is locked".

    .venv/bin/python -m bench.load_test                       # SQLite file in a temp directory
    .venv/bin/python -m bench.load_test --database-url postgres://postgres@127.0.0.1:5432/tracker_bench

Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench import harness
from bench.harness import ENDPOINTS, MARKERS, Browser

STATUSES = ["", "", "in_progress", "stalled", "completed", "not_started"]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acknowledged_notes: list[str] = field(default_factory=list)
    acknowledged_status_changes: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, kind: str, outcome: str, seconds: float | None = None, detail: str = ""):
        with self.lock:
            self.outcomes[(kind, outcome)] += 1
            if seconds is not None:
                self.latencies[kind].append(seconds)
            if detail and len(self.failures) < 20:
                self.failures.append(detail)


def analyst(port, username, slug, references, deadline, budget, think, run_id, tally: Tally):
    rng = random.Random(f"{run_id}-{username}")
    browser = Browser(port)
    browser.sign_in(username)
    sent = 0
    while time.monotonic() < deadline and sent < budget:
        reference = rng.choice(references)
        page_url = ENDPOINTS["commitment"].format(slug=slug, reference=reference)
        try:
            page = browser.get(page_url)
        except OSError as exc:
            tally.record("read", "error", detail=f"GET {page_url}: {exc!r}")
            continue
        sent += 1
        if page.status != 200:
            tally.record("read", "error", page.seconds, f"GET {page_url}: {page.status}")
            continue
        tally.record("read", "ok", page.seconds)
        version = harness.VERSION_INPUT.search(page.body).group(1)
        token = harness.CSRF_INPUT.search(page.body).group(1)
        time.sleep(rng.uniform(0, think))
        sent += 1
        if rng.random() < 0.7:
            follow_up(browser, slug, reference, version, token, rng, run_id, username, tally)
        else:
            status_change(browser, slug, reference, version, token, rng, tally)
    browser.close()


def follow_up(browser, slug, reference, version, token, rng, run_id, username, tally):
    url = ENDPOINTS["follow_up"].format(slug=slug, reference=reference)
    note = f"{run_id} {username} {uuid.uuid4().hex[:12]}"
    status = rng.choice(STATUSES)
    data = {
        "csrfmiddlewaretoken": token,
        "note": note,
        "occurred_on": harness.today(),
        "status": status,
        "progress": str(rng.randint(1, 99)) if status in ("in_progress", "stalled") else "",
        "evidence_url": "",
        "external_reference": "",
        "version": version,
    }
    try:
        response = browser.post(url, data)
    except OSError as exc:
        tally.record("follow_up", "error", detail=f"POST {url}: {exc!r} (outcome unknown)")
        return
    if response.status == 302:
        with tally.lock:
            tally.acknowledged_notes.append(note)
        tally.record("follow_up", "saved", response.seconds)
    elif response.status == 409 and MARKERS["follow_up_conflict"] in response.body:
        tally.record("follow_up", "conflict", response.seconds)
    else:
        tally.record(
            "follow_up", "error", response.seconds, f"POST {url}: {response.status} (not saved)"
        )
        check_locked(response, tally)


def status_change(browser, slug, reference, version, token, rng, tally):
    url = ENDPOINTS["status"].format(slug=slug, reference=reference)
    data = {
        "csrfmiddlewaretoken": token,
        "status": rng.choice([s for s in STATUSES if s]),
        "version": version,
        "next": f"/g/{slug}/commitments/",
    }
    headers = {"HX-Request": "true", "HX-Target": f"commitment-row-{reference}"}
    try:
        response = browser.post(url, data, headers=headers)
    except OSError as exc:
        tally.record("status", "error", detail=f"POST {url}: {exc!r} (outcome unknown)")
        return
    body = response.body
    if response.status == 200 and MARKERS["status_saved"] in body:
        with tally.lock:
            tally.acknowledged_status_changes += 1
        tally.record("status", "saved", response.seconds)
    elif (
        response.status == 200
        and MARKERS["status_problem"] in body
        and MARKERS["status_conflict"] in body
    ):
        tally.record("status", "conflict", response.seconds)
    elif response.status == 200 and MARKERS["status_unchanged"] in body:
        tally.record("status", "unchanged", response.seconds)
    else:
        tally.record("status", "error", response.seconds, f"POST {url}: {response.status}")
        check_locked(response, tally)


def check_locked(response, tally: Tally) -> None:
    if "database is locked" in response.body:
        tally.record("server", "database is locked")


def run(args) -> bool:
    workdir = harness.workdir("tracker-load-")
    engine = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(
        f"== {engine}: {args.analysts} analysts, {args.commitments} commitments, "
        f"{args.duration}s or {args.requests} requests each, {args.workers} gunicorn workers"
    )
    env, data = harness.prepare(
        args.database_url, workdir, analysts=args.analysts, commitments=args.commitments
    )
    server = harness.start_gunicorn(env, workdir, workers=args.workers, name="load")
    tally = Tally()
    run_id = uuid.uuid4().hex[:8]
    try:
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=analyst,
                args=(
                    server.port,
                    username,
                    data["slug"],
                    data["references"],
                    deadline,
                    args.requests,
                    args.think,
                    run_id,
                    tally,
                ),
            )
            for username in data["analysts"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    log = server.log()
    report = harness.django_call(env, "verify")
    return summarise(tally, report, log, elapsed)


def summarise(tally: Tally, report: dict, log: str, elapsed: float) -> bool:
    o = tally.outcomes
    requests = sum(o.values())
    saved = o["follow_up", "saved"] + o["status", "saved"]
    conflicts = o["follow_up", "conflict"] + o["status", "conflict"]
    errors = sum(n for (kind, outcome), n in o.items() if outcome == "error")
    writes = [s for kind in ("follow_up", "status") for s in tally.latencies[kind]]
    reads = tally.latencies["read"]
    print(
        f"requests {requests} in {elapsed:.1f}s ({requests / elapsed:.0f}/s), "
        f"writes {sum(n for (kind, _), n in o.items() if kind in ('follow_up', 'status'))}: "
        f"saved {saved}, conflicts {conflicts}, already {o['status', 'unchanged']}, "
        f"errors {errors}"
    )
    print(
        f"  follow-ups saved {o['follow_up', 'saved']}, conflicts {o['follow_up', 'conflict']}; "
        f"status changes saved {o['status', 'saved']}, conflicts {o['status', 'conflict']}, "
        f"already that status {o['status', 'unchanged']}"
    )
    print(
        f"  latency read  p50 {harness.percentile(reads, 50) * 1000:.0f} ms, "
        f"p95 {harness.percentile(reads, 95) * 1000:.0f} ms"
    )
    print(
        f"  latency write p50 {harness.percentile(writes, 50) * 1000:.0f} ms, "
        f"p95 {harness.percentile(writes, 95) * 1000:.0f} ms"
    )

    acknowledged = len(tally.acknowledged_notes) + tally.acknowledged_status_changes
    problems = list(report["problems"])
    if report["follow_ups"] != acknowledged:
        problems.append(f"stored follow-ups {report['follow_ups']} != acknowledged {acknowledged}")
    form_notes = sorted(n for n in report["notes"] if not n.startswith("Status set to"))
    if form_notes != sorted(tally.acknowledged_notes):
        problems.append("the follow-ups stored from the form are not exactly those acknowledged")
    server_errors = sum(1 for line in log.splitlines() if " 500 " in line or "Traceback" in line)
    if errors or server_errors:
        problems.append(f"{errors} failed requests, {server_errors} server error lines")
    if "database is locked" in log or o["server", "database is locked"]:
        problems.append('"database is locked" seen')
    print(
        f"  stored follow-ups {report['follow_ups']} == acknowledged writes {acknowledged}: "
        f"{report['follow_ups'] == acknowledged}"
    )
    print(f"  every commitment's status == its last follow-up's: {not report['problems']}")
    for failure in tally.failures:
        print("  failure:", failure)
    for problem in problems:
        print("  PROBLEM:", problem)
    print("OK" if not problems else "FAILED")
    return not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://... (a scratch database: recreated)")
    parser.add_argument("--analysts", type=int, default=8)
    parser.add_argument("--commitments", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20, help="seconds")
    parser.add_argument("--requests", type=int, default=400, help="per analyst, at most")
    parser.add_argument("--think", type=float, default=0.05, help="seconds, at most, per step")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()
    raise SystemExit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
