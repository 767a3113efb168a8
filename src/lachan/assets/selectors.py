"""Reads of the network registry and the software inventory, always scoped to the units the
user may see.

Visibility comes from ``org.selectors`` (the one place of unit isolation): a network is
visible when its unit is. Writing is decided by ``can_manage_networks`` (see services).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from lachan.engine.ipindex import PrefixIndex, PrefixRecord
from lachan.org.models import Role, Unit
from lachan.org.selectors import has_role_over, visible_unit_ids, visible_units

from .models import Host, InformationSystem, Network, Software
from .models.networks import HEX_WIDTH

# Roles that write networks: the Department's and the unit IT officer's (not the unit head).
MANAGER_ROLES = frozenset({Role.DEPT_ADMIN, Role.DEPT_SECURITY, Role.UNIT_IT})


def can_manage_networks(user, unit: Unit) -> bool:
    """Whether ``user`` may add, change and delete the networks of ``unit``."""
    return has_role_over(user, unit, MANAGER_ROLES)


def manageable_units(user) -> QuerySet[Unit]:
    """Units whose networks the user may write."""
    return visible_units(user, MANAGER_ROLES)


def may_manage_some_networks(user) -> bool:
    return manageable_units(user).exists()


def _range_of(text: str) -> tuple[int, str, str] | None:
    """(version, first, last) as stored hex for an address or a prefix people type into a
    search box (host bits allowed there: "203.0.113.7/24" searches 203.0.113.0/24)."""
    from lachan.engine.ipindex import normalize_address

    text = text.strip()
    address = normalize_address(text)
    if address is not None:
        ip = ipaddress.ip_address(address)
        value = f"{int(ip):0{HEX_WIDTH}x}"
        return ip.version, value, value
    try:
        network = ipaddress.ip_network("".join(text.split()), strict=False)
    except ValueError:
        return None
    if network.version == 6 and network.prefixlen >= 96 and network.network_address.ipv4_mapped:
        network = ipaddress.ip_network(
            f"{network.network_address.ipv4_mapped}/{network.prefixlen - 96}"
        )
    return (
        network.version,
        f"{int(network.network_address):0{HEX_WIDTH}x}",
        f"{int(network.broadcast_address):0{HEX_WIDTH}x}",
    )


def is_address_query(text: str) -> bool:
    return _range_of(text) is not None


def networks_for(
    user,
    *,
    unit_id: int | None = None,
    include_subtree: bool = True,
    isp: str = "",
    line_type: str = "",
    active_on: dt.date | None = None,
    address: str = "",
    static: bool | None = None,
    q: str = "",
) -> QuerySet[Network]:
    """Networks of the units the user may see, filtered:

    - ``unit_id``: that unit (and, with ``include_subtree``, the units under it);
    - ``isp`` (case-insensitive, exact), ``line_type``, ``static``;
    - ``active_on``: networks whose validity window contains that day;
    - ``address``: networks containing that address or the whole of that prefix;
    - ``q``: text in the prefix, subscriber, ISP, note, or the unit's name or code.
    """
    qs = Network.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit")
    if unit_id:
        unit = visible_units(user).filter(pk=unit_id).first()
        if unit is None:
            return Network.objects.none()
        qs = (
            qs.filter(unit__path__startswith=unit.path) if include_subtree else qs.filter(unit=unit)
        )
    if isp:
        qs = qs.filter(isp__iexact=isp.strip())
    if line_type:
        qs = qs.filter(line_type=line_type)
    if static is not None:
        qs = qs.filter(is_static=static)
    if active_on is not None:
        qs = qs.filter(active_on_q(active_on))
    if address:
        found = _range_of(address)
        if found is None:
            return Network.objects.none()
        version, first, last = found
        qs = qs.filter(version=version, range_start__lte=first, range_end__gte=last)
    if q:
        qs = qs.filter(
            Q(prefix__icontains=q)
            | Q(subscriber__icontains=q)
            | Q(isp__icontains=q)
            | Q(note__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(unit__short_name__icontains=q)
            | Q(unit__code__icontains=q)
        )
    return qs


def active_on_q(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def get_network(user, pk: int) -> Network:
    """One network the user may see; Network.DoesNotExist otherwise (a 404, never a 403)."""
    return networks_for(user).get(pk=pk)


def networks_of_unit(user, unit: Unit) -> QuerySet[Network]:
    """The unit's own networks (not those of the units under it), if the user may see it."""
    return networks_for(user).filter(unit=unit)


