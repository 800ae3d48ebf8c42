"""The test suite's settings: the production settings, plus the four things a test run needs otherwise.

- A SECRET_KEY: the settings refuse to start without one when DEBUG is off, as tests run. The key is
  set in the environment before the settings load (pytest-django loads them before any conftest).
- Cookies over plain HTTP: the settings make the session and CSRF cookies HTTPS-only once DEBUG is off,
  and the suite's live servers (the browser tests' admin logins) are plain http://127.0.0.1.
- A fast password hasher: production's PBKDF2 spends about half a second of CPU on each hash, on purpose,
  and the suite creates and signs in staff users by the dozen. The production command's tests start the
  production settings (tests/test_browser_production.py), so the real hasher is still exercised.
- Static files without collectstatic: the manifest storage needs STATIC_ROOT's manifest to name a file,
  so tests use plain storage and whitenoise serves from the finders, listing them once per process
  (tests/static_files.py). The production storage itself is tested through the production command
  (tests/test_browser_production.py, tests/test_production_settings.py).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_COOKIES", "0")

from timeline.settings import *  # noqa: E402,F403
from timeline.settings import MIDDLEWARE, STORAGES  # noqa: E402

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: whitenoise serves from the finders
MIDDLEWARE = [
    "tests.static_files.WhiteNoiseListingOnce" if name == "whitenoise.middleware.WhiteNoiseMiddleware" else name
    for name in MIDDLEWARE
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
