"""CSV import of events, in the columns of the CSV export (described once in events/record.py).

Rules:
- All or nothing: the whole file is validated first; if any row is invalid, nothing is written and
  every bad row is reported with its line, slug, column and message.
- Stable key: `slug`. A slug not in the database creates a **draft**; a slug that exists updates that
  event (a second import of the same file changes nothing: unchanged rows are skipped).
- An existing draft or event in review is updated and keeps its status. A **published or retracted**
  event is never changed by an import (what readers see changes only through review in the admin): a
  row that equals it is skipped as unchanged (so an export can be re-imported), a row that differs
  from it is an error.
- Columns: `event_type` by slug, `initiators`/`targets`/`responds_to` as slugs and `source_urls` as
  URLs, each joined by "; ", `country` as an ISO code. `id`, `category`, `status`, `retraction_note`,
  `updated_at` and `url` are written by the export and ignored here (they are derived or belong to
  the workflow). A column the export does not write is an error (a wrong file, caught at its header).
- Bounded (ImportLimits, from settings): the file's size (web uploads only; larger files go through
  `manage.py import_events FILE`), its rows, its columns, each cell's length and each line's length.
  The file is checked first, in one streaming pass: NUL bytes (a spreadsheet or other binary file)
  and bytes that are not UTF-8 are refused with their position, before any CSV parsing.
- Sources are matched on their URL and only ever added (a source is evidence: removing one is an
  editor's deliberate act in the admin); a new source's publisher is the URL's host, its kind the
  default (news), to be checked in review. Actors and reactions are set to exactly the file's.

Why not django-import-export: it loads the whole dataset (tablib) into memory and validates row by
row through resources; for 100,000 rows and an all-or-nothing rule we stream the file twice with the
csv module instead: pass 1 parses and validates each row, cell by cell with one column class per
column (as pretix's ImportColumn), then with the model's own clean(), keeping only a slug → date index
(for duplicates and `responds_to`); pass 2 writes in batches of BATCH_SIZE inside one transaction, with
simple-history's bulk helpers so every write is in the revision history. Memory is one batch plus the
index, whatever the file's length.

Modules: files (reading the upload within its bounds), columns/ (a class per column), plan (pass 1),
write (pass 2), report (errors, counts, preview), uploads (the admin's stored upload between preview
and import).
"""

from __future__ import annotations

from typing import IO, Any

from editorial.importing.columns import COLUMN_CLASSES, Columns
from editorial.importing.files import (
    BATCH_SIZE,
    ImportLimits,
    Progress,
    UnreadableFile,
    check_file,
    megabytes,
)
from editorial.importing.plan import validate
from editorial.importing.report import ImportReport, RowError
from editorial.importing.uploads import (
    BoundedUploadHandler,
    discard_upload,
    purge_expired_uploads,
    store_upload,
    stored_upload,
    upload_exists,
)
from editorial.importing.write import write
from events.record import REQUIRED_COLUMNS

__all__ = [
    "BATCH_SIZE",
    "COLUMN_CLASSES",
    "REQUIRED_COLUMNS",
    "BoundedUploadHandler",
    "ImportLimits",
    "ImportReport",
    "RowError",
    "discard_upload",
    "import_events",
    "megabytes",
    "purge_expired_uploads",
    "store_upload",
    "stored_upload",
    "upload_exists",
]


def import_events(
    *,
    file: IO[bytes],
    user: Any = None,
    dry_run: bool = False,
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the file, validate every row, then (unless dry_run or any error) write it in one transaction.

    `limits` default to the web's (ImportLimits.for_web); `progress` is called as the file is read."""
    report = ImportReport()
    limits = limits or ImportLimits.for_web()
    try:
        check_file(file, limits)
    except UnreadableFile as exc:
        report.add_error(RowError(exc.line, "", exc.column, str(exc)))
        return report
    columns = Columns()
    references = validate(file, report, columns, limits, progress)
    if not report.ok or dry_run or report.rows == 0:
        return report
    write(file, report, columns, references, limits, progress, user=user)
    return report
