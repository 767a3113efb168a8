"""``lachan botnet``: botnet IP lists (danh sách IP Botnet).

``lachan botnet match`` is stateless: it reads a list, the units and the network registry
from files, attributes every row (``lachan.engine.botnet``) and prints the result. It
touches no database, so officers and scripts can run it anywhere.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .output import (
    MATCH_FORMAT_OPTION,
    OUTPUT_OPTION,
    fail,
    is_terminal,
    one_line,
    open_binary_output,
)

ROW_KEYS = (
    "row",
    "ip",
    "seen_at",
    "malware",
    "isp",
    "subscriber",
    "unit_code",
    "method",
    "score",
    "prefix",
)
SUMMARY_KEYS = (
    "rows_read",
    "rows_rejected",
    "duplicates",
    "matched_prefix",
    "matched_name",
    "unmatched",
)
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
_FORMULA_START = r"^[=+\-@\t\r]"
_NUMERIC_LOOKING = r"^[0-9 +\-.()/]+$"


@click.group()
def botnet() -> None:
    """Danh sách IP Botnet: đối chiếu địa chỉ với đơn vị."""


@botnet.command("match")
@click.argument("list_file", metavar="LIST", type=click.Path(path_type=Path))
@click.option(
    "--units",
    "units_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Tệp đơn vị (CSV/XLSX như `lachan units import`) để đối chiếu theo tên thuê bao",
)
@click.option(
    "--networks",
    "networks_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Tệp dải địa chỉ: unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note",
)
@click.option(
    "--period",
    default=None,
    metavar="YYYY-MM",
    help="Kỳ của danh sách (mặc định: tháng của thời gian sớm nhất trong danh sách)",
)
@MATCH_FORMAT_OPTION
@OUTPUT_OPTION
@click.option(
    "--allow-documentation",
    is_flag=True,
    help="Coi các dải địa chỉ dành cho tài liệu (192.0.2.0/24, 2001:db8::/32…) là công cộng, "
    "cho dữ liệu thử",
)
@click.option(
    "--tz",
    default="Asia/Ho_Chi_Minh",
    show_default=True,
    help="Múi giờ của các thời gian không ghi múi giờ",
)
def match(
    list_file: Path,
    units_file: Path | None,
    networks_file: Path | None,
    period: str | None,
    fmt: str,
    output: Path | None,
    allow_documentation: bool,
    tz: str,
) -> None:
    """Đối chiếu danh sách IP Botnet với dải địa chỉ và tên đơn vị, không dùng cơ sở dữ liệu.

    Mỗi dòng được gán cho đơn vị có dải địa chỉ cụ thể nhất chứa địa chỉ đó vào thời điểm
    ghi nhận (phương pháp "prefix"), nếu không thì theo tên thuê bao (phương pháp "name").
    Mã thoát 0 khi đọc được danh sách, kể cả khi có dòng bị loại.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from lachan.engine import botnet as engine

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"Múi giờ “{tz}” không tồn tại.")
    chosen_period = None
    if period is not None:
        try:
            chosen_period = engine.parse_period(period, tz)
        except ValueError as exc:
            fail(str(exc))
    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if output is None and fmt == "xlsx" and is_terminal(stdout):
        fail("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp).")

    # (A thread preparing the registry while the list is read was measured slower: the
    # registry is pure Python and polars already keeps both cores busy.)
    try:
        index, matcher = _registry(networks_file, units_file, tz)
        botnet_list = engine.read_botnet_list(
            _read_file(list_file),
            list_file.name,
            period=chosen_period,
            tz=tz,
            allow_documentation=allow_documentation,
        )
    except engine.BotnetFileError as exc:
        fail(one_line(str(exc)))
    if chosen_period is None:
        earliest = botnet_list.earliest()
        if earliest is not None:
            chosen_period = engine.month_period(earliest.year, earliest.month, tz)
    result = engine.attribute(botnet_list, index=index, matcher=matcher, period=chosen_period)

    for warning in botnet_list.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    summary = {
        "rows_read": botnet_list.rows_read,
        "rows_rejected": len(botnet_list.rejected),
        "duplicates": botnet_list.duplicates,
        **result.counts(),
    }
    several_sheets = len({h.sheet for h in botnet_list.headers}) > 1
    rejected = [
        {
            "row": r.row,
            "reason": f"Trang “{r.sheet}”: {r.reason}" if several_sheets and r.sheet else r.reason,
        }
        for r in botnet_list.rejected
    ]
    rows = output_frame(result, tz, with_sheet=several_sheets)
    if fmt == "xlsx" and rows.height > XLSX_MAX_ROWS:
        fail(
            f"Kết quả có {rows.height} dòng, quá số dòng của một trang XLSX; "
            "hãy dùng --format csv hoặc json."
        )
    try:
        with open_binary_output(output, stdout) as stream:
            if fmt == "json":
                write_json(stream, summary, rows, rejected)
            elif fmt == "csv":
                write_csv(stream, rows)
            else:
                stream.write(xlsx_document(summary, rows, rejected, tz))
    except OSError as exc:
        if output is None and (
            isinstance(exc, BrokenPipeError) or "broken pipe" in str(exc).lower()
        ):
            # The reader stopped early (`| head`): nothing to say, as other tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        fail(f"Không ghi được {output or 'đầu ra'}: {exc.strerror or exc}.")
    if output is not None:
        click.echo(f"Đã ghi {output}.", err=True)


