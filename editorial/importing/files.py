"""Reading an import file within its bounds: size, NUL bytes and UTF-8 checked in one streaming pass
before any CSV parsing, then rows read with a bounded line, cell, column and row count."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings

from editorial.importing.report import ImportReport, RowError
from events.record import NAMES, REQUIRED_COLUMNS

# Rows are validated, reported on and written this many at a time.
BATCH_SIZE = 1000
SCAN_CHUNK_BYTES = 64 * 1024
# A line may hold a few long cells (quotes doubled): past this multiple of the cell limit it is refused,
# which also bounds the number of cells a line can make (memory), whatever its column count.
LINE_CHARS_PER_CELL_LIMIT = 4
Progress = Callable[[str, int, int], None]  # (stage, bytes done, bytes in all)


@dataclass(frozen=True)
class ImportLimits:
    """What one import accepts. `max_bytes` None: no size limit (the management command)."""

    max_bytes: int | None
    max_rows: int
    max_columns: int = field(default_factory=lambda: settings.IMPORT_MAX_COLUMNS)
    max_cell_chars: int = field(default_factory=lambda: settings.IMPORT_MAX_CELL_CHARS)

    @classmethod
    def for_web(cls) -> ImportLimits:
        return cls(max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES, max_rows=settings.IMPORT_MAX_ROWS)

    @classmethod
    def for_command(cls) -> ImportLimits:
        return cls(max_bytes=None, max_rows=settings.IMPORT_COMMAND_MAX_ROWS)

    @property
    def max_line_chars(self) -> int:
        return self.max_cell_chars * LINE_CHARS_PER_CELL_LIMIT


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


class UnreadableFile(Exception):
    """The file cannot be read as CSV at all: one message, no rows."""

    def __init__(self, message: str, line: int = 1, column: str = "file") -> None:
        super().__init__(message)
        self.line, self.column = line, column


def check_file(file: IO[bytes], limits: ImportLimits) -> int:
    """One streaming pass over the bytes before any parsing: size, NUL bytes (binary), UTF-8 at every
    position. Returns the size; raises UnreadableFile with the first problem's position."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size == 0:
        raise UnreadableFile("The file is empty.")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise UnreadableFile(
            f"The file is {megabytes(size)}; an upload takes at most {megabytes(limits.max_bytes)}. "
            "Import larger files on the server with: manage.py import_events FILE"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    while chunk := file.read(SCAN_CHUNK_BYTES):
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = lines + chunk.count(b"\n", 0, nul)
            raise UnreadableFile(
                f"This is not a CSV text file: it holds a NUL byte at byte {offset + nul + 1:,} (line {line}). "
                "A spreadsheet (.xlsx, .ods) must be saved as “CSV UTF-8” first.",
                line=line,
            )
        carried = decoder.getstate()[0]  # the start of a character cut by the previous chunk
        try:
            decoder.decode(chunk, final=False)
        except UnicodeDecodeError as exc:
            position = exc.start - len(carried)  # within this chunk (negative: in the bytes carried over)
            line = lines + chunk.count(b"\n", 0, max(position, 0))
            bad = (carried + chunk)[exc.start]
            raise UnreadableFile(
                f"The file is not UTF-8 text: byte {offset + position + 1:,} (line {line}) is 0x{bad:02X}, "
                "which UTF-8 does not allow there (Latin-1 or Windows-1252?). Save it as “CSV UTF-8” and "
                "upload it again.",
                line=line,
            ) from None
        offset += len(chunk)
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnreadableFile(
            f"The file is not UTF-8 text: it ends inside a character (byte {offset:,}).", line=lines
        ) from None
    file.seek(0)
    return size


def _bounded_lines(text: IO[str], limits: ImportLimits) -> Iterator[str]:
    """The file's physical lines for the csv module, refusing one longer than the limit."""
    number = 0
    while line := text.readline(limits.max_line_chars + 1):
        number += 1
        if len(line) > limits.max_line_chars:
            raise UnreadableFile(
                f"Line {number} is longer than {limits.max_line_chars:,} characters: too many columns or "
                "cells far too long for an event.",
                line=number,
            )
        yield line


def read_rows(
    file: IO[bytes], report: ImportReport, limits: ImportLimits, progress: Progress | None = None, stage: str = ""
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; a bad file or header is one error and no rows."""
    file.seek(0)
    total = file.seek(0, io.SEEK_END)
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    # The csv module's cell limit is process-wide; imports are the only CSV reader in the app.
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(_bounded_lines(text, limits))
    try:
        header = next(reader, None) or []
        problem = _header_problem(header, limits)
        if problem:
            report.add_error(RowError(1, "", "header", problem))
            return
        header = [name.strip() for name in header]
        rows = 0
        for cells in reader:
            if not any(cells):
                continue  # a blank line
            rows += 1
            if rows > limits.max_rows:
                report.add_error(
                    RowError(
                        reader.line_num,
                        "",
                        "file",
                        f"The file has more than {limits.max_rows:,} rows, the most one import takes here"
                        + (": import it on the server with manage.py import_events FILE." if limits.max_bytes else "."),
                    )
                )
                return
            if len(cells) > len(header):
                report.add_error(
                    RowError(reader.line_num, "", "file", f"{len(cells)} cells, but the header has {len(header)}.")
                )
                continue
            if progress and rows % BATCH_SIZE == 0:
                progress(stage, file.tell(), total)
            yield reader.line_num, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
    except UnreadableFile as exc:
        report.add_error(RowError(exc.line, "", exc.column, str(exc)))
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = f"A cell is longer than {limits.max_cell_chars:,} characters, the most an import takes."
        report.add_error(RowError(reader.line_num, "", "file", f"Unreadable CSV: {message}"))
    finally:
        if progress:
            progress(stage, total, total)
        text.detach()  # leave the underlying file open for the second pass


def _header_problem(header: list[str], limits: ImportLimits) -> str | None:
    if len(header) > limits.max_columns:
        return (
            f"The header has {len(header):,} columns; an import reads at most {limits.max_columns} "
            f"(the export has {len(NAMES)})."
        )
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in NAMES]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"Missing column(s): {', '.join(missing)}.")
        if unknown:
            shown = ", ".join(f"“{name[:40]}”" for name in unknown[:5]) + (" …" if len(unknown) > 5 else "")
            parts.append(f"Unknown column(s): {shown}.")
        return " ".join(parts) + " The first line must name the export's columns (see “About the data”)."
    if len(set(names)) != len(names):
        return "A column is named twice."
    return None
