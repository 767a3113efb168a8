"""Reading tables as officials really send them: CSV in any common encoding, XLSX/XLS/ODS.

Grammar of what is accepted:

- **CSV** (also TSV/TXT): UTF-8 with or without BOM, UTF-16 (LE/BE, with BOM or detected
  from its NUL bytes), UTF-32 with BOM, otherwise Windows-1258, the Vietnamese code page,
  which writes tone marks as separate combining characters. Every cell is NFC-normalised so
  "Trường" from any source compares equal. The delimiter (``,`` ``;`` tab ``|``) is sniffed;
  Excel's ``sep=;`` first line is honoured.
- **Spreadsheets** (XLSX, XLSM, XLSB, XLS, ODS) through python-calamine; an ``.xls`` that is
  really an HTML table (as many web portals export) or plain text is read as such.
- Title rows above the header are allowed. The header row is found by content: among the
  first ``HEADER_SEARCH_ROWS`` rows, the one that matches most required columns, then most
  columns. A two-row header (a merged group label over sub-labels, e.g. "Cán bộ CNTT" over
  "Họ tên | Email") is recognised by joining the two labels.
- Header labels match a column's synonyms ignoring case, diacritics, spaces and punctuation
  (see :func:`normalize_header`), and also with any bracketed note removed ("Mã (*)").
- Merged cells: in header rows the value fills the whole merged range; in data rows a
  vertical merge fills down its column (one value meant for several rows); a row holding only
  a horizontally merged label is a section heading ("I. Khối THPT"), reported, not data.
- Empty rows are skipped; every data row keeps its spreadsheet row number (1-based, as Excel
  shows it, title rows included) and its sheet name.

:func:`read_frame` gives the same rows as a polars frame (one column per canonical column);
a large CSV file is then parsed by polars rather than row by row, and whatever that parser
would read differently (malformed quotes, bare CR line ends, rows wider than the first ones)
falls back to the row-by-row path, so both give the same result.

Nothing here imports Django: callers turn the structured errors into messages for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any

import polars as pl

__all__ = [
    "HEADER_SEARCH_ROWS",
    "Column",
    "ColumnSpec",
    "DuplicateColumnError",
    "FrameTable",
    "HeaderCell",
    "HeaderNotFoundError",
    "MissingColumnsError",
    "SheetHeader",
    "SkippedRow",
    "Table",
    "TableRow",
    "TabularError",
    "UnreadableFileError",
    "column_letter",
    "decode_text",
    "normalize_header",
    "parse_date",
    "parse_datetime",
    "read_frame",
    "read_table",
]

HEADER_SEARCH_ROWS = 30
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

# --- normalisation --------------------------------------------------------------------------

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_INVISIBLE_OR_NBSP = re.compile("[\ufeff\u200b\u200c\u200d\u2060\xa0]")


def normalize_header(text: str) -> str:
    """Fold a label for matching: no case, no diacritics (đ→d), no spaces or punctuation.

    ``normalize_header("Mã đơn vị (*)") == "madonvi"``; also suitable for short value labels
    such as unit types.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in stripped.casefold() if ch.isalnum())


def _header_keys(text: str) -> list[str]:
    """Keys a header label may match under: as written, then without bracketed notes."""
    keys = [normalize_header(text)]
    without_notes = normalize_header(_BRACKETED.sub(" ", text))
    if without_notes and without_notes != keys[0]:
        keys.append(without_notes)
    return [k for k in keys if k]