@botnet.command("import")
@click.argument("list_file", metavar="LIST", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--period", required=True, metavar="YYYY-MM", help="Kỳ của danh sách")
@click.option("--source", default="", help="Nguồn của danh sách (ví dụ: Sở KH&CN)")
def import_(list_file: Path, period: str, source: str) -> None:
    """Nhập danh sách IP Botnet vào cơ sở dữ liệu: đối chiếu với dải địa chỉ và tên đơn vị,
    ghi phát hiện và giao việc xử lý cho từng đơn vị (mỗi đơn vị một việc mỗi kỳ)."""
    from django.core.exceptions import ValidationError

    from . import ensure_migrated

    month = _month(period)
    ensure_migrated()
    from lachan.engine.botnet import BotnetFileError
    from lachan.intel.services import import_botnet_list

    try:
        data = _read_file(list_file)
    except BotnetFileError as exc:
        fail(one_line(str(exc)))
    try:
        stored = import_botnet_list(
            actor=None, data=data, filename=list_file.name, period=month, source=source
        )
    except ValidationError as exc:
        fail(one_line(" ".join(exc.messages)))
    summary = stored.summary()
    click.echo(f"{list_file.name}: đã nhập danh sách kỳ {month:%m/%Y} (số {stored.pk}).")
    for key in SUMMARY_KEYS:
        click.echo(f"  {SUMMARY_LABELS[key]}: {summary[key]}")


@botnet.command("matches")
@click.option("--period", required=True, metavar="YYYY-MM", help="Kỳ của danh sách")
@MATCH_FORMAT_OPTION
@OUTPUT_OPTION
def matches(period: str, fmt: str, output: Path | None) -> None:
    """Kết quả đối chiếu của các danh sách đã nhập cho một kỳ, cùng dạng với
    `lachan botnet match` (lấy từ cơ sở dữ liệu)."""
    import polars as pl
    from django.conf import settings

    from . import ensure_migrated

    month = _month(period)
    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if output is None and fmt == "xlsx" and is_terminal(stdout):
        fail("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp).")
    ensure_migrated()
    from lachan.intel import selectors

    rows = selectors.matches_for_period(None, month)
    schema = {
        "row": pl.Int64,
        "ip": pl.String,
        "seen_at": pl.String,
        "malware": pl.String,
        "isp": pl.String,
        "subscriber": pl.String,
        "unit_code": pl.String,
        "method": pl.String,
        "score": pl.Float64,
        "prefix": pl.String,
    }
    frame = pl.DataFrame({k: [r[k] for r in rows] for k in ROW_KEYS}, schema=schema)
    summary = selectors.summary_for_period(None, month)
    rejected = selectors.rejected_for_period(None, month)
    try:
        with open_binary_output(output, stdout) as stream:
            if fmt == "json":
                write_json(stream, summary, frame, rejected)
            elif fmt == "csv":
                write_csv(stream, frame)
            else:
                stream.write(xlsx_document(summary, frame, rejected, settings.TIME_ZONE))
    except OSError as exc:
        fail(f"Không ghi được {output or 'đầu ra'}: {exc.strerror or exc}.")
    if output is not None:
        click.echo(f"Đã ghi {output}.", err=True)


@botnet.command("notice")
@click.option("--period", required=True, metavar="YYYY-MM", help="Kỳ của danh sách")
@click.option("--unit", "unit_code", default=None, metavar="MÃ", help="Mã đơn vị nhận thông báo")
@click.option(
    "--all",
    "all_units",
    is_flag=True,
    help="Mọi đơn vị có địa chỉ trong danh sách của kỳ, mỗi đơn vị một tệp",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf"]),
    default="docx",
    show_default=True,
    help="Định dạng văn bản",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Tệp cần ghi (--unit) hoặc thư mục chứa các tệp (--all)",
)
def notice(period: str, unit_code: str | None, all_units: bool, fmt: str, output: Path) -> None:
    """Công văn đề nghị đơn vị rà soát, xử lý địa chỉ IP nghi nhiễm mã độc (thể thức
    Nghị định 30/2020/NĐ-CP), cho một đơn vị hoặc cho mọi đơn vị có tên trong danh sách."""
    from . import ensure_migrated

    month = _month(period)
    if bool(unit_code) == all_units:
        fail("Cần chọn đúng một trong hai: --unit MÃ hoặc --all.")
    ensure_migrated()
    from lachan.intel import reports, selectors
    from lachan.org.models import Unit

    render = _document_renderer(fmt)
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            matches = list(Unit.objects.filter(code__iexact=unit_code)[:2])
            unit = matches[0] if len(matches) == 1 else None
        if unit is None:
            fail(f"Không có đơn vị mã “{unit_code}”.")
        try:
            data = render(reports.unit_notice(unit=unit, period=month))
        except reports.NothingToReport as exc:
            fail(one_line(str(exc)))
        target = output / notice_filename(unit.code, month, fmt) if output.is_dir() else output
        _write_document(target, data)
        click.echo(f"Đã ghi {target}.", err=True)
        return

    try:
        reports.period_figures(month)  # fails early, in one line, when the period has no list
    except reports.NothingToReport as exc:
        fail(one_line(str(exc)))
    if output.exists() and not output.is_dir():
        fail(f"{output} là tệp; với --all cần một thư mục.")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"Không tạo được thư mục {output}: {exc.strerror or exc}.")
    affected = [m for m in selectors.units_for_period(None, month) if m.rows]
    for item in affected:
        target = output / notice_filename(item.unit.code, month, fmt)
        _write_document(target, render(reports.unit_notice(unit=item.unit, period=month)))
        click.echo(f"Đã ghi {target}.", err=True)
    if not affected:
        click.echo(f"Không có đơn vị nào có địa chỉ IP trong danh sách kỳ {month:%m/%Y}.", err=True)
    else:
        click.echo(f"Đã ghi {len(affected)} công văn vào {output}.", err=True)


