"""``lachan scams``: blocklists of the scam checker (danh sách chặn lừa đảo).

``lachan scams import`` reads a list (URLhaus, hosts, maltrail CSV, plain, CSV) through
``scams.services`` — all lines or nothing, the error names the file and line — and replaces
the entries of a list of the same name. ``lachan scams lists`` prints the lists.
"""

from __future__ import annotations

from pathlib import Path

import click

from .output import FORMAT_OPTION, fail, one_line, print_rows

FORMATS = ("auto", "urlhaus", "hosts", "maltrail", "plain", "csv")
LIST_COLUMNS = ("name", "origin", "format", "entries", "active_entries", "active", "filename")


@click.group()
def scams() -> None:
    """Danh sách chặn của trang kiểm tra lừa đảo."""


@scams.command("import")
@click.argument("list_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Tên danh sách (cùng tên: thay toàn bộ mục)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Định dạng tệp",
)
@click.option("--note", default="", help="Ghi chú: nguồn, ngày tải, giấy phép…")
def import_(list_file: Path, name: str, fmt: str, note: str) -> None:
    """Nhập một danh sách chặn (tên miền, đường link, IP, số điện thoại, số tài khoản)."""
    from django.core.exceptions import ValidationError

    from . import ensure_migrated

    try:
        data = list_file.read_bytes()
    except OSError as exc:
        fail(f"không đọc được {list_file}: {exc.strerror or exc}")
    ensure_migrated()
    from lachan.scams.services import import_blocklist

    try:
        outcome = import_blocklist(
            actor=None, data=data, filename=list_file.name, name=name, fmt=fmt, note=note
        )
    except ValidationError as exc:
        fail(one_line(" ".join(exc.messages)))
    verb = "đã tạo" if outcome.created else "đã cập nhật"
    click.echo(
        f"{outcome.source.name}: {verb} — {outcome.total} mục "
        f"(thêm {outcome.added}, bỏ {outcome.removed}, giữ {outcome.kept})."
    )


@scams.command("lists")
@FORMAT_OPTION
def lists(fmt: str) -> None:
    """Các danh sách chặn và số mục."""
    from django.db.models import Count, Q

    from . import ensure_migrated

    ensure_migrated()
    from lachan.scams.models import BlocklistSource

    rows = [
        {
            "name": s.name,
            "origin": s.origin,
            "format": s.format,
            "entries": s.entry_count,
            "active_entries": s.active_count,
            "active": s.is_active,
            "filename": s.filename,
        }
        for s in BlocklistSource.objects.annotate(
            active_count=Count("entries", filter=Q(entries__is_active=True))
        ).order_by("name")
    ]
    print_rows(rows, LIST_COLUMNS, fmt, title="Danh sách chặn")


COMMANDS = [scams]
