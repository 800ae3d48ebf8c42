"""The publisher's review in Chromium: from the event's form, the Review link opens what changed since the
last publication, the likely duplicates, the sources' page checks and the checklist. With
REVIEW_SCREENSHOT set, the page is saved there (docs/screenshots/review.png)."""

from __future__ import annotations

import datetime
import os

import pytest
from django.urls import reverse

from editorial.models import Finding, SourceSnapshot
from events import services
from events.taxonomy import ensure_event_types
from tests import factories
from tests.browser_helpers import sign_in
from tests.test_browser_a11y import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = os.environ.get("REVIEW_SCREENSHOT", "")


def test_the_publisher_opens_the_review_from_the_form(page, live_server):
    ensure_event_types()
    factories.staff_user("pia", "Publisher")
    event = factories.published_event(
        title="Patriot systems to rotate through Lithuania", date=datetime.date(2024, 3, 8), initiator="NATO"
    )
    services.retract_event(event=event, note="The date was wrong.")
    services.publish_event(event=event)  # the latest publication, with its actor and source
    event.title = "European ally to deploy Patriot systems in Lithuania"
    event.save()
    factories.published_event(title="Lithuania announces Patriot air defence rotation", date=datetime.date(2024, 3, 7))
    gone = event.sources.create(url="https://lrt.example/patriot", publisher="LRT English", title="Patriots")
    SourceSnapshot.objects.create(source=gone, url=gone.url, finding=Finding.GONE, http_status=404)

    sign_in(page, "pia", reverse("admin:events_event_change", args=[event.pk]))
    page.click(".object-tools >> text=Review")

    assert page.locator("#review-changes del").inner_text() == "Patriot systems to rotate through Lithuania"
    assert page.locator("#review-duplicates").get_by_text("Lithuania announces Patriot air defence rotation").count()
    assert page.locator("#review-sources tr.needs-attention").inner_text().endswith(Finding.GONE.label)
    assert page.locator("#review-checklist .check-failed").count() == 1  # the duplicate, unmarked
    if SCREENSHOT:
        page.locator("#content").screenshot(path=SCREENSHOT)
    assert violations(page) == []  # axe-core: no critical or serious violation
    assert page.console_errors == []
