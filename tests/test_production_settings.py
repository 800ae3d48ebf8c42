"""The production settings fail closed: no DEBUG unless asked, a strong SECRET_KEY, booleans that are booleans,
and with the README's production environment `check --deploy` has nothing to say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "prod-like-test-key-3f9a1c7e5b2d8046-QWERTYUIOPASDFGHJKLZXCVBNM"


def production_env(**overrides: str) -> dict[str, str]:
    """The process environment as an operator starts it: the real settings module, nothing from the suite."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "SECRET_KEY", "SECURE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "timeline.settings"
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture; never in deployment
    return env | overrides


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_value(expression: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def readme_production_environment() -> dict[str, str]:
    """The `export NAME=value` lines of the README's production block, as an operator would paste them."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- production-env", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    pairs = re.findall(r"^export (\w+)=(.*)$", block, flags=re.MULTILINE)
    assert pairs, "the README's production block has no exports"
    return {name: value.strip("'\"") for name, value in pairs}


def test_debug_is_off_unless_asked_for():
    assert settings_value("settings.DEBUG", production_env(SECRET_KEY=STRONG_KEY)) == "False"
    assert settings_value("settings.DEBUG", production_env(DEBUG="1")) == "True"


def test_without_debug_a_secret_key_is_required():
    result = manage("check", env=production_env(DEBUG="0"))
    assert result.returncode != 0
    assert result.stderr.strip() == "SECRET_KEY must be set when DEBUG is off."


@pytest.mark.parametrize("key", ["short-key", "a" * 60, "django-insecure-" + "x1y2z3w4v5" * 5])
def test_a_weak_secret_key_stops_start_up_with_one_line(key):
    result = manage("check", env=production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert result.stderr.strip().startswith("SECRET_KEY is too weak: use 50+ random characters")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "TRUST_X_FORWARDED_PROTO"])
def test_an_unknown_boolean_stops_start_up_with_one_line(name):
    result = manage("check", env=production_env(SECRET_KEY=STRONG_KEY, **{name: "yes-please"}))
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"{name}='yes-please' is not a boolean: use 1 or 0 (also true/false, yes/no, on/off)."
    )


def test_a_number_that_is_not_one_stops_start_up_with_one_line():
    result = manage("check", env=production_env(SECRET_KEY=STRONG_KEY, DATABASE_CONNECT_TIMEOUT="soon"))
    assert result.stderr.strip() == "DATABASE_CONNECT_TIMEOUT='soon' is not a whole number."


def test_check_deploy_is_silent_with_the_readme_production_environment():
    env = production_env(**readme_production_environment())
    env["SECRET_KEY"] = STRONG_KEY  # the README's placeholder says what to put there
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_https_settings_stay_off_unless_set_so_plain_http_on_localhost_works():
    env = production_env(SECRET_KEY=STRONG_KEY)
    values = settings_value(
        "[settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS,"
        " getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)]",
        env,
    )
    assert values == "[False, 0, None]"


def test_cookies_are_https_only_with_debug_off_unless_plain_http_is_asked_for():
    cookies = "[settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]"
    assert settings_value(cookies, production_env(SECRET_KEY=STRONG_KEY)) == "[True, True]"
    assert settings_value(cookies, production_env(SECRET_KEY=STRONG_KEY, SECURE_COOKIES="0")) == "[False, False]"


def test_sqlite_writes_ahead_and_waits_for_a_busy_writer(tmp_path):
    env = production_env(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0],"
        " connection.transaction_mode)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"], result.stderr


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
