"""Writes of blocklists: import a file (all or nothing, replacing a list of the same name),
switch a list or an entry on and off, add an entry by hand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.org.selectors import is_department_staff

from ..models import BlocklistEntry, BlocklistSource, IndicatorKind, ListFormat, SourceOrigin

# The lists the platform keeps itself (not imported from files).
REPORTS_SOURCE_NAME = "Báo cáo lừa đảo đã xác minh"
MANUAL_SOURCE_NAME = "Mục do Sở nhập tay"
PARSE_FORMATS = ("auto", "urlhaus", "hosts", "maltrail", "plain", "csv")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
VALUE_MAX = BlocklistEntry._meta.get_field("value").max_length
LABEL_MAX = BlocklistEntry._meta.get_field("label").max_length
SOURCE_FIELDS = [
    "name",
    "format",
    "origin",
    "filename",
    "sha256",
    "entry_count",
    "is_active",
    "note",
]
BATCH = 500


def require_department(actor) -> None:
    if actor is not None and not is_department_staff(actor):
        raise PermissionDenied


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def max_import_bytes() -> int:
    return int(getattr(settings, "LACHAN_SCAM_BLOCKLIST_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class ImportOutcome:
    source: BlocklistSource
    created: bool
    added: int
    removed: int
    kept: int

    @property
    def total(self) -> int:
        return self.added + self.kept


def normalise_indicator(kind: str, value: str, label: str = "") -> Any:
    """One indicator of a known kind, normalised by the engine; ValidationError if invalid."""
    from lachan.engine.scam import normalize_indicator

    value = (value or "").strip()
    if kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("Loại dấu hiệu không hợp lệ: “%(k)s”.") % {"k": kind}})
    if not value:
        raise ValidationError({"value": _("Hãy nhập giá trị.")})
    try:
        item = normalize_indicator(kind, value, label)
    except ValueError as exc:
        message = str(exc)
        raise ValidationError({"value": message[:1].upper() + message[1:] + "."}) from exc
    if len(item.value) > VALUE_MAX:
        raise ValidationError({"value": _("Giá trị dài hơn %(n)d ký tự.") % {"n": VALUE_MAX}})
    return item


def _parse(data: bytes, *, fmt: str, filename: str) -> dict[tuple[str, str], str]:
    from lachan.engine.scam import BlocklistError, parse_blocklist

    try:
        items = parse_blocklist(data, fmt=fmt, name=filename)
    except BlocklistError as exc:
        raise ValidationError(str(exc)) from exc
    found: dict[tuple[str, str], str] = {}
    for item in items:
        if len(item.value) > VALUE_MAX:
            raise ValidationError(
                _("%(file)s: mục “%(v)s…” dài hơn %(n)d ký tự, không lưu được.")
                % {"file": filename, "v": item.value[:60], "n": VALUE_MAX}
            )
        found.setdefault((item.kind, item.value), (item.label or "")[:LABEL_MAX])
    if not found:
        raise ValidationError(
            _("%(file)s: không có mục nào (tên miền, đường link, IP, số điện thoại…) để nhập.")
            % {"file": filename}
        )
    return found


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def import_blocklist(
    *, actor, data: bytes, filename: str, name: str, fmt: str = "auto", note: str = ""
) -> ImportOutcome:
    """Import a blocklist file as the list ``name``: every line is read or nothing is stored
    (the error names the file and line). A list of the same name has its entries replaced —
    entries switched off by an officer stay off if the new file still has them."""
    require_department(actor)
    name = " ".join((name or "").split())[:200]
    filename = (filename or "").strip()[:255] or "tệp"
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cho danh sách.")})
    if fmt not in PARSE_FORMATS:
        raise ValidationError({"format": _("Định dạng không hỗ trợ: “%(f)s”.") % {"f": fmt}})
    limit = max_import_bytes()
    if len(data) > limit:
        raise ValidationError(
            _("%(file)s lớn hơn giới hạn %(mb)d MB.") % {"file": filename, "mb": limit // 2**20}
        )
    source = BlocklistSource.objects.select_for_update().filter(name=name).first()
    if source is not None and source.origin != SourceOrigin.IMPORTED:
        raise ValidationError(
            {"name": _("“%(n)s” là danh sách do hệ thống quản lý; hãy đặt tên khác.") % {"n": name}}
        )
    wanted = _parse(data, fmt=fmt, filename=filename)
    before = snapshot(source, SOURCE_FIELDS)
    created = source is None
    if created:
        source = BlocklistSource(name=name, origin=SourceOrigin.IMPORTED)
    source.format = fmt
    source.filename = filename
    source.sha256 = hashlib.sha256(data).hexdigest()
    source.imported_by = _user(actor)
    source.imported_at = timezone.now()
    source.entry_count = len(wanted)
    if note:
        source.note = note
    source.save()

    existing: dict[tuple[str, str], tuple[int, str]] = {}
    if not created:
        for pk, kind, value, label in source.entries.values_list("pk", "kind", "value", "label"):
            existing[(kind, value)] = (pk, label)
    removed = [pk for key, (pk, _label) in existing.items() if key not in wanted]
    for chunk in _chunks(removed):
        BlocklistEntry.objects.filter(pk__in=chunk).delete()
    relabel = [
        BlocklistEntry(pk=existing[key][0], label=label)
        for key, label in wanted.items()
        if key in existing and existing[key][1] != label
    ]
    BlocklistEntry.objects.bulk_update(relabel, ["label"], batch_size=BATCH)
    added = [
        BlocklistEntry(source=source, kind=kind, value=value, label=label)
        for (kind, value), label in wanted.items()
        if (kind, value) not in existing
    ]
    BlocklistEntry.objects.bulk_create(added, batch_size=BATCH)
    kept = len(wanted) - len(added)
    record(
        actor=actor,
        action="scams.blocklist_import",
        obj=source,
        before=before,
        after=snapshot(source, SOURCE_FIELDS),
        message=_("%(file)s: %(total)d mục — thêm %(a)d, bỏ %(r)d, giữ %(k)d")
        % {"file": filename, "total": len(wanted), "a": len(added), "r": len(removed), "k": kept},
    )
    return ImportOutcome(
        source=source, created=created, added=len(added), removed=len(removed), kept=kept
    )


@transaction.atomic
def set_source_active(*, actor, source: BlocklistSource, active: bool) -> BlocklistSource:
    require_department(actor)
    source = BlocklistSource.objects.select_for_update().get(pk=source.pk)
    if source.is_active == active:
        return source
    before = snapshot(source, SOURCE_FIELDS)
    source.is_active = active
    source.save()
    record(
        actor=actor,
        action="scams.blocklist_activate" if active else "scams.blocklist_deactivate",
        obj=source,
        before=before,
        after=snapshot(source, SOURCE_FIELDS),
    )
    return source


def system_source(name: str, origin: str) -> BlocklistSource:
    source, _created = BlocklistSource.objects.get_or_create(
        name=name, defaults={"origin": origin, "format": ListFormat.MANUAL}
    )
    return source


def _recount(source: BlocklistSource) -> None:
    source.entry_count = source.entries.count()
    source.save(update_fields=["entry_count", "changed_at"])


@transaction.atomic
def add_manual_entry(*, actor, kind: str, value: str, label: str = "") -> BlocklistEntry:
    """An indicator an officer adds by hand (the list "Mục do Sở nhập tay")."""
    require_department(actor)
    item = normalise_indicator(kind, value, label)
    source = system_source(MANUAL_SOURCE_NAME, SourceOrigin.MANUAL)
    entry = BlocklistEntry.objects.filter(source=source, kind=item.kind, value=item.value).first()
    if entry is not None and entry.is_active:
        raise ValidationError(
            {"value": _("“%(v)s” đã có trong danh sách nhập tay.") % {"v": item.value}}
        )
    before = snapshot(entry)
    if entry is None:
        entry = BlocklistEntry.objects.create(
            source=source,
            kind=item.kind,
            value=item.value,
            label=(label or "").strip()[:LABEL_MAX],
            added_by=_user(actor),
        )
    else:
        entry.is_active = True
        entry.label = (label or entry.label).strip()[:LABEL_MAX]
        entry.save(update_fields=["is_active", "label"])
    _recount(source)
    record(
        actor=actor,
        action="scams.entry_add",
        obj=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def set_entry_active(*, actor, entry: BlocklistEntry, active: bool) -> BlocklistEntry:
    """Switch one entry off (a false positive) or on again."""
    require_department(actor)
    entry = BlocklistEntry.objects.select_for_update().select_related("source").get(pk=entry.pk)
    if entry.is_active == active:
        return entry
    before = snapshot(entry)
    entry.is_active = active
    entry.save(update_fields=["is_active"])
    entry.source.save(update_fields=["changed_at"])
    record(
        actor=actor,
        action="scams.entry_activate" if active else "scams.entry_deactivate",
        obj=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry
