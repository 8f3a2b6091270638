"""Scale-out check: two gunicorn instances on different ports share one PostgreSQL, as two app
servers behind a load balancer would. Not part of the test suite.

1. A change made through one instance is visible through the other at once (the first read
   after the acknowledgement shows it), in both directions.
2. A session started on one instance works on the other (sessions live in the database), for
   reading, for a CSRF-protected write, and for signing out.
3. Concurrent writes through both instances lose nothing: analysts split between the two save
   on the same commitments; afterwards the stored follow-ups are exactly the acknowledged ones.

    .venv/bin/python -m bench.scale_out --database-url postgres://postgres@127.0.0.1:5432/tracker_bench

Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid

from bench import harness
from bench.harness import ENDPOINTS, Browser
from bench.load_test import Tally, analyst, summarise


def post_follow_up(browser: Browser, slug: str, reference: str, note: str):
    page = browser.get(ENDPOINTS["commitment"].format(slug=slug, reference=reference))
    assert page.status == 200, page.status
    return browser.post(
        ENDPOINTS["follow_up"].format(slug=slug, reference=reference),
        {
            "csrfmiddlewaretoken": harness.CSRF_INPUT.search(page.body).group(1),
            "note": note,
            "occurred_on": harness.today(),
            "status": "",
            "progress": "",
            "evidence_url": "",
            "external_reference": "",
            "version": harness.VERSION_INPUT.search(page.body).group(1),
        },
    )


def check_visibility(a, b, data: dict, rounds: int) -> tuple[list[str], list[str]]:
    problems, acknowledged = [], []
    slug, reference = data["slug"], data["references"][0]
    page_url = ENDPOINTS["commitment"].format(slug=slug, reference=reference)
    writer_a, writer_b = Browser(a.port), Browser(b.port)
    reader_a, reader_b = Browser(a.port), Browser(b.port)
    for browser, user in zip(
        (writer_a, writer_b, reader_a, reader_b), data["analysts"][:4], strict=True
    ):
        browser.sign_in(user)
    lags = []
    for i in range(rounds):
        writer, reader, direction = (
            (writer_a, reader_b, "A to B") if i % 2 == 0 else (writer_b, reader_a, "B to A")
        )
        note = f"visible {direction} {uuid.uuid4().hex[:10]}"
        response = post_follow_up(writer, slug, reference, note)
        done = time.perf_counter()
        if response.status != 302:
            problems.append(f"round {i}: write through {direction[0]} answered {response.status}")
            continue
        acknowledged.append(note)
        page = reader.get(page_url)
        lags.append(time.perf_counter() - done)
        if note not in page.body:
            problems.append(f"round {i}: {direction}: the first read after the write missed it")
    print(
        f"visibility: {rounds} writes alternating A to B and B to A; the first read on the other "
        f"instance showed the change {rounds - len(problems)}/{rounds} times "
        f"(that read took p50 {harness.percentile(lags, 50) * 1000:.0f} ms)"
    )
    return problems, acknowledged


def check_sessions(a, b, data: dict) -> tuple[list[str], list[str]]:
    problems, acknowledged = [], []
    slug, reference = data["slug"], data["references"][1]
    page_url = ENDPOINTS["commitment"].format(slug=slug, reference=reference)

    on_a = Browser(a.port)
    on_a.sign_in(data["analysts"][0])
    on_b = Browser(b.port, cookies=dict(on_a.cookies))  # the same browser, the other server
    read = on_b.get(page_url).status
    note = f"session from A, written on B {uuid.uuid4().hex[:10]}"
    write = post_follow_up(on_b, slug, reference, note).status
    if write == 302:
        acknowledged.append(note)

    signed_in_cookies = dict(on_b.cookies)
    on_a.cookies = dict(signed_in_cookies)
    token = harness.CSRF_INPUT.search(on_a.get(page_url).body).group(1)
    on_a.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    after_sign_out = Browser(b.port, cookies=signed_in_cookies).get(page_url).status

    checks = {
        "signed in on A, read on B": read == 200,
        "CSRF-protected write on B": write == 302,
        "signed out on A, the old cookie refused on B": after_sign_out == 302,
    }
    for name, ok in checks.items():
        if not ok:
            problems.append(f"sessions: {name} failed ({read}, {write}, {after_sign_out})")
    print(
        "sessions: "
        + "; ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in checks.items())
    )
    return problems, acknowledged


def check_concurrent_writes(a, b, data, args) -> tuple[Tally, float]:
    tally = Tally()
    run_id = uuid.uuid4().hex[:8]
    deadline = time.monotonic() + args.duration
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=analyst,
            args=(
                (a if i % 2 == 0 else b).port,
                username,
                data["slug"],
                data["references"],
                deadline,
                args.requests,
                0.05,
                run_id,
                tally,
            ),
        )
        for i, username in enumerate(data["analysts"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 120)
    elapsed = time.monotonic() - started
    print(f"concurrent writes: {len(threads)} analysts, half through A and half through B")
    return tally, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/tracker_bench",
        help="a scratch PostgreSQL database (recreated)",
    )
    parser.add_argument("--analysts", type=int, default=8)
    parser.add_argument("--commitments", type=int, default=4)
    parser.add_argument("--duration", type=float, default=15, help="seconds of concurrent writes")
    parser.add_argument("--requests", type=int, default=400, help="per analyst, at most")
    parser.add_argument("--rounds", type=int, default=20, help="visibility round trips")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The scale-out check needs PostgreSQL: --database-url postgres://...")

    workdir = harness.workdir("tracker-scale-")
    env, data = harness.prepare(
        args.database_url, workdir, analysts=max(4, args.analysts), commitments=args.commitments
    )
    a = harness.start_gunicorn(env, workdir, workers=args.workers, name="instance-a")
    b = harness.start_gunicorn(env, workdir, workers=args.workers, name="instance-b")
    print(f"== two instances on ports {a.port} (A) and {b.port} (B), one PostgreSQL")
    try:
        problems, acknowledged = check_visibility(a, b, data, args.rounds)
        more_problems, more_acknowledged = check_sessions(a, b, data)
        tally, elapsed = check_concurrent_writes(a, b, data, args)
    finally:
        a.stop()
        b.stop()
    # The visibility and session checks' writes are acknowledged writes too.
    tally.acknowledged_notes.extend(acknowledged + more_acknowledged)
    problems += more_problems
    report = harness.django_call(env, "verify")
    ok = summarise(tally, report, a.log() + b.log(), elapsed)
    for problem in problems:
        print("PROBLEM:", problem)
    raise SystemExit(0 if ok and not problems else 1)


if __name__ == "__main__":
    main()
