"""whitenoise for the test run: the static files found once per process, not once per test.

With WHITENOISE_USE_FINDERS (no collectstatic in tests) whitenoise's middleware lists and stats every
static file the finders find when it starts, and Django's test client starts the middleware afresh for
every test's client, which made that listing a large part of the suite's CPU. The files do not change
during a run, so the first middleware's list serves the others. The
production command's own middleware (collected files, no finders) is tested through gunicorn
(tests/test_browser_production.py, tests/test_production_settings.py).
"""

from __future__ import annotations

from whitenoise.middleware import WhiteNoiseMiddleware


class WhiteNoiseListingOnce(WhiteNoiseMiddleware):
    listed: dict | None = None

    def add_files_from_finders(self) -> None:
        if WhiteNoiseListingOnce.listed is None:
            super().add_files_from_finders()
            WhiteNoiseListingOnce.listed = dict(self.files)
        else:
            self.files.update(WhiteNoiseListingOnce.listed)
