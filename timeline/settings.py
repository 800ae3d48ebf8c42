"""Settings for Tension Timeline, read from the environment.

One module for every deployment: the defaults suit a laptop demo (SQLite, DEBUG on); production
sets DATABASE_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class DatabaseUrlError(ValueError):
    pass


def database_from_url(url: str, *, base_dir: Path = BASE_DIR) -> dict:
    """Turn DATABASE_URL into a DATABASES entry; raise DatabaseUrlError on anything unusable."""
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": base_dir / "db.sqlite3"}
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute/path.db
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise DatabaseUrlError("a sqlite URL needs a file name, e.g. sqlite:///db.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path if path == ":memory:" else Path(path)}
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise DatabaseUrlError(
            f"unsupported scheme {parts.scheme or '(none)'!r}: use postgres://user@host:5432/name or sqlite:///path"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseUrlError("a postgres URL needs a database name, e.g. postgres://user@host/tension")
    try:
        port = parts.port
    except ValueError as exc:
        raise DatabaseUrlError(f"bad port: {exc}") from None
    options: dict = dict(parse_qsl(parts.query))
    pool = options.pop("pool", "1").lower() not in ("0", "false", "no", "off")
    if pool:
        options["pool"] = {"min_size": 1, "max_size": int(os.environ.get("DATABASE_POOL_MAX", "8"))}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": options,
        # The pool keeps connections; Django must not also keep them (CONN_MAX_AGE > 0 with a pool
        # is refused), but it still checks a connection's health before reusing it.
        "CONN_MAX_AGE": 0 if pool else int(os.environ.get("CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }


DEBUG = envbool("DEBUG", "1")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        sys.exit("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

try:
    DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", ""))}
except DatabaseUrlError as exc:
    # One readable line instead of a traceback: this is the first thing a deployer gets wrong.
    sys.exit(f"DATABASE_URL is not usable: {exc}")

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
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the events' revision history (simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
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

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js straight from the installed plotly package (no CDN): see timeline/staticfinders.py
    "timeline.staticfinders.PlotlyFinder",
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

SITE_NAME = os.environ.get("SITE_NAME", "Tension Timeline")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