def network_history(user, network: Network) -> list:
    """The audit records of a network the user may see, oldest first, leaving out what was
    recorded while it belonged to a unit outside the user's scope (a network the Department
    moved from another school). Each record gets ``moved_in``: True when its ``before``
    values belong to such a unit (they must not be shown)."""
    from lachan.audit.selectors import history_of

    visible = set(visible_units(user).values_list("pk", flat=True))
    entries = []
    for entry in history_of(network).select_related("actor"):
        if entry.unit_id not in visible:
            continue
        before_unit = (entry.before or {}).get("unit")
        entry.moved_in = before_unit is not None and before_unit not in visible
        entries.append(entry)
    return entries


def isp_names(user) -> list[str]:
    """The ISPs named on the visible networks, for the filter's choices."""
    names = networks_for(user).exclude(isp="").values_list("isp", flat=True).distinct()
    return sorted({n.strip() for n in names}, key=str.casefold)


# --- overlaps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapWarning:
    """Two networks of different units whose prefixes overlap while both are valid.

    At attribution time the most specific prefix wins: ``winner`` (the inner, longer prefix)
    for the addresses inside it, ``other`` keeps the rest of its range. With the same prefix
    on both (``same_prefix``) nothing says which unit is right: one of them must be fixed.
    """

    outer: Network
    inner: Network
    same_prefix: bool
    valid_from: dt.date | None  # the days both are valid (inclusive; None = open)
    valid_to: dt.date | None

    @property
    def winner(self) -> Network | None:
        return None if self.same_prefix else self.inner


def _day_start(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone()).timestamp()


def validity_seconds(network: Network) -> tuple[float | None, float | None]:
    """The validity window as ``engine.ipindex`` takes it: epoch seconds, [from, to) — from
    the start of ``valid_from`` to the end of ``valid_to`` in the project's time zone."""
    start = _day_start(network.valid_from) if network.valid_from else None
    end = _day_start(network.valid_to + dt.timedelta(days=1)) if network.valid_to else None
    return start, end


def _local_day(seconds: float | None, *, exclusive_end: bool = False) -> dt.date | None:
    if seconds is None:
        return None
    moment = dt.datetime.fromtimestamp(seconds, tz=timezone.get_default_timezone())
    return moment.date() - dt.timedelta(days=1) if exclusive_end else moment.date()


def prefix_records(networks: Iterable[Network]) -> list[PrefixRecord]:
    """Networks as ``engine.ipindex`` records (``ref`` is the network's id)."""
    records = []
    for network in networks:
        start, end = validity_seconds(network)
        records.append(PrefixRecord(network.prefix, network.unit.code, start, end, network.pk))
    return records


def find_overlaps(networks: Iterable[Network]) -> list[OverlapWarning]:
    """Overlaps between networks of different units among ``networks``."""
    networks = list(networks)
    by_id = {n.pk: n for n in networks}
    index = PrefixIndex.build(prefix_records(networks))
    warnings = []
    for overlap in index.overlaps():
        warnings.append(
            OverlapWarning(
                outer=by_id[overlap.outer.record.ref],
                inner=by_id[overlap.inner.record.ref],
                same_prefix=overlap.same_prefix,
                valid_from=_local_day(overlap.valid_from),
                valid_to=_local_day(overlap.valid_to, exclusive_end=True),
            )
        )
    return warnings


def overlap_warnings(user, *, involving: Iterable[int] | None = None) -> list[OverlapWarning]:
    """Overlaps among the networks the user may see — never with a unit outside their
    scope. ``involving``: only the overlaps touching these network ids."""
    found = find_overlaps(networks_for(user).order_by("pk"))
    if involving is not None:
        ids = set(involving)
        found = [w for w in found if w.outer.pk in ids or w.inner.pk in ids]
    return found


# --- software inventory: information systems, hosts, software ---------------------------------
#
# The same rule as networks: the Department and the unit's IT officer write a unit's
# inventory (``can_manage_inventory``); everyone who sees the unit reads it.


def can_manage_inventory(user, unit: Unit) -> bool:
    """Whether ``user`` may change the hosts, systems and software list of ``unit``."""
    return has_role_over(user, unit, MANAGER_ROLES)


def inventory_manageable_units(user) -> QuerySet[Unit]:
    """Units whose inventory the user may write."""
    return visible_units(user, MANAGER_ROLES)


