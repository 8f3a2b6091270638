"""Settings of the page benchmark's server (bench/pages.py): the project's own settings, plus
the reference view and a response header counting the SQL statements of each request.
Never used in production: only `bench.pages` starts a server with DJANGO_SETTINGS_MODULE set
to this module, so the ceiling view exists nowhere else."""

from tracker.settings import *  # noqa: F403
from tracker.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# First, so that the count includes what the other middleware asks (session, user).
MIDDLEWARE = ["bench.views.QueryCountMiddleware", *MIDDLEWARE]
# The bench signs in with a password (a superuser for the admin reference); the second factor
# is not what is measured. Production keeps its own MFA_REQUIRED.
MFA_REQUIRED = "nobody"
