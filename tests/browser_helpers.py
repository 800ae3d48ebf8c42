"""Shared steps of the browser tests: the readers' (filters, phone, keyboard, accessibility) and signing in
to the admin."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.http import QueryDict

from events.models import DailyTotal, DailyTypeTotal, EventQuerySet
from events.selectors import event_filter
from events.summary import mismatches
from events.taxonomy import ensure_event_types

PLOTLY = re.compile(r"/static/vendor/plotly/")

# layout-shift entries that no input caused, summed: the page's cumulative layout shift.
OBSERVE_LAYOUT_SHIFT = """() => {
  window.layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
}"""


def load_demo_record() -> None:
    # The flush after a transactional test empties the taxonomy migration 0002 loaded: put it back first.
    ensure_event_types()
    # On SQLite that flush also deletes the per-day totals before the events, whose delete triggers then
    # leave negative rows for the previous test's record; an unfiltered view, read from the totals, would
    # count them against this record ("0 events"). Production never empties its tables this way.
    for level in (DailyTotal, DailyTypeTotal):
        level.objects.all().delete()
    call_command("load_demo", verbosity=0)
    assert mismatches() == [], "the triggers keep the per-day totals of the demo record"


def without_chart(page) -> None:
    """plotly.js answered by an empty script: the page then works as it does before the chart arrives
    (timeline.js returns), and the form tests do not spend the two shared cores drawing charts."""
    page.route(PLOTLY, lambda route: route.fulfill(status=200, content_type="text/javascript", body=""))


def release_when_asked(page, held: list) -> None:
    """Let the held plotly.js requests go once the page has asked for them: chart-loader.js asks once the
    page has loaded and the pointer rests (or at once, for a zoom)."""
    for _ in range(600):
        if held:
            break
        page.wait_for_timeout(25)
    assert held, "plotly.js was asked for"
    for route in held:
        route.continue_()


def shown(query: str) -> EventQuerySet:
    return event_filter(params=QueryDict(query)).qs


def summary_count(page) -> int:
    return int(re.match(r"(\d+) events?", page.inner_text("#summary")).group(1))


def sign_in(page, username: str, next_url: str, password: str = "pw") -> None:
    """Sign in through the admin's login form and wait, as a person does, for the page asked for to have
    loaded: its scripts run only then, and a click or keystroke before them does nothing."""
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")
    page.wait_for_load_state("load")
