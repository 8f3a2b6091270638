"""A working day (`make bench-workday`): the production configuration under 8 analysts at once,
against the one-query ceiling under the same 8 (issue 26).

The server is started as `make serve` starts it: static files collected, migrations applied,
gunicorn with gthread workers (WEB_CONCURRENCY=2 processes of THREADS=4 threads by default) and
make serve's other options (SERVE_OPTIONS), DEBUG=0, a SECRET_KEY and ALLOWED_HOSTS, the shared
cache in Redis (CACHE_URL, a database number of the bench's own, flushed first), PostgreSQL at
100,000 commitments (the page benchmark's database, generated when missing). Three differences,
all the bench's: plain http on 127.0.0.1 (HTTPS=0), and bench/settings.py, which adds the
ceiling's URL and a header counting SQL statements, and lets the superuser of the page
benchmark in without a second factor (analysts need none in production either).

Each client signs in as an analyst of its own and, until the time is up, loops over: the
dashboard; a list page with a random filter (area, status, search, order, page); a random
commitment's page; and one time in ten a follow-up posted without JavaScript on that
commitment, with the CSRF token and the version its page showed (302 saved; 409 with the
conflict message, someone saved first: a correct answer, counted apart). Any other answer, a
5xx or a connection error is an error. Then the same clients ask for the ceiling for the same
time. `--rounds` alternates the two, so both see the same moments of a shared machine.

Reported per step and overall: requests, errors, p50/p95/p99; the ratio of the working day's
overall p95 to the ceiling's; the CPU the clients, gunicorn and the whole machine used; and the
verdict: no errors, follow-ups stored == acknowledged, p95 ratio at most 2. `--caches off`
runs the same day with every cache a DummyCache (bench/settings.py), to see what the caches
save.

    .venv/bin/python -m bench.workday                                  # 60 s each, 8 clients
    .venv/bin/python -m bench.workday --duration 20 --rounds 2
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import resource
import shutil
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import harness, pages
from bench.harness import ENDPOINTS, MARKERS
from bench.load_test import STATUSES

STEPS = ("dashboard", "list", "commitment", "follow-up POST")
CEILING = "ceiling (reference)"
# make serve's gunicorn options (Makefile, target serve) but --workers, given apart;
# tests/test_bench.py checks that the two agree.
SERVE_OPTIONS = (
    "--worker-class", "gthread", "--threads", "{threads}",
    "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5",
    "--max-requests", "2000", "--max-requests-jitter", "200",
)  # fmt: skip
TARGET_RATIO = 2.0


# --------------------------------------------------------------------------- what is counted


@dataclass
class Tally:
    """Latencies and outcomes per step, shared by the clients of one phase."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    stale_retries: int = 0

    def record(self, step: str, outcome: str, seconds: float | None, detail: str = "") -> None:
        with self.lock:
            self.outcomes[step, outcome] += 1
            if seconds is not None:
                self.latencies[step].append(seconds)
            if detail and len(self.failures) < 20:
                self.failures.append(f"{step}: {detail}")


class Client(harness.Browser):
    """A signed-in analyst's browser. A request that finds its kept-alive connection closed by
    the server before any answer (a worker recycled after --max-requests, say) is sent again
    on a new connection, as browsers do; counted apart (`stale_retries`), not as an error."""

    def timed(self, tally: Tally, method: str, path: str, data=None):
        reused = self.conn.sock is not None
        started = time.perf_counter()
        try:
            response = self.request(method, path, data=data)
        except (ConnectionResetError, BrokenPipeError):  # http.client.RemoteDisconnected too
            if not reused:
                raise
            with tally.lock:
                tally.stale_retries += 1
            response = self.request(method, path, data=data)
        return response, time.perf_counter() - started


# --------------------------------------------------------------------------- the clients


