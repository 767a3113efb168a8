"""``lachan units``: import, export and list units (đơn vị)."""

from __future__ import annotations

import click

from . import ensure_migrated
from .importing import add_import_export
from .output import print_rows


@click.group()
def units() -> None:
    """Đơn vị: nhập, xuất và liệt kê."""


def _unit_importer():
    from lachan.org.importers import UnitImporter

    return UnitImporter


def _unit_exporter():
    from lachan.org.importers import export_units

    return export_units


add_import_export(
    units,
    importer=_unit_importer,
    exporter=_unit_exporter,
    import_help="Nhập đơn vị từ tệp CSV/XLSX/XLS/ODS; có lỗi thì không lưu gì.",
    export_help="Xuất toàn bộ đơn vị theo thứ tự cây (CSV, XLSX hoặc JSON).",
)


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
