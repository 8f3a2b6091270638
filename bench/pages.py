"""The page benchmark (`make bench`): the pages analysts use, at 1k and 100k commitments, on
SQLite and PostgreSQL, against two references measured in the same run (issue 26).

Two modes, chosen in the server's environment (bench/settings.py), so the same benchmark
measures the project before and after issue 26 took its per-worker caches out:

* `--caches off` (the default, "drawn"): every cache in settings.CACHES is Django's
  DummyCache, so each request draws its page from the database as the first view after any
  change does. The targets are read in this mode.
* `--caches on` ("kept"): the project's own caches, as configured (CACHE_URL, and before issue
  26 the workers' own LocMem caches): a repeated request gets what an earlier one kept.

For each database and size: a database holding one synthetic working group of that many
commitments with 10 follow-ups each (`generate_sample_data`; reused when it already holds that
size), one sync gunicorn worker (production settings plus bench/settings.py: the ceiling view
and a query-count header), sign-in as an analyst (and as a superuser for the admin), then
`--rounds` interleaved rounds: in each, every page in turn for `--duration` seconds under wrk
(one connection: one sync worker serves one request at a time). The follow-up POST too, through
wrk_post.lua: each POST to the next of 200 commitments, with the version the last POST to it
left.

Reported per page: requests/s, p50/p95/p99 (the median over the rounds), the SQL statements and
bytes of one response, and the ratios to the ceiling and to the admin changelist; then whether
each of issue 26's targets holds (`verdict`): every page at least 0.3x the ceiling and 2x the
admin changelist, its p95 growing at most 1.5x from the smallest size to the largest, and the
CSV export (every commitment of the group, held to its own target instead of the ratios) at
20,000 rows/s or more.

    .venv/bin/python -m bench.pages                                   # drawn, 1k and 100k, both
    .venv/bin/python -m bench.pages --caches on --sizes 1000 --databases sqlite
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import harness

ROOT = harness.ROOT
# The generated databases (SQLite) and the JSON of each run; BENCH_VAR points another checkout
# at the same ones (to compare two branches on the same data).
VAR = Path(os.environ.get("BENCH_VAR") or ROOT / "var" / "bench")
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
WRK_POST_SCRIPT = Path(__file__).with_name("wrk_post.lua")
FOLLOW_UPS = 10
REFERENCES = ("ceiling (reference)", "admin changelist (reference)")
EXPORT = "CSV export (all)"


def pages(info: dict) -> list[dict]:
    """The pages measured, in the order of a round: name, path, headers, who asks. Issue 26's
    list, between the two references, with the CSV export as an extra row."""
    slug = info["slug"]
    group = f"/g/{slug}/"
    listing = f"{group}commitments/"
    return [
        {"name": "ceiling (reference)", "path": f"/bench/ceiling/{slug}/"},
        {
            "name": "admin changelist (reference)",
            "path": "/admin/commitments/commitment/",
            "user": "admin",
        },
        {"name": "dashboard", "path": group},
        {"name": "list", "path": listing},
        {"name": "list, search", "path": listing + "?" + urlencode({"q": info["search"]})},
        {"name": "list, last page", "path": listing + f"?page={info['last_page']}"},
        {"name": "per-side view", "path": f"{group}sides/"},
        {
            "name": "commitment (50 follow-ups)",
            "path": f"{group}commitments/{info['timeline_reference']}/",
        },
        {"name": "indicator", "path": f"{group}indicators/{info['indicator']}/"},
        # The briefing pack's first part (settings.BRIEFING_PART_SIZE commitments, the whole
        # pack up to that size) with the whole group's numbers.
        {"name": "briefing part", "path": f"{group}briefing/"},
        # Every commitment of the group by design: it streams, held to rows per second
        # (export_memory.py measures it in-process).
        {"name": EXPORT, "path": f"/g/{slug}/commitments.csv"},
        {
            "name": "follow-up POST",
            # The first of the commitments the POST goes round (wrk_post.lua).
            "path": f"{group}commitments/{info['post_targets'][0][0]}/follow-ups/",
            "post": True,
        },
    ]


# --------------------------------------------------------------------------- databases


def database_url(kind: str, size: int, postgres: str, prefix: str = "bench_pages_") -> str:
    if kind == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{VAR / f'pages-{size}.sqlite3'}"
    return f"{postgres.rstrip('/')}/{prefix}{size}"


def ensure_database(url: str, size: int, workdir: Path, fresh: bool) -> dict:
    """A migrated database holding the synthetic group at `size` (generated when missing)."""
    env = harness.server_env(url, workdir, DJANGO_SETTINGS_MODULE="bench.settings")
    if url.startswith("postgres"):
        _create_pg_database(url, drop=fresh)
    elif fresh:
        Path(urlsplit(url).path).unlink(missing_ok=True)
    harness.manage(env, "migrate", "--noinput")
    if harness.django_call(env, "sample_size")["commitments"] != size:
        started = time.monotonic()
        print(f"  generating {size:,} commitments x {FOLLOW_UPS} follow-ups…", flush=True)
        harness.manage(
            env,
            "generate_sample_data",
            "--groups=1",
            f"--commitments={size}",
            f"--follow-ups-per-commitment={FOLLOW_UPS}",
            "--allow-without-debug",
            "--verbosity=0",
        )
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    harness.django_call(env, "analyze")
    return env


def _create_pg_database(url: str, *, drop: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_"):
        raise SystemExit(f"Refusing to use database {name!r}: the bench's names start bench_.")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------- measuring


def probe(browser: harness.Browser, page: dict, csrf: str) -> dict:
    """The page as wrk will see it: its status, SQL statements and size, and that it is the
    page (not a redirect to the sign-in form). Asked twice: the first visit also loads what a
    worker loads once (templates, lazily imported code) and, with the caches on, fills them;
    the figures are the second's, like the requests measured."""
    browser.get(page["path"], headers=page.get("headers"))
    response = browser.get(page["path"], headers=page.get("headers"))
    if response.status != 200:
        raise SystemExit(f"{page['name']}: {page['path']} answered {response.status}")
    return {
        "status": response.status,
        "queries": int(response.header("X-Bench-Queries") or -1),
        "bytes": len(response.body.encode()),
    }