def clean_cell_text(text: str) -> str:
    """NFC, invisible characters removed, no-break spaces as spaces, trimmed."""
    if text.isascii():
        return text.strip()
    if _INVISIBLE_OR_NBSP.search(text):
        text = text.translate(_INVISIBLE).replace("\xa0", " ")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.strip()


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index: 0 → "A", 27 → "AB"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- column specification -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column the caller expects: its canonical name and the labels people give it."""

    name: str
    synonyms: tuple[str, ...] = ()
    required: bool = False

    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalize_header(s) for s in (self.name, *self.synonyms)))


@dataclass(frozen=True)
class ColumnSpec:
    """The columns of a table; ``ignored`` labels (like "STT") are known and not reported."""

    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for column in self.columns:
            for key in column.keys():
                if key in seen and seen[key] != column.name:
                    raise ValueError(
                        f"label {key!r} is a synonym of both {seen[key]!r} and {column.name!r}"
                    )
                seen[key] = column.name

    @classmethod
    def of(
        cls,
        mapping: Mapping[str, Sequence[str]],
        *,
        required: Iterable[str] = (),
        ignored: Sequence[str] = (),
    ) -> ColumnSpec:
        """Build a spec from ``{canonical name: [synonyms]}``."""
        required = set(required)
        return cls(
            columns=tuple(
                Column(name, tuple(synonyms), name in required)
                for name, synonyms in mapping.items()
            ),
            ignored=tuple(ignored),
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def lookup(self) -> dict[str, str]:
        return {key: column.name for column in self.columns for key in column.keys()}

    def ignored_keys(self) -> frozenset[str]:
        return frozenset(normalize_header(label) for label in self.ignored)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderCell:
    """Where a canonical column was found: 0-based index and the label as written."""

    index: int
    label: str

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class SheetHeader:
    """The header found on one sheet."""

    sheet: str
    row: int  # the (last) header row, 1-based
    columns: Mapping[str, HeaderCell]
    unknown: tuple[HeaderCell, ...] = ()
    unlabelled_data_columns: tuple[str, ...] = ()  # letters of columns with data but no label


@dataclass(frozen=True)
class TableRow:
    """One data row: its spreadsheet row number, sheet and canonical column → text."""

    number: int
    sheet: str
    values: Mapping[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


@dataclass(frozen=True)
class SkippedRow:
    """A non-empty row that is not data: a section heading or a column-numbering row."""

    number: int
    sheet: str
    reason: str  # "section" | "column_numbers"
    text: str


@dataclass(frozen=True)
class Table:
    filename: str
    format: str  # "csv", "xlsx", "xls", "ods", "html", ...
    rows: tuple[TableRow, ...]
    headers: tuple[SheetHeader, ...]
    encoding: str | None = None
    delimiter: str | None = None
    skipped_sheets: tuple[str, ...] = ()  # sheets with content but no recognisable header
    skipped_rows: tuple[SkippedRow, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical columns present in at least one sheet, in order of first appearance."""
        names: dict[str, None] = {}
        for header in self.headers:
            names.update(dict.fromkeys(header.columns))
        return tuple(names)

    @property
    def unknown_columns(self) -> tuple[str, ...]:
        """Labels of columns that match no canonical column (each once)."""
        labels: dict[str, None] = {}
        for header in self.headers:
            labels.update(dict.fromkeys(cell.label for cell in header.unknown))
        return tuple(labels)

    def label(self, name: str, sheet: str | None = None) -> str:
        """The label the file uses for a canonical column (the name itself if absent)."""
        for header in self.headers:
            if (sheet is None or header.sheet == sheet) and name in header.columns:
                return header.columns[name].label
        return name

    def cell_ref(self, name: str, row: TableRow) -> str:
        """Spreadsheet reference of a cell, like "D7" ("" when the column is absent)."""
        for header in self.headers:
            if header.sheet == row.sheet and name in header.columns:
                return f"{header.columns[name].letter}{row.number}"
        return ""


# --- errors ---------------------------------------------------------------------------------


class TabularError(ValueError):
    """A file that cannot be read as the table the caller expects."""

    def __init__(self, filename: str, detail: str) -> None:
        super().__init__(f"{filename}: {detail}")
        self.filename = filename


