"""The one importer framework for every CSV/XLSX import, and the one table exporter.

An importer declares its columns; ``Importer.run`` reads the file through
``lachan.engine.tabular`` (any encoding, title rows, Vietnamese headers), parses and validates
every cell and row, collects every problem as a ``RowError`` naming the row and column, and
only when there is none applies all rows in one transaction. Nothing is stored when any row
is invalid; ``dry_run`` does all the work, writes included, then rolls back.

Subclasses provide ``columns`` and ``apply`` and may override ``validate_row`` /
``validate_rows`` for checks that need more than one cell or more than one row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lachan.engine import tabular

# --- errors and the report ------------------------------------------------------------------


class CellError(ValueError):
    """Raised by a column parser; the message (Vietnamese) says what is wrong with the value."""


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (None for the file as a whole), column and message."""

    row: int | None
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("trang “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("dòng %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("cột “%(column)s”") % {"column": self.column})
        if not where:
            return self.message
        place = ", ".join(where)
        return f"{place[:1].upper()}{place[1:]}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import did (or, with errors or ``dry_run``, would have done)."""

    filename: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return ngettext(
                "%(file)s: %(n)d lỗi, không có dữ liệu nào được lưu.",
                "%(file)s: %(n)d lỗi, không có dữ liệu nào được lưu.",
                len(self.errors),
            ) % {"file": self.filename, "n": len(self.errors)}
        counts = _("%(created)d thêm mới, %(updated)d cập nhật, %(unchanged)d không đổi") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return _("%(file)s: hợp lệ (chạy thử, chưa lưu): %(counts)s.") % {
                "file": self.filename,
                "counts": counts,
            }
        return _("%(file)s: đã nhập %(counts)s.") % {"file": self.filename, "counts": counts}

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "summary": self.summary(),
        }


# --- cell parsers: text in, value out, CellError for a bad value ------------------------------


def text(value: str) -> str:
    """Text with runs of whitespace collapsed; a leading apostrophe guarding a formula dropped."""
    value = " ".join(value.split())
    if value[:2] in {"'=", "'+", "'-", "'@"}:
        value = value[1:]
    return value


def email(value: str) -> str:
    value = text(value)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    try:
        validate_email(value)
    except ValidationError as exc:
        raise CellError(_("Địa chỉ thư điện tử không hợp lệ: “%(v)s”.") % {"v": value}) from exc
    return value


def date(value: str) -> dt.date:
    try:
        return tabular.parse_date(value)
    except ValueError as exc:
        raise CellError(
            _("Ngày không hợp lệ: “%(v)s” (hãy ghi theo dạng dd/mm/yyyy).") % {"v": value}
        ) from exc


def datetime(value: str) -> dt.datetime:
    try:
        return tabular.parse_datetime(value)
    except ValueError as exc:
        raise CellError(
            _("Thời gian không hợp lệ: “%(v)s” (hãy ghi theo dạng dd/mm/yyyy hh:mm).")
            % {"v": value}
        ) from exc


_TRUE = {"1", "x", "co", "dung", "true", "yes", "y", "hoatdong", "danghoatdong", "con"}
_FALSE = {"0", "khong", "sai", "false", "no", "n", "ngunghoatdong", "ngung", "het"}


def boolean(value: str) -> bool:
    key = tabular.normalize_header(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_("Giá trị không hợp lệ: “%(v)s” (dùng “có” hoặc “không”).") % {"v": value})


def split_list(separator: str = ";") -> Callable[[str], list[str]]:
    """A parser for lists in one cell (``a; b; c``), each item trimmed, duplicates dropped."""

    def parse(value: str) -> list[str]:
        items = (text(v) for v in value.replace("\n", separator).split(separator))
        return list(dict.fromkeys(v for v in items if v))

    return parse


def choice(options: Mapping[str, Sequence[str]], *, shown: Sequence[str] = ()) -> Callable:
    """A parser for one of fixed values: ``{value: [labels people use]}``, matched like
    headers (no case, diacritics, spaces or punctuation)."""
    lookup: dict[str, str] = {}
    for value, labels in options.items():
        for label in (value, *labels):
            lookup[tabular.normalize_header(label)] = value

    def parse(raw: str) -> str:
        key = tabular.normalize_header(raw)
        if key in lookup:
            return lookup[key]
        allowed = ", ".join(shown or options)
        raise CellError(
            _("Giá trị “%(v)s” không hợp lệ; dùng một trong: %(allowed)s.")
            % {"v": text(raw), "allowed": allowed}
        )

    return parse


