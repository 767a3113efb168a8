"""``lachan networks``: import and export the network registry (dải IP của đơn vị)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import ensure_migrated
from .output import fail, print_rows


@click.group()
def networks() -> None:
    """Mạng của đơn vị (dải IP): nhập và xuất."""


@networks.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu / validate only")
@click.option("--sheet", default=None, help="Tên trang tính cần đọc (mặc định: mọi trang)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)
def import_(file: Path, dry_run: bool, sheet: str | None, fmt: str) -> None:
    """Nhập dải IP từ tệp CSV/XLSX/XLS/ODS (cột unit_code, prefix, isp, subscriber,
    line_type, valid_from, valid_to, note[, is_static]); có lỗi thì không lưu gì."""
    from django.utils.translation import gettext as _

    from lachan.assets.importers import NetworkImporter

    ensure_migrated()
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Không đọc được tệp %(f)s: %(e)s") % {"f": file, "e": exc.strerror or exc})
    report = NetworkImporter(actor=None, dry_run=dry_run).run(data, file.name, sheet)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for warning in report.warnings:
            click.echo(_("Lưu ý: %(w)s") % {"w": warning}, err=True)
        if report.errors:
            with_sheet = any(e.sheet for e in report.errors)
            columns = [_("Trang")] if with_sheet else []
            columns += [_("Dòng"), _("Cột"), _("Lỗi")]
            rows = []
            for e in report.errors:
                values = [e.sheet] if with_sheet else []
                values += [e.row or "", e.column, e.message]
                rows.append(dict(zip(columns, values, strict=True)))
            print_rows(rows, columns, "table", title=_("Lỗi khi nhập %(f)s") % {"f": file.name})
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@networks.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json"]),
    default="csv",
    show_default=True,
    help="Định dạng / format",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Ghi ra tệp (mặc định: đầu ra chuẩn)",
)
def export(fmt: str, output: Path | None) -> None:
    """Xuất mọi dải IP theo đơn vị (CSV, XLSX hoặc JSON), cùng các cột với tệp nhập."""
    from django.utils.translation import gettext as _

    from lachan.assets.importers import export_networks

    ensure_migrated()
    stdout = getattr(sys.stdout, "buffer", sys.stdout)
    if output is None and fmt == "xlsx" and _is_terminal(stdout):
        fail(_("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp)."))
    data = export_networks(user=None, fmt=fmt)
    if output is None:
        stdout.write(data)
        stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail(_("Không ghi được tệp %(f)s: %(e)s") % {"f": output, "e": exc.strerror or exc})
    click.echo(_("Đã ghi %(f)s.") % {"f": output}, err=True)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


COMMANDS = [networks]
