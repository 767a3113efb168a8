"""``lachan networks``: import and export the network registry (dải IP của đơn vị)."""

from __future__ import annotations

import click

from .importing import add_import_export


@click.group()
def networks() -> None:
    """Mạng của đơn vị (dải IP): nhập và xuất."""


def _network_importer():
    from lachan.assets.importers import NetworkImporter

    return NetworkImporter


def _network_exporter():
    from lachan.assets.importers import export_networks

    return export_networks


add_import_export(
    networks,
    importer=_network_importer,
    exporter=_network_exporter,
    import_help=(
        "Nhập dải IP từ tệp CSV/XLSX/XLS/ODS (cột unit_code, prefix, isp, subscriber, "
        "line_type, valid_from, valid_to, note[, is_static]); có lỗi thì không lưu gì."
    ),
    export_help="Xuất mọi dải IP theo đơn vị (CSV, XLSX hoặc JSON), cùng các cột với tệp nhập.",
)


COMMANDS = [networks]
