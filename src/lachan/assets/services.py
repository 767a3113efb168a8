"""Writes of the network registry. Each function runs in a transaction and is audited.

Who may write a unit's networks (``can_manage_networks``): Department administrators and
security officers, and the unit's IT officer (cán bộ phụ trách CNTT) — the person who
knows which lines the unit has — for the networks of the units under their assignment.
Unit heads read them; staff and learners do not see them. ``actor`` None is the system
(the CLI, jobs). Moving a network to another unit needs the right over both units.

Bulk import goes through the importer framework: ``assets.importers.import_networks``,
which writes each row with ``save_network``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from lachan.audit.services import record, snapshot
from lachan.org.models import Unit

from .models import Network
from .selectors import can_manage_networks

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
