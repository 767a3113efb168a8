"""Import and export of the software inventory as CSV, XLSX and JSON, through the one
importer framework (``lachan.importing``).

Columns: ``unit_code,host,os,vendor,product,version,cpe,system`` (one row per software entry
of a host; the Vietnamese headers officials use are recognised too: "Mã đơn vị", "Tên máy",
"Hệ điều hành", "Nhà phát triển", "Phần mềm", "Phiên bản", "Hệ thống"…).

- A file is the whole software list of each host it names: importing it again REPLACES that
  host's list — an entry absent from the new file is removed (that is how an upgrade shows:
  the old version's row goes, the new one comes). Hosts the file does not name are left
  alone. Each removal is listed in the report's warnings.
- Hosts and information systems are created on the fly by name within the unit.
- All rows or none: an unknown unit or one outside the importer's scope, a unit whose
  inventory the importer may not change, an empty product, a bad CPE string, or two rows
  giving one host different operating systems or systems store nothing; each error names
  its row and column.
- Every entry is normalised as it is saved (``assets.services.normalised_fields``), and
  matching is re-run for the units of the file after the commit.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lachan.importing import (
    CellError,
    ImportColumn,
    Importer,
    ImportReport,
    ImportRow,
    export_table,
    text,
)
from lachan.org.models import Unit
from lachan.org.selectors import visible_units

from .inventory_columns import COLUMN_NAMES, synonyms
from .models import Host, Software
from .selectors import can_manage_inventory, software_for

INVENTORY_COLUMNS_NAMES = COLUMN_NAMES
MAPPING_COLUMNS = ("cpe_vendor", "cpe_product", "cpe_version", "mapping_method", "mapping_rule")


def parse_cpe(value: str) -> str:
    """A CPE 2.3 formatted string (``cpe:2.3:a:vendor:product:version:…``), or a CPE 2.2 URI
    (``cpe:/a:vendor:product:version``) turned into one; CellError otherwise."""
    from lachan.engine import cpe as engine_cpe

    value = text(value)
    try:
        return engine_cpe.format_cpe(engine_cpe.parse_cpe(value))
    except engine_cpe.CpeError as exc:
        raise CellError(
            _(
                "Chuỗi CPE không hợp lệ: “%(v)s” (%(e)s). Dạng đúng: "
                "cpe:2.3:a:nhà_phát_triển:sản_phẩm:phiên_bản:*:*:*:*:*:*:*."
            )
            % {"v": value, "e": exc}
        ) from exc


INVENTORY_COLUMNS = (
    ImportColumn(
        "unit_code", gettext_lazy("Mã đơn vị"), required=True, synonyms=synonyms("unit_code")
    ),
    ImportColumn("host", gettext_lazy("Tên máy"), required=True, synonyms=synonyms("host")),
    ImportColumn("os", gettext_lazy("Hệ điều hành"), synonyms=synonyms("os")),
    ImportColumn("vendor", gettext_lazy("Nhà phát triển"), synonyms=synonyms("vendor")),
    ImportColumn("product", gettext_lazy("Phần mềm"), required=True, synonyms=synonyms("product")),
    ImportColumn("version", gettext_lazy("Phiên bản"), synonyms=synonyms("version")),
    ImportColumn("cpe", gettext_lazy("CPE"), synonyms=synonyms("cpe"), parse=parse_cpe),
    ImportColumn("system", gettext_lazy("Hệ thống"), synonyms=synonyms("system")),
)


def _host_key(row: ImportRow) -> tuple[str, str]:
    return (row.values["unit_code"], row.values["host"].casefold())


class InventoryImporter(Importer):
    """Software inventory from CSV/XLSX: each host's list written by
    ``replace_host_software`` (audited, one record per host)."""

    columns = INVENTORY_COLUMNS

    def validate_rows(self, rows: list[ImportRow]) -> None:
        codes = {row.get("unit_code") for row in rows if row.get("unit_code")}
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        if self.actor is not None:
            visible = set(
                visible_units(self.actor).filter(code__in=codes).values_list("code", flat=True)
            )
        else:
            visible = set(found)
        self.units: dict[str, Unit] = {}
        entries: dict[tuple, ImportRow] = {}
        host_facts: dict[tuple[str, str], dict[str, tuple[str, ImportRow]]] = defaultdict(dict)
        self.duplicates: set[int] = set()
        for row in rows:
            code = row.get("unit_code")
            if not code:
                continue
            unit = found.get(code)
            if unit is None or code not in visible:
                # A unit outside the importer's scope gets the answer of a unit that does
                # not exist: an import never tells which codes exist elsewhere.
                self.error(
                    row, "unit_code", _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code}
                )
                continue
            if self.actor is not None and not can_manage_inventory(self.actor, unit):
                self.error(
                    row,
                    "unit_code",
                    _("Bạn không có quyền cập nhật danh mục phần mềm của đơn vị “%(code)s”.")
                    % {"code": code},
                )
                continue
            self.units[code] = unit
            if not row.valid or not row.get("host") or not row.get("product"):
                continue
            host = _host_key(row)
            for name in ("os", "system"):
                value = row.get(name) or ""
                if not value:
                    continue
                first = host_facts[host].setdefault(name, (value, row))
                if first[0].casefold() != value.casefold():
                    message = _(
                        "Máy “%(host)s” đã được ghi %(what)s “%(first)s” ở dòng %(row)d; mỗi máy "
                        "chỉ có một giá trị."
                    ) % {
                        "host": row.values["host"],
                        "what": self.label(name, row.sheet),
                        "first": first[0],
                        "row": first[1].number,
                    }
                    self.error(row, name, message)
            key = (
                *host,
                (row.get("vendor") or "").casefold(),
                row.values["product"].casefold(),
                (row.get("version") or "").casefold(),
            )
            first = entries.setdefault(key, row)
            if first is row:
                continue
            if (first.get("cpe") or "") != (row.get("cpe") or ""):
                message = _(
                    "Phần mềm này của máy “%(host)s” đã có ở dòng %(row)d với CPE khác."
                ) % {"host": row.values["host"], "row": first.number}
                self.error(row, "cpe", message)
            else:
                self.duplicates.add(row.number)
                self.report.warnings.append(
                    _(
                        "Dòng %(row)d trùng với dòng %(first)d (cùng máy, phần mềm và phiên bản): "
                        "chỉ lưu một lần."
                    )
                    % {"row": row.number, "first": first.number}
                )

    def apply(self, rows: list[ImportRow]) -> None:
        from .services import _rematch, current_aliases, replace_host_software, save_host

        aliases = current_aliases()
        by_host: dict[tuple[str, str], list[ImportRow]] = defaultdict(list)
        for row in rows:
            by_host[_host_key(row)].append(row)
        existing = {
            (h.unit.code, h.name.casefold()): h
            for h in Host.objects.filter(unit__in=list(self.units.values())).select_related(
                "unit", "system"
            )
        }
        units: set[int] = set()
        for done, (key, host_rows) in enumerate(by_host.items(), start=1):
            self._tick("apply", done, len(by_host))
            first = host_rows[0]
            unit = self.units[first.values["unit_code"]]
            host = existing.get(key)
            fields: dict[str, Any] = {}
            os_name = next((r.get("os") for r in host_rows if r.get("os")), "")
            system = next((r.get("system") for r in host_rows if r.get("system")), "")
            if os_name and (host is None or host.os != os_name):
                fields["os"] = os_name
            if system and (host is None or host.system is None or host.system.name != system):
                fields["system"] = system
            with self.writing(first, "host"):
                if host is None:
                    host = save_host(
                        actor=self.actor,
                        unit=unit,
                        name=first.values["host"],
                        source="import",
                        **fields,
                    )
                elif fields:
                    host = save_host(actor=self.actor, unit=unit, host=host, **fields)
                changes = replace_host_software(
                    actor=self.actor,
                    host=host,
                    entries=[
                        {k: r.get(k) or "" for k in ("vendor", "product", "version", "cpe")}
                        for r in host_rows
                    ],
                    aliases=aliases,
                    rematch=False,
                )
                self.report.created += len(changes.created)
                self.report.updated += len(changes.updated)
                self.report.unchanged += changes.unchanged
                if changes.removed:
                    self.report.warnings.append(
                        _(
                            "Máy “%(host)s” (%(unit)s): gỡ %(n)d phần mềm không còn trong tệp: "
                            "%(names)s."
                        )
                        % {
                            "host": host.name,
                            "unit": unit.code,
                            "n": len(changes.removed),
                            "names": ", ".join(changes.removed),
                        }
                    )
                units.add(unit.pk)
        if not self.report.errors:
            _rematch(*sorted(units))


def import_inventory(
    *, actor, data: bytes, filename: str, dry_run: bool = False, progress=None
) -> ImportReport:
    """Import a software inventory from CSV/XLSX/XLS/ODS bytes; all rows or none.
    ``actor`` None is the system (the CLI)."""
    return InventoryImporter(actor=actor, dry_run=dry_run, progress=progress).run(data, filename)


def inventory_export_rows(software, *, with_mapping: bool = False) -> list[dict[str, Any]]:
    """Software rows as export rows (``INVENTORY_COLUMNS_NAMES``, and with ``with_mapping``
    how each entry was mapped)."""
    rows = []
    for s in software:
        row = {
            "unit_code": s.host.unit.code,
            "host": s.host.name,
            "os": s.host.os,
            "vendor": s.vendor,
            "product": s.product,
            "version": s.version,
            "cpe": s.cpe,
            "system": s.host.system.name if s.host.system else "",
        }
        if with_mapping:
            row.update({k: getattr(s, k) for k in MAPPING_COLUMNS})
        rows.append(row)
    return rows


def export_inventory(
    *, user, fmt: str, software=None, unit: Unit | None = None, with_mapping: bool = False
) -> bytes:
    """The inventory as ``csv``, ``xlsx`` or ``json`` (the import's columns, so an export
    imports back unchanged). ``user`` None exports everything (the CLI); otherwise
    ``software`` (a filtered selection) or all the software the user may see."""
    if software is None:
        if user is None:
            software = Software.objects.all()
            if unit is not None:
                software = software.filter(host__unit__path__startswith=unit.path)
        else:
            software = software_for(user, unit=unit)
    software = software.select_related("host", "host__unit", "host__system").order_by(
        "host__unit__path", "host__name", "vendor", "product", "version", "pk"
    )
    columns = INVENTORY_COLUMNS_NAMES + (MAPPING_COLUMNS if with_mapping else ())
    return export_table(
        inventory_export_rows(software, with_mapping=with_mapping),
        columns,
        fmt,
        sheet_title=_("Danh mục phần mềm"),
    )
