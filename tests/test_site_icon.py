"""/favicon.ico, which a browser asks for on a document that names no icon (the Atom feed, an API answer),
leads to the site's icon instead of a 404."""

from __future__ import annotations

from django.templatetags.static import static


def test_the_browsers_guess_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
