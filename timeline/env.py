"""Reading settings from the environment, strictly: a value we cannot read stops start-up with one line.

A typo must never silently pick a default (DEBUG=yes-please is neither on nor off), so every reader
here refuses what it does not understand with a SettingError. SettingError is a SystemExit: raised
while the settings load, Python prints its one-line message to stderr and exits 1, no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
SUPPORTED_ENGINES = {
    "django.db.backends.postgresql": "postgres",
    "django.db.backends.sqlite3": "sqlite",
}


class SettingError(SystemExit):
    """A setting that cannot be used: its message is the whole error report."""


class DatabaseUrlError(ValueError):
    pass


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def boolean(name: str, default: bool = False) -> bool:
    raw = text(name)
    if not raw:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean: use 1 or 0 (also true/false, yes/no, on/off).")


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    raw = text(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise SettingError(f"{name}={value} is too small: the least is {minimum}.")
    return value


def words(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str, *, base_dir: Path, connect_timeout: int, pool_max: int) -> dict:
    """Turn DATABASE_URL into a DATABASES entry (dj-database-url parses); raise DatabaseUrlError on anything unusable.

    PostgreSQL gets psycopg's pool, whose waits are bounded by connect_timeout so that an unreachable
    server fails a request in seconds (see timeline/outage.py); `?pool=0` turns it off for an external
    pooler such as PgBouncer. SQLite gets write-ahead logging (readers never block the writer), a busy
    timeout and IMMEDIATE write transactions (a writer takes the lock at BEGIN, so two writers queue
    on the busy timeout instead of failing with "database is locked" when one upgrades its read lock).
    """
    if not url:
        url = f"sqlite:///{base_dir / 'db.sqlite3'}"
    try:
        config = dj_database_url.parse(url)
    except (ValueError, dj_database_url.ParseError) as exc:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if isinstance(exc, dj_database_url.UnknownSchemeError) or not scheme:
            raise DatabaseUrlError(_unsupported(scheme)) from None
        raise DatabaseUrlError(f"bad URL ({exc})") from None
    if config["ENGINE"] not in SUPPORTED_ENGINES:
        raise DatabaseUrlError(_unsupported(url.split("://", 1)[0]))
    if not config.get("NAME"):
        raise DatabaseUrlError("a database URL needs a database name, e.g. postgres://user@host/tension")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return _sqlite(config)
    return _postgres(config, connect_timeout=connect_timeout, pool_max=pool_max)


def _unsupported(scheme: str) -> str:
    return f"unsupported scheme {scheme or '(none)'!r}: use postgres://user@host:5432/name or sqlite:///path"


SQLITE_BUSY_TIMEOUT = 20  # seconds a writer waits for another writer before "database is locked"
# optimize=0x10002 analyses, as each connection opens, any table whose statistics are missing or stale
# (a no-op, well under a millisecond, when they are fresh; analysis_limit bounds it when not). Without
# statistics SQLite can pick a nested loop over every event for the export's reaction query: at
# 100,000 events one 2,000-event chunk took a minute instead of a millisecond.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA analysis_limit=400; PRAGMA optimize=0x10002"
)
POOL_RECONNECT_TIMEOUT = 10  # seconds the pool retries (with backoff) before a request may start afresh


def _sqlite(config: dict) -> dict:
    name = config["NAME"]
    return {
        "ENGINE": config["ENGINE"],
        "NAME": name if name == ":memory:" else Path(name),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": SQLITE_BUSY_TIMEOUT, "init_command": SQLITE_PRAGMAS},
    }


def _postgres(config: dict, *, connect_timeout: int, pool_max: int) -> dict:
    options = {key: value for key, value in (config.get("OPTIONS") or {}).items()}
    pool = str(options.pop("pool", "1")).lower() not in FALSE_WORDS
    options.setdefault("connect_timeout", connect_timeout)
    if pool:
        options["pool"] = {
            "min_size": 1,
            "max_size": pool_max,
            # How long a request waits for a connection: an outage answers 503 after this, not after 30 s.
            "timeout": connect_timeout,
            # psycopg's pool retries a lost connection with exponential backoff until this many seconds,
            # then the next request starts a fresh attempt: recovery within seconds of the database's return.
            "reconnect_timeout": POOL_RECONNECT_TIMEOUT,
        }
    return {
        "ENGINE": config["ENGINE"],
        "NAME": config["NAME"],
        "USER": config.get("USER", ""),
        "PASSWORD": config.get("PASSWORD", ""),
        "HOST": config.get("HOST", ""),
        "PORT": str(config.get("PORT") or ""),
        "OPTIONS": options,
        # The pool keeps connections; Django must not also keep them (CONN_MAX_AGE > 0 with a pool
        # is refused), but it still checks a connection's health before reusing it.
        "CONN_MAX_AGE": 0 if pool else integer("CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
