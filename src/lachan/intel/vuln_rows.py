"""The match rows of vulnerability alerts as plain data (no Django): the object
``lachan vuln match`` prints from files, and ``lachan vuln matches`` and the API from the
database, so that both say the same thing in the same order.

``{"summary": {"cves_loaded", "inventory_rows", "matches", "needs_review"},
"matches": [{"unit_code", "host", "vendor", "product", "version", "cve", "cvss", "severity",
"kev", "epss", "priority", "fixed_version", "status"}]}``: ``vendor``/``product``/``version``
as the inventory wrote them, ``cve`` the record id, ``status`` "affected" or "needs_review".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lachan.engine import vulndata as vd

MATCH_KEYS = (
    "unit_code",
    "host",
    "vendor",
    "product",
    "version",
    "cve",
    "cvss",
    "severity",
    "kev",
    "epss",
    "priority",
    "fixed_version",
    "status",
)
SUMMARY_KEYS = ("cves_loaded", "inventory_rows", "matches", "needs_review")


def match_sort_key(row: dict[str, Any]) -> tuple:
    """The order of match rows everywhere: priority, then unit, host, product, version, record."""
    return (
        row["priority"],
        row["unit_code"],
        row["host"].casefold(),
        (row["product"] or "").casefold(),
        row["version"] or "",
        row["cve"],
    )


def prioritised_row(p: vd.Prioritised, entry: vd.InventoryEntry) -> dict[str, Any]:
    """One engine result as a match row."""
    return {
        "unit_code": entry.unit_code,
        "host": entry.host,
        "vendor": entry.vendor,
        "product": entry.product,
        "version": entry.version,
        "cve": p.match.record_id,
        "cvss": p.cvss,
        "severity": (p.severity or "").lower(),
        "kev": bool(p.kev),
        "epss": p.epss,
        "priority": p.priority,
        "fixed_version": p.match.fixed_version or None,
        "status": p.match.status,
    }


def summary_of(rows: Sequence[dict[str, Any]], *, cves_loaded: int, inventory_rows: int) -> dict:
    return {
        "cves_loaded": cves_loaded,
        "inventory_rows": inventory_rows,
        "matches": len(rows),
        "needs_review": sum(1 for r in rows if r["status"] == vd.NEEDS_REVIEW),
    }


# --- an inventory file, without the database ---------------------------------------------------


@dataclass
class InventoryFile:
    """The entries of an inventory file (one per software of a host, duplicates merged as the
    import merges them) and what was left out, row by row."""

    entries: list[vd.InventoryEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0


def _clean(value: str) -> str:
    value = " ".join((value or "").split())
    if value[:2] in {"'=", "'+", "'-", "'@"}:
        value = value[1:]
    return value


def read_inventory(data: bytes, filename: str) -> InventoryFile:
    """Read an inventory file (``unit_code,host,os,vendor,product,version,cpe,system``, any
    encoding, XLSX…) as the importer does: a host's OS and system are the first given for it;
    a row without product or with a bad CPE is left out with a warning naming the row.
    Raises ``engine.tabular.TabularError`` when the file is not such a table."""
    from lachan.assets.inventory_columns import column_spec
    from lachan.engine import cpe as engine_cpe
    from lachan.engine import tabular

    table = tabular.read_table(data, filename, column_spec())
    out = InventoryFile(rows=len(table.rows))
    host_facts: dict[tuple[str, str], dict[str, str]] = {}
    kept: list[tuple[tabular.TableRow, dict[str, str]]] = []
    seen: set[tuple[str, ...]] = set()
    for row in table.rows:
        values = {name: _clean(row.get(name)) for name in table.columns}
        missing = [n for n in ("unit_code", "host", "product") if not values.get(n)]
        if missing:
            out.warnings.append(
                f"Dòng {row.number}: thiếu {', '.join(missing)}; dòng này không được đối chiếu."
            )
            continue
        if values.get("cpe"):
            try:
                values["cpe"] = engine_cpe.format_cpe(engine_cpe.parse_cpe(values["cpe"]))
            except engine_cpe.CpeError as exc:
                out.warnings.append(
                    f"Dòng {row.number}: chuỗi CPE không hợp lệ “{values['cpe']}” ({exc}); "
                    "dòng này không được đối chiếu."
                )
                continue
        host = (values["unit_code"], values["host"].casefold())
        facts = host_facts.setdefault(host, {})
        for name in ("os", "system"):
            if values.get(name):
                facts.setdefault(name, values[name])
        key = (
            *host,
            values.get("vendor", "").casefold(),
            values["product"].casefold(),
            values.get("version", "").casefold(),
        )
        if key in seen:
            continue
        seen.add(key)
        kept.append((row, values))
    for row, values in kept:
        facts = host_facts[(values["unit_code"], values["host"].casefold())]
        out.entries.append(
            vd.InventoryEntry(
                unit_code=values["unit_code"],
                host=values["host"],
                vendor=values.get("vendor", ""),
                product=values["product"],
                version=values.get("version", ""),
                os=facts.get("os", ""),
                cpe=values.get("cpe", ""),
                system=facts.get("system", ""),
                row=row.number,
            )
        )
    return out


def match_files(
    *,
    cves: Iterable[str | Path],
    inventory: InventoryFile,
    kev: dict[str, vd.KevEntry] | None = None,
    epss: dict[str, vd.EpssScore] | None = None,
) -> dict[str, Any]:
    """Match an inventory read from a file against the records of ``cves`` (files or
    folders), with the shipped alias table: the object ``lachan vuln match`` prints."""
    from lachan.engine import feeds, software, vulnmatch

    aliases = software.AliasTable(software.load_default_aliases())
    ids = [
        software.normalise(e.vendor, e.product, e.version, e.cpe, aliases=aliases, os=e.os)
        for e in inventory.entries
    ]
    records = {r.record_id: r for r in feeds.iter_records(list(cves))}
    index = vulnmatch.build_index(records.values())
    matches = vulnmatch.match_inventory(index, inventory.entries, ids)
    prioritised = vulnmatch.prioritise(matches, records, kev or {}, epss or {}, inventory.entries)
    rows = sorted(
        (prioritised_row(p, inventory.entries[p.match.entry]) for p in prioritised),
        key=match_sort_key,
    )
    loaded = sum(1 for r in records.values() if r.status == vd.PUBLISHED)
    return {
        "summary": summary_of(rows, cves_loaded=loaded, inventory_rows=len(inventory.entries)),
        "matches": rows,
    }