@botnet.command("summary")
@click.option("--period", required=True, metavar="YYYY-MM", help="Kỳ của danh sách")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf", "xlsx"]),
    default="docx",
    show_default=True,
    help="Định dạng: văn bản (docx, pdf) hoặc bảng tính (xlsx)",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp cần ghi",
)
def summary(period: str, fmt: str, output: Path) -> None:
    """Báo cáo tổng hợp kết quả rà soát, xử lý địa chỉ IP nghi nhiễm mã độc của một kỳ,
    gửi UBND tỉnh và Sở KH&CN (docx, pdf) hoặc bảng số liệu chi tiết (xlsx)."""
    from . import ensure_migrated

    month = _month(period)
    ensure_migrated()
    from lachan.intel import reports

    try:
        if fmt == "xlsx":
            data = reports.province_summary_xlsx(period=month)
        else:
            data = _document_renderer(fmt)(reports.province_summary(period=month))
    except reports.NothingToReport as exc:
        fail(one_line(str(exc)))
    _write_document(output, data)
    click.echo(f"Đã ghi {output}.", err=True)


def notice_filename(unit_code: str, period: dt.date, fmt: str) -> str:
    """``cong-van-botnet-2025-07-THPT-A.docx``: the unit code made safe for any file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", unit_code).strip("._") or "don-vi"
    return f"cong-van-botnet-{period:%Y-%m}-{safe}.{fmt}"


def _document_renderer(fmt: str) -> Any:
    from lachan.documents.render import render_docx, render_pdf

    return render_pdf if fmt == "pdf" else render_docx


def _write_document(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"Không ghi được {path}: {exc.strerror or exc}.")


def _month(text: str) -> dt.date:
    from lachan.engine.botnet import parse_period

    try:
        start, _end = parse_period(text)
    except ValueError as exc:
        fail(str(exc))
    return start.date()


def _registry(networks_file: Path | None, units_file: Path | None, tz: str) -> tuple[Any, Any]:
    """The prefix index and the name matcher from the files (empty ones without them)."""
    from lachan.engine import botnet as engine
    from lachan.engine.ipindex import PrefixIndex
    from lachan.engine.names import NameMatcher

    records = (
        engine.read_networks(_read_file(networks_file), networks_file.name, tz=tz)
        if networks_file
        else []
    )
    units = engine.read_units(_read_file(units_file), units_file.name) if units_file else []
    try:
        index = PrefixIndex.build(records)
    except ValueError as exc:
        raise engine.BotnetFileError(str(networks_file), f"Tệp {networks_file}: {exc}") from exc
    return index, NameMatcher(units) if units else None


def _read_file(path: Path) -> bytes:
    from lachan.engine.botnet import BotnetFileError

    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BotnetFileError(str(path), f"Không tìm thấy tệp {path}.") from None
    except IsADirectoryError:
        raise BotnetFileError(str(path), f"{path} là thư mục, không phải tệp.") from None
    except PermissionError:
        raise BotnetFileError(str(path), f"Không có quyền đọc tệp {path}.") from None
    except OSError as exc:
        raise BotnetFileError(
            str(path), f"Không đọc được tệp {path}: {exc.strerror or exc}."
        ) from None


# --- output documents -----------------------------------------------------------------------


def output_frame(result: Any, tz: str, *, with_sheet: bool = False) -> Any:
    """The row objects of the output, in their order: ``seen_at`` as ISO 8601 with the
    offset of ``tz`` (or null)."""
    import polars as pl

    def iso(epoch: Any) -> Any:
        return (
            pl.from_epoch(epoch.cast(pl.Int64), time_unit="s")
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(tz)
            .dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
        )

    frame = result.frame
    seen = iso(pl.col("seen_at")).alias("seen_at")
    distinct = frame.select(pl.col("seen_at").approx_n_unique()).item() if frame.height else 0
    if distinct * 4 < frame.height:  # lists repeat their times: format each one once
        times = frame.select(pl.col("seen_at").unique().drop_nulls()).to_series()
        texts = pl.select(iso(pl.lit(times))).to_series()
        seen = pl.col("seen_at").replace_strict(times, texts, default=None, return_dtype=pl.String)
    columns: list[Any] = [pl.col(k) if k != "seen_at" else seen for k in ROW_KEYS]
    if with_sheet:
        columns.insert(0, pl.col("sheet"))
    return frame.select(columns)


def write_json(
    stream: Any,
    summary: dict[str, int],
    rows: Any,
    rejected: Sequence[dict[str, Any]],
    *,
    chunk: int = 250_000,
) -> None:
    """One JSON object: ``summary``, ``rows`` (one object per line) and ``rejected``;
    written in chunks, so a million rows never sit in memory as text."""
    import polars as pl

    head = json.dumps({"summary": {k: summary[k] for k in SUMMARY_KEYS}}, ensure_ascii=False)
    stream.write(head[:-1].encode("utf-8") + b',\n"rows": [\n')
    encode = pl.struct([c for c in rows.columns if c in ROW_KEYS]).struct.json_encode()
    total = rows.height
    offsets = range(0, total, chunk)

    def encoded(offset: int) -> Any:
        return rows.slice(offset, chunk).select(encode.alias("json"))

    # Encoding the next chunk (polars, off the GIL) overlaps with writing this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(encoded, 0) if total else None
        for offset in offsets:
            assert pending is not None
            part = pending.result()
            following = offset + chunk
            pending = pool.submit(encoded, following) if following < total else None
            last = pending is None
            # Each object on its own line followed by a comma, but for the very last one.
            for piece, ending in ((part.head(-1), ",\n"), (part.tail(1), "\n" if last else ",\n")):
                piece.write_csv(
                    stream, include_header=False, quote_style="never", line_terminator=ending
                )
    stream.write(b'],\n"rejected": ')
    stream.write(json.dumps(list(rejected), ensure_ascii=False).encode("utf-8"))
    stream.write(b"}\n")


def _guard(column: Any) -> Any:
    """A text that would start a formula in a spreadsheet gets an apostrophe in front, as
    ``lachan.importing.export_table`` does; "+84 …" and other number-like texts are kept."""
    import polars as pl

    risky = column.str.contains(_FORMULA_START) & ~column.str.contains(_NUMERIC_LOOKING)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column)


def write_csv(stream: Any, rows: Any) -> None:
    """The rows table as CSV: UTF-8 with BOM (for Excel), CRLF, the JSON keys as header."""
    import polars as pl

    # Empty texts as null, which polars writes as an empty field rather than "".
    guarded = rows.with_columns(
        pl.when(pl.col(c) != "").then(_guard(pl.col(c))).alias(c)
        for c, dtype in rows.schema.items()
        if dtype == pl.String
    )
    stream.write(b"\xef\xbb\xbf")
    guarded.write_csv(stream, line_terminator="\r\n", null_value="")


XLSX_LABELS = {
    "sheet": "Trang",
    "row": "Dòng",
    "ip": "Địa chỉ IP",
    "seen_at": "Thời gian ghi nhận",
    "malware": "Mã độc",
    "isp": "Nhà mạng",
    "subscriber": "Tên thuê bao",
    "unit_code": "Mã đơn vị",
    "method": "Cách xác định",
    "score": "Điểm",
    "prefix": "Dải địa chỉ",
}
SUMMARY_LABELS = {
    "rows_read": "Số dòng đã đọc",
    "rows_rejected": "Số dòng bị loại",
    "duplicates": "Số dòng trùng",
    "matched_prefix": "Xác định theo dải địa chỉ",
    "matched_name": "Xác định theo tên thuê bao",
    "unmatched": "Chưa xác định được đơn vị",
}


def xlsx_document(
    summary: dict[str, int], rows: Any, rejected: Sequence[dict[str, Any]], tz: str
) -> bytes:
    """A workbook: the rows (times as local date-times), the rejected rows, the summary."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, labels: Sequence[str]) -> None:
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        sheet.freeze_panes = "A2"

    def text(sheet: Any, value: Any) -> Any:
        """Text stays text: a value starting with "=" would otherwise become a formula."""
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    results = workbook.create_sheet("Kết quả")
    columns = list(rows.columns)
    widths = {"ip": 40, "seen_at": 20, "subscriber": 40, "prefix": 24, "malware": 16}
    for i, name in enumerate(columns):
        letter = chr(65 + i)
        results.column_dimensions[letter].width = widths.get(name, 12)
    header(results, [XLSX_LABELS[c] for c in columns])
    seen_at = columns.index("seen_at")
    for values in rows.iter_rows():
        cells: list[Any] = [text(results, v) for v in values]
        if cells[seen_at]:
            moment = dt.datetime.fromisoformat(cells[seen_at]).replace(tzinfo=None)
            cell = WriteOnlyCell(results, value=moment)
            cell.number_format = "DD/MM/YYYY HH:MM:SS"
            cells[seen_at] = cell
        results.append(cells)

    rejected_sheet = workbook.create_sheet("Dòng bị loại")
    rejected_sheet.column_dimensions["B"].width = 100
    header(rejected_sheet, ["Dòng", "Lý do"])
    for item in rejected:
        rejected_sheet.append([item["row"], text(rejected_sheet, item["reason"])])

    summary_sheet = workbook.create_sheet("Tổng hợp")
    summary_sheet.column_dimensions["A"].width = 32
    header(summary_sheet, ["Chỉ tiêu", "Số lượng"])
    for key in SUMMARY_KEYS:
        summary_sheet.append([SUMMARY_LABELS[key], summary[key]])
    summary_sheet.append(["Múi giờ của thời gian", tz])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COMMANDS = [botnet]
