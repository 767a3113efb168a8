"""``lachan check``: is this link, phone number, bank account or message a scam?

By default the checker is the one the web pages use (``lachan.scams.checking``): the built-in
data, the blocklists and confirmed reports in the database and the registry's domains.
``--offline`` uses only the engine's built-in data and starts without Django or a database.
``--blocklist FILE`` adds a list (URLhaus, hosts, maltrail CSV, plain, CSV) in both modes.

Batch mode (``--batch FILE.jsonl``) reads lines ``{"id": …, "text": …}`` (optionally
``"kind"``) and writes one JSON line ``{"id", "risk", "score"}`` per line read; a line that
cannot be read gets ``{"id": <id or null>, "error": "<file>:<line>: …"}`` instead, the others
are still checked, and the exit status is 1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .output import fail, one_line

KINDS = ("auto", "url", "phone", "account", "text")
RISK_LABELS = {"high": "CAO", "medium": "TRUNG BÌNH", "low": "THẤP"}
RISK_STYLES = {"high": "bold red", "medium": "bold yellow", "low": "bold green"}
KIND_LABELS = {
    "url": "đường dẫn / tên miền",
    "phone": "số điện thoại",
    "account": "số tài khoản",
    "text": "tin nhắn",
}


def _load_checker(offline: bool, blocklists: tuple[Path, ...], list_format: str) -> Any:
    from lachan.engine.scam import BlocklistError, parse_blocklist

    extra = []
    for path in blocklists:
        try:
            extra.extend(parse_blocklist(path, fmt=list_format, name=path.name))
        except BlocklistError as exc:
            fail(one_line(str(exc)), code=2)
    if offline:
        from lachan.engine.scam import Checker, default_checker

        # LACHAN_PSL_FILE: a Public Suffix List file to use instead of the bundled copy.
        psl = os.environ.get("LACHAN_PSL_FILE")
        if psl and not Path(psl).is_file():
            fail(f"LACHAN_PSL_FILE: không có tệp {psl}", code=2)
        checker = Checker(psl_file=Path(psl)) if psl else default_checker()
    else:
        checker = _database_checker()
    return checker.with_indicators(extra) if extra else checker


def _database_checker() -> Any:
    """The web pages' checker (database blocklists and registry domains); the engine's
    built-in one when the scams app is not installed."""
    try:
        from lachan.scams.checking import current_checker
    except ImportError:
        from lachan.engine.scam import default_checker

        return default_checker()
    from . import ensure_migrated

    ensure_migrated()
    return current_checker()


@click.command("check")
@click.argument("text", required=False)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="auto",
    show_default=True,
    help="Loại nội dung (auto: tự nhận ra)",
)
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Tệp JSON Lines, mỗi dòng {"id": …, "text": …}',
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Chỉ dùng dữ liệu có sẵn của bộ kiểm tra, không dùng cơ sở dữ liệu",
)
@click.option(
    "--blocklist",
    "blocklists",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Thêm một danh sách chặn (URLhaus, hosts, maltrail CSV, plain, CSV); lặp lại được",
)
@click.option(
    "--blocklist-format",
    type=click.Choice(["auto", "urlhaus", "hosts", "maltrail", "plain", "csv"]),
    default="auto",
    show_default=True,
    help="Định dạng của các tệp --blocklist",
)
def check(
    text: str | None,
    kind: str,
    batch_file: Path | None,
    fmt: str,
    offline: bool,
    blocklists: tuple[Path, ...],
    blocklist_format: str,
) -> None:
    """Kiểm tra một đường dẫn, số điện thoại, số tài khoản hay tin nhắn có dấu hiệu lừa đảo.

    TEXT là nội dung cần kiểm tra ("-": đọc từ đầu vào chuẩn). Kết quả: mức rủi ro (cao,
    trung bình, thấp), điểm 0–100 và các dấu hiệu, mỗi dấu hiệu chỉ ra phần nội dung gây ra nó.
    """
    if batch_file is None and text is None:
        fail("cần nội dung cần kiểm tra (TEXT) hoặc --batch TỆP.jsonl", code=2)
    if batch_file is not None and text is not None:
        fail("chỉ dùng một trong hai: TEXT hoặc --batch", code=2)
    if batch_file is not None:
        try:
            raw = batch_file.read_bytes()
        except OSError as exc:
            fail(f"không đọc được {batch_file}: {exc.strerror or exc}", code=2)
    checker = _load_checker(offline, blocklists, blocklist_format)
    if batch_file is not None:
        sys.exit(_run_batch(checker, batch_file.name, raw, kind, fmt))
    assert text is not None
    if text == "-":
        text = sys.stdin.read()
    result = checker.check(text, kind)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print_result(result)


def _run_batch(checker: Any, name: str, raw: bytes, default_kind: str, fmt: str) -> int:
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fail(f"{name}:{line}: không phải văn bản UTF-8", code=2)
    rows: list[dict[str, Any]] = []
    failed = False
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        row = _batch_row(checker, name, number, line, default_kind)
        failed = failed or "error" in row
        if fmt == "json":
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            rows.append(row)
    if fmt != "json":
        _print_batch(rows)
    return 1 if failed else 0


def _batch_row(
    checker: Any, name: str, number: int, line: str, default_kind: str
) -> dict[str, Any]:
    where = f"{name}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {
            "id": None,
            "error": f"{where}: không phải JSON hợp lệ ({exc.msg}, cột {exc.colno})",
        }
    if not isinstance(record, dict):
        return {
            "id": None,
            "error": f'{where}: mỗi dòng phải là một đối tượng JSON {{"id", "text"}}',
        }
    ident = record.get("id")
    if isinstance(ident, (dict, list)):
        return {"id": None, "error": f"{where}: “id” phải là chuỗi hoặc số"}
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": ident, "error": f"{where}: thiếu trường “text” (chuỗi)"}
    kind = record.get("kind", default_kind)
    if kind not in KINDS:
        return {"id": ident, "error": f"{where}: “kind” phải là một trong {', '.join(KINDS)}"}
    result = checker.check(text, kind)
    return {"id": ident, "risk": result.risk, "score": result.score}


def _print_result(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"Mức rủi ro: [{RISK_STYLES[result.risk]}]{RISK_LABELS[result.risk]}[/] "
        f"({result.score}/100) — {KIND_LABELS.get(result.kind, result.kind)}",
        highlight=False,
    )
    if not result.reasons:
        console.print("Không thấy dấu hiệu lừa đảo nào trong dữ liệu của bộ kiểm tra.")
        return
    table = Table(show_lines=True)
    table.add_column("Điểm", justify="right")
    table.add_column("Dấu hiệu")
    table.add_column("Phần nội dung")
    for reason in result.reasons:
        sign = f"+{reason.weight}" if reason.weight > 0 else str(reason.weight)
        table.add_row(sign, reason.message, reason.evidence)
    console.print(table)


def _print_batch(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in ("id", "mức rủi ro", "điểm", "lỗi"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            "" if row.get("id") is None else str(row["id"]),
            RISK_LABELS.get(row.get("risk", ""), ""),
            "" if "score" not in row else str(row["score"]),
            row.get("error", ""),
        )
    Console().print(table)


COMMANDS = [check]