def list_query(info: dict, rng: random.Random) -> dict:
    """A list page as analysts ask for one: a filter or two, sometimes a search or another
    order, mostly the first pages. A page beyond a filter's last shows its last page
    (Paginator.get_page), as following a shared link does."""
    query = {}
    if rng.random() < 0.4:
        query["area"] = rng.choice(info["areas"])
    if rng.random() < 0.4:
        query["status"] = rng.choice(info["statuses"])
    if rng.random() < 0.25:
        query["q"] = rng.choice(info["searches"])
    if rng.random() < 0.3:
        query["sort"] = rng.choice(info["sorts"])
    draw = rng.random()
    if draw >= 0.8:
        query["page"] = rng.randint(1, info["last_page"])
    elif draw >= 0.5:
        query["page"] = rng.randint(2, 5)
    return query


def working_day(client: Client, info, rng, deadline, post_share, run_id, tally: Tally) -> None:
    """Dashboard → a list page → a commitment → (one time in `post_share`) a follow-up on it."""
    slug = info["slug"]
    while time.monotonic() < deadline:
        get(client, tally, "dashboard", f"/g/{slug}/")
        if time.monotonic() >= deadline:
            break
        query = list_query(info, rng)
        get(client, tally, "list", f"/g/{slug}/commitments/?{urlencode(query)}".rstrip("?"))
        if time.monotonic() >= deadline:
            break
        reference = rng.choice(info["references"])
        page = get(
            client,
            tally,
            "commitment",
            ENDPOINTS["commitment"].format(slug=slug, reference=reference),
        )
        if page is None or rng.random() >= post_share or time.monotonic() >= deadline:
            continue
        follow_up(client, tally, slug, reference, page.body, rng, run_id)


def get(client: Client, tally: Tally, step: str, path: str):
    try:
        response, seconds = client.timed(tally, "GET", path)
    except (http.client.HTTPException, OSError) as exc:
        tally.record(step, "error", None, f"GET {path}: {exc!r}")
        return None
    if response.status != 200:
        tally.record(step, "error", seconds, f"GET {path}: {response.status}")
        return None
    tally.record(step, "ok", seconds)
    return response


def follow_up(client, tally, slug, reference, page: str, rng, run_id) -> None:
    step = "follow-up POST"
    url = ENDPOINTS["follow_up"].format(slug=slug, reference=reference)
    version = harness.VERSION_INPUT.search(page)
    token = harness.CSRF_INPUT.search(page)
    if version is None or token is None:
        tally.record(step, "error", None, f"{reference}'s page has no follow-up form")
        return
    status = rng.choice(STATUSES)
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "note": f"{run_id} workday follow-up {uuid.uuid4().hex[:8]}",
        "occurred_on": harness.today(),
        "status": status,
        "progress": str(rng.randint(1, 99)) if status in ("in_progress", "stalled") else "",
        "evidence_url": "",
        "external_reference": "",
        "version": version.group(1),
    }
    try:
        response, seconds = client.timed(tally, "POST", url, data=data)
    except (http.client.HTTPException, OSError) as exc:
        tally.record(step, "error", None, f"POST {url}: {exc!r} (outcome unknown)")
        return
    if response.status == 302:
        tally.record(step, "saved", seconds)
    elif response.status == 409 and MARKERS["follow_up_conflict"] in response.body:
        tally.record(step, "conflict", seconds)
    else:
        tally.record(step, "error", seconds, f"POST {url}: {response.status}")


def ceiling(client: Client, info, rng, deadline, post_share, run_id, tally: Tally) -> None:
    path = f"/bench/ceiling/{info['slug']}/"
    while time.monotonic() < deadline:
        get(client, tally, CEILING, path)


# --------------------------------------------------------------------------- CPU


def _proc_stat(pid: int | str) -> list[str]:
    """/proc/<pid>/stat's fields after the command's name: [0] is field 3 (state)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_cpu(pid: int) -> float:
    """CPU seconds of gunicorn: its master (with the workers it has reaped: cutime, cstime)
    and its live workers. A difference of two readings is what the server used between them,
    whether or not workers were recycled in between."""
    ticks = os.sysconf("SC_CLK_TCK")
    master = _proc_stat(pid)
    total = sum(int(master[i]) for i in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _proc_stat(entry.name)
        except OSError:
            continue
        if fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_cpu() -> tuple[float, float]:
    """The machine's busy and total CPU time (every core), in clock ticks."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- a phase


