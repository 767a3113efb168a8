"""Writes of the network registry and the software inventory. Each function runs in a
transaction and is audited.

Who may write a unit's networks (``can_manage_networks``): Department administrators and
security officers, and the unit's IT officer (cán bộ phụ trách CNTT) — the person who
knows which lines the unit has — for the networks of the units under their assignment.
Unit heads read them; staff and learners do not see them. ``actor`` None is the system
(the CLI, jobs). Moving a network to another unit needs the right over both units.

Bulk import goes through the importer framework: ``assets.importers.import_networks``,
which writes each row with ``save_network``, and ``assets.inventory_import.import_inventory``,
which writes each host's software list with ``replace_host_software``.

The inventory follows the same rule (``can_manage_inventory``). Every software entry is
normalised when it is saved (``lachan.engine.software.normalise`` with the alias table:
shipped defaults plus the officers' ``intel.SoftwareAlias`` rows, which win), and the CPE
identity, method and rule are stored on the row. Any change to a unit's inventory queues a
re-run of vulnerability matching for that unit after the transaction commits
(``lachan.intel.vulns.schedule_rematch``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.audit.services import record, snapshot
from lachan.org.models import Unit

from .models import Host, HostRole, InformationSystem, Network, Software
from .selectors import can_manage_inventory, can_manage_networks

NETWORK_FIELDS = (
    "prefix",
    "isp",
    "subscriber",
    "line_type",
    "is_static",
    "valid_from",
    "valid_to",
    "note",
)
# What the audit log keeps of a network: what people entered, not the derived columns.
AUDIT_FIELDS = ["unit", *NETWORK_FIELDS]


def _require(actor, unit: Unit) -> None:
    if actor is not None and not can_manage_networks(actor, unit):
        raise PermissionDenied


@transaction.atomic
def save_network(*, actor, unit: Unit, network: Network | None = None, **fields: Any) -> Network:
    """Create a network of ``unit`` (``network`` None) or update ``network``, possibly moving
    it to ``unit``. The prefix is stored in canonical form; raises ValidationError for a bad
    value (naming the field) and PermissionDenied without the right over the unit(s)."""
    created = network is None
    if created:
        _require(actor, unit)
        network = Network(unit=unit)
        before = None
    else:
        network = Network.objects.select_for_update().select_related("unit").get(pk=network.pk)
        _require(actor, network.unit)
        if unit.pk != network.unit_id:
            _require(actor, unit)
        before = snapshot(network, AUDIT_FIELDS)
    for key, value in fields.items():
        if key not in NETWORK_FIELDS:
            raise TypeError(f"unknown network field {key!r}")
        setattr(network, key, value)
    network.unit = unit
    network.full_clean()
    network.save()
    after = snapshot(network, AUDIT_FIELDS)
    if created or before != after:
        record(
            actor=actor,
            action="network.create" if created else "network.update",
            obj=network,
            unit=unit,
            before=before,
            after=after,
        )
    return network


@transaction.atomic
def delete_network(*, actor, network: Network) -> None:
    """Remove a network from the registry; the audit log keeps what it was."""
    _require(actor, network.unit)
    record(
        actor=actor,
        action="network.delete",
        obj=network,
        unit=network.unit,
        before=snapshot(network, AUDIT_FIELDS),
    )
    network.delete()


# --- software inventory -----------------------------------------------------------------------

SYSTEM_FIELDS = ("name", "security_level", "internet_facing", "description")
HOST_FIELDS = ("name", "ips", "os", "role", "system", "internet_facing", "note", "source")
HOST_AUDIT_FIELDS = ["unit", *HOST_FIELDS, "inventory_at"]
SOFTWARE_FIELDS = ("vendor", "product", "version", "cpe")
# What normalisation writes on a software row (the CPE identity and how it was found).
MAPPING_FIELDS = (
    "cpe_part",
    "cpe_vendor",
    "cpe_product",
    "cpe_version",
    "cpe_update",
    "cpe_also",
    "distro",
    "mapping_method",
    "mapping_rule",
)


def _require_inventory(actor, unit: Unit) -> None:
    if actor is not None and not can_manage_inventory(actor, unit):
        raise PermissionDenied


def _rematch(*unit_ids: int) -> None:
    """Queue vulnerability matching for these units once the transaction commits."""
    from lachan.intel.vulns import schedule_rematch

    schedule_rematch(unit_ids=[u for u in unit_ids if u])


def current_aliases():
    """The alias table used to normalise software names: defaults plus the officers' rows."""
    from lachan.intel.vuln_selectors import matching_aliases

    return matching_aliases()


