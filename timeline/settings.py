"""Settings for Tension Timeline, read from the environment; they fail closed.

One module for every deployment. Unset, everything is production-safe: DEBUG off, a SECRET_KEY
required, no host allowed. `make run` sets DEBUG=1 for a laptop demo on SQLite; production sets
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and the HTTPS settings (README, "Run in production"; docs/operators.md).
A value that cannot be read stops start-up with one line (timeline/env.py).
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from whitenoise.compress import Compressor

from timeline import env
from timeline.env import DatabaseUrlError, SettingError
from timeline.static_headers import add_static_headers

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.boolean("DEBUG", False)

SECRET_KEY = env.text("SECRET_KEY")
if not DEBUG:
    if not SECRET_KEY:
        raise SettingError("SECRET_KEY must be set when DEBUG is off.")
    if (
        len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise SettingError(
            f"SECRET_KEY is too weak: use {SECRET_KEY_MIN_LENGTH}+ random characters, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
elif not SECRET_KEY:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.words("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env.words("CSRF_TRUSTED_ORIGINS")

# Seconds a request waits for the database before it answers 503 (timeline/outage.py).
DATABASE_CONNECT_TIMEOUT = env.integer("DATABASE_CONNECT_TIMEOUT", 3, minimum=1)
try:
    DATABASES = {
        "default": env.database_from_url(
            env.text("DATABASE_URL"),
            base_dir=BASE_DIR,
            connect_timeout=DATABASE_CONNECT_TIMEOUT,
            pool_max=env.integer("DATABASE_POOL_MAX", 8, minimum=1),
        )
    }
except DatabaseUrlError as exc:
    # One readable line instead of a traceback: this is the first thing a deployer gets wrong.
    raise SettingError(f"DATABASE_URL is not usable: {exc}") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    # Database triggers declared on the models (Meta.triggers) and installed by migrations (events/db/).
    "pgtrigger",
    "events",
    "readers",
    "exports",
    "editorial",
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything that could touch the database: they are served even in an outage.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that cannot be reached answers 503 with Retry-After, not a 500 (timeline/outage.py).
    "timeline.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the events' revision history (simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# History is for reading: a "revert" from the history page would bypass the review workflow
# (it could restore a published status), so corrections go through the normal form.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "timeline.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "timeline.wsgi.application"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# ISO dates (YYYY-MM-DD) as the only input format, so the admin's fields and calendar agree: see timeline/formats/
FORMAT_MODULE_PATH = ["timeline.formats"]

# --- admin logins -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one account, or from one address, lock both out for a quarter of an hour.
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
# Behind a reverse proxy every request comes from the proxy: timeline/client_ip.py reads the address
# the trusted proxies recorded in X-Forwarded-For (TRUSTED_PROXY_COUNT of them, 0 = none).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "timeline.client_ip.client_ip"

# --- static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "timeline.staticfiles.ServedAppDirectoriesFinder",
]
STATIC_ROOT = Path(env.text("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes content-hashed names with .gz and .br beside them; whitenoise serves the
    # compressed file the browser accepts and marks hashed names cacheable for a year (immutable).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A running `make run` (DEBUG) picks up edited files without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Static files carry the policy too (an SVG opened on its own is a document).
WHITENOISE_ADD_HEADERS_FUNCTION = add_static_headers
# Source maps are read by a developer's tools, not by readers: served as they are, not compressed
# (14 MB of the bundles' maps took half of collectstatic's time, compressing them with brotli).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Every page names static files by their hashed names ({% static %}), so the unhashed copies are never
# asked for: without them collectstatic compresses half as many files and STATIC_ROOT is half the size.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

SITE_NAME = env.text("SITE_NAME", "Tension Timeline")
# What the record covers, in the front page's first words ("A sourced, dated record of security events in …").
RECORD_REGION = env.text("RECORD_REGION", "the Baltic Sea region")

# --- Content-Security-Policy (django-csp); views may loosen it with csp.decorators.csp_update ----

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],  # no inline script anywhere: data goes in <script type="application/json">
        # Plotly writes <style> elements and style="" attributes as it draws (and the admin uses
        # style attributes): without 'unsafe-inline' the chart loses its layout. Styles cannot run code.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Plotly's mode bar and the admin's icons are data: URLs
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # Only /embed/ may be framed: readers/embed.py replaces this with EMBED_FRAME_ANCESTORS.
        "frame-ancestors": [NONE],
    }
}

# Which sites may frame /embed/ (CSP frame-ancestors), e.g. "https://news.example,https://*.example.org".
# Empty: any site. Every other page stays unframeable (frame-ancestors 'none' and X-Frame-Options DENY).
EMBED_FRAME_ANCESTORS = env.words("EMBED_FRAME_ANCESTORS")
for _origin in EMBED_FRAME_ANCESTORS:
    # A space, a quote or a semicolon would let the setting add sources or whole directives to the policy.
    if any(char in _origin for char in " ;'\"") or "://" not in _origin:
        raise SettingError(f"EMBED_FRAME_ANCESTORS: {_origin!r} is not an origin like https://news.example")

# --- HTTPS, from the environment: off unless set, so plain HTTP on 127.0.0.1 keeps working --------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if env.boolean("TRUST_X_FORWARDED_PROTO"):
    # Only behind a proxy that sets this header itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT")
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD")
# On by default once DEBUG is off: a session cookie must never cross plain HTTP in production.
# SECURE_COOKIES=0 for a production-like run on plain http://127.0.0.1 (tests, benchmarks).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.boolean("SECURE_COOKIES", not DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # timeline.outage logs each request the database failed, in one line; Django would log it again.
        "not_an_outage": {"()": "timeline.outage.NotAnOutage"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["not_an_outage"]}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "WARNING")},
}

# --- Bounded input (events/models/, editorial/importing/) ---
# The dates an event may carry (ISO dates): outside them a date is refused with a clear message.
EVENT_EARLIEST_DATE = env.text("EVENT_EARLIEST_DATE", "1900-01-01")
EVENT_LATEST_DATE = env.text("EVENT_LATEST_DATE", "2100-12-31")
try:
    if date.fromisoformat(EVENT_EARLIEST_DATE) >= date.fromisoformat(EVENT_LATEST_DATE):
        raise ValueError("the earliest date must come before the latest")
except ValueError as exc:
    raise SettingError(f"EVENT_EARLIEST_DATE/EVENT_LATEST_DATE: {exc} (use ISO dates, e.g. 1900-01-01).") from None

# The CSV import (editorial/importing): what one file may hold. The admin's upload is bounded by
# size and rows (it must finish within a web request); larger files go through
# `manage.py import_events FILE`, which has the same checks but no size limit.
IMPORT_MAX_UPLOAD_BYTES = env.integer("IMPORT_MAX_UPLOAD_BYTES", 10 * 1000 * 1000, minimum=1)
IMPORT_MAX_ROWS = env.integer("IMPORT_MAX_ROWS", 10_000, minimum=1)
IMPORT_COMMAND_MAX_ROWS = env.integer("IMPORT_COMMAND_MAX_ROWS", 1_000_000, minimum=1)
IMPORT_MAX_COLUMNS = env.integer("IMPORT_MAX_COLUMNS", 50, minimum=5)
IMPORT_MAX_CELL_CHARS = env.integer("IMPORT_MAX_CELL_CHARS", 100_000, minimum=1000)
# A previewed upload not imported or cancelled is deleted after this long.
IMPORT_UPLOAD_MAX_AGE_SECONDS = env.integer("IMPORT_UPLOAD_MAX_AGE_SECONDS", 3600, minimum=60)
# An upload over IMPORT_MAX_UPLOAD_BYTES is dropped while it streams in, never stored.
FILE_UPLOAD_HANDLERS = [
    "editorial.importing.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Caches (readers' pages, the export and the feed, keyed on the data version: readers/caching.py).
# Local memory by default (one process); CACHE_URL=redis://host:6379/0 shares one Redis between several
# app servers (Django's own Redis backend). CACHE_KEY_PREFIX separates sites sharing a Redis database.
CACHE_URL = env.text("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.text("CACHE_KEY_PREFIX", "tension"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tension"}}
# The largest response body the readers' cache keeps (its gzip is kept beside it); a bigger one is served
# but not kept. 4 MiB holds the largest map (5,000 points) and an API page of 1,000 events.
CACHE_MAX_ENTRY_BYTES = env.integer("CACHE_MAX_ENTRY_BYTES", 4 * 1024 * 1024, minimum=0)
# The release being served. Cached pages and every ETag carry it (events.selectors.RecordVersion.tag),
# so pages rendered by the previous code are neither served nor answered 304 once it changes: a
# deployment sets RELEASE, e.g. to the git commit (RELEASE=$(git rev-parse --short HEAD)). Unset, the
# project's version in pyproject.toml.
RELEASE = env.text("RELEASE") or tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"]

# --- The JSON API, GeoJSON, TimelineJS and the change feed (issue 11) -----------------------------
# Self-contained on purpose: apps, middleware and settings of the read-only API in one block.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "corsheaders", "api"]
# CORS headers must be added before CommonMiddleware can answer (a redirect, a 404).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
# Open to every site's scripts, for reads only and without cookies: the API is public data.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_URLS_REGEX = r"^/(api/|export\.)"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
# Anonymous requests per client address; "120/min", "5000/hour"… (DRF's rate syntax).
API_THROTTLE_RATE = env.text("API_THROTTLE_RATE", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ReaderThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tension Timeline API",
    "DESCRIPTION": "The public record, read-only: events with the timeline's filters, the change feed, "
    "GeoJSON and TimelineJS exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # Swagger UI from our own static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Without deep links: Swagger UI puts each one, a link, inside the operation's button (nested
    # interactive controls, which a screen reader or a keyboard cannot tell apart).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Its deploy check regenerates the schema at start-up and warns that the actor and type filters
    # (slugs) default to strings, which they are; tests/test_api.py validates the schema instead.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Two models have a `kind`: without a name of its own, the reaction's enum is named by a hash
    # (Kind5adEnum), which a generated client's model would carry and lose when the choices change.
    "ENUM_NAME_OVERRIDES": {"ReactionKindEnum": "events.models.Reaction.Kind"},
}

# --- Sources fetched from their URL (editorial/sources/) ---------------------------------------------
# The admin's "Fill from the page", `manage.py fetch_source` and `manage.py check_sources` fetch pages
# server-side. Loopback, private and other non-public addresses are refused unless this is 1 (sources
# on an intranet; the tests' local server); link-local (a cloud's metadata service), unspecified,
# multicast and reserved addresses are refused even then.
SOURCE_FETCH_ALLOW_PRIVATE = env.boolean("SOURCE_FETCH_ALLOW_PRIVATE", False)
# Seconds one fetch may take in all (connecting, redirects, reading), and the largest page read.
SOURCE_FETCH_TIMEOUT = env.integer("SOURCE_FETCH_TIMEOUT", 5, minimum=1)
SOURCE_FETCH_MAX_BYTES = env.integer("SOURCE_FETCH_MAX_BYTES", 3_000_000, minimum=10_000)
# The largest dataset file `manage.py ingest` fetches from a URL (inbox/files.py), held in memory: a
# GDELT 2.0 fifteen-minute export is well under this, zipped. The time limit is SOURCE_FETCH_TIMEOUT's.
INBOX_FETCH_MAX_BYTES = env.integer("INBOX_FETCH_MAX_BYTES", 50_000_000, minimum=10_000)
# check_sources asks one host for one page at a time, this many milliseconds apart.
SOURCE_CHECK_HOST_DELAY_MS = env.integer("SOURCE_CHECK_HOST_DELAY_MS", 1000)
# A public web archive's "save" address, the page's URL appended (e.g. https://web.archive.org/save/):
# check_sources submits each kept copy there and records where the archive keeps it. Empty: none.
SOURCE_ARCHIVE_URL = env.text("SOURCE_ARCHIVE_URL")
if SOURCE_ARCHIVE_URL and not SOURCE_ARCHIVE_URL.startswith(("http://", "https://")):
    raise SettingError(f"SOURCE_ARCHIVE_URL={SOURCE_ARCHIVE_URL!r} is not a web address (http:// or https://).")
