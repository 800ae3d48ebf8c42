"""What an import found: its errors and warnings (each with its line, slug and column), counts and preview."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REPORTED_ERRORS = 500
PREVIEW_ROWS = 20


@dataclass(frozen=True)
class RowError:
    line: int
    slug: str
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.slug})" if self.slug else "")
        return f"{where}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # What does not stop an import but needs an editor's eye in review (a likely duplicate).
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    preview: list[dict[str, str]] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def add_warning(self, warning: RowError) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            self.warnings.append(warning)

    @property
    def summary(self) -> str:
        if not self.ok:
            return f"Import refused: {self.error_count} error(s) in {self.rows} row(s); nothing was written."
        verb = "Imported" if self.written else "Ready to import"
        warned = f" {self.warning_count} likely duplicate(s) to see to before publishing." if self.warning_count else ""
        return (
            f"{verb} {self.rows} row(s): {self.created} new draft(s), {self.updated} updated, "
            f"{self.unchanged} unchanged.{warned}"
        )
