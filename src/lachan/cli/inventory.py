"""``lachan inventory``: import and export the software inventory (danh mục phần mềm)."""

from __future__ import annotations

import click

from .importing import add_import_export


@click.group()
def inventory() -> None:
    """Danh mục phần mềm của các máy: nhập và xuất."""


def _inventory_importer():
    from lachan.assets.inventory_import import InventoryImporter

    return InventoryImporter


def _inventory_exporter():
    from lachan.assets.inventory_import import export_inventory

    return export_inventory


add_import_export(
    inventory,
    importer=_inventory_importer,
    exporter=_inventory_exporter,
    import_help=(
        "Nhập danh mục phần mềm từ tệp CSV/XLSX/XLS/ODS (cột unit_code, host, os, vendor, "
        "product, version, cpe, system). Tệp là toàn bộ phần mềm của mỗi máy có trong tệp: "
        "phần mềm không còn trong tệp được gỡ khỏi máy đó. Có lỗi thì không lưu gì."
    ),
    export_help="Xuất danh mục phần mềm theo đơn vị và máy (CSV, XLSX hoặc JSON), cùng các cột với tệp nhập.",
)


COMMANDS = [inventory]
