"""Hostile text: control characters are refused on every write path, every query value with one is a
form error (400 on the export and the feed), and the outputs stay well-formed whatever the database
holds. Never a 5xx; CI runs this module on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import json
import re

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from editorial import importing
from events.models import Event, Source
from events.text import printable
from tests import factories

pytestmark = pytest.mark.django_db

CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85"]
QUERY_NAMES = ["country", "q", "actor", "type", "region", "date_from", "escalation_min", "sort", "role", "unknown"]


@pytest.fixture
def editor(client):
    client.force_login(factories.staff_user("ed", "Editor"))
    return client


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_the_admin_form_refuses_a_control_character_in_a_title_and_says_where(editor, char):
    data = factories.admin_event_form(title=f"Russia{char} warns")
    response = editor.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 200
    # Django's own form fields already refuse NUL, with their message; every other control code is ours.
    message = "Null characters are not allowed" if char == "\x00" else f"U+{ord(char):04X} at character 7"
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_multi_line_text_keeps_tabs_and_line_breaks_but_not_other_controls(editor):
    ok = factories.admin_event_form(summary="First paragraph.\r\n\r\nSecond\tone.")
    assert editor.post(reverse("admin:events_event_add"), ok).status_code == 302
    refused = factories.admin_event_form(title="Another", summary="Bell\x07")
    response = editor.post(reverse("admin:events_event_add"), refused)
    assert "U+0007" in response.content.decode()
    assert Event.objects.count() == 1


def test_a_title_is_one_line():
    event = Event(title="Two\nlines")
    with pytest.raises(ValidationError) as refused:
        event.clean_fields(exclude=[f.name for f in Event._meta.fields if f.name != "title"])
    assert "line breaks are allowed only in multi-line text" in str(refused.value)


def test_every_text_field_of_a_source_is_checked():
    source = Source(event=factories.event(), publisher="LRT\x1b[31m", excerpt="ok\x00", url="https://lrt.lt/")
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert set(refused.value.message_dict) == {"publisher", "excerpt"}


def test_the_import_refuses_a_control_character_and_writes_nothing():
    factories.event_type()
    csv_text = "slug,date,title,summary,event_type\nnew-one,2024-03-08,Bad\x07title,Fine.,force-deployment\n"
    report = importing.import_events(file=io.BytesIO(csv_text.encode()))
    assert not report.ok
    assert "U+0007" in str(report.errors[0]) and report.errors[0].column == "title"
    assert not Event.objects.filter(slug="new-one").exists()


# --- query values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x07"])
@pytest.mark.parametrize("name", QUERY_NAMES)
def test_a_control_character_in_a_query_value_is_a_form_error_never_a_5xx(client, record, name, char):
    value = f"lt{char}"
    page = client.get(reverse("events:timeline"), {name: value})
    assert page.status_code == 200
    assert "holds a control character" in page.content.decode()
    for url in (reverse("events:export"), reverse("events:feed")):
        response = client.get(url, {name: value})
        assert response.status_code == 400, (url, response.status_code)
        assert "control character" in response.content.decode()
    window = client.get(reverse("events:tension_window"), {"end": "2024-03-09", name: value})
    assert window.status_code == 200


# --- outputs, whatever the database holds -----------------------------------------------------------


@pytest.fixture
def dirty_record(record):
    """Rows written around the validation (by SQL, or before it existed). PostgreSQL cannot store NUL."""
    nul = "\x01" if connection.vendor == "postgresql" else "\x00"
    Event.objects.filter(slug="warning").update(title=f"Russia{nul} warns\x07", summary="Line\x1b one\x0c\x85")
    Event.objects.filter(slug="withdrawn").update(retraction_note="Withdrawn\x08")
    return record


def test_the_feed_stays_well_formed_xml_whatever_the_database_holds(client, dirty_record):
    response = client.get(reverse("events:feed"), {"include_retracted": "on"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [entry.title for entry in feed.entries]
    assert "9 March 2024: Russia\ufffd warns\ufffd" in titles


def test_the_page_the_export_and_the_event_page_answer_whatever_the_database_holds(client, dirty_record):
    assert client.get(reverse("events:timeline")).status_code == 200
    assert client.get(reverse("events:detail", args=["warning"])).status_code == 200
    export = client.get(reverse("events:export"))
    assert export.status_code == 200 and b"Russia" in b"".join(export.streaming_content)
    # The chart's figure is JSON in the page: it parses, with the stored text escaped, never raw.
    page = client.get(reverse("events:timeline")).content.decode()
    figure = re.search(r'<script id="timeline-figure" type="application/json">(.*?)</script>', page, re.S)
    assert "\\u0007" in figure.group(1) and "\x07" not in figure.group(1)
    assert json.loads(figure.group(1))


def test_printable_replaces_only_what_xml_cannot_carry():
    assert printable("a\tb\nc\x00d\x07\ud800") == "a\tb\nc\ufffdd\ufffd\ufffd"
    assert json.loads(json.dumps(printable("x\x1by"))) == "x\ufffdy"


# --- source links (#8): http and https only ------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://x.example/"])
def test_a_source_url_that_is_not_a_web_address_is_refused_by_the_database(url):
    event = factories.event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(event=event, url=url, publisher="X", title="X")
    with pytest.raises(ValidationError) as refused:
        Source(event=event, url=url, publisher="X", title="X").full_clean()
    assert "url" in refused.value.message_dict


def test_only_a_web_address_is_rendered_as_a_link():
    assert Source(url="HTTPS://lrt.lt/x").web_url == "HTTPS://lrt.lt/x"
    assert Source(url="javascript:alert(1)").web_url == ""
    assert Source(url="").web_url == ""


ADMIN_QUERIES = [
    "/admin/events/event/?status__exact=%00",
    "/admin/events/event/?q=%00",
    "/admin/events/source/?kind__exact=%07",
    "/admin/autocomplete/?term=%00&app_label=events&model_name=eventactor&field_name=actor",
    "/admin/autocomplete/?term=ru%00&app_label=events&model_name=event&field_name=location_country",
]


@pytest.mark.parametrize("url", ADMIN_QUERIES)
def test_a_control_character_in_an_admin_query_is_never_a_5xx(client, record, url):
    client.raise_request_exception = False
    client.force_login(factories.staff_user("pia", "Publisher"))
    assert client.get(url).status_code in (200, 302, 400)