def _unit_filter(user, qs: QuerySet, unit: Unit | int | None, include_subtree: bool, field: str):
    if unit is None:
        return qs
    unit_id = unit if isinstance(unit, int) else unit.pk
    found = visible_units(user).filter(pk=unit_id).first()
    if found is None:
        return qs.none()
    if include_subtree:
        return qs.filter(**{f"{field}__path__startswith": found.path})
    return qs.filter(**{field: found})


def systems_for(
    user, *, unit: Unit | int | None = None, include_subtree: bool = True, q: str = ""
) -> QuerySet[InformationSystem]:
    """Information systems of the units the user may see (``unit``: that unit and, with
    ``include_subtree``, the units under it), each with ``host_count``."""
    from django.db.models import Count

    qs = InformationSystem.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit")
    qs = _unit_filter(user, qs, unit, include_subtree, "unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return qs.annotate(host_count=Count("hosts", distinct=True))


def hosts_for(
    user,
    *,
    unit: Unit | int | None = None,
    include_subtree: bool = True,
    system: InformationSystem | int | None = None,
    q: str = "",
    exposed: bool | None = None,
) -> QuerySet[Host]:
    """Hosts of the units the user may see, each with ``software_count`` and
    ``open_exposures`` (affected, not yet resolved) annotated.

    - ``unit``: that unit (and the units under it unless ``include_subtree`` is False);
    - ``system``: hosts of that information system;
    - ``q``: text in the host name, OS, IPs or note, or the name of software installed;
    - ``exposed``: True for hosts with open affected exposures, False for those without.
    """
    from django.db.models import Count

    qs = Host.objects.filter(unit__in=visible_unit_ids(user)).select_related("unit", "system")
    qs = _unit_filter(user, qs, unit, include_subtree, "unit")
    if system is not None:
        qs = qs.filter(system=system)
    if q:
        matching = Software.objects.filter(
            Q(product__icontains=q) | Q(vendor__icontains=q) | Q(cpe_product__icontains=q)
        ).values("host_id")
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(os__icontains=q)
            | Q(note__icontains=q)
            | Q(ips__icontains=q)
            | Q(pk__in=matching)
        )
    qs = qs.annotate(
        software_count=Count("software", distinct=True),
        open_exposures=Count(
            "exposures",
            filter=Q(exposures__resolved_at__isnull=True, exposures__status="affected"),
            distinct=True,
        ),
    )
    if exposed is True:
        qs = qs.filter(open_exposures__gt=0)
    elif exposed is False:
        qs = qs.filter(open_exposures=0)
    return qs


def get_host(user, pk: int) -> Host:
    """One host the user may see; Host.DoesNotExist otherwise (a 404, never a 403)."""
    return hosts_for(user).get(pk=pk)


def software_for(
    user,
    *,
    unit: Unit | int | None = None,
    include_subtree: bool = True,
    host: Host | int | None = None,
    method: str = "",
    q: str = "",
) -> QuerySet[Software]:
    """Software entries of the hosts the user may see, with how each was mapped
    (``mapping_method``, ``mapping_rule``, ``cpe_vendor:cpe_product``).

    ``method``: only entries mapped that way ("unmapped" lists what the alias table misses);
    ``q``: text in vendor, product, version or the mapped CPE names.
    """
    qs = Software.objects.filter(host__unit__in=visible_unit_ids(user)).select_related(
        "host", "host__unit", "host__system"
    )
    qs = _unit_filter(user, qs, unit, include_subtree, "host__unit")
    if host is not None:
        qs = qs.filter(host=host)
    if method:
        qs = qs.filter(mapping_method=method)
    if q:
        qs = qs.filter(
            Q(product__icontains=q)
            | Q(vendor__icontains=q)
            | Q(version__icontains=q)
            | Q(cpe_vendor__icontains=q)
            | Q(cpe_product__icontains=q)
        )
    return qs.order_by("host__unit__path", "host__name", "vendor", "product", "version")


def mapping_counts(user, *, unit: Unit | int | None = None) -> dict[str, int]:
    """How many visible software entries each mapping method covered (for the inventory page)."""
    from django.db.models import Count

    rows = (
        software_for(user, unit=unit)
        .order_by()
        .values("mapping_method")
        .annotate(n=Count("pk"))
        .values_list("mapping_method", "n")
    )
    return dict(rows)
