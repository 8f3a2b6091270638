"""Settings for the Commitment Tracker, driven by environment variables.

Defaults suit a fresh checkout (SQLite in ./var, DEBUG off). `make run` turns DEBUG on; production
sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL and leaves DEBUG off.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for DEBUG=0: use at least 32 random characters."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if DEBUG:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin with a site for installation administrators only.
    "accounts.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # Plumbing: no app below imports the domain (see .importlinter).
    "ops",
    "accounts",
    # The domain.
    "commitments",
    # Features built on the domain's services and selectors.
    "readouts",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Request id, timing, the request log line and the audit of refused access (403/404).
    "ops.middleware.RequestLogMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSP, so that its 400 and 413 answers carry our headers.
    "ops.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts; ends the sessions of deactivated users.
    "accounts.middleware.SessionTimeoutMiddleware",
    # Cache-Control: no-store, private on every response to a signed-in user.
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A session that owes its second factor reaches only the verify and enrol pages.
    "accounts.middleware.MFAGateMiddleware",
    # A request whose session has ended signs in again and returns to its page (not to a
    # fragment, nor to the URL a form posted to).
    "accounts.middleware.LoginRedirectMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that cannot reach the database answers a friendly 503 (see also handler500).
    "ops.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.mfa",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"


def cache_from_url(url: str) -> dict:
    """One cache from CACHE_URL: ``redis://host:port/db`` (or ``rediss://``) for Django's
    RedisCache, shared by every worker and server (production); ``locmem://`` for this
    process's memory (development, tests); ``dummy://`` keeps nothing (every page drawn, as
    after a change: the benchmark's "drawn" measure)."""
    scheme = url.partition("://")[0]
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tracker"),
            # A cache that does not answer fails the request within a second, never hangs it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, locmem:// or dummy://, not {url!r}."
    )


# One cache (commitments/cache.py keeps pieces of pages in it under each group's version):
# CACHE_URL, else REDIS_URL, else this process's memory, so `make run` needs nothing more.
CACHES = {
    "default": cache_from_url(
        os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "locmem://"
    ),
}
# How long a kept piece lives at most (commitments.cache): a write makes new keys anyway.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 24 * 60 * 60)