def run_wrk(
    port: int,
    page: dict,
    cookie: str,
    duration: float,
    script: Path = WRK_SCRIPT,
    script_args: tuple[str, ...] = (),
) -> dict:
    command = [
        "wrk",
        "--timeout",
        "60s",  # a slow page is measured, not dropped (wrk's default gives up after 2 s)
        "-t1",
        "-c1",
        f"-d{round(duration)}s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {cookie}",
    ]
    for name, value in (page.get("headers") or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{page['path']}")
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(s for s in output.splitlines() if s.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    if data["non_2xx_3xx"] or data["socket_errors"]:
        raise SystemExit(f"{page['name']}: wrk saw errors: {data}")
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50": data["p50_us"] / 1000,
        "p95": data["p95_us"] / 1000,
        "p99": data["p99_us"] / 1000,
        "requests": data["requests"],
    }


class Poster:
    """Follow-ups posted without JavaScript, under wrk like the other pages (wrk_post.lua:
    each POST to the next of the commitments `targets`, carrying the version the last POST to
    it left, with the sign-in's cookies as they were, as a browser that follows each redirect
    sends them). One POST through a browser first gives the statements and bytes of an answer;
    after each run the commitments must be one version further per POST counted (a form sent
    back with errors, or a stale version's 409, would leave them behind)."""

    def __init__(self, env: dict, browser: harness.Browser, page: dict, targets: list, csrf: str):
        self.env, self.browser, self.page, self.csrf = env, browser, page, csrf
        self.versions = dict(targets)
        self.cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())

    def probe(self) -> dict:
        reference = next(iter(self.versions))
        response = self.browser.post(
            self.page["path"],
            {
                "csrfmiddlewaretoken": self.csrf,
                "version": self.versions[reference],
                "note": f"Bench POST {self.versions[reference]}",
                "occurred_on": harness.today(),
            },
        )
        if response.status != 302:
            raise SystemExit(f"follow-up POST answered {response.status}")
        self.versions = self.stored_versions()
        return {
            "status": response.status,
            "queries": int(response.header("X-Bench-Queries") or -1),
            "bytes": len(response.body.encode()),
        }

    def run(self, port: int, duration: float) -> dict:
        group = self.page["path"].split("commitments/")[0]
        outcome = run_wrk(
            port,
            self.page,
            self.cookie,
            duration,
            script=WRK_POST_SCRIPT,
            script_args=(
                group,
                self.csrf,
                harness.today(),
                *(f"{reference}={version}" for reference, version in self.versions.items()),
            ),
        )
        stored = self.stored_versions()
        saved = sum(stored.values()) - sum(self.versions.values())
        # One more than counted when wrk stopped with a POST on its way.
        if not outcome["requests"] <= saved <= outcome["requests"] + 1:
            raise SystemExit(
                f"follow-up POST: {outcome['requests']} answered 302, but {saved} were saved"
            )
        self.versions = stored
        return outcome

    def stored_versions(self) -> dict[str, int]:
        return harness.django_call(self.env, "post_versions", references=list(self.versions))


