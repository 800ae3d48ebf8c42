"""The production settings fail closed: no DEBUG unless asked, a strong SECRET_KEY, booleans that are booleans,
and with the README's production environment `check --deploy` has nothing to say.

The settings module is loaded in this process, afresh for each environment (start_up below); a subprocess
is started only where the test needs a whole Django: `check --deploy`, and an export on a real SQLite file.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.conf import LazySettings, global_settings
from django.db.utils import ConnectionHandler

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "timeline" / "settings.py"
STRONG_KEY = "prod-like-test-key-3f9a1c7e5b2d8046-QWERTYUIOPASDFGHJKLZXCVBNM"


def production_env(**overrides: str) -> dict[str, str]:
    """The process environment as an operator starts it: the real settings module, nothing from the suite."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECRET_KEY", "SECURE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "timeline.settings"
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture; never in deployment
    return env | overrides


@dataclass
class StartUp:
    """What starting a process with the production settings gives: its exit status and error output,
    and the settings (with Django's defaults beneath them) when they loaded."""

    returncode: int
    stderr: str
    settings: LazySettings | None = None


def start_up(env: dict[str, str]) -> StartUp:
    """timeline/settings.py run afresh in this process with `env` as the whole environment.

    A setting it cannot use raises SettingError, a SystemExit whose code is its message: a process
    loading the settings stops there, Python prints the message to stderr and exits 1 (what a real
    process does is pinned by tests/test_settings.py::test_a_bad_database_url_stops_start_up_with_one_line).
    """
    spec = importlib.util.spec_from_file_location("production_settings_under_test", SETTINGS_FILE)
    module: ModuleType = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            spec.loader.exec_module(module)
        except SystemExit as stop:
            return StartUp(returncode=1, stderr=f"{stop.code}\n")
    settings = LazySettings()
    settings.configure(global_settings, **{name: value for name, value in vars(module).items() if name.isupper()})
    return StartUp(returncode=0, stderr="", settings=settings)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_of(env: dict[str, str]) -> LazySettings:
    result = start_up(env)
    assert result.returncode == 0, result.stderr
    return result.settings


def readme_production_environment() -> dict[str, str]:
    """The `export NAME=value` lines of the README's production block, as an operator would paste them."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- production-env", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    pairs = re.findall(r"^export (\w+)=(.*)$", block, flags=re.MULTILINE)
    assert pairs, "the README's production block has no exports"
    return {name: value.strip("'\"") for name, value in pairs}


def test_debug_is_off_unless_asked_for():
    assert settings_of(production_env(SECRET_KEY=STRONG_KEY)).DEBUG is False
    assert settings_of(production_env(DEBUG="1")).DEBUG is True


def test_without_debug_a_secret_key_is_required():
    result = start_up(production_env(DEBUG="0"))
    assert result.returncode != 0
    assert result.stderr.strip() == "SECRET_KEY must be set when DEBUG is off."


@pytest.mark.parametrize("key", ["short-key", "a" * 60, "django-insecure-" + "x1y2z3w4v5" * 5])
def test_a_weak_secret_key_stops_start_up_with_one_line(key):
    result = start_up(production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert result.stderr.strip().startswith("SECRET_KEY is too weak: use 50+ random characters")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "TRUST_X_FORWARDED_PROTO"])
def test_an_unknown_boolean_stops_start_up_with_one_line(name):
    result = start_up(production_env(SECRET_KEY=STRONG_KEY, **{name: "yes-please"}))
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"{name}='yes-please' is not a boolean: use 1 or 0 (also true/false, yes/no, on/off)."
    )


def test_a_number_that_is_not_one_stops_start_up_with_one_line():
    result = start_up(production_env(SECRET_KEY=STRONG_KEY, DATABASE_CONNECT_TIMEOUT="soon"))
    assert result.stderr.strip() == "DATABASE_CONNECT_TIMEOUT='soon' is not a whole number."


def test_check_deploy_is_silent_with_the_readme_production_environment():
    env = production_env(**readme_production_environment())
    env["SECRET_KEY"] = STRONG_KEY  # the README's placeholder says what to put there
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_https_settings_stay_off_unless_set_so_plain_http_on_localhost_works():
    settings = settings_of(production_env(SECRET_KEY=STRONG_KEY))
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SECURE_HSTS_SECONDS == 0 and type(settings.SECURE_HSTS_SECONDS) is int
    assert settings.SECURE_PROXY_SSL_HEADER is None


def test_cookies_are_https_only_with_debug_off_unless_plain_http_is_asked_for():
    https_only = settings_of(production_env(SECRET_KEY=STRONG_KEY))
    plain_http = settings_of(production_env(SECRET_KEY=STRONG_KEY, SECURE_COOKIES="0"))
    assert https_only.SESSION_COOKIE_SECURE is https_only.CSRF_COOKIE_SECURE is True
    assert plain_http.SESSION_COOKIE_SECURE is plain_http.CSRF_COOKIE_SECURE is False


def test_sqlite_writes_ahead_and_waits_for_a_busy_writer(tmp_path, django_db_blocker):
    settings = settings_of(production_env(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    connection = ConnectionHandler(settings.DATABASES)["default"]
    with django_db_blocker.unblock():
        try:
            c = connection.cursor()
            values = [
                c.execute("PRAGMA journal_mode").fetchone()[0],
                c.execute("PRAGMA busy_timeout").fetchone()[0],
                connection.transaction_mode,
            ]
        finally:
            connection.close()
    assert values == ["wal", 20000, "IMMEDIATE"]


EDIT_WHILE_EXPORTING = """
import datetime, threading
import django
django.setup()
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone
call_command("migrate", verbosity=0)
from exports.csv import python_csv
from events.models import Event, EventType
from events.selectors import event_filter
kind = EventType.objects.get(slug="official-warning")
Event.objects.bulk_create(
    Event(slug=f"e-{n}", title=f"Event {n}", summary="s", date=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
          event_type=kind, escalation=kind.default_escalation, status="published", published_at=timezone.now())
    for n in range(600)
)
rows = python_csv(event_filter(params=QueryDict()).qs, base_url="http://x/", chunk_size=100)
first = next(rows)  # the export is streaming: its read is open on this thread's connection
errors = []
def edit():
    try:
        event = Event.objects.get(slug="e-1")
        event.title = "Edited while an export streams"
        event.save()
    except Exception as error:
        errors.append(repr(error))
editor = threading.Thread(target=edit)
editor.start()
editor.join()
rest = b"".join(rows)
print(errors or "saved", (first + rest).count(b"\\r\\n"))
"""


def test_an_editor_saves_while_an_export_streams_on_sqlite(tmp_path):
    env = production_env(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-c", EDIT_WHILE_EXPORTING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["saved", "601"], result.stderr
