"""The role filter says where it is what it needs (issue 24, fault 5): a role applies to the actors chosen
(a role alone is refused, as tests/test_filters.py pins, and the API documents the same 400)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def described_by(html: str, name: str) -> list[str]:
    """The texts a control's aria-describedby names (a screen reader reads them with the control); an id that
    names no element fails."""
    control = re.search(rf'<select name="{name}"[^>]*>', html).group(0)
    texts = []
    for element_id in re.search(r'aria-describedby="([^"]*)"', control).group(1).split():
        element = re.search(rf'<p [^>]*id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
        assert element, f"aria-describedby names {element_id}, which no element has"
        texts.append(element.group(1))
    return texts


def test_fault_5_the_role_control_says_it_needs_an_actor(client, record):
    html = client.get("/").content.decode()
    after_the_select = r'<select name="role".*?</select>\s*<p [^>]*>(.*?)</p>\s*</div>'
    role = re.search(after_the_select, html, re.S)
    assert role, "the help follows the role's select, in its field"
    assert "Tick an actor first" in role.group(1)
    assert described_by(html, "role") == [role.group(1)]


def test_fault_5_a_role_alone_is_refused_with_the_help_and_the_error_on_the_control(client, record):
    """Django's widget names <id>_helptext and <id>_error; the template's error said <id>-error, so a screen
    reader met an invalid control whose description named nothing."""
    html = client.get("/?role=initiator").content.decode()
    help_text, error = described_by(html, "role")
    assert "Tick an actor first" in help_text
    assert error == "Choose an actor for this role."


def test_fault_5_the_schema_says_a_role_needs_an_actor(client):
    parameters = client.get("/api/schema.json").json()["paths"]["/api/events/"]["get"]["parameters"]
    role = next(p for p in parameters if p["name"] == "role")
    assert "with `actor` only" in role["description"]
