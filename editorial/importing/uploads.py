"""The admin's two steps (preview, then import) keep the upload in a private temporary file.

Every stored file is deleted after its import, on cancel, when its check fails, when a new upload
replaces it in the session, and at the latest IMPORT_UPLOAD_MAX_AGE_SECONDS after it was stored.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

UPLOAD_DIR = Path(tempfile.gettempdir()) / "tension-timeline-imports"


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: a file over IMPORT_MAX_UPLOAD_BYTES is skipped while it streams
    in (Django's handlers then discard what they had), so it is never stored; the view tells why."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.IMPORT_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _upload_path(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad upload token")
    return UPLOAD_DIR / f"{token}.csv"


def store_upload(upload: Any) -> str:
    """Copy an uploaded file, chunk by chunk, to a private temporary file; returns its token."""
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    try:
        with _upload_path(token).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        discard_upload(token)
        raise
    return token


@contextmanager
def stored_upload(token: str) -> Iterator[IO[bytes]]:
    with _upload_path(token).open("rb") as file:
        yield file


def upload_exists(token: str) -> bool:
    return _upload_path(token).exists()


def discard_upload(token: str) -> None:
    _upload_path(token).unlink(missing_ok=True)


def purge_expired_uploads(*, now: float | None = None) -> int:
    """Delete stored uploads older than IMPORT_UPLOAD_MAX_AGE_SECONDS (a preview never imported or
    cancelled); returns how many. Called on each visit of the import page and by import_events."""
    if not UPLOAD_DIR.exists():
        return 0
    limit = (now or time.time()) - settings.IMPORT_UPLOAD_MAX_AGE_SECONDS
    removed = 0
    for path in UPLOAD_DIR.glob("*.csv"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by another request
    return removed
