"""The role filter says where it is what it needs (issue 24, fault 5): a role applies to the actors chosen
(a role alone is refused, as tests/test_filters.py pins, and the API documents the same 400)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_fault_5_the_role_control_says_it_needs_an_actor(client, record):
    html = client.get("/").content.decode()
    after_the_select = r'<select name="role".*?</select>\s*</div>\s*<p class="muted" id="role-help">(.*?)</p>'
    role = re.search(after_the_select, html, re.S)
    assert role, "the help follows the role's select"
    assert "Tick an actor first" in role.group(1)


def test_fault_5_the_schema_says_a_role_needs_an_actor(client):
    parameters = client.get("/api/schema.json").json()["paths"]["/api/events/"]["get"]["parameters"]
    role = next(p for p in parameters if p["name"] == "role")
    assert "with `actor` only" in role["description"]