# --- the importer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """A column an importer reads: canonical name, label for messages, synonyms, parser.

    ``parse`` gets the non-empty cell text and returns the value or raises ``CellError``;
    an empty cell gives ``empty`` (or an error when ``required``).
    """

    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    parse: Callable[[str], Any] = text
    empty: Any = ""


@dataclass
class ImportRow:
    """A data row: where it is, what the file said, and the parsed values of the columns
    present in the file (absent columns are not in ``values``: an update leaves them alone)."""

    number: int
    sheet: str
    raw: Mapping[str, str]
    values: dict[str, Any]
    valid: bool = True

    def has(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


ProgressCallback = Callable[[str, int, int], None]  # (stage "validate"/"apply", done, total)


class Importer:
    """Base of every importer. Subclasses set ``columns`` and implement ``apply``."""

    columns: ClassVar[tuple[ImportColumn, ...]] = ()
    ignored_labels: ClassVar[tuple[str, ...]] = ("STT", "TT", "Số TT", "Số thứ tự")

    def __init__(
        self, *, actor: Any, dry_run: bool = False, progress: ProgressCallback | None = None
    ) -> None:
        self.actor = actor
        self.dry_run = dry_run
        self.progress = progress
        self.report = ImportReport(filename="", dry_run=dry_run)
        self.table: tabular.Table | None = None

    # -- hooks ------------------------------------------------------------------------------

    def validate_row(self, row: ImportRow) -> None:
        """Checks across the cells of one row; call ``self.error`` for each problem."""

    def validate_rows(self, rows: list[ImportRow]) -> None:
        """Checks across rows (duplicates, references, cycles); call ``self.error``."""

    def apply(self, rows: list[ImportRow]) -> None:
        """Write every row (inside the import's transaction), counting in ``self.report``."""
        raise NotImplementedError

    # -- helpers for subclasses -------------------------------------------------------------

    def label(self, name: str, sheet: str | None = None) -> str:
        """The column's label as the file writes it, else the importer's own label."""
        if self.table is not None and name in self.table.columns:
            return self.table.label(name, sheet)
        return next((str(c.label) for c in self.columns if c.name == name), name)

    def error(self, row: ImportRow | None, column: str, message: str) -> None:
        """Record a problem at ``row`` (None: the whole file) in canonical ``column``."""
        if row is not None:
            row.valid = False
        self.report.errors.append(
            RowError(
                row=row.number if row else None,
                column=self.label(column, row.sheet if row else None) if column else "",
                message=message,
                sheet=row.sheet if row and self._many_sheets else "",
            )
        )

    @contextmanager
    def writing(self, row: ImportRow, column: str = ""):
        """Turn a service's refusal while writing ``row`` into a row error and go on."""
        try:
            yield
        except ValidationError as exc:
            for name, messages in _error_items(exc):
                canonical = name if any(c.name == name for c in self.columns) else column
                for message in messages:
                    self.error(row, canonical, message)
        except PermissionDenied:
            self.error(row, column, _("Bạn không có quyền thay đổi dữ liệu này."))
        except IntegrityError as exc:
            self.error(row, column, _("Cơ sở dữ liệu từ chối bản ghi: %(e)s") % {"e": exc})

    # -- the run ----------------------------------------------------------------------------

    @property
    def _many_sheets(self) -> bool:
        return self.table is not None and len(self.table.headers) > 1

    def spec(self) -> tabular.ColumnSpec:
        return tabular.ColumnSpec(
            tuple(
                tabular.Column(c.name, (str(c.label), *c.synonyms), c.required)
                for c in self.columns
            ),
            ignored=self.ignored_labels,
        )

    def run(self, data: bytes, filename: str, sheet: str | int | None = None) -> ImportReport:
        """Read, validate and (when every row is valid) store ``data``."""
        self.report = report = ImportReport(filename=filename, dry_run=self.dry_run)
        try:
            self.table = tabular.read_table(data, filename, self.spec(), sheet)
        except tabular.TabularError as exc:
            report.errors.append(RowError(None, "", self._file_error_message(exc)))
            return report
        self._warn_about_layout(self.table)
        rows = self._parse_rows(self.table)
        report.rows = len(rows)
        if not rows:
            self.error(None, "", _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
            return report
        self.validate_rows(rows)
        if not report.errors:
            with transaction.atomic():
                self.apply(rows)
                if report.errors or self.dry_run:
                    transaction.set_rollback(True)
        if report.errors:
            report.created = report.updated = report.unchanged = 0
            sheets = [h.sheet for h in self.table.headers]
            report.errors.sort(
                key=lambda e: (sheets.index(e.sheet) if e.sheet in sheets else -1, e.row or 0)
            )
        return report

    def _tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None and (done == total or done % 100 == 0):
            self.progress(stage, done, total)

    def _parse_rows(self, table: tabular.Table) -> list[ImportRow]:
        rows: list[ImportRow] = []
        present_by_sheet = {h.sheet: set(h.columns) for h in table.headers}
        total = len(table.rows)
        for i, source in enumerate(table.rows, start=1):
            row = ImportRow(source.number, source.sheet, source.values, {})
            for column in self.columns:
                if column.name not in present_by_sheet.get(source.sheet, ()):
                    continue
                raw = source.get(column.name)
                if not raw.strip():
                    if column.required:
                        self.error(row, column.name, _("Thiếu giá trị bắt buộc."))
                    else:
                        row.values[column.name] = column.empty
                    continue
                try:
                    row.values[column.name] = column.parse(raw)
                except CellError as exc:
                    self.error(row, column.name, str(exc))
            if row.valid:
                self.validate_row(row)
            rows.append(row)
            self._tick("validate", i, total)
        return rows

    def _warn_about_layout(self, table: tabular.Table) -> None:
        warn = self.report.warnings.append
        if table.unknown_columns:
            warn(
                _("Các cột sau không được nhập vì không nhận ra: %(cols)s.")
                % {"cols": ", ".join(f"“{c}”" for c in table.unknown_columns)}
            )
        for header in table.headers:
            if header.unlabelled_data_columns:
                warn(
                    _("Cột %(cols)s có dữ liệu nhưng không có tiêu đề; dữ liệu đó không được nhập.")
                    % {"cols": ", ".join(header.unlabelled_data_columns)}
                )
        for sheet in table.skipped_sheets:
            warn(
                _("Trang tính “%(sheet)s” không có dòng tiêu đề phù hợp nên không được đọc.")
                % {"sheet": sheet}
            )
        for skipped in table.skipped_rows:
            if skipped.reason == "section":
                warn(
                    _("Dòng %(row)d là tiêu đề nhóm (“%(text)s”), không phải dữ liệu.")
                    % {"row": skipped.number, "text": skipped.text}
                )

    def _file_error_message(self, exc: tabular.TabularError) -> str:
        labels = {c.name: str(c.label) for c in self.columns}
        if isinstance(exc, tabular.HeaderNotFoundError):
            found = "; ".join(
                (f"{sheet}: " if sheet else "") + ", ".join(f"“{h}”" for h in headers)
                for sheet, headers in exc.found
            )
            return _(
                "Không tìm thấy dòng tiêu đề có các cột %(expected)s. Các tiêu đề tìm thấy: %(found)s."
            ) % {
                "expected": ", ".join(f"“{labels.get(n, n)}”" for n in exc.expected),
                "found": found or "—",
            }
        if isinstance(exc, tabular.MissingColumnsError):
            return _(
                "Dòng tiêu đề %(row)d thiếu cột bắt buộc %(missing)s. Các cột có trong tệp: %(found)s."
            ) % {
                "row": exc.row,
                "missing": ", ".join(f"“{labels.get(n, n)}”" for n in exc.missing),
                "found": ", ".join(f"“{h}”" for h in exc.found) or "—",
            }
        if isinstance(exc, tabular.DuplicateColumnError):
            return _("Dòng tiêu đề %(row)d: cột “%(column)s” xuất hiện nhiều lần (%(cells)s).") % {
                "row": exc.row,
                "column": labels.get(exc.column, exc.column),
                "cells": ", ".join(f"{c.letter}: “{c.label}”" for c in exc.cells),
            }
        if isinstance(exc, tabular.UnreadableFileError):
            if exc.reason == "empty":
                return _("Tệp trống.")
            if exc.reason == "encoding":
                return _(
                    "Không nhận ra bảng mã của tệp; hãy lưu lại dạng CSV UTF-8 hoặc Excel (XLSX)."
                )
            if exc.reason == "password":
                return _("Tệp được đặt mật khẩu; hãy bỏ mật khẩu rồi nhập lại.")
            if exc.reason == "sheet_not_found":
                return _("Không có trang tính “%(sheet)s”. Các trang có trong tệp: %(sheets)s.") % {
                    "sheet": exc.detail,
                    "sheets": ", ".join(f"“{s}”" for s in exc.sheets),
                }
            return _("Tệp bị hỏng hoặc không phải bảng tính CSV/Excel (%(detail)s).") % {
                "detail": exc.detail
            }
        return str(exc)


def _error_items(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (name, [str(m) for m in ValidationError(errs).messages])
            for name, errs in exc.error_dict.items()
        ]
    return [("", [str(m) for m in exc.messages])]


# --- exporting ------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    value = str(value)
    # A cell starting like a formula would run in Excel; phone numbers such as "+84 …" are
    # harmless and kept as they are. The importer's ``text`` drops the guard apostrophe.
    if value.startswith(_FORMULA_START) and not _looks_numeric(value):
        return "'" + value
    return value


def _looks_numeric(value: str) -> bool:
    return bool(value) and all(ch.isdigit() or ch in " +-.()/" for ch in value)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def export_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str,
    *,
    headers: Sequence[str] | None = None,
    sheet_title: str | None = None,
) -> bytes:
    """Rows → bytes: CSV (UTF-8 with BOM, for Excel), XLSX (bold, frozen header, sized
    columns) or JSON (an array of objects with exactly ``columns`` as keys)."""
    headers = list(headers or columns)
    if fmt == "json":
        data = [{c: row.get(c) for c in columns} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(rows, columns, headers, sheet_title or _("Dữ liệu"))
    raise ValueError(f"unknown export format {fmt!r}")


def _xlsx(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], headers: list[str], title: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [len(h) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(columns, start=1):
            value = row.get(name)
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, list | tuple):
                value = "; ".join(str(v) for v in value)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.value = value
                cell.data_type = "s"  # text stays text: no formulas, no lost leading zeros
            elif isinstance(value, dt.datetime):
                cell.value = value.replace(tzinfo=None)
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
            else:
                cell.value = value
            shown = len(str(value)) if value is not None else 0
            widths[c - 1] = max(widths[c - 1], shown)
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
