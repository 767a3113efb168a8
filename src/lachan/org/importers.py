"""Import and export of units (đơn vị) as CSV, XLSX and JSON.

The file's columns are ``code,name,short_name,type,parent_code,address,ward,province,phone,
email,it_officer_name,it_officer_phone,it_officer_email,aliases`` (optionally also
``head_name,valid_from,valid_to,successor_code,is_active``); the Vietnamese headers officials
use are recognised too. Re-importing a code updates that unit; columns absent from the file
leave the unit's value alone. Every write goes through ``org.services.save_unit`` (audited),
parents before children, in one transaction, and only when no row has an error.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lachan.engine.tabular import normalize_header
from lachan.importing import (
    CellError,
    ImportColumn,
    Importer,
    ImportReport,
    ImportRow,
    boolean,
    date,
    email,
    export_table,
    split_list,
    text,
)

from .models import Role, Unit, UnitType
from .selectors import has_role_over, is_department_admin, visible_units
from .services import create_units_bulk, save_unit, set_successor

EXPORT_COLUMNS = (
    "code",
    "name",
    "short_name",
    "type",
    "parent_code",
    "address",
    "ward",
    "province",
    "phone",
    "email",
    "it_officer_name",
    "it_officer_phone",
    "it_officer_email",
    "aliases",
)
OPTIONAL_COLUMNS = ("head_name", "valid_from", "valid_to", "successor_code", "is_active")
ALIAS_SEPARATOR = ";"
_BATCH = 500

# Model fields written by save_unit, as the file names them.
_UNIT_FIELDS = (
    "name",
    "short_name",
    "type",
    "address",
    "ward",
    "province",
    "phone",
    "email",
    "it_officer_name",
    "it_officer_phone",
    "it_officer_email",
    "aliases",
    "head_name",
    "valid_from",
    "valid_to",
    "is_active",
)

# How people write unit types, besides the codes and the labels of ``UnitType``.
UNIT_TYPE_LABELS: dict[str, tuple[str, ...]] = {
    UnitType.SO: ("Sở", "Sở GD&ĐT", "Sở GDĐT", "Sở Giáo dục", "Sở Giáo dục và Đào tạo"),
    UnitType.PHONG: (
        "Phòng",
        "Ban",
        "Phòng/ban",
        "Phòng ban",
        "Phòng thuộc Sở",
        "Phòng chuyên môn",
        "Phòng/ban thuộc Sở",
        "Văn phòng",
        "Văn phòng Sở",
        "Thanh tra",
        "Thanh tra Sở",
    ),
    UnitType.THPT: ("THPT", "Trường THPT", "Trung học phổ thông", "Trường Trung học phổ thông"),
    UnitType.PT_NHIEU_CAP: (
        "Trường phổ thông nhiều cấp",
        "Phổ thông nhiều cấp",
        "PT nhiều cấp",
        "Trường PT nhiều cấp",
        "Nhiều cấp",
        "Liên cấp",
        "Trường liên cấp",
        "TH&THCS",
        "TH và THCS",
        "Trường TH và THCS",
        "Tiểu học và THCS",
        "Tiểu học và Trung học cơ sở",
        "THCS&THPT",
        "THCS và THPT",
        "Trường THCS và THPT",
        "Trung học cơ sở và Trung học phổ thông",
        "TH, THCS và THPT",
        "Trường TH, THCS và THPT",
    ),
    UnitType.THCS: ("THCS", "Trường THCS", "Trung học cơ sở", "Trường Trung học cơ sở"),
    UnitType.TH: ("TH", "Trường TH", "Tiểu học", "Trường Tiểu học"),
    UnitType.MN: (
        "MN",
        "Trường MN",
        "Mầm non",
        "Trường Mầm non",
        "MG",
        "Mẫu giáo",
        "Trường Mẫu giáo",
        "Nhà trẻ",
    ),
    UnitType.GDNN_GDTX: (
        "GDNN-GDTX",
        "TT GDNN-GDTX",
        "Trung tâm GDNN-GDTX",
        "GDTX",
        "Trung tâm GDTX",
        "Trung tâm Giáo dục thường xuyên",
        "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên",
    ),
    UnitType.KHAC: ("Khác", "Đơn vị khác", "Other"),
}


@functools.lru_cache(maxsize=8)
def _unit_type_lookup(language: str | None) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in UnitType.choices:
        for name in (value, str(label), *UNIT_TYPE_LABELS.get(value, ())):
            lookup[normalize_header(name)] = value
    return lookup


def parse_unit_type(value: str) -> str:
    """A unit type from its code (``thpt``) or how people write it ("Trường THPT")."""
    found = _unit_type_lookup(get_language()).get(normalize_header(value))
    if found is None:
        raise CellError(
            _("Loại đơn vị “%(v)s” không hợp lệ; dùng một trong: %(allowed)s.")
            % {
                "v": text(value),
                "allowed": ", ".join(f"{v} ({label})" for v, label in UnitType.choices),
            }
        )
    return found


def parse_code(value: str) -> str:
    return text(value)


UNIT_COLUMNS = (
    ImportColumn(
        "code",
        gettext_lazy("Mã đơn vị"),
        required=True,
        synonyms=("Mã", "Mã ĐV", "Mã số đơn vị", "Mã trường", "Mã cơ quan", "Unit code"),
        parse=parse_code,
    ),
    ImportColumn(
        "name",
        gettext_lazy("Tên đơn vị"),
        required=True,
        synonyms=(
            "Tên",
            "Đơn vị",
            "Tên trường",
            "Tên cơ quan",
            "Tên cơ quan, đơn vị",
            "Tên đơn vị/trường",
            "Unit name",
        ),
    ),
    ImportColumn(
        "short_name",
        gettext_lazy("Tên viết tắt"),
        synonyms=("Tên ngắn", "Tên gọi tắt", "Viết tắt", "Short name"),
    ),
    ImportColumn(
        "type",
        gettext_lazy("Loại đơn vị"),
        required=True,
        synonyms=("Loại", "Loại hình", "Loại trường", "Loại ĐV", "Cấp học", "Unit type"),
        parse=parse_unit_type,
    ),
    ImportColumn(
        "parent_code",
        gettext_lazy("Mã đơn vị cấp trên"),
        synonyms=(
            "Mã cấp trên",
            "Mã ĐV cấp trên",
            "Mã đơn vị quản lý",
            "Mã đơn vị chủ quản",
            "Parent code",
            "Parent",
        ),
        parse=parse_code,
    ),
    ImportColumn("address", gettext_lazy("Địa chỉ"), synonyms=("Địa chỉ trụ sở", "Address")),
    ImportColumn(
        "ward",
        gettext_lazy("Xã/phường"),
        synonyms=(
            "Phường/xã",
            "Xã, phường",
            "Phường, xã",
            "Xã/phường/thị trấn",
            "Xã",
            "Phường",
            "Ward",
            "Commune",
        ),
    ),
    ImportColumn(
        "province",
        gettext_lazy("Tỉnh/thành phố"),
        synonyms=("Tỉnh", "Tỉnh/TP", "Tỉnh, thành phố", "Thành phố", "Province"),
    ),
    ImportColumn(
        "phone",
        gettext_lazy("Điện thoại"),
        synonyms=("Số điện thoại", "SĐT", "ĐT", "Điện thoại đơn vị", "Phone", "Tel"),
    ),
    ImportColumn(
        "email",
        gettext_lazy("Thư điện tử"),
        synonyms=("Email", "E-mail", "Địa chỉ email", "Email đơn vị", "Thư điện tử đơn vị"),
        parse=email,
    ),
    ImportColumn(
        "it_officer_name",
        gettext_lazy("Cán bộ phụ trách CNTT"),
        synonyms=(
            "Cán bộ CNTT",
            "Họ tên cán bộ CNTT",
            "Họ và tên cán bộ CNTT",
            "Người phụ trách CNTT",
            "Cán bộ CNTT Họ tên",
            "Cán bộ CNTT Họ và tên",
            "Cán bộ phụ trách CNTT Họ tên",
            "Cán bộ phụ trách CNTT Họ và tên",
            "IT officer",
        ),
    ),
    ImportColumn(
        "it_officer_phone",
        gettext_lazy("Điện thoại cán bộ CNTT"),
        synonyms=(
            "SĐT cán bộ CNTT",
            "Số điện thoại cán bộ CNTT",
            "ĐT cán bộ CNTT",
            "Cán bộ CNTT Điện thoại",
            "Cán bộ CNTT Số điện thoại",
            "Cán bộ CNTT SĐT",
            "Cán bộ phụ trách CNTT Điện thoại",
            "Cán bộ phụ trách CNTT Số điện thoại",
            "IT officer phone",
        ),
    ),
    ImportColumn(
        "it_officer_email",
        gettext_lazy("Thư điện tử cán bộ CNTT"),
        synonyms=(
            "Email cán bộ CNTT",
            "E-mail cán bộ CNTT",
            "Cán bộ CNTT Email",
            "Cán bộ CNTT E-mail",
            "Cán bộ CNTT Thư điện tử",
            "Cán bộ phụ trách CNTT Email",
            "Cán bộ phụ trách CNTT Thư điện tử",
            "IT officer email",
        ),
        parse=email,
    ),
    ImportColumn(
        "aliases",
        gettext_lazy("Tên gọi khác"),
        synonyms=("Tên khác", "Các tên gọi khác", "Bí danh", "Aliases"),
        parse=split_list(ALIAS_SEPARATOR),
        empty=[],
    ),
    ImportColumn(
        "head_name",
        gettext_lazy("Thủ trưởng đơn vị"),
        synonyms=("Thủ trưởng", "Hiệu trưởng", "Giám đốc", "Người đứng đầu", "Head"),
    ),
    ImportColumn(
        "valid_from",
        gettext_lazy("Hiệu lực từ"),
        synonyms=("Hiệu lực từ ngày", "Ngày hiệu lực", "Từ ngày", "Ngày thành lập", "Valid from"),
        parse=date,
        empty=None,
    ),
    ImportColumn(
        "valid_to",
        gettext_lazy("Hiệu lực đến"),
        synonyms=("Hiệu lực đến ngày", "Ngày hết hiệu lực", "Đến ngày", "Valid to"),
        parse=date,
        empty=None,
    ),
    ImportColumn(
        "successor_code",
        gettext_lazy("Mã đơn vị kế thừa"),
        synonyms=("Mã ĐV kế thừa", "Đơn vị kế thừa", "Mã đơn vị sau sáp nhập", "Successor code"),
        parse=parse_code,
    ),
    ImportColumn(
        "is_active",
        gettext_lazy("Đang hoạt động"),
        synonyms=("Hoạt động", "Còn hoạt động", "Trạng thái", "Trạng thái hoạt động", "Active"),
        parse=boolean,
        empty=True,
    ),
)


class UnitImporter(Importer):
    """Units from CSV/XLSX: validates references, duplicates and cycles, then saves the
    units through ``save_unit`` with parents before children."""

    columns = UNIT_COLUMNS

    def validate_row(self, row: ImportRow) -> None:
        start, end = row.get("valid_from"), row.get("valid_to")
        if start and end and end < start:
            self.error(row, "valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
            return
        # The model's own field rules (lengths, choices), without a query per row.
        fields = {k: row.values[k] for k in _UNIT_FIELDS if row.has(k)}
        unit = Unit(code=row.values["code"], **fields)
        excluded = [f.name for f in Unit._meta.fields if f.name not in {"code", *fields}]
        try:
            unit.clean_fields(exclude=excluded)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.error(row, name, message)

    def validate_rows(self, rows: list[ImportRow]) -> None:
        self.existing: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        self.code_by_id: dict[int | None, str] = {u.pk: u.code for u in self.existing.values()}
        existing_folded = {code.casefold(): code for code in self.existing}

        # Codes: each once in the file, and not a case variant of a different stored code.
        self.rows_by_code: dict[str, ImportRow] = {}
        first_seen: dict[str, ImportRow] = {}
        for row in rows:
            code = row.get("code")
            if not code:
                continue
            folded = code.casefold()
            if folded in first_seen:
                first = first_seen[folded]
                if first.sheet == row.sheet:
                    message = _("Mã đơn vị “%(code)s” trùng với dòng %(row)d.")
                else:
                    message = _(
                        "Mã đơn vị “%(code)s” trùng với dòng %(row)d của trang “%(sheet)s”."
                    )
                self.error(
                    row,
                    "code",
                    message % {"code": code, "row": first.number, "sheet": first.sheet},
                )
                continue
            first_seen[folded] = row
            self.rows_by_code[code] = row
            stored = existing_folded.get(folded)
            if stored is not None and stored != code:
                self.error(
                    row,
                    "code",
                    _(
                        "Mã đơn vị “%(code)s” gần trùng với mã đã có “%(stored)s” (chỉ khác chữ hoa/thường)."
                    )
                    % {"code": code, "stored": stored},
                )

        known = set(self.existing) | set(self.rows_by_code)

        # The tree after the import: code → parent code.
        self.final_parent: dict[str, str | None] = {
            u.code: self.code_by_id.get(u.parent_id) for u in self.existing.values()
        }
        for code, row in self.rows_by_code.items():
            if row.has("parent_code"):
                self.final_parent[code] = row.values["parent_code"] or None
            else:
                self.final_parent.setdefault(code, None)

        for code, row in self.rows_by_code.items():
            for column, message in (
                (
                    "parent_code",
                    _("Không tìm thấy đơn vị cấp trên “%(code)s” trong tệp và trong hệ thống."),
                ),
                (
                    "successor_code",
                    _("Không tìm thấy đơn vị kế thừa “%(code)s” trong tệp và trong hệ thống."),
                ),
            ):
                ref = row.get(column)
                if not ref:
                    continue
                if ref == code:
                    if column == "parent_code":
                        self.final_parent[code] = None  # reported; not a cycle as well
                    self.error(
                        row,
                        column,
                        _("Đơn vị cấp trên không được là chính nó.")
                        if column == "parent_code"
                        else _("Đơn vị kế thừa không được là chính nó."),
                    )
                elif ref not in known:
                    self.error(row, column, message % {"code": ref})
                    if column == "parent_code":
                        self.final_parent[code] = None

        self._check_cycles()
        if self.actor is not None:
            self._check_permissions()

    def _check_cycles(self) -> None:
        """Every unit's chain of parents must reach a root in the tree after the import.

        Also records each file unit's depth in that tree, the order ``apply`` saves in.
        """
        self.depth: dict[str, int] = {}  # -1: in or under a cycle
        for start in self.rows_by_code:
            path: list[str] = []
            position: dict[str, int] = {}
            code: str | None = start
            in_cycle = False
            while code is not None and code not in self.depth:
                if code in position:
                    cycle = path[position[code] :]
                    shown = " → ".join([*cycle, code])
                    for member in cycle:
                        row = self.rows_by_code.get(member)
                        if row is not None:
                            self.error(
                                row,
                                "parent_code",
                                _("Vòng lặp đơn vị cấp trên: %(chain)s.") % {"chain": shown},
                            )
                    in_cycle = True
                    break
                position[code] = len(path)
                path.append(code)
                code = self.final_parent.get(code)
            parent_depth = -1 if code is None or in_cycle else self.depth[code]
            broken = in_cycle or (code is not None and parent_depth < 0)
            for member in reversed(path):
                parent_depth = -1 if broken else parent_depth + 1
                self.depth[member] = parent_depth

    def _check_permissions(self) -> None:
        """Refuse early what ``save_unit`` would refuse: the actor must administer the unit,
        and the place it goes to (its nearest stored ancestor; the root for a new top unit)."""
        for code, row in self.rows_by_code.items():
            unit = self.existing.get(code)
            if unit is not None and not row.valid:
                continue
            if unit is not None and not self._changes(unit, row):
                continue  # re-sending an unchanged row needs no right over it
            anchors: list[Unit | None] = [] if unit is None else [unit]
            if unit is None or self._moves(unit):
                anchors.append(self._nearest_stored_ancestor(code))
            for anchor in anchors:
                allowed = (
                    is_department_admin(self.actor)
                    if anchor is None
                    else has_role_over(self.actor, anchor, {Role.DEPT_ADMIN})
                )
                if not allowed:
                    self.error(row, "code", _("Bạn không có quyền quản lý đơn vị này."))
                    break

    def _nearest_stored_ancestor(self, code: str) -> Unit | None:
        seen: set[str] = set()
        parent = self.final_parent.get(code)
        while parent is not None and parent not in seen:
            if parent in self.existing:
                return self.existing[parent]
            seen.add(parent)
            parent = self.final_parent.get(parent)
        return None

    # -- writing ------------------------------------------------------------------------------

    def apply(self, rows: list[ImportRow]) -> None:
        """Save level by level (parents first): changed units one by one through
        ``save_unit``, new units of a level together (see ``_create_level``)."""
        ordered = sorted(self.rows_by_code.items(), key=lambda item: self.depth[item[0]])
        self._saved: dict[str, Unit] = {}
        self._loaded: dict[str, Unit] = {}
        done, total = 0, len(ordered)
        try:
            for _depth, level in itertools.groupby(ordered, key=lambda i: self.depth[i[0]]):
                level_rows = list(level)
                for code, row in level_rows:
                    if code in self.existing:
                        self._update(code, row)
                self._create_level([(c, r) for c, r in level_rows if c not in self.existing])
                done += len(level_rows)
                self._tick("apply", done, total)
        except _ImportAborted:
            return

        # Successors may point anywhere in the file, so they are set once every unit exists.
        for code, row in ordered:
            unit = self._saved.get(code) or self.existing.get(code)
            if unit is None or not self._successor_changes(unit, row):
                continue
            target_code = row.values["successor_code"]
            target = None
            if target_code:
                target = self._saved.get(target_code) or self.existing.get(target_code)
            with self.writing(row, "successor_code"):
                set_successor(actor=self.actor, unit=unit, successor=target)

    def _parents(self, codes: list[str | None]) -> dict[str | None, Unit | None]:
        """Current instances of these parents: saved in this import or read (once) from the
        database. Reads are dropped after a move, which rewrites the stored paths below it."""
        missing = {c for c in codes if c and c not in self._saved and c not in self._loaded}
        if missing:
            self._loaded.update((u.code, u) for u in Unit.objects.filter(code__in=missing))
        return {c: (self._saved.get(c) or self._loaded[c]) if c else None for c in codes}

    def _moves(self, unit: Unit) -> bool:
        return self.code_by_id.get(unit.parent_id) != self.final_parent.get(unit.code)

    def _changes(self, unit: Unit, row: ImportRow) -> bool:
        """Whether importing ``row`` changes the stored ``unit`` at all."""
        fields = (k for k in _UNIT_FIELDS if row.has(k))
        return (
            self._moves(unit)
            or any(getattr(unit, k) != row.values[k] for k in fields)
            or self._successor_changes(unit, row)
        )

    def _update(self, code: str, row: ImportRow) -> None:
        current = self.existing[code]
        fields = {k: row.values[k] for k in _UNIT_FIELDS if row.has(k)}
        parent_code = self.final_parent.get(code)
        moved = self._moves(current)
        if not moved and all(getattr(current, k) == v for k, v in fields.items()):
            if self._successor_changes(current, row):
                self.report.updated += 1
            else:
                self.report.unchanged += 1
            return
        with self.writing(row):
            parent = self._parents([parent_code])[parent_code]
            unit, _created = save_unit(actor=self.actor, code=code, parent=parent, **fields)
            self._saved[code] = unit
            self.report.updated += 1
            if moved:
                self._loaded.clear()

    def _create_level(self, new: list[tuple[str, ImportRow]]) -> None:
        """Create new units of one tree level together: one INSERT per batch instead of
        ``save_unit``'s several queries per unit. The rows were already validated as
        ``save_unit`` would (model field rules, code unique, validity order, permission),
        and each unit still gets its own audit record, as ``save_unit`` writes it."""
        if not new:
            return
        parents = self._parents([self.final_parent.get(code) for code, _row in new])
        units = []
        for code, row in new:
            fields = {k: row.values[k] for k in _UNIT_FIELDS if row.has(k)}
            units.append(Unit(code=code, parent=parents[self.final_parent.get(code)], **fields))
        try:
            create_units_bulk(actor=self.actor, units=units)
        except IntegrityError as exc:  # e.g. the same code created meanwhile by someone else
            self.error(None, "", _("Cơ sở dữ liệu từ chối thêm đơn vị: %(e)s") % {"e": exc})
            raise _ImportAborted from exc
        self._saved.update((unit.code, unit) for unit in units)
        self.report.created += len(units)

    def _successor_changes(self, unit: Unit, row: ImportRow) -> bool:
        if not row.has("successor_code"):
            return False
        wanted = row.values["successor_code"] or None
        return self.code_by_id.get(unit.successor_id) != wanted


class _ImportAborted(Exception):
    """A write failed in a way no single row explains; the import's transaction rolls back."""


