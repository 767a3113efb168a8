"""``lachan vuln``: vulnerability alerts (cảnh báo lỗ hổng).

``lachan vuln match`` is stateless: it reads CVE records, an inventory and optionally the
KEV catalogue and EPSS scores from files, matches them (``lachan.engine``) and prints the
result; it touches no database and starts without Django. The other commands work on the
database: ``import`` (records, KEV, EPSS), ``matches`` (the same row objects, from the
stored exposures), ``rematch``.
"""

from __future__ import annotations

import csv
import io
import json
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

# Labels of the XLSX columns (the JSON keys stay the header of CSV, for machines).
XLSX_LABELS = {
    "unit_code": "Mã đơn vị",
    "host": "Tên máy",
    "vendor": "Nhà phát triển",
    "product": "Phần mềm",
    "version": "Phiên bản",
    "cve": "Mã lỗ hổng",
    "cvss": "CVSS",
    "severity": "Mức độ",
    "kev": "Đang bị khai thác (KEV)",
    "epss": "EPSS",
    "priority": "Ưu tiên",
    "fixed_version": "Phiên bản đã sửa",
    "status": "Kết luận",
}
SUMMARY_LABELS = {
    "cves_loaded": "Số bản ghi lỗ hổng",
    "inventory_rows": "Số phần mềm trong danh mục",
    "matches": "Số kết quả",
    "needs_review": "Trong đó cần kiểm tra thêm",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@click.group()
def vuln() -> None:
    """Cảnh báo lỗ hổng: nhập dữ liệu CVE/KEV/EPSS, đối chiếu với danh mục phần mềm."""


@vuln.command("match")
@click.option(
    "--cves",
    "cves",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="Tệp/thư mục bản ghi CVE (NVD API 2.0, CVE JSON 5, .gz); có thể ghi nhiều đường dẫn",
)
@click.option(
    "--inventory",
    "inventory_file",
    required=True,
    type=click.Path(path_type=Path),
    help="Danh mục phần mềm: unit_code,host,os,vendor,product,version,cpe,system (CSV/XLSX)",
)
@click.option("--kev", "kev_file", type=click.Path(path_type=Path), default=None)
@click.option("--epss", "epss_file", type=click.Path(path_type=Path), default=None)
@MATCH_FORMAT_OPTION
@OUTPUT_OPTION
@click.argument("more_cves", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
def match(
    cves: Sequence[Path],
    inventory_file: Path,
    kev_file: Path | None,
    epss_file: Path | None,
    fmt: str,
    output: Path | None,
    more_cves: Sequence[Path],
) -> None:
    """Đối chiếu danh mục phần mềm với bản ghi lỗ hổng, không dùng cơ sở dữ liệu.

    `--cves A B C` nhận nhiều đường dẫn (tệp hoặc thư mục). Kết quả "affected": phiên bản
    nằm trong phạm vi bị ảnh hưởng; "needs_review": chưa kết luận được (phiên bản không so
    sánh được, gói của bản phân phối có thể đã vá). Mã thoát 0 khi đọc được các tệp.
    """
    from lachan.engine import feeds, tabular
    from lachan.intel import vuln_rows

    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if output is None and fmt == "xlsx" and is_terminal(stdout):
        fail("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp).")
    try:
        data = _read_file(inventory_file)
        inventory = vuln_rows.read_inventory(data, inventory_file.name)
    except tabular.TabularError as exc:
        fail(one_line(f"{inventory_file}: {exc}"))
    try:
        kev = feeds.read_kev(kev_file) if kev_file else None
        epss = feeds.read_epss(epss_file) if epss_file else None
        result = vuln_rows.match_files(
            cves=[*cves, *more_cves], inventory=inventory, kev=kev, epss=epss
        )
    except feeds.FeedError as exc:
        fail(one_line(str(exc)))
    for warning in inventory.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    _write(result, fmt, output, stdout)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        fail(f"Không tìm thấy tệp {path}.")
    except IsADirectoryError:
        fail(f"{path} là thư mục, không phải tệp.")
    except OSError as exc:
        fail(f"Không đọc được tệp {path}: {exc.strerror or exc}.")
    raise AssertionError("unreachable")


def _write(result: dict[str, Any], fmt: str, output: Path | None, stdout: Any) -> None:
    from lachan.intel.vuln_rows import MATCH_KEYS, SUMMARY_KEYS

    try:
        with open_binary_output(output, stdout) as stream:
            if fmt == "json":
                stream.write(json_document(result).encode("utf-8"))
            elif fmt == "csv":
                stream.write(csv_document(result["matches"], MATCH_KEYS))
            else:
                stream.write(xlsx_document(result, MATCH_KEYS, SUMMARY_KEYS))
    except OSError as exc:
        fail(f"Không ghi được {output or 'đầu ra'}: {exc.strerror or exc}.")
    if output is not None:
        click.echo(f"Đã ghi {output}.", err=True)


def json_document(result: dict[str, Any]) -> str:
    """``{"summary": {...}, "matches": [...]}`` with one match object per line."""
    from lachan.intel.vuln_rows import MATCH_KEYS, SUMMARY_KEYS

    summary = json.dumps({k: result["summary"][k] for k in SUMMARY_KEYS}, ensure_ascii=False)
    rows = [
        json.dumps({k: row[k] for k in MATCH_KEYS}, ensure_ascii=False) for row in result["matches"]
    ]
    body = ",\n".join(rows)
    return (
        f'{{"summary": {summary},\n"matches": [\n{body}\n]}}\n'
        if rows
        else (f'{{"summary": {summary},\n"matches": []}}\n')
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = str(value)
    if value.startswith(_FORMULA_START) and not value.lstrip("+-").replace(".", "").isdigit():
        return "'" + value
    return value


def csv_document(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> bytes:
    """The match rows as CSV: UTF-8 with BOM (for Excel), CRLF, the JSON keys as header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_cell(row[k]) for k in keys])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def xlsx_document(
    result: dict[str, Any], keys: Sequence[str], summary_keys: Sequence[str]
) -> bytes:
    """A workbook: the matches (Vietnamese headers), then the summary."""
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

    def value(sheet: Any, v: Any) -> Any:
        if isinstance(v, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", v))
            cell.data_type = "s"  # text stays text: never a formula
            return cell
        if isinstance(v, bool):
            return "có" if v else ""
        return v

    rows_sheet = workbook.create_sheet("Kết quả")
    header(rows_sheet, [XLSX_LABELS.get(k, k) for k in keys])
    for row in result["matches"]:
        rows_sheet.append([value(rows_sheet, row[k]) for k in keys])
    summary_sheet = workbook.create_sheet("Tổng hợp")
    header(summary_sheet, ["Chỉ tiêu", "Số lượng"])
    for key in summary_keys:
        summary_sheet.append([SUMMARY_LABELS.get(key, key), result["summary"][key]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- stateful commands -------------------------------------------------------------------------


class FeedBar:
    """A rich progress bar over the bytes of the feed files; silent when not on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self) -> FeedBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TextColumn("{task.fields[records]} bản ghi"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, progress: Any) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(
                "Nhập bản ghi lỗ hổng", total=progress.bytes_total, records=0
            )
        self._bar.update(self._task, completed=progress.bytes_done, records=progress.records)


@vuln.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="PATH...")
@click.option(
    "--kev", "kev_file", type=click.Path(path_type=Path), default=None, help="Danh mục KEV"
)
@click.option(
    "--epss", "epss_file", type=click.Path(path_type=Path), default=None, help="Điểm EPSS"
)
def import_(paths: Sequence[Path], kev_file: Path | None, epss_file: Path | None) -> None:
    """Nhập bản ghi lỗ hổng (NVD API 2.0, CVE JSON 5, thư mục, .gz), danh mục KEV (JSON/CSV)
    và điểm EPSS (CSV) vào cơ sở dữ liệu; loại tệp được nhận ra theo nội dung. Nhập lại thì
    cập nhật tại chỗ. Xong thì đối chiếu lại với danh mục phần mềm."""
    from django.core.exceptions import ValidationError

    from . import ensure_migrated

    if not paths and not kev_file and not epss_file:
        fail("Cần ít nhất một đường dẫn (hoặc --kev / --epss).")
    for path in [*paths, *(p for p in (kev_file, epss_file) if p)]:
        if not path.exists():
            fail(f"Không tìm thấy {path}.")
    ensure_migrated()
    from lachan.intel.vulns import import_feed_files

    bar = FeedBar(enabled=sys.stderr.isatty())
    try:
        with bar:
            done = import_feed_files(
                actor=None, paths=paths, kev=kev_file, epss=epss_file, progress=bar.update
            )
    except ValidationError as exc:
        fail(one_line(" ".join(exc.messages)))
    labels = {"records": "Bản ghi lỗ hổng", "kev": "Danh mục KEV", "epss": "Điểm EPSS"}
    for feed in done:
        click.echo(
            f"{labels.get(feed.kind, feed.kind)} ({feed.name}): {feed.records} đọc, "
            f"{feed.created} thêm mới, {feed.updated} cập nhật"
            + (f", {feed.rejected} bị từ chối/thu hồi" if feed.kind == "records" else "")
            + "."
        )


@vuln.command("matches")
@click.option(
    "--unit", "unit_code", default=None, metavar="MÃ", help="Chỉ đơn vị này (và đơn vị trực thuộc)"
)
@MATCH_FORMAT_OPTION
@OUTPUT_OPTION
def matches(unit_code: str | None, fmt: str, output: Path | None) -> None:
    """Các lỗ hổng đang ảnh hưởng máy của đơn vị (lấy từ cơ sở dữ liệu), cùng dạng với
    `lachan vuln match`."""
    from . import ensure_migrated

    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if output is None and fmt == "xlsx" and is_terminal(stdout):
        fail("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp).")
    ensure_migrated()
    from lachan.intel.vuln_selectors import match_rows
    from lachan.org.models import Unit

    unit = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            fail(f"Không có đơn vị mã “{unit_code}”.")
    _write(match_rows(None, unit=unit), fmt, output, stdout)


@vuln.command("rematch")
@click.option("--unit", "unit_code", default=None, metavar="MÃ", help="Chỉ đơn vị này")
def rematch(unit_code: str | None) -> None:
    """Đối chiếu lại toàn bộ danh mục phần mềm với dữ liệu lỗ hổng, cập nhật kết quả,
    phát hiện và việc cần xử lý."""
    from . import ensure_migrated

    ensure_migrated()
    from lachan.intel.vulns import run_matching
    from lachan.org.models import Unit

    units = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            fail(f"Không có đơn vị mã “{unit_code}”.")
        units = list(Unit.objects.filter(path__startswith=unit.path))
    counts = run_matching(actor=None, units=units)
    click.echo(
        f"Đã đối chiếu {counts['entries']} phần mềm: {counts['affected']} bị ảnh hưởng, "
        f"{counts['needs_review']} cần kiểm tra; {counts['new']} mới, "
        f"{counts['resolved']} hết ảnh hưởng; {counts['tasks']} việc được giao/cập nhật."
    )


COMMANDS = [vuln]
