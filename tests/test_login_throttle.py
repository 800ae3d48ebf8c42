"""Admin logins: repeated failures for one account, or from one address, are paused with a clear page;
Django's password validators refuse weak passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a-long-and-unusual-passphrase-2024"


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def attempt(username: str, password: str, *, address: str = "192.0.2.10") -> object:
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def test_a_right_password_signs_in(editor):
    response = attempt("editor", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_five_wrong_passwords_pause_the_account_even_with_the_right_one(editor, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt("editor", f"wrong-{number}", address=f"192.0.2.{number + 1}")
        assert response.status_code == 200  # the form again, with Django's error
    assert attempt("editor", "wrong-again", address="192.0.2.99").status_code == 429
    response = attempt("editor", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-ins" in html and "0:15:00" in html


def test_one_address_trying_many_accounts_is_paused(editor, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"someone-{number}", "guess")
    assert attempt("editor", PASSWORD).status_code == 429
    assert attempt("editor", PASSWORD, address="198.51.100.7").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for number in range(settings.AXES_FAILURE_LIMIT):
        Client(**proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.9, 198.51.100.{number}").post(
            LOGIN, {"username": f"someone-{number}", "password": "guess"}
        )
    # Other clients behind the same proxy are not locked out with them.
    ok = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.200").post(
        LOGIN, {"username": "editor", "password": PASSWORD}
    )
    assert ok.status_code == 302


def test_a_success_clears_the_count(editor, settings):
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("editor", f"wrong-{number}")
    assert attempt("editor", PASSWORD).status_code == 302
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("editor", f"wrong-again-{number}")
    assert attempt("editor", PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["admin", "password123456", "20240308112233", "short-1"])
def test_weak_passwords_are_refused(editor, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=editor)


def test_a_long_unusual_password_is_accepted(editor):
    validate_password(PASSWORD, user=editor)
