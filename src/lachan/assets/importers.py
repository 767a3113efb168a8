"""Import and export of the network registry as CSV, XLSX and JSON.

Columns: ``unit_code,prefix,isp,subscriber,line_type,valid_from,valid_to,note`` and,
optionally, ``is_static``; the Vietnamese headers officials use are recognised too ("Mã đơn
vị", "Dải IP", "Nhà mạng", "Tên thuê bao", "Loại đường truyền", "Từ ngày", "Đến ngày",
"Ghi chú", "IP tĩnh"…). A row names its network by (unit, prefix, valid_from): importing
the same three again updates that network; columns absent from the file leave its values
alone. All rows or none: any error (unknown unit, a unit the importer may not manage, a bad
prefix or date, an unknown line type) stores nothing. Overlaps with other units' networks
and non-public prefixes are warnings in the report, not errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lachan.importing import (
    CellError,
    ImportColumn,
    Importer,
    ImportReport,
    ImportRow,
    choice,
    date,
    export_table,
    text,
)
from lachan.org.models import Unit
from lachan.org.selectors import visible_units

from .models import LineType, Network, PrefixError, parse_prefix
from .models.networks import special_prefix_warning
from .selectors import can_manage_networks, find_overlaps, networks_for, overlap_warnings
from .services import save_network

EXPORT_COLUMNS = (
    "unit_code",
    "prefix",
    "isp",
    "subscriber",
    "line_type",
    "valid_from",
    "valid_to",
    "note",
    "is_static",
)
_FIELDS = ("isp", "subscriber", "line_type", "valid_from", "valid_to", "note", "is_static")

# How people write line types, besides the codes and the labels of ``LineType``.
LINE_TYPE_LABELS: dict[str, tuple[str, ...]] = {
    LineType.FTTH: (
        "FTTH",
        "Cáp quang",
        "Internet cáp quang",
        "Cáp quang FTTH",
        "Fiber",
        "Fibre",
        "Quang",
    ),
    LineType.LEASED: (
        "Kênh thuê riêng",
        "Kênh riêng",
        "KTR",
        "Leased line",
        "Leased",
        "Kênh truyền riêng",
        "Internet trực tiếp",
        "Internet Leased Line",
        "MegaWAN",
        "Metronet",
    ),
    LineType.MOBILE: (
        "4G",
        "5G",
        "3G",
        "4G/di động",
        "4G/5G",
        "Di động",
        "Mạng di động",
        "Dcom",
        "Mobile",
        "LTE",
    ),
    LineType.OTHER: ("Khác", "Other", "ADSL", "xDSL", "Vệ tinh"),
}
STATIC_LABELS: dict[bool, tuple[str, ...]] = {
    True: ("1", "x", "tĩnh", "IP tĩnh", "static", "có", "đúng", "true", "yes", "cố định"),
    False: ("0", "động", "IP động", "dynamic", "không", "sai", "false", "no"),
}


def _line_type_options() -> dict[str, tuple[str, ...]]:
    return {v: (str(label), *LINE_TYPE_LABELS.get(v, ())) for v, label in LineType.choices}


def parse_line_type(value: str) -> str:
    parse = choice(_line_type_options(), shown=[f"{v} ({label})" for v, label in LineType.choices])
    return parse(value)


def parse_static(value: str) -> bool:
    parse = choice(
        {"1": STATIC_LABELS[True], "0": STATIC_LABELS[False]},
        shown=[_("tĩnh"), _("động")],
    )
    return parse(value) == "1"


def parse_network_prefix(value: str) -> str:
    try:
        return parse_prefix(value).text
    except PrefixError as exc:
        raise CellError(str(exc)) from exc


NETWORK_COLUMNS = (
    ImportColumn(
        "unit_code",
        gettext_lazy("Mã đơn vị"),
        required=True,
        synonyms=("Mã ĐV", "Mã trường", "Mã cơ quan", "Unit code", "Unit"),
        parse=text,
    ),
    ImportColumn(
        "prefix",
        gettext_lazy("Dải IP"),
        required=True,
        synonyms=(
            "Dải địa chỉ IP",
            "Địa chỉ IP",
            "IP",
            "Dải mạng",
            "Dải IP tĩnh",
            "Địa chỉ IP/dải IP",
            "IP/Subnet",
            "Subnet",
            "Prefix",
            "Network",
            "CIDR",
        ),
        parse=parse_network_prefix,
    ),
    ImportColumn(
        "isp",
        gettext_lazy("Nhà mạng"),
        synonyms=("Nhà cung cấp", "Nhà cung cấp dịch vụ", "Doanh nghiệp viễn thông", "ISP"),
    ),
    ImportColumn(
        "subscriber",
        gettext_lazy("Tên thuê bao"),
        synonyms=("Thuê bao", "Chủ thuê bao", "Tên chủ thuê bao", "Subscriber"),
    ),
    ImportColumn(
        "line_type",
        gettext_lazy("Loại đường truyền"),
        synonyms=("Loại kết nối", "Đường truyền", "Loại dịch vụ", "Loại", "Line type"),
        parse=parse_line_type,
        empty=LineType.OTHER,
    ),
    ImportColumn(
        "valid_from",
        gettext_lazy("Từ ngày"),
        synonyms=("Hiệu lực từ", "Hiệu lực từ ngày", "Ngày bắt đầu", "Ngày cấp", "Valid from"),
        parse=date,
        empty=None,
    ),
    ImportColumn(
        "valid_to",
        gettext_lazy("Đến ngày"),
        synonyms=("Hiệu lực đến", "Hiệu lực đến ngày", "Ngày kết thúc", "Valid to"),
        parse=date,
        empty=None,
    ),
    ImportColumn(
        "note",
        gettext_lazy("Ghi chú"),
        synonyms=("Note", "Notes"),
    ),
    ImportColumn(
        "is_static",
        gettext_lazy("IP tĩnh"),
        synonyms=("Tĩnh/động", "IP tĩnh/động", "Loại IP", "Static"),
        parse=parse_static,
        empty=True,
    ),
)


class NetworkImporter(Importer):
    """Networks from CSV/XLSX, each row written by ``save_network`` (audited)."""

    columns = NETWORK_COLUMNS

    def validate_row(self, row: ImportRow) -> None:
        start, end = row.get("valid_from"), row.get("valid_to")
        if start and end and end < start:
            self.error(row, "valid_to", _("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."))

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
        seen: dict[tuple[str, str, dt.date | None], ImportRow] = {}
        for row in rows:
            code = row.get("unit_code")
            if not code:
                continue
            unit = found.get(code)
            if unit is None or code not in visible:
                # A unit outside the importer's scope gets the answer of a unit that does not
                # exist: an import never tells which codes exist elsewhere.
                message = _("Không tìm thấy đơn vị có mã “%(code)s”.")
                self.error(row, "unit_code", message % {"code": code})
                continue
            if self.actor is not None and not can_manage_networks(self.actor, unit):
                message = _("Bạn không có quyền cập nhật mạng của đơn vị “%(code)s”.")
                self.error(row, "unit_code", message % {"code": code})
                continue
            self.units[code] = unit
            if not row.get("prefix"):
                continue
            key = (code, row.values["prefix"], row.get("valid_from"))
            first = seen.setdefault(key, row)
            if first is not row:
                message = _(
                    "Dải %(prefix)s của đơn vị “%(code)s” với cùng ngày bắt đầu đã có ở dòng "
                    "%(row)d."
                )
                self.error(
                    row, "prefix", message % {"prefix": key[1], "code": code, "row": first.number}
                )

    def apply(self, rows: list[ImportRow]) -> None:
        existing = {
            (n.unit_id, n.prefix, n.valid_from): n
            for n in Network.objects.filter(unit__in=list(self.units.values())).select_related(
                "unit"
            )
        }
        touched: list[int] = []
        for done, row in enumerate(rows, start=1):
            self._tick("apply", done, len(rows))
            unit = self.units[row.values["unit_code"]]
            prefix = row.values["prefix"]
            network = existing.get((unit.pk, prefix, row.get("valid_from")))
            fields = {k: row.values[k] for k in _FIELDS if row.has(k)}
            if network is not None and all(getattr(network, k) == v for k, v in fields.items()):
                self.report.unchanged += 1
                touched.append(network.pk)
                continue
            with self.writing(row, "prefix"):
                saved = save_network(
                    actor=self.actor, unit=unit, network=network, prefix=prefix, **fields
                )
                touched.append(saved.pk)
                if network is None:
                    self.report.created += 1
                else:
                    self.report.updated += 1
        if not self.report.errors:
            self._warn(rows, touched)

    def _warn(self, rows: list[ImportRow], touched: list[int]) -> None:
        """Non-public prefixes and overlaps with other units, as the import leaves them."""
        for row in rows:
            message = special_prefix_warning(parse_prefix(row.values["prefix"]))
            if message:
                self.report.warnings.append(
                    _("Dòng %(row)d: %(message)s") % {"row": row.number, "message": message}
                )
        if self.actor is None:
            overlaps = find_overlaps(Network.objects.select_related("unit").order_by("pk"))
            ids = set(touched)
            overlaps = [w for w in overlaps if w.outer.pk in ids or w.inner.pk in ids]
        else:
            overlaps = overlap_warnings(self.actor, involving=touched)
        for warning in overlaps:
            self.report.warnings.append(overlap_message(warning))


def _unit_label(network: Network) -> str:
    return f"{network.unit.display_name} ({network.unit.code})"


def window_text(start: dt.date | None, end: dt.date | None) -> str:
    """The days of a window as a phrase ("từ 01/01/2025 đến 31/01/2025"); "" when open."""
    if start is None and end is None:
        return ""
    if end is None:
        return _("từ %(start)s") % {"start": start.strftime("%d/%m/%Y")}
    if start is None:
        return _("đến %(end)s") % {"end": end.strftime("%d/%m/%Y")}
    return _("từ %(start)s đến %(end)s") % {
        "start": start.strftime("%d/%m/%Y"),
        "end": end.strftime("%d/%m/%Y"),
    }


def overlap_message(warning) -> str:
    """One overlap in a sentence or two, saying which unit gets the addresses."""
    outer, inner = warning.outer, warning.inner
    when = window_text(warning.valid_from, warning.valid_to)
    when = f", {when}" if when else ""
    if warning.same_prefix:
        return _(
            "Dải %(prefix)s được đăng ký cho cả %(a)s và %(b)s%(when)s: không xác định được "
            "đơn vị nào đúng, cần sửa một trong hai."
        ) % {"prefix": outer.prefix, "a": _unit_label(outer), "b": _unit_label(inner), "when": when}
    return _(
        "Dải %(inner)s của %(inner_unit)s nằm trong dải %(outer)s của %(outer_unit)s%(when)s. "
        "Địa chỉ thuộc %(inner)s được gán cho %(inner_name)s (dải cụ thể hơn), phần còn lại "
        "cho %(outer_name)s."
    ) % {
        "inner": inner.prefix,
        "inner_unit": _unit_label(inner),
        "inner_name": inner.unit.display_name,
        "outer": outer.prefix,
        "outer_unit": _unit_label(outer),
        "outer_name": outer.unit.display_name,
        "when": when,
    }


def import_networks(*, actor, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """Import networks from CSV/XLSX/XLS/ODS bytes; all rows or none. ``actor`` None is the system."""
    return NetworkImporter(actor=actor, dry_run=dry_run).run(data, filename)


def network_export_rows(networks) -> list[dict[str, Any]]:
    """Networks as export rows with exactly ``EXPORT_COLUMNS`` as keys."""
    return [
        {
            "unit_code": n.unit.code,
            "prefix": n.prefix,
            "isp": n.isp,
            "subscriber": n.subscriber,
            "line_type": n.line_type,
            "valid_from": n.valid_from,
            "valid_to": n.valid_to,
            "note": n.note,
            "is_static": n.is_static,
        }
        for n in networks
    ]


def export_networks(*, user, fmt: str, networks=None) -> bytes:
    """Networks as ``csv``, ``xlsx`` or ``json`` in unit then address order. ``user`` None
    exports every network (the CLI); otherwise ``networks`` (a filtered selection) or all the
    networks the user may see."""
    if networks is None:
        networks = Network.objects.all() if user is None else networks_for(user)
    networks = networks.select_related("unit").order_by(
        "unit__path", "version", "range_start", "prefix_length", "valid_from", "pk"
    )
    return export_table(
        network_export_rows(networks), EXPORT_COLUMNS, fmt, sheet_title=_("Mạng của đơn vị")
    )
