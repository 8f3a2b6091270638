"""Settings of the benchmarks' server (bench/pages.py, bench/workday.py): the project's own
settings, plus the reference view and a response header counting the SQL statements of each
request. Never used in production: only the benchmarks start a server with
DJANGO_SETTINGS_MODULE set to this module, so the ceiling view exists nowhere else.

BENCH_CACHES=off (the page benchmark's "drawn" mode, its default): every cache of CACHES,
whatever their names and number, keeps nothing (DummyCache), so each request draws its page as
the first view after a change does. Read from the server's environment, so the same benchmark
measures the project before issue 26 (five caches: default, fragments, pages, packs,
catalogue) and after it (the one default cache)."""

import os

from django.core.exceptions import ImproperlyConfigured

from tracker.settings import *  # noqa: F403
from tracker.settings import CACHES, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# First, so that the count includes what the other middleware asks (session, user).
MIDDLEWARE = ["bench.views.QueryCountMiddleware", *MIDDLEWARE]
# The bench signs in with a password (a superuser for the admin reference); the second factor
# is not what is measured. Production keeps its own MFA_REQUIRED.
MFA_REQUIRED = "nobody"

BENCH_CACHES = os.environ.get("BENCH_CACHES", "on")
if BENCH_CACHES not in ("on", "off"):
    raise ImproperlyConfigured(f"BENCH_CACHES must be on or off, not {BENCH_CACHES!r}.")
if BENCH_CACHES == "off":
    CACHES = {name: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for name in CACHES}