class UnreadableFileError(TabularError):
    """Not a table at all. ``reason``: empty, encoding, corrupt, password, sheet_not_found."""

    def __init__(
        self, filename: str, reason: str, detail: str = "", sheets: Sequence[str] = ()
    ) -> None:
        super().__init__(filename, f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason
        self.detail = detail
        self.sheets = tuple(sheets)


class HeaderNotFoundError(TabularError):
    """No row in the first rows looks like the header; ``found`` lists what rows there were."""

    def __init__(
        self, filename: str, found: Sequence[tuple[str, Sequence[str]]], expected: Sequence[str]
    ) -> None:
        self.found = tuple((sheet, tuple(labels)) for sheet, labels in found)
        self.expected = tuple(expected)
        shown = "; ".join(f"{s or '-'}: {', '.join(labels)}" for s, labels in self.found)
        super().__init__(filename, f"no header row with columns {list(expected)}; found {shown}")


class MissingColumnsError(TabularError):
    """The header row lacks required columns."""

    def __init__(
        self, filename: str, sheet: str, row: int, missing: Sequence[str], found: Sequence[str]
    ) -> None:
        self.sheet, self.row = sheet, row
        self.missing, self.found = tuple(missing), tuple(found)
        super().__init__(
            filename, f"row {row}: missing columns {list(missing)}; found {list(found)}"
        )


class DuplicateColumnError(TabularError):
    """Two columns of the header mean the same canonical column."""

    def __init__(
        self, filename: str, sheet: str, row: int, column: str, cells: Sequence[HeaderCell]
    ) -> None:
        self.sheet, self.row, self.column, self.cells = sheet, row, column, tuple(cells)
        where = ", ".join(f"{c.letter} {c.label!r}" for c in cells)
        super().__init__(filename, f"row {row}: column {column!r} appears more than once ({where})")


# --- decoding text --------------------------------------------------------------------------


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def decode_text(data: bytes, filename: str = "", encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file; return (text, encoding used). See the module docstring for order."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise UnreadableFileError(filename, "encoding", str(exc)) from exc
    boms = (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    )
    candidates: list[str] = []
    for bom, name in boms:
        if data.startswith(bom):
            candidates = [name]
            break
    else:
        utf16 = _looks_utf16(data)
        candidates = [utf16] if utf16 else ["utf-8", "cp1258"]
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(filename, "encoding", "not UTF-8, UTF-16 or Windows-1258")


# --- cell values ----------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_cell_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    return clean_cell_text(str(value))


# --- grids: a sheet as rows of text plus its merged ranges -----------------------------------

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass
class _Grid:
    name: str
    rows: list[list[str]]
    merges: list[Merge] = field(default_factory=list)

    def merge_sources(self) -> dict[tuple[int, int], tuple[Merge, bool]]:
        """Cell → (its merged range, whether the cell is the range's top-left source)."""
        found: dict[tuple[int, int], tuple[Merge, bool]] = {}
        for merge in self.merges:
            r0, c0, r1, c1 = merge
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    found[(r, c)] = (merge, (r, c) == (r0, c0))
        return found

    def value(self, r: int, c: int) -> str:
        row = self.rows[r] if 0 <= r < len(self.rows) else []
        return row[c] if 0 <= c < len(row) else ""


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:60] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
        counts = [n for n in counts if n > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_grid(text: str) -> tuple[_Grid, str]:
    first, _nl, rest = text.partition("\n")
    delimiter = None
    hint = re.fullmatch(r"sep=(.)\r?", first, flags=re.IGNORECASE)
    if hint:
        delimiter = hint.group(1)
        rows: list[list[str]] = [[]]  # keep row numbers as Excel shows them
        text = rest
    else:
        rows = []
    delimiter = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows.extend([clean_cell_text(cell) for cell in record] for record in reader)
    return _Grid("", rows), delimiter


def _calamine_grids(data: bytes, filename: str, sheet: str | int | None) -> list[_Grid]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise UnreadableFileError(filename, "password", str(exc)) from exc
    except Exception as exc:  # calamine raises several types for a damaged file
        raise UnreadableFileError(filename, "corrupt", str(exc)) from exc
    names = list(workbook.sheet_names)
    if sheet is None:
        # Hidden sheets (lookup lists behind drop-downs) are not what people see or mean.
        hidden = {
            m.name
            for m in workbook.sheets_metadata
            if m.visible != python_calamine.SheetVisibleEnum.Visible
        }
        chosen = [n for n in names if n not in hidden]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise UnreadableFileError(filename, "sheet_not_found", str(sheet), names)
        chosen = [names[sheet]]
    else:
        matches = [n for n in names if n == sheet] or [
            n for n in names if normalize_header(n) == normalize_header(sheet)
        ]
        if not matches:
            raise UnreadableFileError(filename, "sheet_not_found", sheet, names)
        chosen = matches[:1]
    grids = []
    for name in chosen:
        try:
            calamine_sheet = workbook.get_sheet_by_name(name)
            raw_rows = calamine_sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise UnreadableFileError(filename, "corrupt", f"{name}: {exc}") from exc
        try:
            ranges = calamine_sheet.merged_cell_ranges or []
        except Exception:  # not every format records merges; the values are still there
            ranges = []
        merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]
        grids.append(_Grid(name, [[_cell_text(v) for v in row] for row in raw_rows], merges))
    return grids


class _HTMLTables(HTMLParser):
    """Tables of an HTML page saved as ``.xls`` (colspan/rowspan become merged ranges)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.grids: list[_Grid] = []
        self._grid: _Grid | None = None
        self._row: int = -1
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._taken: set[tuple[int, int]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and self._grid is None:
            self._grid, self._row, self._taken = _Grid(str(len(self.grids) + 1), []), -1, set()
        elif self._grid is not None and tag == "tr":
            self._row += 1
            self._grid.rows.append([])
        elif self._grid is not None and tag in ("td", "th") and self._row >= 0:
            spans = dict(attrs)

            def _span(name: str) -> int:
                value = spans.get(name) or "1"
                return max(1, int(value)) if value.isdigit() else 1

            self._span = (_span("rowspan"), _span("colspan"))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        grid = self._grid
        if grid is None:
            return
        if tag in ("td", "th") and self._cell is not None:
            row = grid.rows[self._row]
            col = len(row)
            while (self._row, col) in self._taken:
                col += 1
            row.extend([""] * (col + 1 - len(row)))
            row[col] = clean_cell_text(" ".join("".join(self._cell).split()))
            rowspan, colspan = self._span
            for r in range(self._row, self._row + rowspan):
                for c in range(col, col + colspan):
                    self._taken.add((r, c))
            if rowspan > 1 or colspan > 1:
                grid.merges.append((self._row, col, self._row + rowspan - 1, col + colspan - 1))
            row.extend([""] * (colspan - 1))
            self._cell = None
        elif tag == "table":
            width = max((len(cells) for cells in grid.rows), default=0)
            for cells in grid.rows:
                cells.extend([""] * (width - len(cells)))
            self.grids.append(grid)
            self._grid = None


def _html_grids(text: str) -> list[_Grid]:
    parser = _HTMLTables()
    parser.feed(text)
    parser.close()
    grids = parser.grids
    if len(grids) == 1:
        grids[0].name = ""
    return grids


def _read_grids(
    data: bytes, filename: str, sheet: str | int | None, encoding: str | None
) -> tuple[list[_Grid], str, str | None, str | None]:
    """Return (grids, format, encoding, delimiter)."""
    if not data.strip():
        raise UnreadableFileError(filename, "empty")
    lower = filename.lower()
    suffix = next((s for s in SPREADSHEET_SUFFIXES if lower.endswith(s)), "")
    is_zip, is_ole = data.startswith(b"PK\x03\x04"), data.startswith(b"\xd0\xcf\x11\xe0")
    if is_zip or is_ole:
        fmt = suffix.lstrip(".") or ("xlsx" if is_zip else "xls")
        if is_zip and b"application/vnd.oasis.opendocument.spreadsheet" in data[:200]:
            fmt = "ods"
        return _calamine_grids(data, filename, sheet), fmt, None, None
    text, used = decode_text(data, filename, encoding)
    if re.match(r"\s*(<!DOCTYPE html|<html|<table|<\?xml)", text, flags=re.IGNORECASE):
        grids = _html_grids(text)
        if grids:
            return grids, "html", used, None
        if suffix:
            raise UnreadableFileError(filename, "corrupt", "no table found")
    grid, delimiter = _csv_grid(text)
    return [grid], "csv", used, delimiter


# --- finding the header ---------------------------------------------------------------------


@dataclass(frozen=True)
class _HeaderMatch:
    row: int  # 0-based index of the last header row
    first_row: int  # 0-based index of the first header row
    columns: dict[str, HeaderCell]
    duplicates: dict[str, list[HeaderCell]]
    unknown: tuple[HeaderCell, ...]
    ignored: tuple[HeaderCell, ...]
    score: tuple[int, int]


def _header_labels(grid: _Grid, r: int, width: int, sources: Mapping[Any, Any]) -> list[str]:
    """Labels of row ``r`` with merged ranges filled from their top-left cell."""
    labels = []
    for c in range(width):
        value = grid.value(r, c)
        if not value and (r, c) in sources:
            (r0, c0, _r1, _c1), _is_source = sources[(r, c)]
            value = grid.value(r0, c0)
        labels.append(value)
    return labels


def _two_row_labels(upper: list[str], lower: list[str]) -> list[list[str]]:
    """Candidate labels per column for a header spanning two rows.

    Without merge information (CSV), a group label stands only above the first of its
    sub-columns, so it is carried right while the lower row has sub-labels.
    """
    carried = list(upper)
    for c in range(1, len(carried)):
        if not carried[c] and lower[c] and carried[c - 1] and lower[c - 1]:
            carried[c] = carried[c - 1]
    result = []
    for top, bottom in zip(carried, lower, strict=True):
        if not bottom:
            result.append([top] if top else [])
        elif not top or normalize_header(top) == normalize_header(bottom):
            result.append([bottom])
        else:
            result.append([f"{top} {bottom}", f"{bottom} {top}", bottom])
    return result


@functools.lru_cache(maxsize=64)
def _spec_keys(spec: ColumnSpec) -> tuple[dict[str, str], frozenset[str]]:
    """The folded labels of a spec, computed once per spec rather than once per row."""
    return spec.lookup(), spec.ignored_keys()


def _match_header(
    candidates: list[list[str]], row: int, first_row: int, spec: ColumnSpec
) -> _HeaderMatch:
    lookup, ignored = _spec_keys(spec)
    columns: dict[str, HeaderCell] = {}
    duplicates: dict[str, list[HeaderCell]] = {}
    unknown: list[HeaderCell] = []
    ignored_cells: list[HeaderCell] = []
    for index, labels in enumerate(candidates):
        if not labels:
            continue
        name: str | None = None
        cell = HeaderCell(index, labels[-1])
        is_ignored = False
        for label in labels:
            for key in _header_keys(label):
                if key in lookup:
                    name = lookup[key]
                    break
                is_ignored = is_ignored or key in ignored
            if name:
                cell = HeaderCell(index, label)
                break
        if name is None:
            (ignored_cells if is_ignored else unknown).append(cell)
            continue
        if name in columns:
            duplicates.setdefault(name, [columns[name]]).append(cell)
        else:
            columns[name] = cell
    required = sum(1 for n in spec.required_names if n in columns)
    return _HeaderMatch(
        row,
        first_row,
        columns,
        duplicates,
        tuple(unknown),
        tuple(ignored_cells),
        (required, len(columns)),
    )


def _find_header(grid: _Grid, spec: ColumnSpec) -> _HeaderMatch | None:
    width = max((len(r) for r in grid.rows[:HEADER_SEARCH_ROWS]), default=0)
    sources = grid.merge_sources()
    best: _HeaderMatch | None = None
    previous: list[str] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        labels = _header_labels(grid, r, width, sources)
        match = _match_header([[v] if v else [] for v in labels], r, r, spec)
        if previous is not None and any(previous):
            double = _match_header(_two_row_labels(previous, labels), r, r - 1, spec)
            if double.score > match.score:
                match = double
        if match.score[1] and (best is None or match.score > best.score):
            best = match
        previous = labels
    if best is None:
        return None
    if spec.required_names and best.score[0] == 0:
        return None
    return best


def _visible_labels(grid: _Grid) -> list[str]:
    """The non-empty cells of the fullest of the first rows, for an error message."""
    rows = grid.rows[:HEADER_SEARCH_ROWS]
    fullest = max(rows, key=lambda r: sum(1 for v in r if v), default=[])
    return [v for v in fullest if v]


# --- data rows ------------------------------------------------------------------------------

_COLUMN_NUMBER = re.compile(r"\(?\s*\d{1,2}\s*\)?")


def _is_column_numbering(values: list[str]) -> bool:
    """A row like "(1) (2) (3)…" under the header, common in official tables."""
    filled = [v for v in values if v]
    if len(filled) < 3 or not all(_COLUMN_NUMBER.fullmatch(v) for v in filled):
        return False
    numbers = [int(re.sub(r"\D", "", v)) for v in filled]
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def _sheet_rows(
    grid: _Grid, header: _HeaderMatch
) -> tuple[list[TableRow], list[SkippedRow], list[str]]:
    sources = grid.merge_sources()
    rows: list[TableRow] = []
    skipped: list[SkippedRow] = []
    labelled = {cell.index for cell in (*header.columns.values(), *header.unknown, *header.ignored)}
    for cells in header.duplicates.values():
        labelled.update(c.index for c in cells)
    unlabelled_with_data: set[int] = set()
    first_data = True
    for r in range(header.row + 1, len(grid.rows)):
        raw = grid.rows[r]
        values = list(raw)
        for c in range(len(values)):
            if values[c] or (r, c) not in sources:
                continue
            (r0, c0, r1, _c1), _is_source = sources[(r, c)]
            if r1 > r0 and c == c0 and r0 > header.row:
                values[c] = grid.value(r0, c0)  # a vertical merge means one value for each row
        filled = [(c, v) for c, v in enumerate(values) if v]
        if not filled:
            continue
        if first_data and _is_column_numbering(values):
            skipped.append(SkippedRow(r + 1, grid.name, "column_numbers", " ".join(values).strip()))
            first_data = False
            continue
        first_data = False
        if len(filled) == 1:
            c, text = filled[0]
            merge = sources.get((r, c))
            if merge and merge[1] and merge[0][3] > merge[0][1]:
                skipped.append(SkippedRow(r + 1, grid.name, "section", text))
                continue
        unlabelled_with_data.update(c for c, _v in filled if c not in labelled)
        rows.append(
            TableRow(
                number=r + 1,
                sheet=grid.name,
                values=MappingProxyType(
                    {
                        name: (values[cell.index] if cell.index < len(values) else "")
                        for name, cell in header.columns.items()
                    }
                ),
            )
        )
    return rows, skipped, [column_letter(c) for c in sorted(unlabelled_with_data)]


def read_table(
    data: bytes,
    filename: str,
    columns: ColumnSpec | Mapping[str, Sequence[str]],
    sheet: str | int | None = None,
    *,
    encoding: str | None = None,
) -> Table:
    """Read the rows of a CSV or spreadsheet file as canonical column → text.

    ``sheet`` chooses one sheet by name or 0-based index; by default every visible sheet with
    a recognisable header is read (the others are listed in ``Table.skipped_sheets``).
    Raises :class:`TabularError` subclasses for files that are not such a table.
    """
    spec = columns if isinstance(columns, ColumnSpec) else ColumnSpec.of(columns)
    grids, fmt, used_encoding, delimiter = _read_grids(data, filename, sheet, encoding)
    headers: list[SheetHeader] = []
    rows: list[TableRow] = []
    skipped_rows: list[SkippedRow] = []
    skipped_sheets: list[str] = []
    found: list[tuple[str, list[str]]] = []
    for grid in grids:
        match = _find_header(grid, spec)
        if match is None:
            labels = _visible_labels(grid)
            if labels:
                skipped_sheets.append(grid.name)
                found.append((grid.name, labels))
            continue
        if match.duplicates:
            name, cells = next(iter(match.duplicates.items()))
            raise DuplicateColumnError(filename, grid.name, match.row + 1, name, cells)
        missing = [n for n in spec.required_names if n not in match.columns]
        if missing:
            labels = [c.label for c in (*match.columns.values(), *match.unknown)]
            raise MissingColumnsError(filename, grid.name, match.row + 1, missing, labels)
        sheet_rows, sheet_skipped, unlabelled = _sheet_rows(grid, match)
        ordered = {n: match.columns[n] for n in spec.names if n in match.columns}
        headers.append(
            SheetHeader(
                sheet=grid.name,
                row=match.row + 1,
                columns=MappingProxyType(ordered),
                unknown=match.unknown,
                unlabelled_data_columns=tuple(unlabelled),
            )
        )
        rows.extend(sheet_rows)
        skipped_rows.extend(sheet_skipped)
    if not headers:
        if not found:
            raise UnreadableFileError(filename, "empty")
        raise HeaderNotFoundError(filename, found, spec.required_names or spec.names)
    return Table(
        filename=filename,
        format=fmt,
        rows=tuple(rows),
        headers=tuple(headers),
        encoding=used_encoding,
        delimiter=delimiter,
        skipped_sheets=tuple(skipped_sheets),
        skipped_rows=tuple(skipped_rows),
    )


# --- the same table as columns, fast for very large CSV files --------------------------------

ROW_COLUMN = "_row"
SHEET_COLUMN = "_sheet"
FAST_CSV_BYTES = 1 << 20  # below this, building rows one by one costs less than it matters
_PREFIX_BYTES = 1 << 20  # enough for the delimiter sniff (65,536 characters) and the header rows
# Python's str.strip() whitespace, so that polars trims exactly what clean_cell_text trims.
_PY_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_INVISIBLE_CLASS = "[\ufeff\u200b\u200c\u200d\u2060]"


@functools.lru_cache(maxsize=1)
def _needs_cleaning_class() -> str:
    """A regex class of every character that makes clean_cell_text do more than strip: the
    invisible ones, the no-break space, and any that NFC may change or compose (combining
    marks, singletons, second halves of compositions, Hangul jamo; all beyond the BMP)."""
    risky = {ord(ch) for ch in "\ufeff\u200b\u200c\u200d\u2060\xa0"}
    risky.update(range(0x1100, 0x1200))  # Hangul jamo compose algorithmically
    for c in range(0xD800):
        ch = chr(c)
        if unicodedata.combining(ch) or not unicodedata.is_normalized("NFC", ch):
            risky.add(c)
        decomposition = unicodedata.decomposition(ch)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                risky.add(int(parts[1], 16))
    for c in range(0xE000, 0x10000):
        if unicodedata.combining(chr(c)) or not unicodedata.is_normalized("NFC", chr(c)):
            risky.add(c)
    ranges: list[list[int]] = []
    for c in sorted(risky):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    parts = [f"\\x{{{a:X}}}" + (f"-\\x{{{b:X}}}" if b > a else "") for a, b in ranges]
    return "[" + "".join(parts) + "\\x{10000}-\\x{10FFFF}]"


@dataclass(frozen=True)
class FrameTable:
    """A table as a polars frame: ``_row`` (spreadsheet row number), ``_sheet`` and one text
    column per canonical column found in any sheet ("" where a cell or column is absent).

    Everything else is as in :class:`Table`; the rows are exactly those :func:`read_table`
    returns, in the same order.
    """

    filename: str
    format: str
    frame: pl.DataFrame
    headers: tuple[SheetHeader, ...]
    encoding: str | None = None
    delimiter: str | None = None
    skipped_sheets: tuple[str, ...] = ()
    skipped_rows: tuple[SkippedRow, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for header in self.headers:
            names.update(dict.fromkeys(header.columns))
        return tuple(names)

    def label(self, name: str, sheet: str | None = None) -> str:
        """The label the file uses for a canonical column (the name itself if absent)."""
        for header in self.headers:
            if (sheet is None or header.sheet == sheet) and name in header.columns:
                return header.columns[name].label
        return name


def read_frame(
    data: bytes,
    filename: str,
    columns: ColumnSpec | Mapping[str, Sequence[str]],
    sheet: str | int | None = None,
    *,
    encoding: str | None = None,
    fast: bool | None = None,
) -> FrameTable:
    """:func:`read_table` as columns. A CSV file of ``FAST_CSV_BYTES`` or more (or any CSV
    when ``fast`` is true) is parsed by polars instead of row by row, about ten times
    faster; whatever that parser would read differently from Python's ``csv`` module
    (malformed quotes, bare CR line ends, rows wider than the first rows) falls back to
    :func:`read_table`, so the result is the same either way. ``fast=False`` never uses it.
    """
    spec = columns if isinstance(columns, ColumnSpec) else ColumnSpec.of(columns)
    if fast is not False and (fast or len(data) >= FAST_CSV_BYTES):
        table = _fast_csv_frame(data, filename, spec, encoding)
        if table is not None:
            return table
    return _frame_of(read_table(data, filename, spec, sheet, encoding=encoding), spec)


def _frame_of(table: Table, spec: ColumnSpec) -> FrameTable:
    names = [n for n in spec.names if n in table.columns]
    data: dict[str, list[Any]] = {
        ROW_COLUMN: [r.number for r in table.rows],
        SHEET_COLUMN: [r.sheet for r in table.rows],
    }
    for name in names:
        data[name] = [r.values.get(name, "") for r in table.rows]
    schema: dict[str, Any] = {ROW_COLUMN: pl.Int64, SHEET_COLUMN: pl.String}
    schema.update(dict.fromkeys(names, pl.String))
    return FrameTable(
        filename=table.filename,
        format=table.format,
        frame=pl.DataFrame(data, schema=schema),
        headers=table.headers,
        encoding=table.encoding,
        delimiter=table.delimiter,
        skipped_sheets=table.skipped_sheets,
        skipped_rows=table.skipped_rows,
    )


def _utf8_body(data: bytes, filename: str, encoding: str | None) -> tuple[bytes, str, bool]:
    """The file as UTF-8 bytes for polars: (bytes, encoding name, whether still unverified).

    Plain UTF-8 is passed through unchecked (polars rejects invalid UTF-8, and then the
    caller decodes as :func:`decode_text` would); anything else is decoded here.
    """
    if encoding is None and data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig", False
    is_bom = data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if encoding is None and not is_bom and not _looks_utf16(data):
        return data, "utf-8", True
    text, used = decode_text(data, filename, encoding)
    return text.encode("utf-8"), used, False


def _fast_csv_frame(
    data: bytes, filename: str, spec: ColumnSpec, encoding: str | None
) -> FrameTable | None:
    """The polars path of :func:`read_frame`; None when the file must be read row by row."""
    if not data.strip() or data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    body, used, unverified = _utf8_body(data, filename, encoding)
    if unverified:
        try:
            return _polars_csv(body, filename, spec, used)
        except _NotUtf8:
            text, used = decode_text(data, filename)
            body = text.encode("utf-8")
    try:
        return _polars_csv(body, filename, spec, used)
    except _NotUtf8:
        return None


class _NotUtf8(Exception):
    pass


def _polars_csv(body: bytes, filename: str, spec: ColumnSpec, used: str) -> FrameTable | None:
    prefix_bytes = body[:_PREFIX_BYTES]
    complete = len(prefix_bytes) == len(body)
    if not complete:
        prefix_bytes = prefix_bytes[: prefix_bytes.rfind(b"\n") + 1]
    try:
        prefix = prefix_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotUtf8 from exc
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None  # a bare CR ends a line for the csv module, not for polars
    if re.match(r"\s*(<!DOCTYPE html|<html|<table|<\?xml)", prefix, flags=re.IGNORECASE):
        return None
    offset = 0
    first, newline, rest = prefix.partition("\n")
    hint = re.fullmatch(r"sep=(.)\r?", first, flags=re.IGNORECASE)
    if hint:
        delimiter = hint.group(1)
        skip = len(first.encode("utf-8")) + len(newline)
        prefix, body, offset = rest, body[skip:], 1
    else:
        delimiter = _sniff_delimiter(prefix)
    if not complete and len(prefix) < 65536:
        return None  # the delimiter must be sniffed from as much text as read_table sees
    # The header rows and a few more, to compare the two parsers on: a short head will do.
    head_end = prefix.find("\n", 65536) + 1 if len(prefix) > 65536 else 0
    head = prefix[:head_end] if head_end else prefix
    records = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
    if head_end or not complete:
        records = records[:-1]  # the last record may continue past the head
        if len(records) < HEADER_SEARCH_ROWS + 1:
            if head_end:  # take the whole prefix after all
                records = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
                records = records[:-1] if not complete else records
            if len(records) < HEADER_SEARCH_ROWS + 1 and not complete:
                return None
    # As in _csv_grid, an empty first row stands for the "sep=" line to keep row numbers.
    rows = [[clean_cell_text(cell) for cell in record] for record in records]
    grid = _Grid("", [[]] * offset + rows)
    match = _find_header(grid, spec)
    if match is None:
        labels = _visible_labels(grid)
        if not labels:
            raise UnreadableFileError(filename, "empty")
        raise HeaderNotFoundError(filename, [("", labels)], spec.required_names or spec.names)
    if match.duplicates:
        name, cells = next(iter(match.duplicates.items()))
        raise DuplicateColumnError(filename, "", match.row + 1, name, cells)
    missing = [n for n in spec.required_names if n not in match.columns]
    if missing:
        labels = [c.label for c in (*match.columns.values(), *match.unknown)]
        raise MissingColumnsError(filename, "", match.row + 1, missing, labels)
    width = max((len(r) for r in rows), default=0)
    raw = _polars_read(body, delimiter, width)
    if raw is None or raw.height < len(rows):
        return None
    # The two parsers must agree on every row both have read; otherwise trust the csv module.
    first_rows = raw.head(len(rows)).select(_clean_expr(c, True) for c in raw.columns)
    if first_rows.rows() != [tuple(row + [""] * (width - len(row))) for row in rows]:
        return None
    return _fast_frame_table(filename, spec, used, delimiter, match, raw, offset)


def _polars_read(body: bytes, delimiter: str, width: int) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            body,
            has_header=False,
            separator=delimiter,
            quote_char='"',
            schema={f"c{i}": pl.String for i in range(width)},
            missing_columns="insert",
            truncate_ragged_lines=False,
            raise_if_empty=False,
            encoding="utf8",
        )
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _NotUtf8 from exc
        return None
    except (pl.exceptions.PolarsError, ValueError):
        return None


def _clean_expr(name: str, full: bool, strip: bool = True) -> pl.Expr:
    """:func:`clean_cell_text` as a polars expression; ``full=False`` when the column has
    nothing but whitespace to clean (see :func:`_needs_cleaning_class`), ``strip=False``
    when not even that."""
    column = pl.col(name).fill_null("")
    if full:
        column = (
            column.str.replace_all(_INVISIBLE_CLASS, "")
            .str.replace_all("\xa0", " ", literal=True)
            .str.normalize("NFC")
        )
    if full or strip:
        column = column.str.strip_chars(_PY_WHITESPACE)
    return column.alias(name)


def _fast_frame_table(
    filename: str,
    spec: ColumnSpec,
    used: str,
    delimiter: str,
    match: _HeaderMatch,
    raw: pl.DataFrame,
    offset: int,
) -> FrameTable:
    """Data rows of the one CSV sheet, as ``_sheet_rows`` would find them."""
    width = raw.width
    ordered = {n: match.columns[n] for n in spec.names if n in match.columns}
    mapped = sorted({cell.index for cell in ordered.values()})
    data = raw.with_row_index(ROW_COLUMN, offset=1 + offset).slice(match.row + 1 - offset)
    # What each column needs, in one pass: trimming (some cell changes under strip) and,
    # when it is not all ASCII, more (see _needs_cleaning_class). Polars reads "" as null.
    blank = _PY_WHITESPACE + "\ufeff\u200b\u200c\u200d\u2060"
    stats = data.select(
        *(
            (pl.col(c).str.strip_chars(blank).str.len_bytes() != pl.col(c).str.len_bytes())
            .any()
            .alias(f"strip{c}")
            for c in raw.columns
        ),
        *(
            (pl.col(f"c{c}").str.len_bytes() != pl.col(f"c{c}").str.len_chars())
            .any()
            .alias(f"wide{c}")
            for c in mapped
        ),
    ).row(0, named=True)
    strip = {c: bool(stats[f"strip{c}"]) for c in raw.columns}
    # A cell is empty after cleaning exactly when it is null or holds only blanks.
    filled = [
        (pl.col(c).str.strip_chars(blank) != "") if strip[c] else pl.col(c).is_not_null()
        for c in raw.columns
    ]
    if filled:
        keep = data.select(pl.any_horizontal(filled).fill_null(False)).to_series()
        if not keep.all():
            data = data.filter(keep)
    else:
        data = data.clear()
    data = data.with_columns(pl.col(ROW_COLUMN).cast(pl.Int64))
    skipped: list[SkippedRow] = []
    if data.height:
        first = [clean_cell_text(v or "") for v in data.row(0)[1:]]
        if _is_column_numbering(first):
            number = int(data.item(0, ROW_COLUMN))
            skipped.append(SkippedRow(number, "", "column_numbers", " ".join(first).strip()))
            data = data.slice(1)
    labelled = {cell.index for cell in (*match.columns.values(), *match.unknown, *match.ignored)}
    unlabelled = [c for c in range(width) if c not in labelled]
    if unlabelled and data.height:
        with_data = data.select(filled[c].any() for c in unlabelled).row(0)
        unlabelled = [c for c, has in zip(unlabelled, with_data, strict=True) if has]
    else:
        unlabelled = []
    wide = [c for c in mapped if stats[f"wide{c}"]]
    needs = _needs_cleaning_class()
    risky = (
        data.select(pl.col(f"c{c}").str.contains(needs).any().alias(f"c{c}") for c in wide).row(
            0, named=True
        )
        if wide and data.height
        else {}
    )
    cleaned = {
        f"c{c}": _clean_expr(f"c{c}", bool(risky.get(f"c{c}")), strip[f"c{c}"]) for c in mapped
    }
    header = SheetHeader(
        sheet="",
        row=match.row + 1,
        columns=MappingProxyType(ordered),
        unknown=match.unknown,
        unlabelled_data_columns=tuple(column_letter(c) for c in unlabelled),
    )
    frame = data.select(
        pl.col(ROW_COLUMN),
        pl.lit("", dtype=pl.String).alias(SHEET_COLUMN),
        *(cleaned[f"c{cell.index}"].alias(name) for name, cell in ordered.items()),
    )
    return FrameTable(
        filename=filename,
        format="csv",
        frame=frame,
        headers=(header,),
        encoding=used,
        delimiter=delimiter,
        skipped_rows=tuple(skipped),
    )


# --- dates and times as people write them ----------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DMY_DATE = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)")
_VI_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})(?!\d)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(?!\d)")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def _excel_serial(text: str) -> dt.datetime | None:
    try:
        serial = float(text)
    except ValueError:
        return None
    # Serial numbers of 1927–2173 only: a bare "2025" is a year, not 17/07/1905.
    if not 10_000 <= serial < 100_000:
        return None
    return dt.datetime.combine(_EXCEL_EPOCH, dt.time()) + dt.timedelta(days=serial)


def _date_part(text: str) -> tuple[dt.date, str] | None:
    """Find a date in ``text``; return it and the rest of the text."""
    folded = "".join(
        ch
        for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
        if not unicodedata.combining(ch)
    )
    for pattern, order in ((_ISO_DATE, "ymd"), (_DMY_DATE, "dmy"), (_VI_DATE, "dmy")):
        match = pattern.search(folded)
        if not match:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        year = parts["y"]
        if year < 100:
            year += 2000
        try:
            day = dt.date(year, parts["m"], parts["d"])
        except ValueError:
            return None
        return day, folded[: match.start()] + " " + folded[match.end() :]
    return None


def parse_date(text: str) -> dt.date:
    """A date as people write it: dd/mm/yyyy, yyyy-mm-dd, "ngày 1 tháng 7 năm 2025", or an
    Excel serial number. Raises ValueError."""
    text = text.strip()
    serial = _excel_serial(text)
    if serial is not None:
        return serial.date()
    found = _date_part(text)
    if found is None or re.search(r"\d", _TIME.sub("", found[1])):
        raise ValueError(f"not a date: {text!r}")
    return found[0]


def parse_datetime(text: str) -> dt.datetime:
    """A date and time: any :func:`parse_date` form with an optional "HH:MM[:SS]" before or
    after it, ISO 8601 with "T" and an offset. Naive unless an offset is given."""
    text = text.strip()
    serial = _excel_serial(text)
    if serial is not None:
        return (serial + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    found = _date_part(text)
    if found is None:
        raise ValueError(f"not a date and time: {text!r}")
    day, rest = found
    offset = _OFFSET.search(text.strip())
    tz = None
    if offset:
        tz = dt.datetime.fromisoformat(f"2000-01-01T00:00{offset.group(1)}").tzinfo
        rest = _OFFSET.sub("", rest.strip())
    time_match = _TIME.search(rest)
    moment = dt.time()
    if time_match:
        hour, minute = int(time_match.group(1)), int(time_match.group(2))
        second = int(time_match.group(3) or 0)
        micro = int((time_match.group(4) or "0").ljust(6, "0"))
        try:
            moment = dt.time(hour, minute, second, micro)
        except ValueError as exc:
            raise ValueError(f"not a date and time: {text!r}") from exc
        rest = rest[: time_match.start()] + rest[time_match.end() :]
    if re.search(r"\d", rest):
        raise ValueError(f"not a date and time: {text!r}")
    return dt.datetime.combine(day, moment, tzinfo=tz)
