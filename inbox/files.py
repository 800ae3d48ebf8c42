"""Opening a dataset's file, from a path or a URL, plain or zipped, and reading it as UTF-8 lines.

A URL is fetched through the guarded fetch (editorial.sources.fetch: public addresses only, bounded in
time and size), held in memory up to INBOX_FETCH_MAX_BYTES; a path is read as it goes. A zip (as GDELT
publishes its files) must hold one file, read as it is decompressed. Lines are checked as they are read:
a NUL byte (a binary file) or bytes that are not UTF-8 stop the file with the line's number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from editorial.sources.fetch import FetchError, fetch
from inbox.datasets import BadFile

ZIP_MAGIC = b"PK\x03\x04"
# What a server may call a dataset's file.
FILE_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream", "text/csv", "text/plain"}
)
# Progress is reported every this many lines: often enough for a bar, rarely enough to cost nothing.
PROGRESS_EVERY = 10_000

# Told (bytes read, bytes in all) as the file is read.
Progress = Callable[[int, int], None]


class Unopened(Exception):
    """The file could not be opened (missing, unreachable, a zip of several files); the message says why."""


@dataclass
class Opened:
    stream: BinaryIO
    size: int  # bytes of text to read (decompressed), for the progress bar


def is_url(name: str) -> bool:
    return name.lower().startswith(("http://", "https://"))


@contextmanager
def opened(name: str) -> Iterator[Opened]:
    """The text of the file at this path or URL (unzipped if it is a zip), as a binary stream."""
    with ExitStack() as stack:
        if is_url(name):
            try:
                page = fetch(name, accept=FILE_TYPES, max_bytes=settings.INBOX_FETCH_MAX_BYTES)
            except FetchError as error:
                raise Unopened(str(error)) from None
            stream: BinaryIO = io.BytesIO(page.content)
            size = len(page.content)
        else:
            path = Path(name)
            try:
                stream = stack.enter_context(path.open("rb"))
            except OSError as error:
                raise Unopened(f"{name}: {error.strerror}.") from None
            size = path.stat().st_size
        if stream.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            stream.seek(0)
            stream, size = unzipped(stream, name, stack)
        else:
            stream.seek(0)
        yield Opened(stream=stream, size=size)


def unzipped(stream: BinaryIO, name: str, stack: ExitStack) -> tuple[BinaryIO, int]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(stream))
    except zipfile.BadZipFile as error:
        raise Unopened(f"{name} is not a readable zip ({error}).") from None
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) != 1:
        raise Unopened(f"{name} is a zip of {len(members)} files: a dataset's zip holds one.")
    return stack.enter_context(archive.open(members[0])), members[0].file_size


def text_lines(stream: BinaryIO, *, size: int, progress: Progress | None = None) -> Iterator[tuple[int, str]]:
    """Each line's number and text (its line break kept), checked: UTF-8 and no NUL byte."""
    done = 0
    for number, raw in enumerate(stream, 1):
        if b"\0" in raw:
            raise BadFile(number, "a NUL byte: this is a binary file, not the dataset's text.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadFile(number, f"not UTF-8 text (byte {error.start + 1} of the line).") from None
        if number == 1:
            text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheets write
        if progress is not None:
            done += len(raw)
            if number % PROGRESS_EVERY == 0:
                progress(done, size)
        yield number, text
    if progress is not None:
        progress(size, size)
