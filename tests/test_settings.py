"""Settings come from the environment; a bad DATABASE_URL stops start-up with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.env import DatabaseUrlError
from timeline.env import database_from_url as parse_url

ROOT = Path(__file__).resolve().parent.parent


def database_from_url(url: str, base_dir: Path = ROOT) -> dict:
    return parse_url(url, base_dir=base_dir, connect_timeout=3, pool_max=8)


def test_no_url_means_the_sqlite_file_in_the_project():
    db = database_from_url("", base_dir=Path("/srv/app"))
    assert (db["ENGINE"], db["NAME"]) == ("django.db.backends.sqlite3", Path("/srv/app/db.sqlite3"))


def test_a_postgres_url_uses_psycopg_with_a_pool_and_health_checks():
    db = database_from_url("postgres://editor:s%40cret@db.example:6543/tension")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "tension",
        "editor",
        "s@cret",
        "db.example",
        "6543",
    )
    assert db["OPTIONS"]["pool"]["min_size"] == 1
    assert db["CONN_HEALTH_CHECKS"] is True and db["CONN_MAX_AGE"] == 0


def test_the_pool_can_be_turned_off_for_an_external_pooler():
    db = database_from_url("postgresql://u@h/tension?pool=0&sslmode=require")
    assert db["OPTIONS"] == {"sslmode": "require", "connect_timeout": 3}
    assert db["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("postgres://u@h", "needs a database name"),
        ("postgres://u@h:notaport/db", "bad URL"),
        ("nonsense", "unsupported scheme '(none)'"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(DatabaseUrlError, match=message.replace("(", r"\(").replace(")", r"\)")):
        database_from_url(url)


def test_a_bad_database_url_stops_start_up_with_one_line():
    env = {**os.environ, "DATABASE_URL": "mysql://root@localhost/x", "DJANGO_SETTINGS_MODULE": "timeline.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "DATABASE_URL is not usable: unsupported scheme 'mysql': use postgres://user@host:5432/name or sqlite:///path"
    )
