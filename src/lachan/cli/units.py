"""``lachan units``: import, export and list units (đơn vị)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import ensure_migrated
from .output import fail, print_rows


@click.group()
def units() -> None:
    """Đơn vị: nhập, xuất và liệt kê."""


@units.command("import")
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
    """Nhập đơn vị từ tệp CSV/XLSX/XLS/ODS; có lỗi thì không lưu gì."""
    from django.utils.translation import gettext as _

    from lachan.org.importers import UnitImporter

    ensure_migrated()
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Không đọc được tệp %(f)s: %(e)s") % {"f": file, "e": exc.strerror or exc})
    progress = _Progress(enabled=fmt == "table" and sys.stderr.isatty())
    with progress:
        importer = UnitImporter(actor=None, dry_run=dry_run, progress=progress.update)
        report = importer.run(data, file.name, sheet)
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


class _Progress:
    """A rich progress bar on stderr for long imports; silent when not on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, stage: str, done: int, total: int) -> None:
        if self._bar is None or total < 200:
            return
        from django.utils.translation import gettext as _

        if stage not in self._tasks:
            label = _("Kiểm tra") if stage == "validate" else _("Ghi")
            self._tasks[stage] = self._bar.add_task(label, total=total)
        self._bar.update(self._tasks[stage], completed=done)


@units.command("export")
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
    """Xuất toàn bộ đơn vị theo thứ tự cây (CSV, XLSX hoặc JSON)."""
    from django.utils.translation import gettext as _

    from lachan.org.importers import export_units

    ensure_migrated()
    stdout = getattr(sys.stdout, "buffer", sys.stdout)
    if output is None and fmt == "xlsx" and _is_terminal(stdout):
        fail(_("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp)."))
    data = export_units(user=None, fmt=fmt)
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


@units.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Định dạng đầu ra / output format",
)
def list_(fmt: str) -> None:
    """Liệt kê đơn vị theo cây."""
    from django.utils.translation import gettext as _

    from lachan.org.importers import EXPORT_COLUMNS, unit_export_rows
    from lachan.org.models import Unit

    ensure_migrated()
    units_ = list(Unit.objects.select_related("parent").order_by("path"))
    rows = unit_export_rows(units_)
    if fmt == "json":
        print_rows(rows, EXPORT_COLUMNS, "json")
        return
    for row, unit in zip(rows, units_, strict=True):
        row["tree_name"] = "  " * unit.depth + unit.name
        row["type_label"] = unit.get_type_display()
        row["active"] = _("có") if unit.is_active else _("không")
    columns = ["code", "tree_name", "type_label", "parent_code", "it_officer_name", "active"]
    labels = {
        "code": _("Mã"),
        "tree_name": _("Tên đơn vị"),
        "type_label": _("Loại"),
        "parent_code": _("Cấp trên"),
        "it_officer_name": _("Cán bộ CNTT"),
        "active": _("Hoạt động"),
    }
    print_rows(
        ({labels[c]: row[c] for c in columns} for row in rows),
        [labels[c] for c in columns],
        "table",
        title=_("Đơn vị (%(n)d)") % {"n": len(rows)},
    )


COMMANDS = [units]