def normalised_fields(
    vendor: str, product: str, version: str, cpe: str = "", *, aliases=None, os: str = ""
) -> dict[str, Any]:
    """The ``MAPPING_FIELDS`` of a software entry, from ``engine.software.normalise``
    (``os``: the host's operating system, which tells a Debian/Ubuntu package apart)."""
    from lachan.engine import software as engine_software

    if aliases is None:
        aliases = current_aliases()
    found = engine_software.normalise(vendor, product, version, cpe, aliases=aliases, os=os)
    return {
        "cpe_part": (found.part or "a")[:1],
        "cpe_vendor": found.vendor[:200],
        "cpe_product": found.product[:200],
        "cpe_version": found.version[:120],
        "cpe_update": (found.update or "")[:120],
        "cpe_also": [f"{v}:{p}" for v, p in found.also],
        "distro": (found.distro or "")[:40],
        "mapping_method": found.method,
        "mapping_rule": (found.rule or "")[:300],
    }


def _clean_text(value: Any) -> str:
    return " ".join(str(value or "").split())


@transaction.atomic
def save_system(
    *, actor, unit: Unit, system: InformationSystem | None = None, **fields: Any
) -> InformationSystem:
    """Create an information system of ``unit`` (``system`` None) or update ``system``.
    Fields: ``name``, ``security_level`` (1..5 or None), ``internet_facing``, ``description``.
    A change of level or exposure re-runs matching (it weighs on priority)."""
    created = system is None
    if created:
        _require_inventory(actor, unit)
        system = InformationSystem(unit=unit)
        before = None
    else:
        system = InformationSystem.objects.select_for_update().get(pk=system.pk)
        _require_inventory(actor, system.unit)
        if unit.pk != system.unit_id:
            raise ValidationError({"unit": _("Không thể chuyển hệ thống sang đơn vị khác.")})
        before = snapshot(system)
    for key, value in fields.items():
        if key not in SYSTEM_FIELDS:
            raise TypeError(f"unknown system field {key!r}")
        setattr(system, key, _clean_text(value) if key == "name" else value)
    system.full_clean()
    system.save()
    after = snapshot(system)
    if created or before != after:
        record(
            actor=actor,
            action="system.create" if created else "system.update",
            obj=system,
            unit=unit,
            before=before,
            after=after,
        )
        if not created:
            _rematch(unit.pk)
    return system


@transaction.atomic
def delete_system(*, actor, system: InformationSystem) -> None:
    """Remove an information system; its hosts stay, without a system."""
    _require_inventory(actor, system.unit)
    record(
        actor=actor,
        action="system.delete",
        obj=system,
        unit=system.unit,
        before=snapshot(system),
    )
    unit_id = system.unit_id
    system.delete()
    _rematch(unit_id)


def _system_by_name(actor, unit: Unit, name: str) -> InformationSystem:
    """The unit's information system of that name, created when missing."""
    name = _clean_text(name)
    found = InformationSystem.objects.filter(unit=unit, name__iexact=name).first()
    return found or save_system(actor=actor, unit=unit, name=name)


@transaction.atomic
def save_host(*, actor, unit: Unit, host: Host | None = None, **fields: Any) -> Host:
    """Create a host of ``unit`` (``host`` None) or update ``host``. Fields: ``name``,
    ``ips`` (list), ``os``, ``role``, ``system`` (an InformationSystem of the same unit, or
    its name: created when missing), ``internet_facing``, ``note``, ``source``.
    Re-runs matching for the unit when something that matters to it changed."""
    created = host is None
    if created:
        _require_inventory(actor, unit)
        host = Host(unit=unit)
        before = None
    else:
        host = Host.objects.select_for_update().get(pk=host.pk)
        _require_inventory(actor, host.unit)
        if unit.pk != host.unit_id:
            raise ValidationError({"unit": _("Không thể chuyển máy sang đơn vị khác.")})
        before = snapshot(host, HOST_AUDIT_FIELDS)
    for key, value in fields.items():
        if key not in HOST_FIELDS:
            raise TypeError(f"unknown host field {key!r}")
        if key == "system" and isinstance(value, str):
            value = _system_by_name(actor, unit, value) if value.strip() else None
        if key == "system" and value is not None and value.unit_id != unit.pk:
            raise ValidationError({"system": _("Hệ thống thông tin phải thuộc cùng đơn vị.")})
        if key in {"name", "os"}:
            value = _clean_text(value)
        if key == "ips":
            value = [str(v).strip() for v in (value or []) if str(v).strip()]
        setattr(host, key, value)
    if not host.role:
        host.role = HostRole.OTHER
    host.full_clean()
    host.save()
    after = snapshot(host, HOST_AUDIT_FIELDS)
    if created or before != after:
        record(
            actor=actor,
            action="host.create" if created else "host.update",
            obj=host,
            unit=unit,
            before=before,
            after=after,
        )
        if before is not None and before.get("os") != host.os:
            _renormalise_host(host)
        _rematch(unit.pk)
    return host