def measure(kind: str, size: int, args) -> dict:
    workdir = harness.workdir(f"bench-pages-{kind}-{size}-")
    url = database_url(kind, size, args.postgres, args.pg_prefix)
    print(f"{kind} {size:,}: {url}", flush=True)
    env = ensure_database(url, size, workdir, args.fresh)
    env["BENCH_CACHES"] = args.caches  # read by bench/settings.py: off = every cache DummyCache
    harness.manage(env, "collectstatic", "--noinput")
    info = harness.django_call(env, "prepare_pages", password=harness.PASSWORD)
    server = harness.start_gunicorn(env, workdir, workers=1, name=f"{kind}-{size}")
    try:
        analyst, admin = harness.Browser(server.port), harness.Browser(server.port)
        analyst.sign_in(info["analyst"])
        admin.sign_in(info["admin"])
        csrf = analyst.cookies["csrftoken"]
        cookie = {
            "analyst": "; ".join(f"{k}={v}" for k, v in analyst.cookies.items()),
            "admin": "; ".join(f"{k}={v}" for k, v in admin.cookies.items()),
        }
        every = pages(info)
        # The references always; the other pages whose name --only matches (all by default).
        todo = [p for p in every if "(reference)" in p["name"] or re.search(args.only, p["name"])]
        results = {p["name"]: {"path": p["path"], "rounds": []} for p in todo}
        poster = Poster(
            env,
            harness.Browser(server.port, dict(analyst.cookies)),
            next(p for p in every if p.get("post")),
            info["post_targets"],
            csrf,
        )
        for p in todo:
            if p.get("post"):
                results[p["name"]].update(poster.probe())
            else:
                results[p["name"]].update(probe(admin if p.get("user") else analyst, p, csrf))
        for number in range(1, args.rounds + 1):
            print(f"  round {number}/{args.rounds}", flush=True)
            for p in todo:
                if p.get("post"):
                    outcome = poster.run(server.port, args.duration)
                else:
                    outcome = run_wrk(
                        server.port, p, cookie[p.get("user", "analyst")], args.duration
                    )
                if outcome["requests"] == 0:
                    # Slower than the round: wrk finished none. Time one request instead.
                    browser = admin if p.get("user") else analyst
                    seconds = browser.get(p["path"], headers=p.get("headers")).seconds
                    outcome = {
                        "rps": 1 / seconds,
                        "p50": seconds * 1000,
                        "p95": seconds * 1000,
                        "p99": seconds * 1000,
                        "requests": 1,
                    }
                results[p["name"]]["rounds"].append(outcome)
        log = server.log()
    finally:
        server.stop()
    if "Traceback" in log:
        raise SystemExit(f"the server logged a traceback:\n{log[-3000:]}")
    for result in results.values():
        for key in ("rps", "p50", "p95", "p99"):
            result[key] = statistics.median(r[key] for r in result["rounds"])
    ceiling = results["ceiling (reference)"]["rps"]
    admin_rps = results["admin changelist (reference)"]["rps"]
    for result in results.values():
        result["x_ceiling"] = result["rps"] / ceiling
        result["x_admin"] = result["rps"] / admin_rps
    shutil.rmtree(workdir, ignore_errors=True)
    return {"database": kind, "size": size, "caches": args.caches, "pages": results}


# --------------------------------------------------------------------------- reporting


def _smallest_p95(runs: list[dict]) -> dict:
    """Each (database, page)'s p95 at the smallest size measured: what growth is relative to."""
    smallest = {}
    for run in sorted(runs, key=lambda r: r["size"]):
        for name, result in run["pages"].items():
            smallest.setdefault((run["database"], name), result["p95"])
    return smallest


def mode(runs: list[dict]) -> str:
    """The runs' mode in words (runs measured before the option existed kept their caches)."""
    modes = {run.get("caches", "on") for run in runs}
    words = {"off": "off (drawn: every page drawn as after a change)", "on": "on (kept)"}
    return " and ".join(words[m] for m in sorted(modes))


def table(runs: list[dict]) -> str:
    smallest = _smallest_p95(runs)
    head = (
        f"{'db':8} {'size':>7}  {'page':30} {'rps':>7} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'sql':>4} {'KB':>6} {'÷ceil':>6} {'÷admin':>6} {'p95÷min':>7}"
    )
    lines = [head, "-" * len(head)]
    for run in runs:
        for name, r in run["pages"].items():
            growth = r["p95"] / smallest[(run["database"], name)]
            kb = f"{r['bytes'] / 1024:6.1f}" if r["bytes"] is not None else f"{'':6}"
            lines.append(
                f"{run['database']:8} {run['size']:>7,}  {name:30} {r['rps']:7.1f} "
                f"{r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f} {r['queries']:>4} {kb} "
                f"{r['x_ceiling']:6.2f} {r['x_admin']:6.2f} {growth:7.2f}"
            )
        lines.append("")
    return "\n".join(lines)


