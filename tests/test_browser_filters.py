"""Every control of the filter form, chosen and submitted in Chromium as a reader does: each option of
each select, each box of the checkbox lists, the dates, the escalation bounds, the text and the
checkboxes give no form error and exactly the events they name."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from events.models import Actor, Country, EventType, Region
from tests.browser_helpers import shown, summary_count, without_chart

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def reader(browser, demo_site):
    """The demo record, only read: committed once for all such tests (tests/conftest.py, demo_site)."""
    context = browser.new_context(base_url=demo_site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    without_chart(page)
    yield page
    context.close()


def submit(page) -> dict[str, list[str]]:
    """Press the form's own button; the query the browser built, as the server received it."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")
    return parse_qs(urlsplit(page.url).query)


def assert_shows(page, query: str) -> None:
    assert page.locator(".form-errors").count() == 0, page.inner_text(".form-errors")
    expected = shown(query)
    assert summary_count(page) == expected.count(), query
    titles = page.locator("table.events tbody td.title a").all_inner_texts()
    assert set(titles) <= set(expected.values_list("title", flat=True)), query


def boxes(page, name: str) -> list[str]:
    return page.locator(f"input[type=checkbox][name={name}]").evaluate_all("bs => bs.map(b => b.value)")


def options(page, select: str) -> list[str]:
    return [value for value in page.locator(f"{select} option").evaluate_all("os => os.map(o => o.value)") if value]


def test_every_option_of_every_select_submitted_through_the_form_shows_its_events(reader):
    page = reader
    page.goto("/", wait_until="domcontentloaded")
    chosen = {
        "region": options(page, "#id_region"),
        "country": options(page, "#id_country"),
        "category": options(page, "#id_category"),
        "verification": options(page, "#id_verification"),
        "sort": options(page, "#id_sort"),
    }
    # The selects offer what the database holds, by the names of the query-string contract.
    assert chosen["country"] == list(Country.objects.order_by("name").values_list("slug", flat=True))
    assert sorted(chosen["region"]) == sorted(Region.objects.values_list("slug", flat=True))
    assert len(chosen["category"]) == len(EventType.Category.choices)
    for name, values in chosen.items():
        for value in values:
            page.select_option(f"#id_{name}", value)  # the form still holds the last choice: replaced here
            sent = submit(page)
            assert sent[name] == [value], sent
            assert_shows(page, f"{name}={value}")
            assert page.input_value(f"#id_{name}") == value, "the form shows what is in force"
        page.goto("/", wait_until="domcontentloaded")
    lithuania = Country.objects.get(slug="lithuania")
    assert shown("country=lithuania").count() > 0 and lithuania.iso2 == "LT"
    # The shared-link contract still holds: a code typed in the address shows the country chosen.
    page.goto("/?country=LT", wait_until="domcontentloaded")
    assert page.input_value("#id_country") == "lithuania"
    assert summary_count(page) == shown("country=lithuania").count()


def test_every_actor_box_every_role_and_the_event_type_boxes(reader):
    page = reader
    page.goto("/", wait_until="domcontentloaded")
    # The lists offer every actor and every event type, by slug.
    assert set(boxes(page, "actor")) == set(Actor.objects.values_list("slug", flat=True))
    types = boxes(page, "type")
    assert set(types) == set(EventType.objects.values_list("slug", flat=True))
    # Every actor's box submitted; the event types' boxes are the same widget: the first, one with
    # events in the demo record and the last.
    with_events = EventType.objects.filter(events__status="published").values_list("slug", flat=True).first()
    for name, slugs in (("actor", boxes(page, "actor")), ("type", [types[0], with_events, types[-1]])):
        previous = None
        for slug in slugs:
            if previous:
                page.uncheck(f"input[name={name}][value='{previous}']")
            page.check(f"input[name={name}][value='{slug}']")
            assert submit(page)[name] == [slug]
            assert_shows(page, f"{name}={slug}")
            previous = slug
        page.uncheck(f"input[name={name}][value='{previous}']")
    page.check("input[name=actor][value=russia]")
    for role in ("initiator", "target"):
        page.select_option("#id_role", role)
        assert submit(page)["role"] == [role]
        assert_shows(page, f"actor=russia&role={role}")
    page.goto("/", wait_until="domcontentloaded")
    # Two boxes of one list: the repeated query name, the union of both.
    page.goto("/", wait_until="domcontentloaded")
    page.check("input[name=actor][value=russia]")
    page.check("input[name=actor][value=nato]")
    assert sorted(submit(page)["actor"]) == ["nato", "russia"]
    assert_shows(page, "actor=russia&actor=nato")
    assert page.is_checked("input[name=actor][value=nato]") and page.is_checked("input[name=actor][value=russia]")


def test_dates_escalation_text_and_checkboxes_from_the_form(reader):
    page = reader
    page.goto("/", wait_until="domcontentloaded")
    page.fill("#id_date_from", "2024-01-01")
    page.fill("#id_date_to", "2024-06-30")
    page.fill("#id_escalation_min", "3")
    page.fill("#id_escalation_max", "8.5")
    sent = submit(page)
    assert sent["date_from"] == ["2024-01-01"] and sent["escalation_max"] == ["8.5"]
    assert_shows(page, "date_from=2024-01-01&date_to=2024-06-30&escalation_min=3&escalation_max=8.5")

    page.goto("/", wait_until="domcontentloaded")
    page.fill("#id_q", "Patriot")
    submit(page)
    assert_shows(page, "q=Patriot")
    assert summary_count(page) > 0

    page.goto("/", wait_until="domcontentloaded")
    page.check("#id_reactions_only")
    page.check("#id_include_retracted")
    sent = submit(page)
    assert sent["reactions_only"] == ["on"] and sent["include_retracted"] == ["on"]
    assert_shows(page, "reactions_only=on&include_retracted=on")

    # A wrong combination is named beside its field, the panel open, and shows nothing rather than more.
    page.goto("/", wait_until="domcontentloaded")
    page.fill("#id_date_from", "2024-06-30")
    page.fill("#id_date_to", "2024-01-01")
    submit(page)
    assert page.locator(".form-errors").is_visible()
    assert page.locator("#filters-panel").evaluate("d => d.open")
    assert summary_count(page) == 0