def import_units(*, actor, data: bytes, filename: str, dry_run: bool = False) -> ImportReport:
    """Import units from CSV/XLSX/XLS/ODS bytes; all rows or none. ``actor`` None is the system."""
    return UnitImporter(actor=actor, dry_run=dry_run).run(data, filename)


def unit_export_rows(units: QuerySet[Unit] | list[Unit]) -> list[dict[str, Any]]:
    """Units as export rows with exactly ``EXPORT_COLUMNS`` as keys."""
    rows = []
    for unit in units:
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "short_name": unit.short_name,
                "type": unit.type,
                "parent_code": unit.parent.code if unit.parent_id else "",
                "address": unit.address,
                "ward": unit.ward,
                "province": unit.province,
                "phone": unit.phone,
                "email": unit.email,
                "it_officer_name": unit.it_officer_name,
                "it_officer_phone": unit.it_officer_phone,
                "it_officer_email": unit.it_officer_email,
                "aliases": ALIAS_SEPARATOR.join(unit.aliases or []),
            }
        )
    return rows


def export_units(*, user, fmt: str) -> bytes:
    """Units in tree order as ``csv``, ``xlsx`` or ``json``; ``user`` None exports every unit
    (the CLI), otherwise the units the user may see."""
    units = Unit.objects.all() if user is None else visible_units(user)
    units = units.select_related("parent").order_by("path")
    return export_table(unit_export_rows(units), EXPORT_COLUMNS, fmt, sheet_title=_("Đơn vị"))