def markdown(runs: list[dict]) -> str:
    """The runs as the Markdown table bench/README.md keeps."""
    smallest = _smallest_p95(runs)
    lines = [
        "| db | size | page | rps | p50 | p95 | p99 | SQL | KB | ÷ ceiling | ÷ admin | p95 ÷ 1k |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for name, r in run["pages"].items():
            kb = f"{r['bytes'] / 1024:.1f}" if r["bytes"] is not None else ""
            lines.append(
                f"| {run['database']} | {run['size']:,} | {name} | {r['rps']:.1f} | "
                f"{r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['queries']} | {kb} | "
                f"{r['x_ceiling']:.2f} | {r['x_admin']:.2f} | "
                f"{r['p95'] / smallest[(run['database'], name)]:.2f} |"
            )
    return "\n".join(lines)


# Issue 26's targets, in the drawn mode. The CSV export (EXPORT) holds every commitment of the
# group by design: it is held to its own target, rows per second (its ratios are printed, not
# judged).
TARGETS = {"x_ceiling": 0.3, "x_admin": 2.0, "p95_growth": 1.5, "export_rows_per_s": 20_000}


def verdict(runs: list[dict]) -> str:
    """Whether each target holds on this run: one line per target, with the worst page."""
    smallest = _smallest_p95(runs)
    rows = [
        (run["database"], run["size"], name, r)
        for run in runs
        for name, r in run["pages"].items()
        if name not in REFERENCES
    ]
    pages = [row for row in rows if row[2] != EXPORT]
    exports = [row for row in rows if row[2] == EXPORT]

    def worst(label, values, target, *, most=False, unit=""):
        if not values:
            return f"- {label}: not measured"
        value, where = (max if most else min)(values)
        held = value <= target if most else value >= target
        sign = "≤" if most else "≥"
        return (
            f"- {label} {sign} {target:,}{unit}: {'holds' if held else 'MISSED'} "
            f"({'highest' if most else 'lowest'} {value:,.2f}{unit}, {where})"
        )

    def at(db, size, name):
        return f"{name}, {db} {size:,}"

    lines = [
        worst("÷ ceiling", [(r["x_ceiling"], at(*w)) for *w, r in pages], TARGETS["x_ceiling"]),
        worst("÷ admin", [(r["x_admin"], at(*w)) for *w, r in pages], TARGETS["x_admin"]),
        worst(
            "p95 growth from the smallest size",
            [(r["p95"] / smallest[(db, name)], at(db, size, name)) for db, size, name, r in pages],
            TARGETS["p95_growth"],
            most=True,
        ),
        worst(
            "CSV export rows/s over HTTP (rows ÷ p50)",
            [(size / (r["p50"] / 1000), at(db, size, name)) for db, size, name, r in exports],
            TARGETS["export_rows_per_s"],
        ),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,100000"))
    parser.add_argument("--databases", default=os.environ.get("BENCH_DATABASES", "sqlite,postgres"))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="server URL; the databases are bench_pages_<size>",
    )
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 5)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument(
        "--caches",
        choices=("off", "on"),
        default=os.environ.get("BENCH_CACHES", "off"),
        help="off (drawn, the default): every cache keeps nothing; on (kept): the project's own",
    )
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument(
        "--pg-prefix",
        default=os.environ.get("BENCH_PG_PREFIX", "bench_pages_"),
        help="PostgreSQL database names: <prefix><size>; must start with bench_",
    )
    parser.add_argument(
        "--only",
        default="",
        help="measure only the pages whose name matches this regular expression (e.g. POST), "
        "beside the two references",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--report", type=Path, default=None, help="print a run's JSON as Markdown and stop"
    )
    args = parser.parse_args(argv)
    if args.report:
        runs = json.loads(args.report.read_text())["runs"]
        print(f"Caches {mode(runs)}.")
        print(markdown(runs))
        print()
        print(verdict(runs))
        return 0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does it).")
    sizes = [int(s) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M")
    path = args.json or VAR / f"pages-{args.caches}-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    runs = []
    for kind in args.databases.split(","):
        for size in sizes:
            runs.append(measure(kind, size, args))
            # Written after each database and size, so a later failure keeps what was measured.
            path.write_text(
                json.dumps({"when": stamp, "load": os.getloadavg(), "runs": runs}, indent=1)
            )
            print(table(runs[-1:]), flush=True)
    print()
    print(f"Caches {mode(runs)}.")
    print(table(runs))
    print(verdict(runs))
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
