"""The CSV import is bounded: size, rows, columns, cell and line length; a bad file gets a clear message
(never a 500), no row is written, and no uploaded file is left behind, whatever happens."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from editorial import importing
from events.models import Event

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:events_event_import")
HEADER = "slug,date,title,summary,event_type\n"


def csv_bytes(rows: int = 2, *, summary: str = "Air defence systems.") -> bytes:
    lines = [f"imported-{n},2024-03-08,Event {n},{summary},force-deployment\n" for n in range(rows)]
    return (HEADER + "".join(lines)).encode()


def with_byte(data: bytes, position: int, byte: int) -> bytes:
    """The file with its `position`-th byte (1-based) replaced."""
    return data[: position - 1] + bytes([byte]) + data[position:]


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(importing.uploads, "UPLOAD_DIR", tmp_path / "uploads")
    return tmp_path / "uploads"


def files_left(upload_dir) -> list:
    return list(upload_dir.glob("*")) if upload_dir.exists() else []


@pytest.fixture
def editor(client, django_user_model):
    from tests import factories

    client.force_login(factories.staff_user("ed", "Editor"))
    return client


def upload(client, data: bytes, name: str = "events.csv"):
    return client.post(IMPORT_URL, {"csv_file": SimpleUploadedFile(name, data, "text/csv"), "_preview": "1"})


def big_file_with_latin1_at(position: int) -> bytes:
    data = csv_bytes(rows=1 + position // 60)
    assert len(data) > position
    return with_byte(data, position, 0xE9)


BAD_FILES = {
    "binary (a spreadsheet)": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "not a CSV text file"),
    "Latin-1 at byte 10": (with_byte(csv_bytes(), 10, 0xE9), "byte 10 (line 1) is 0xE9"),
    "Latin-1 at byte 100,000": (big_file_with_latin1_at(100_000), "byte 100,000 (line"),
    "a cut-off character at the end": (csv_bytes() + b"\xc3", "ends inside a character"),
    "empty": (b"", "The file is empty"),
    "wrong header": (b"name,when\nPatriots,2024-03-08\n", "Missing column(s): slug, date, title"),
    "unknown column": (b"slug,date,title,summary,event_type,secret\n", "Unknown column(s): “secret”"),
    "huge header": (b"slug," + b"x" * 1_000_000 + b"\n", "Line 1 is longer than"),
    "too many columns": ((",".join(f"c{n}" for n in range(3000)) + "\n").encode(), "The header has 3,000 columns"),
    "a row with more cells than the header": (
        (HEADER + "a,2024-03-08,T,S,force-deployment,extra\n").encode(),
        "6 cells, but the header has 5",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_gets_its_message_no_row_and_no_file_left(editor, upload_dir, name):
    data, message = BAD_FILES[name]
    response = upload(editor, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "nothing was written" in response.content.decode()
    assert not Event.objects.exists()
    assert files_left(upload_dir) == []


def test_the_limits_are_stated_on_the_import_page(editor, settings):
    settings.IMPORT_MAX_ROWS = 1234
    html = editor.get(IMPORT_URL).content.decode()
    assert "10.0 MB" in html and "1234 rows" in html and "manage.py import_events FILE" in html


def test_an_upload_over_the_size_limit_is_never_stored(editor, settings, upload_dir):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2000
    response = upload(editor, csv_bytes(rows=100))
    assert response.status_code == 200
    assert "larger than 2,000 bytes" in response.content.decode()
    assert "manage.py import_events FILE" in response.content.decode()
    assert not Event.objects.exists() and files_left(upload_dir) == []


def test_too_many_rows(editor, settings, upload_dir):
    settings.IMPORT_MAX_ROWS = 3
    response = upload(editor, csv_bytes(rows=4))
    assert "more than 3 rows" in response.content.decode()
    assert not Event.objects.exists() and files_left(upload_dir) == []


def test_a_cell_too_long(editor, settings, upload_dir):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    response = upload(editor, csv_bytes(summary='"' + "word\n" * 300 + '"'))
    assert "A cell is longer than 1,000 characters" in response.content.decode()
    assert not Event.objects.exists() and files_left(upload_dir) == []


def test_the_file_is_deleted_after_the_import(editor, upload_dir):
    upload(editor, csv_bytes())
    assert len(files_left(upload_dir)) == 1  # kept between the preview and the import
    editor.post(IMPORT_URL, {"_import": "1"})
    assert Event.objects.count() == 2 and files_left(upload_dir) == []


def test_the_file_is_deleted_on_cancel_and_when_another_is_uploaded(editor, upload_dir):
    upload(editor, csv_bytes())
    upload(editor, csv_bytes(rows=3))
    assert len(files_left(upload_dir)) == 1
    response = editor.post(IMPORT_URL, {"_cancel": "1"}, follow=True)
    assert "Import cancelled" in response.content.decode()
    assert files_left(upload_dir) == [] and not Event.objects.exists()


def test_the_file_is_deleted_when_the_import_fails(editor, upload_dir):
    upload(editor, csv_bytes())
    Event.objects.create(  # meanwhile, someone publishes an event with the file's first slug
        slug="imported-0", title="Other", date="2024-03-08", summary="S", event_type_id=1, status="published"
    )
    response = editor.post(IMPORT_URL, {"_import": "1"})
    assert "nothing was written" in response.content.decode()
    assert Event.objects.count() == 1 and files_left(upload_dir) == []


def test_an_abandoned_preview_expires(editor, settings, upload_dir):
    upload(editor, csv_bytes())
    (stored,) = files_left(upload_dir)
    an_hour_ago = time.time() - settings.IMPORT_UPLOAD_MAX_AGE_SECONDS - 1
    os.utime(stored, (an_hour_ago, an_hour_ago))
    editor.get(IMPORT_URL)  # any later visit of the page purges it
    assert files_left(upload_dir) == []


# --- the management command -------------------------------------------------------------------------


def test_the_command_imports_a_file_over_the_upload_limit_with_a_progress_bar(tmp_path, settings, capsys):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows=1500))
    call_command("import_events", str(path))
    out, err = capsys.readouterr()
    assert "Imported 1500 row(s): 1500 new draft(s)" in out
    assert "validating [" in err and "writing [" in err and "100%" in err
    assert Event.objects.filter(status=Event.Status.DRAFT).count() == 1500


@pytest.mark.parametrize("name", ["Latin-1 at byte 100,000", "too many columns", "binary (a spreadsheet)"])
def test_the_command_checks_the_same_and_writes_nothing(tmp_path, name):
    data, message = BAD_FILES[name]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_events", str(path), "--no-progress", stderr=errors)
    assert message in errors.getvalue()
    assert not Event.objects.exists()


def test_the_command_is_all_or_nothing(tmp_path):
    path = tmp_path / "one-bad-row.csv"
    path.write_bytes(csv_bytes(rows=1200) + b"bad-row,2024-13-45,T,S,force-deployment\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_events", str(path), "--no-progress", stderr=errors)
    assert "line 1202 (bad-row), date" in errors.getvalue()
    assert not Event.objects.exists()
