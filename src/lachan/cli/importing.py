"""The CLI side of the one importer framework: ``import`` and ``export`` sub-commands for any
``lachan.importing.Importer`` and its exporter, so every object type imports the same way."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import ensure_migrated
from .output import fail, is_terminal, print_rows


def add_import_export(
    group: click.Group,
    *,
    importer: Callable[[], type],
    exporter: Callable[[], Callable[..., bytes]],
    import_help: str,
    export_help: str,
) -> None:
    """Attach ``import FILE [--dry-run] [--sheet] [--format]`` and ``export --format [-o]`` to ``group``.

    ``importer``/``exporter`` are called lazily (Django apps load after the CLI is built).
    """

    @group.command("import", help=import_help)
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
        run_import(importer(), file, dry_run=dry_run, sheet=sheet, fmt=fmt)

    @group.command("export", help=export_help)
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
        ensure_migrated()
        write_export(lambda: exporter()(user=None, fmt=fmt), fmt=fmt, output=output)


def run_import(
    importer_class: type, file: Path, *, dry_run: bool, sheet: str | None, fmt: str
) -> None:
    """Read ``file``, run the importer (all rows or none), print errors per row and the summary."""
    from django.utils.translation import gettext as _

    ensure_migrated()
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Không đọc được tệp %(f)s: %(e)s") % {"f": file, "e": exc.strerror or exc})
    progress = ImportProgress(enabled=fmt == "table" and sys.stderr.isatty())
    with progress:
        importer = importer_class(actor=None, dry_run=dry_run, progress=progress.update)
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


def write_export(produce: Callable[[], bytes], *, fmt: str, output: Path | None) -> None:
    """Write an export to ``output`` or standard output (xlsx refuses a terminal)."""
    from django.utils.translation import gettext as _

    stdout = getattr(sys.stdout, "buffer", sys.stdout)
    if output is None and fmt == "xlsx" and is_terminal(stdout):
        fail(_("Định dạng xlsx cần --output TỆP (hoặc chuyển hướng đầu ra vào tệp)."))
    data = produce()
    if output is None:
        stdout.write(data)
        stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail(_("Không ghi được tệp %(f)s: %(e)s") % {"f": output, "e": exc.strerror or exc})
    click.echo(_("Đã ghi %(f)s.") % {"f": output}, err=True)


class ImportProgress:
    """A rich progress bar on stderr for long imports; silent when not on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> ImportProgress:
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