def _renormalise_host(host: Host) -> None:
    """Map a host's software again (its OS changed: a package may now be read as one)."""
    aliases = current_aliases()
    changed = []
    for software in Software.objects.filter(host=host):
        mapped = normalised_fields(
            software.vendor,
            software.product,
            software.version,
            software.cpe,
            aliases=aliases,
            os=host.os,
        )
        if any(getattr(software, k) != v for k, v in mapped.items()):
            for k, v in mapped.items():
                setattr(software, k, v)
            changed.append(software)
    Software.objects.bulk_update(changed, list(MAPPING_FIELDS))


@transaction.atomic
def delete_host(*, actor, host: Host) -> None:
    """Remove a host and its software list; its exposures go with it (the audit log keeps
    what the host was)."""
    _require_inventory(actor, host.unit)
    record(
        actor=actor,
        action="host.delete",
        obj=host,
        unit=host.unit,
        before={
            **snapshot(host, HOST_AUDIT_FIELDS),
            "software": [software_label(s) for s in host.software.all()],
        },
    )
    unit_id = host.unit_id
    host.delete()
    _rematch(unit_id)


def software_label(software: Software | Mapping[str, Any]) -> str:
    """ "Apache HTTP Server 2.4.49" (vendor added when the product does not say it)."""
    get = software.get if isinstance(software, Mapping) else software.__getattribute__
    product, version = get("product") or "", get("version") or ""
    return f"{product} {version}".strip()


