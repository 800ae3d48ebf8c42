"""The about page: the record, the taxonomy and scale from the database, the index, how to cite."""

from __future__ import annotations

from decimal import Decimal

import pytest

from events.models import EventType

pytestmark = pytest.mark.django_db


def test_the_taxonomy_and_scale_are_rendered_from_the_database(client):
    EventType.objects.filter(slug="force-deployment").update(default_escalation=Decimal("6.6"))
    EventType.objects.create(
        name="Naval <blockade> drill",
        slug="naval-drill",
        category="military_posture",
        default_escalation=Decimal("5.5"),
    )
    html = client.get("/about/").content.decode()
    rows = html.split('<table class="taxonomy">')[1].split("</table>")[0]
    assert rows.count("<tr>") == EventType.objects.count() + 1  # and the header
    assert "6.6" in rows and "Naval &lt;blockade&gt; drill" in rows and "5.5" in rows
    assert "Goldstein" in html and "higher means more tension" in html


def test_it_says_exactly_how_the_index_is_computed_and_how_to_cite(client):
    html = client.get("/about/").content.decode()
    assert 'id="index"' in html and "30 days ending on" in html and "− 29" in html
    assert 'id="cite"' in html and "http://testserver/events/" in html


def test_it_documents_every_column_of_the_csv_export(client):
    from events.record import NAMES

    html = client.get("/about/").content.decode()
    for column in NAMES:
        assert f"<code>{column}</code>" in html, column