# Database: SQLite in ./var by default; DATABASE_URL (postgres://...) for PostgreSQL.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
_default_db_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_db_url,
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL: parameters sent apart from the SQL (psycopg 3's server-side binding), so that
# psycopg prepares a statement it sees run often and PostgreSQL plans it once per connection,
# not on every request: the pages' joins cost more to plan than to run. Off (DB_PREPARED_STATEMENTS=0) behind a pooler in
# transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=envint("DB_PREPARE_THRESHOLD", 5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Several gunicorn workers share one file: WAL lets readers run beside a writer, a busy
    # timeout makes writers wait rather than fail, and IMMEDIATE transactions take the write
    # lock up front so two writers never deadlock on a lock upgrade ("database is locked").
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file, not pytest-django's in-memory default, so that threads in
    # transaction=True tests share one database (with the options above) as workers do. The pid
    # keeps concurrent runs on one machine apart; pytest-django deletes the file afterwards.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# At least 12 characters and at most 128 (NIST SP 800-63B asks for 8+ and allows 64+), not too
# close to the user's name or email, not a common password, and not one from the bundled list of
# breached passwords (accounts/data, no network).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes sits in front of the model backend to throttle sign-ins (see "Sign-in throttling").
AUTHENTICATION_BACKENDS = [
    "accounts.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "commitments:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Tracker behaviour.
# An open commitment nobody has reported on for this many days counts as *inactive* (not the
# same as the status "Stalled", which someone chose). STALLED_AFTER_DAYS is its former name.
INACTIVE_AFTER_DAYS = envint("INACTIVE_AFTER_DAYS", envint("STALLED_AFTER_DAYS", 60))
DEMO_ACCOUNTS = envbool("DEMO_ACCOUNTS", DEBUG)
# The demo logins `manage.py demo_accounts` creates and the sign-in page lists when DEMO_ACCOUNTS
# is on. Their passwords are published in README.md ("Demo accounts"; a test keeps them in step).
# Each member also gets a name and, where the seeds have it, an agency (and so a side).
DEMO_ACCOUNT_LIST = (
    {
        "username": "admin",
        "password": "demo-admin-2026",
        "role": None,
        "is_superuser": True,
        "description": "superuser (Django admin)",
        "name": ("Alex", "Admin"),
        "agency": None,
    },
    *(
        {
            "username": role,
            "password": f"demo-{role}-2026",
            "role": role,
            "is_superuser": False,
            "description": f"{role} of every group",
            "name": name,
            "agency": agency,
        }
        for role, name, agency in (
            ("coordinator", ("Casey", "Morgan"), ("US", "ONDCP")),
            ("analyst", ("Asha", "Sharma"), ("IN", "NCB")),
            ("viewer", ("Vikram", "Rao"), ("IN", "MEA")),
        )
    ),
)

# --------------------------------------------------------------------------- security
# HTTPS: on unless DEBUG. It turns on the redirect to https, HSTS, and Secure cookies with the
# `__Host-` prefix (which browsers accept only over https, for the whole host). Behind a proxy
# that terminates TLS, set SECURE_PROXY_SSL_HEADER (e.g. "X-Forwarded-Proto=https").
HTTPS = envbool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
# The pages put the CSRF token in the markup (hx-headers, hidden inputs); no script reads it.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """Parse "X-Forwarded-Proto=https" into ("HTTP_X_FORWARDED_PROTO", "https")."""
    if not value:
        return None
    header, sep, expected = value.partition("=")
    if not sep or not header.strip() or not expected.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must look like X-Forwarded-Proto=https, not {value!r}."
        )
    name = header.strip().upper().replace("-", "_")
    return (name if name.startswith("HTTP_") else f"HTTP_{name}", expected.strip())


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
# How many proxies of ours append to X-Forwarded-For (0: trust only the socket's address). The
# client address is used for sign-in throttling and the audit log.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Content-Security-Policy (django-csp 4): nothing inline, nothing evaluated, nothing from
# elsewhere. htmx is configured by a <meta name="htmx-config"> tag so it needs neither.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}

# Oversized request bodies: any body declared larger than REQUEST_BODY_MAX_BYTES is refused with
# 413 before anything reads it (ops.middleware.RequestLimitsMiddleware); form data over
# DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields, gets Django's 400.
REQUEST_BODY_MAX_BYTES = envint("REQUEST_BODY_MAX_BYTES", 4 * 1024 * 1024)
# A view that takes file uploads (common.limits.accepts_uploads) may receive up to this much, so
# that a file too large for its field is refused by the form, next to the field, not by a 413.
UPLOAD_BODY_MAX_BYTES = envint("UPLOAD_BODY_MAX_BYTES", 64 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)

# Sessions (in the database, so every app server sees them): an idle timeout and an absolute
# one, after which the user signs in again (NIST SP 800-63B, AAL2: 30 minutes idle, 12 hours).
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Two-step sign-in (accounts.mfa, django-otp): who must use a second factor. "nobody" (only
# those who enrolled), "coordinators" (coordinators of any group, staff, superusers) or
# "everyone". Development keeps "nobody" so the demo accounts sign in with a password.
MFA_REQUIRED = os.environ.get("MFA_REQUIRED", "nobody" if DEBUG else "coordinators")
if MFA_REQUIRED not in ("nobody", "coordinators", "everyone"):
    raise ImproperlyConfigured(
        f"MFA_REQUIRED must be nobody, coordinators or everyone, not {MFA_REQUIRED!r}."
    )
MFA_COORDINATOR_TEST = "commitments.access.coordinates_any_group"
OTP_TOTP_ISSUER = "Commitment Tracker"

# Passkeys (WebAuthn, django-otp-webauthn; see accounts/passkeys.py and README "Passkeys"): a
# second factor only, never a way to sign in without the password (that would bypass the
# sign-in's throttling and audit). The relying party ID is the site's domain, which every
# passkey is bound to for good: OTP_WEBAUTHN_RP_ID in production (e.g. tracker.example.org);
# unset, it is the host name of each request (localhost in development; an IP address such as
# 127.0.0.1 cannot hold passkeys). Allowed origins: OTP_WEBAUTHN_ALLOWED_ORIGINS (comma-separated,
# https://...), else the request's own scheme and host.
OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", "").strip().lower()
if any(char in OTP_WEBAUTHN_RP_ID for char in ":/ "):
    raise ImproperlyConfigured(
        "OTP_WEBAUTHN_RP_ID is a domain name only, like tracker.example.org (no scheme, port "
        f"or path), not {OTP_WEBAUTHN_RP_ID!r}."
    )
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.passkeys.rp_id"
OTP_WEBAUTHN_RP_NAME = os.environ.get("OTP_WEBAUTHN_RP_NAME", "Commitment Tracker")
OTP_WEBAUTHN_ALLOWED_ORIGINS = envlist("OTP_WEBAUTHN_ALLOWED_ORIGINS", [])
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The library's check wants a fixed list of origins; ours may come from each request instead.
SILENCED_SYSTEM_CHECKS = [] if OTP_WEBAUTHN_ALLOWED_ORIGINS else ["otp_webauthn.E030"]

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out for LOGIN_COOLOFF_MINUTES (each further try restarts it).
# accounts.throttle.ThrottleHandler adds a limit per username (from any address) and one per
# address (for any username) over the same window. A wrong current password on the password
# change page counts as a failed sign-in.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_HANDLER = "accounts.throttle.ThrottleHandler"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_USERNAME = envint("LOGIN_FAILURE_LIMIT_PER_USERNAME", 20)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = envint("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30)
# Never store what was typed into a password field in axes' records.
AXES_SENSITIVE_PARAMETERS = ["password", "old_password", "new_password1", "new_password2"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"  # 429 + a page that says why
AXES_CLIENT_IP_CALLABLE = "ops.audit.client_ip"
AXES_VERBOSE = False  # tracker.audit records sign-ins, failures and lockouts

# --------------------------------------------------------------------------- logging
# LOG_FORMAT=json writes one JSON object per line (request id, user, path, status, duration on
# request lines) for a log collector; the default is plain text for people.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ops.logging.RequestIdFilter"},
        "quiet_security": {"()": "ops.logging.QuietSecurityFilter"},
    },
    "formatters": {
        "plain": {
            "()": "ops.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "ops.logging.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "quiet_security"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "tracker.audit": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # tracker.audit says it in one line
        # runserver already prints each request in development.
        "tracker.request": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING" if DEBUG else "INFO")
        },
    },
}

# E-mail (the weekly digest, `manage.py send_digest`). In development the mails are printed on
# the console; in production set EMAIL_HOST (and the rest) for your SMTP relay.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Commitment Tracker <tracker@localhost>")
# The address the app is reached at, for links in mails (which have no request to ask).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The classification line printed on the briefing pack's cover and pages; the user may change it
# for one printing on the pack's page.
BRIEFING_CLASSIFICATION = os.environ.get("BRIEFING_CLASSIFICATION", "For official use only")
# A group of more commitments than this gets its briefing pack in parts of this many (?part=N),
# each a page, a Word document and a workbook of its own: some 150-250 KB of HTML, a tenth of a
# second to draw at 100,000 commitments, some 50 printed pages, whatever the size of the group
# (reports.pack).
BRIEFING_PART_SIZE = int(os.environ.get("BRIEFING_PART_SIZE", "250"))