@dataclass
class SoftwareChanges:
    """What replacing a host's software list did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _software_key(vendor: str, product: str, version: str) -> tuple[str, str, str]:
    return (vendor.casefold(), product.casefold(), version.casefold())


@transaction.atomic
def replace_host_software(
    *,
    actor,
    host: Host,
    entries: Iterable[Mapping[str, str]],
    aliases=None,
    rematch: bool = True,
) -> SoftwareChanges:
    """Make ``entries`` (``vendor, product, version, cpe``) the host's whole software list.

    An entry already there (same vendor, product and version, case aside) is kept and
    re-normalised; a new one is added; one absent from ``entries`` is removed — that is how
    an upgrade shows: the old version's row goes, the new one comes. One audit record for
    the host with what was added, changed and removed."""
    _require_inventory(actor, host.unit)
    if aliases is None:
        aliases = current_aliases()
    existing = {
        _software_key(s.vendor, s.product, s.version): s
        for s in Software.objects.select_for_update().filter(host=host)
    }
    changes = SoftwareChanges()
    wanted: set[tuple[str, str, str]] = set()
    to_create: list[Software] = []
    to_update: list[Software] = []
    for entry in entries:
        values = {k: _clean_text(entry.get(k, "")) for k in SOFTWARE_FIELDS}
        if not values["product"]:
            raise ValidationError({"product": _("Thiếu tên phần mềm.")})
        key = _software_key(values["vendor"], values["product"], values["version"])
        if key in wanted:
            continue
        wanted.add(key)
        mapped = normalised_fields(
            values["vendor"],
            values["product"],
            values["version"],
            values["cpe"],
            aliases=aliases,
            os=host.os,
        )
        current = existing.get(key)
        if current is None:
            software = Software(host=host, **values, **mapped)
            software.full_clean(exclude=["host"], validate_unique=False)
            to_create.append(software)
            changes.created.append(software_label(values))
            continue
        new = {**values, **mapped}
        if all(getattr(current, k) == v for k, v in new.items()):
            changes.unchanged += 1
            continue
        for k, v in new.items():
            setattr(current, k, v)
        to_update.append(current)
        changes.updated.append(software_label(values))
    gone = [s for key, s in existing.items() if key not in wanted]
    changes.removed = [software_label(s) for s in gone]
    if gone:
        Software.objects.filter(pk__in=[s.pk for s in gone]).delete()
    if to_create:
        Software.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        now = timezone.now()
        for software in to_update:
            software.updated_at = now
        Software.objects.bulk_update(
            to_update, [*SOFTWARE_FIELDS, *MAPPING_FIELDS, "updated_at"], batch_size=500
        )
    Host.objects.filter(pk=host.pk).update(inventory_at=timezone.now())
    if changes.changed:
        record(
            actor=actor,
            action="host.software",
            obj=host,
            unit=host.unit,
            after={
                "added": changes.created,
                "changed": changes.updated,
                "removed": changes.removed,
                "unchanged": changes.unchanged,
            },
            message=_("%(added)d thêm, %(changed)d thay đổi, %(removed)d gỡ bỏ")
            % {
                "added": len(changes.created),
                "changed": len(changes.updated),
                "removed": len(changes.removed),
            },
        )
        if rematch:
            _rematch(host.unit_id)
    return changes


@transaction.atomic
def save_software(
    *, actor, host: Host, software: Software | None = None, **fields: Any
) -> Software:
    """Add one software entry to ``host`` (``software`` None) or change one; normalised on
    save. Fields: ``vendor``, ``product``, ``version``, ``cpe``."""
    _require_inventory(actor, host.unit)
    created = software is None
    if created:
        software = Software(host=host)
        before = None
    else:
        software = Software.objects.select_for_update().get(pk=software.pk, host=host)
        before = snapshot(software, list(SOFTWARE_FIELDS))
    for key, value in fields.items():
        if key not in SOFTWARE_FIELDS:
            raise TypeError(f"unknown software field {key!r}")
        setattr(software, key, _clean_text(value))
    for key, value in normalised_fields(
        software.vendor, software.product, software.version, software.cpe, os=host.os
    ).items():
        setattr(software, key, value)
    software.full_clean()
    software.save()
    after = snapshot(software, list(SOFTWARE_FIELDS))
    if created or before != after:
        record(
            actor=actor,
            action="software.create" if created else "software.update",
            obj=software,
            unit=host.unit,
            before=before,
            after={**after, "mapping": f"{software.cpe_vendor}:{software.cpe_product}"},
        )
        _rematch(host.unit_id)
    return software


@transaction.atomic
def delete_software(*, actor, software: Software) -> None:
    """Remove one software entry of a host."""
    host = software.host
    _require_inventory(actor, host.unit)
    record(
        actor=actor,
        action="software.delete",
        obj=software,
        unit=host.unit,
        before=snapshot(software, list(SOFTWARE_FIELDS)),
    )
    software.delete()
    _rematch(host.unit_id)


@transaction.atomic
def renormalise_software(*, actor=None, aliases=None, batch_size: int = 2000) -> int:
    """Map every software entry again (after the alias table changed); returns how many
    entries got another mapping. Queues matching for the units concerned."""
    if aliases is None:
        aliases = current_aliases()
    changed: list[Software] = []
    units: set[int] = set()
    rows = Software.objects.select_related("host").order_by("pk")
    for software in rows.iterator(chunk_size=batch_size):
        mapped = normalised_fields(
            software.vendor,
            software.product,
            software.version,
            software.cpe,
            aliases=aliases,
            os=software.host.os,
        )
        if all(getattr(software, k) == v for k, v in mapped.items()):
            continue
        for k, v in mapped.items():
            setattr(software, k, v)
        changed.append(software)
        units.add(software.host.unit_id)
    for start in range(0, len(changed), batch_size):
        Software.objects.bulk_update(changed[start : start + batch_size], list(MAPPING_FIELDS))
    if changed:
        record(
            actor=actor,
            action="software.renormalise",
            object_type="assets.software",
            object_repr=_("Danh mục phần mềm"),
            after={"changed": len(changed)},
            message=_("%(n)d phần mềm được nhận diện lại theo bảng tên gọi") % {"n": len(changed)},
        )
        _rematch(*sorted(units))
    return len(changed)