def phase(target, label: str, clients, info, args, seconds, run_id, server) -> dict:
    """Every client running `target` for `seconds`; its tally, and the CPU used meanwhile.
    Each client's choices follow a seed of its own and the phase's `label`, so two runs
    (before and after a change) ask for the same pages in the same order."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = []
    for number, client in enumerate(clients):
        rng = random.Random(f"{args.seed}-{label}-{number}")
        work = (client, info, rng, deadline, args.post_share, run_id, tally)
        threads.append(threading.Thread(target=target, args=work))
    started = time.monotonic()
    client_before, server_before = client_cpu(), server_cpu(server.process.pid)
    busy_before, total_before = machine_cpu()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    busy, total = machine_cpu()
    return {
        "tally": tally,
        "elapsed": time.monotonic() - started,
        "client_cpu": client_cpu() - client_before,
        "server_cpu": server_cpu(server.process.pid) - server_before,
        "machine_cores_busy": (
            (busy - busy_before) / max(1, total - total_before) * (os.cpu_count() or 1)
        ),
    }


def summary(latencies: list[float], outcomes: Counter, steps, elapsed: float) -> dict:
    count = sum(n for (step, _), n in outcomes.items() if step in steps)
    return {
        "requests": count,
        "errors": sum(n for (step, o), n in outcomes.items() if step in steps and o == "error"),
        "conflicts": sum(
            n for (step, o), n in outcomes.items() if step in steps and o == "conflict"
        ),
        "rps": count / elapsed if elapsed else 0.0,
        "p50": harness.percentile(latencies, 50) * 1000,
        "p95": harness.percentile(latencies, 95) * 1000,
        "p99": harness.percentile(latencies, 99) * 1000,
    }


def results(day: list[dict], top: list[dict]) -> dict:
    """The phases' figures merged (over the rounds): per step, the day overall, the ceiling."""
    rows = {}
    for name, phases, steps in (("day", day, STEPS), ("ceiling", top, (CEILING,))):
        outcomes = sum((p["tally"].outcomes for p in phases), Counter())
        elapsed = sum(p["elapsed"] for p in phases)
        per_step = {step: [s for p in phases for s in p["tally"].latencies[step]] for step in steps}
        if name == "day":
            for step in steps:
                rows[step] = summary(per_step[step], outcomes, (step,), elapsed)
            rows["working day (overall)"] = summary(
                [s for step in steps for s in per_step[step]], outcomes, steps, elapsed
            )
        else:
            rows[CEILING] = summary(per_step[CEILING], outcomes, steps, elapsed)
        for key in ("client_cpu", "server_cpu"):
            rows[name + "_" + key] = sum(p[key] for p in phases)
        rows[name + "_machine_cores_busy"] = sum(
            p["machine_cores_busy"] * p["elapsed"] for p in phases
        ) / max(elapsed, 1e-9)
        rows[name + "_elapsed"] = elapsed
        rows[name + "_stale_retries"] = sum(p["tally"].stale_retries for p in phases)
        rows[name + "_saved"] = outcomes["follow-up POST", "saved"]
        rows[name + "_failures"] = [f for p in phases for f in p["tally"].failures][:20]
    return rows


# --------------------------------------------------------------------------- reporting

ROWS = (*STEPS, "working day (overall)", CEILING)


def table(report: dict) -> str:
    r = report["results"]
    head = (
        f"{'step':24} {'requests':>8} {'errors':>6} {'409':>5} {'rps':>7} "
        f"{'p50':>7} {'p95':>7} {'p99':>7}"
    )
    lines = [head, "-" * len(head)]
    for name in ROWS:
        row = r[name]
        lines.append(
            f"{name:24} {row['requests']:8} {row['errors']:6} {row['conflicts']:5} "
            f"{row['rps']:7.1f} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f}"
        )
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """The run as the Markdown table bench/README.md keeps."""
    r = report["results"]
    lines = [
        "| step | requests | errors | 409 | rps | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ROWS:
        row = r[name]
        lines.append(
            f"| {name} | {row['requests']:,} | {row['errors']} | {row['conflicts']} | "
            f"{row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | {row['p99']:.0f} |"
        )
    return "\n".join(lines)


def cpu_lines(report: dict) -> str:
    r = report["results"]
    lines = []
    for name, label in (("day", "working day"), ("ceiling", "ceiling")):
        elapsed = r[name + "_elapsed"]
        lines.append(
            f"- CPU during the {label} ({elapsed:.0f} s): clients {r[name + '_client_cpu']:.1f} s "
            f"({r[name + '_client_cpu'] / elapsed * 100:.0f} % of one core), gunicorn "
            f"{r[name + '_server_cpu']:.1f} s ({r[name + '_server_cpu'] / elapsed * 100:.0f} %), "
            f"whole machine {r[name + '_machine_cores_busy']:.2f} of {os.cpu_count()} cores busy "
            f"(the rest: PostgreSQL, Redis, other users)"
        )
    return "\n".join(lines)


def verdict(report: dict) -> tuple[str, bool]:
    r = report["results"]
    errors = r["working day (overall)"]["errors"] + r[CEILING]["errors"] + report["warmup_errors"]
    ratio = r["working day (overall)"]["p95"] / max(r[CEILING]["p95"], 1e-9)
    stored, saved = report["stored"], r["day_saved"]
    checks = [
        (
            errors == 0 and not report["server_problems"],
            f"errors: {errors} (5xx, connection errors, other answers; warm-up included), "
            f"server log problems: {len(report['server_problems'])}",
        ),
        (stored == saved, f"follow-ups stored {stored} == acknowledged (302) {saved}"),
        (
            ratio <= TARGET_RATIO,
            f"overall p95 ÷ ceiling p95 = {r['working day (overall)']['p95']:.0f} ÷ "
            f"{r[CEILING]['p95']:.0f} ms = {ratio:.2f} (target ≤ {TARGET_RATIO})",
        ),
    ]
    lines = [f"- {'holds' if held else 'MISSED'}: {text}" for held, text in checks]
    return "\n".join(lines), all(held for held, _ in checks)


# --------------------------------------------------------------------------- running


def flush_redis(url: str) -> int:
    """Empty the bench's own Redis database; return how many keys it held."""
    import redis

    number = urlsplit(url).path.lstrip("/")
    if not number.isdigit() or int(number) == 0:
        raise SystemExit(
            f"{url}: name a Redis database of the bench's own (redis://host:port/<1-15>): "
            "it is flushed first."
        )
    connection = redis.Redis.from_url(url)
    held = connection.dbsize()
    connection.flushdb()
    return held


def redis_keys(url: str) -> int:
    import redis

    return redis.Redis.from_url(url).dbsize()


def serve_options(threads: int) -> tuple[str, ...]:
    return tuple(option.format(threads=threads) for option in SERVE_OPTIONS)


def run(args) -> int:
    workdir = harness.workdir("bench-workday-")
    url = pages.database_url(args.database, args.size, args.postgres, args.pg_prefix)
    print(f"{args.database} {args.size:,}: {url}; cache {args.redis}, caches {args.caches}")
    env = pages.ensure_database(url, args.size, workdir, fresh=False)
    # The project's caches as configured (on), or every one a DummyCache (off: bench/settings.py).
    env["BENCH_CACHES"] = args.caches
    env.update(CACHE_URL=args.redis, WEB_CONCURRENCY=str(args.workers), THREADS=str(args.threads))
    info = harness.django_call(
        env, "prepare_workday", password=harness.PASSWORD, analysts=args.clients
    )
    # As make serve: collectstatic, migrate (done by ensure_database), gunicorn.
    harness.manage(env, "collectstatic", "--noinput")
    held = flush_redis(args.redis)
    print(f"  Redis {args.redis} flushed ({held} keys)", flush=True)
    server = harness.start_gunicorn(
        env, workdir, workers=args.workers, name="workday", options=serve_options(args.threads)
    )
    run_id = f"wd-{uuid.uuid4().hex[:8]}"
    load_before = os.getloadavg()
    try:
        clients = [Client(server.port) for _ in info["analysts"]]
        for client, username in zip(clients, info["analysts"], strict=True):
            client.sign_in(username)
        if args.warmup:
            print(f"  warm-up {args.warmup:g} s (not counted)", flush=True)
            warm = phase(working_day, "warm-up", clients, info, args, args.warmup, run_id, server)
        day, top = [], []
        for number in range(1, args.rounds + 1):
            print(f"  round {number}/{args.rounds}: working day {args.duration:g} s", flush=True)
            day.append(
                phase(
                    working_day, f"day-{number}", clients, info, args, args.duration, run_id, server
                )
            )
            print(f"  round {number}/{args.rounds}: ceiling {args.duration:g} s", flush=True)
            top.append(
                phase(
                    ceiling, f"ceiling-{number}", clients, info, args, args.duration, run_id, server
                )
            )
        for client in clients:
            client.close()
        keys = redis_keys(args.redis)
    finally:
        server.stop()
    log = server.log()
    problems = [
        line
        for line in log.splitlines()
        if "Traceback" in line or "WORKER TIMEOUT" in line or '"status": 500' in line
    ]
    boots = log.count("Booting worker")
    stored = harness.django_call(env, "workday_notes", prefix=run_id)["stored"]
    warm_outcomes = warm["tally"].outcomes if args.warmup else Counter()
    report = {
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M"),
        "database": args.database,
        "caches": args.caches,
        "size": args.size,
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
        "duration": args.duration,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "load": [load_before, os.getloadavg()],
        "results": results(day, top),
        "stored": stored - warm_outcomes["follow-up POST", "saved"],
        "warmup_errors": sum(n for (_, outcome), n in warm_outcomes.items() if outcome == "error"),
        "server_problems": problems[:20],
        "worker_boots": boots,
        "redis_keys": keys,
    }
    path = args.json or pages.VAR / f"workday-{report['when']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, default=str))
    print()
    print(table(report))
    print(cpu_lines(report))
    r = report["results"]
    print(
        f"- stale keep-alive connections sent again: {r['day_stale_retries']} (day), "
        f"{r['ceiling_stale_retries']} (ceiling); gunicorn workers booted: {boots} "
        f"({args.workers} at start, the rest recycled after --max-requests); "
        f"Redis keys at the end: {keys}; load average {load_before[0]:.1f} → "
        f"{os.getloadavg()[0]:.1f}"
    )
    for failure in r["day_failures"] + r["ceiling_failures"]:
        print("  failure:", failure)
    for problem in problems[:10]:
        print("  server:", problem)
    text, held = verdict(report)
    print(text)
    print(f"JSON: {path}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if held else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--size", type=int, default=int(os.environ.get("BENCH_WORKDAY_SIZE", 100_000))
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="server URL; the database is <pg-prefix><size>, the page benchmark's",
    )
    parser.add_argument("--pg-prefix", default=os.environ.get("BENCH_PG_PREFIX", "bench_pages_"))
    parser.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"),
        help="CACHE_URL: a Redis database of the bench's own, flushed first",
    )
    parser.add_argument(
        "--caches",
        choices=("on", "off"),
        default="on",
        help="on (the default): the caches as configured; off: every cache keeps nothing",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("BENCH_WORKDAY_DURATION", 60)),
        help="seconds of each phase (working day, ceiling) in each round",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_WORKDAY_ROUNDS", 1))
    )
    parser.add_argument("--warmup", type=float, default=5, help="seconds of the day not counted")
    parser.add_argument("--post-share", type=float, default=0.1, help="loops that post")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", 4)))
    parser.add_argument("--seed", default="workday")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--report", type=Path, default=None, help="print a run's JSON and stop")
    args = parser.parse_args(argv)
    if args.report:
        report = json.loads(args.report.read_text())
        print(markdown(report))
        print(cpu_lines(report))
        print(verdict(report)[0])
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
