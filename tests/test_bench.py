"""The page benchmark's own parts (bench/): the ceiling exists only under the bench's URLconf,
is the one query it claims to be, and the report computes what the targets are read from."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve

from bench import pages
from bench.views import ceiling
from tests import factories


def test_the_ceiling_is_never_in_the_projects_urls():
    with pytest.raises(Resolver404):
        resolve("/bench/ceiling/dpewg/", urlconf="tracker.urls")
    assert resolve("/bench/ceiling/dpewg/", urlconf="bench.urls").func is ceiling


def _ceiling_request(user, slug):
    """The ceiling view as its URLconf routes it, called without switching the project's
    URLconf (which other tests' query budgets depend on)."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    path = f"/bench/ceiling/{slug}/"
    match = resolve(path, urlconf="bench.urls")
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return match.func(request, **match.kwargs)


def test_the_ceiling_reads_fifty_commitments_in_one_query(
    group, analyst, django_assert_num_queries
):
    for i in range(51):
        factories.commitment(group, title=f"Commitment {i}")
    # The 50 commitments, in one query (the session and user are the middleware's).
    with django_assert_num_queries(1):
        response = _ceiling_request(analyst, group.slug)
    assert response.content.decode().count("<tr>") == 50


def test_the_ceiling_is_behind_the_sign_in(group):
    response = _ceiling_request(None, group.slug)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _run(size, rps, p95, names=("ceiling (reference)", "admin changelist (reference)", "list")):
    return {
        "database": "sqlite",
        "size": size,
        "pages": {
            name: {
                "rps": r,
                "p50": p,
                "p95": p,
                "p99": p,
                "queries": 3,
                "bytes": 2048,
                "x_ceiling": r / rps[0],
                "x_admin": r / rps[1],
            }
            for name, r, p in zip(names, rps, p95, strict=True)
        },
    }


def test_the_table_shows_ratios_and_p95_growth_from_the_smallest_size():
    text = pages.table(
        [_run(1000, [100, 10, 50], [10, 80, 20]), _run(10000, [100, 5, 25], [10, 160, 40])]
    )
    rows = [line.split() for line in text.splitlines() if line.startswith("sqlite")]
    list_small = next(r for r in rows if r[1] == "1,000" and r[2] == "list")
    list_large = next(r for r in rows if r[1] == "10,000" and r[2] == "list")
    # ÷ceiling, ÷admin, p95 growth
    assert list_small[-3:] == ["0.50", "5.00", "1.00"]
    assert list_large[-3:] == ["0.25", "5.00", "2.00"]


def test_the_verdict_names_each_target_and_the_page_that_misses_it():
    names = ["ceiling (reference)", "admin changelist (reference)", "list", "CSV export (all)"]

    def run(size, rps, p95, p50_csv):
        measured = _run(size, rps, p95, names=names)
        measured["pages"]["CSV export (all)"]["p50"] = p50_csv
        return measured

    text = pages.verdict(
        [run(1000, [100, 10, 60, 1], [10, 80, 20, 30], 40), run(100_000, [100, 10, 40, 0.3],
                                                               [10, 80, 40, 3000], 3000)]
    )  # fmt: skip
    lines = dict(line[2:].split(": ", 1) for line in text.splitlines())
    assert lines["÷ ceiling ≥ 0.5"].startswith("MISSED (lowest 0.40, list, sqlite 100,000)")
    assert lines["÷ admin ≥ 2.0"].startswith("holds (lowest 4.00, list")
    assert lines["p95 growth from the smallest size ≤ 1.5"].startswith("MISSED (highest 2.00, list")
    # The export is held to rows/s, not to the ratios: 100,000 rows in 3 s is 33,333 rows/s.
    assert lines["CSV export rows/s over HTTP (rows ÷ p50) ≥ 20,000"] == (
        "holds (lowest 25,000.00, CSV export (all), sqlite 1,000)"
    )
