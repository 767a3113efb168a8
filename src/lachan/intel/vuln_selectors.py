"""Reads of vulnerability alerts, scoped to what the user may see. ``user`` None is the system
(the CLI, jobs) and sees everything.

Vulnerability records, KEV and EPSS facts and the Department's advisories are public
information: anyone with a data role reads them. What is *not* public is which unit runs
what: exposures, hosts and the affected-unit lists are always filtered through
``org.selectors.visible_unit_ids`` (the one place of unit isolation).

Exposures are of two kinds (``Exposure.status``): "affected" — the installed version is in
a vulnerable range — and "needs_review" — the matcher could not decide (a version it cannot
compare, a distribution package that may carry a backported fix). Both are listed on the
host and unit pages; only affected exposures make findings and tasks (see ``intel.vulns``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.org.models import DATA_ROLES, Unit
from lachan.org.selectors import is_department_staff, visible_unit_ids, visible_units

from .models import (
    Advisory,
    Exposure,
    ExposureStatus,
    FeedImport,
    RecordStatus,
    SoftwareAlias,
    VulnDuePolicy,
    Vulnerability,
)
from .vuln_rows import MATCH_KEYS, SUMMARY_KEYS, match_sort_key, summary_of  # noqa: F401

MISSING_RECORD = "chưa có trong dữ liệu"
SEVERITIES = ("critical", "high", "medium", "low")
CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")


def _sees_all(user) -> bool:
    return user is None or is_department_staff(user)


def _unit_ids(user):
    return None if user is None else visible_unit_ids(user)


def may_read_vulnerabilities(user) -> bool:
    """Anyone holding a data role (or the system) reads records and advisories."""
    return user is None or visible_units(user, DATA_ROLES).exists()


def may_manage_vulnerabilities(user) -> bool:
    """Department staff import feeds, write advisories and aliases, run matching."""
    return user is None or is_department_staff(user)


# --- exposures --------------------------------------------------------------------------------


def exposures_for(
    user,
    unit: Unit | int | None = None,
    status: str | None = None,
    priority: int | None = None,
    open_only: bool = True,
    *,
    host=None,
    include_subtree: bool = True,
    kev: bool | None = None,
    q: str = "",
) -> QuerySet[Exposure]:
    """Exposures of the units the user may see, worst first.

    - ``unit``: that unit (and the units under it unless ``include_subtree`` is False);
    - ``status``: "affected" or "needs_review" (both when None);
    - ``priority``: 1..4; ``kev``: only KEV (True) / only non-KEV (False);
    - ``open_only``: leave out exposures already resolved (an upgrade, an inventory change);
    - ``host``: one host; ``q``: text in the record id, product label or host name.
    """
    qs = Exposure.objects.select_related(
        "unit", "host", "host__system", "vulnerability", "software"
    )
    ids = _unit_ids(user)
    if ids is not None:
        qs = qs.filter(unit__in=ids)
    if unit is not None:
        unit_id = unit if isinstance(unit, int) else unit.pk
        found = (Unit.objects if user is None else visible_units(user)).filter(pk=unit_id).first()
        if found is None:
            return Exposure.objects.none()
        qs = (
            qs.filter(unit__path__startswith=found.path)
            if include_subtree
            else qs.filter(unit=found)
        )
    if host is not None:
        qs = qs.filter(host=host)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if kev is not None:
        qs = qs.filter(vulnerability__kev=kev)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    if q:
        qs = qs.filter(
            Q(vulnerability__record_id__icontains=q)
            | Q(product_label__icontains=q)
            | Q(host__name__icontains=q)
        )
    return qs.order_by("priority", "-score", "unit__path", "host__name", "vulnerability__record_id")


def exposure_row(exposure: Exposure) -> dict[str, Any]:
    """An exposure as the row object of ``lachan vuln match`` (``MATCH_KEYS``): vendor,
    product and version as the inventory wrote them."""
    vuln = exposure.vulnerability
    software = exposure.software
    if software is not None:
        vendor, product, version = software.vendor, software.product, software.version
    else:  # the entry is gone (the exposure is resolved): what the label kept
        vendor, product, version = "", exposure.product_label, ""
    return {
        "unit_code": exposure.unit.code,
        "host": exposure.host.name,
        "vendor": vendor,
        "product": product,
        "version": version,
        "cve": vuln.record_id,
        "cvss": vuln.cvss,
        "severity": (vuln.severity or "").lower(),
        "kev": vuln.kev,
        "epss": vuln.epss,
        "priority": exposure.priority,
        "fixed_version": exposure.fixed_version or None,
        "status": exposure.status,
    }


def match_rows(user, *, unit: Unit | None = None) -> dict[str, Any]:
    """The open exposures as ``{"summary": {...}, "matches": [...]}``, the same object
    ``lachan vuln match`` prints for files (``lachan vuln matches``, the API)."""
    from lachan.assets.models import Software
    from lachan.assets.selectors import software_for

    exposures = list(exposures_for(user, unit=unit))
    rows = sorted((exposure_row(e) for e in exposures), key=match_sort_key)
    if user is None:
        software = Software.objects.all()
        if unit is not None:
            software = software.filter(host__unit__path__startswith=unit.path)
    else:
        software = software_for(user, unit=unit)
    loaded = (
        Vulnerability.objects.filter(status=RecordStatus.PUBLISHED).exclude(source="kev").count()
    )
    summary = summary_of(rows, cves_loaded=loaded, inventory_rows=software.count())
    return {"summary": summary, "matches": rows}


@dataclass
class HostExposure:
    """A host with its open exposures, for the unit page."""

    host: Any
    affected: list[Exposure] = field(default_factory=list)
    needs_review: list[Exposure] = field(default_factory=list)

    @property
    def worst_priority(self) -> int:
        return min((e.priority for e in self.affected), default=5)

    @property
    def kev_count(self) -> int:
        return sum(1 for e in self.affected if e.vulnerability.kev)


@dataclass
class UnitExposure:
    """A unit's vulnerability picture: open exposures by host, counts by priority, the tasks
    that carry them, and what was fixed lately."""

    unit: Unit
    hosts: list[HostExposure]
    by_priority: dict[int, int]
    needs_review: int
    kev: int
    tasks: list[Any]
    resolved_recently: list[Exposure]

    @property
    def affected(self) -> int:
        return sum(self.by_priority.values())


def unit_exposure(user, unit: Unit, *, recent_days: int = 30) -> UnitExposure | None:
    """The exposure page of one unit (its own hosts, not those of units under it); None when
    the user may not see the unit."""
    from lachan.remediation.models import Task

    if user is not None and not visible_units(user).filter(pk=unit.pk).exists():
        return None
    exposures = list(exposures_for(user, unit=unit, include_subtree=False))
    hosts: dict[int, HostExposure] = {}
    by_priority = {1: 0, 2: 0, 3: 0, 4: 0}
    for e in exposures:
        item = hosts.setdefault(e.host_id, HostExposure(e.host))
        if e.status == ExposureStatus.AFFECTED:
            item.affected.append(e)
            by_priority[e.priority] = by_priority.get(e.priority, 0) + 1
        else:
            item.needs_review.append(e)
    ordered = sorted(hosts.values(), key=lambda h: (h.worst_priority, h.host.name.casefold()))
    since = timezone.now() - dt.timedelta(days=recent_days)
    resolved = list(
        exposures_for(user, unit=unit, include_subtree=False, open_only=False).filter(
            resolved_at__gte=since
        )
    )
    tasks = list(
        Task.objects.filter(unit=unit, problem_key__startswith="vuln:").order_by(
            "status", "due_date", "pk"
        )
    )
    return UnitExposure(
        unit=unit,
        hosts=ordered,
        by_priority=by_priority,
        needs_review=sum(len(h.needs_review) for h in ordered),
        kev=sum(h.kev_count for h in ordered),
        tasks=tasks,
        resolved_recently=resolved,
    )


def host_exposures(user, host) -> HostExposure:
    """A host's open exposures, affected and needing review (empty for a host not visible)."""
    item = HostExposure(host)
    for e in exposures_for(user, host=host):
        (item.affected if e.status == ExposureStatus.AFFECTED else item.needs_review).append(e)
    return item


def exposure_summary_by_unit(user) -> list[dict[str, Any]]:
    """Per visible unit with open exposures: counts by priority, KEV and needing review."""
    rows = (
        exposures_for(user)
        .order_by()
        .values("unit_id", "unit__code", "unit__name")
        .annotate(
            affected=Count("pk", filter=Q(status=ExposureStatus.AFFECTED)),
            needs_review=Count("pk", filter=Q(status=ExposureStatus.NEEDS_REVIEW)),
            kev=Count("pk", filter=Q(status=ExposureStatus.AFFECTED, vulnerability__kev=True)),
            p1=Count("pk", filter=Q(status=ExposureStatus.AFFECTED, priority=1)),
            p2=Count("pk", filter=Q(status=ExposureStatus.AFFECTED, priority=2)),
            p3=Count("pk", filter=Q(status=ExposureStatus.AFFECTED, priority=3)),
            p4=Count("pk", filter=Q(status=ExposureStatus.AFFECTED, priority=4)),
            hosts=Count("host_id", distinct=True),
        )
    )
    return sorted(rows, key=lambda r: (-r["p1"], -r["affected"], r["unit__code"]))


def exposure_timeseries(user, days: int = 90, *, unit: Unit | None = None) -> dict[str, Any]:
    """Open affected exposures at the end of each of the last ``days`` days (local time), for
    the charts: ``{"days": [date, …], "by_priority": {1: [n, …], …, 4: […]},
    "by_unit": {unit code: [n, …]} (most exposed today first), "units": {unit code: name}}``.
    An exposure counts on a day when it was first seen by the day's end and not resolved by
    then (its priority is today's)."""
    import numpy as np

    today = timezone.localdate()
    first_day = today - dt.timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    ends = np.array(
        [
            dt.datetime.combine(
                first_day + dt.timedelta(days=i + 1), dt.time.min, tzinfo=tz
            ).timestamp()
            for i in range(days)
        ]
    )
    start = dt.datetime.fromtimestamp(ends[0], tz=tz) - dt.timedelta(days=1)
    qs = exposures_for(user, unit=unit, status=ExposureStatus.AFFECTED, open_only=False).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=start)
    )
    rows = list(
        qs.order_by().values_list(
            "first_seen", "resolved_at", "priority", "unit__code", "unit__name"
        )
    )
    names = {code: name for _f, _r, _p, code, name in rows}

    def series(members: list[tuple]) -> list[int]:
        # Open at a day's end = first seen before it, less resolved before it (resolved_at is
        # never before first_seen).
        seen = np.sort(np.array([m[0].timestamp() for m in members]))
        gone = np.sort(np.array([m[1].timestamp() for m in members if m[1] is not None]))
        opened = np.searchsorted(seen, ends, side="left")
        closed = np.searchsorted(gone, ends, side="left") if len(gone) else 0
        return [int(n) for n in opened - closed]

    groups: dict[Any, list[tuple]] = defaultdict(list)
    for row in rows:
        groups[("p", row[2])].append(row)
        groups[("u", row[3])].append(row)
    by_priority = {
        p: series(groups[("p", p)]) if groups[("p", p)] else [0] * days for p in (1, 2, 3, 4)
    }
    by_unit = {code: series(groups[("u", code)]) for code in names}
    return {
        "days": [first_day + dt.timedelta(days=i) for i in range(days)],
        "by_priority": by_priority,
        "by_unit": dict(sorted(by_unit.items(), key=lambda kv: (-kv[1][-1], kv[0]))),
        "units": names,
    }


# --- vulnerability records --------------------------------------------------------------------


def vulnerabilities_search(
    user,
    q: str = "",
    kev: bool | None = None,
    severity: str | None = None,
    *,
    include_rejected: bool = False,
    exposed_only: bool = False,
) -> QuerySet[Vulnerability]:
    """Records matching ``q`` (a CVE id or part of one, a word of the description, a
    ``vendor:product`` or product name), newest first, each with ``open_exposures`` and
    ``affected_units``: counts within the units the user may see (never beyond).

    ``kev``: only KEV records (True) or only the others (False); ``severity``: "critical",
    "high", "medium" or "low" (CVSS v3.1, else v4.0); ``exposed_only``: only records with
    open exposures the user may see."""
    if not may_read_vulnerabilities(user):
        return Vulnerability.objects.none()
    qs = Vulnerability.objects.all()
    if not include_rejected:
        qs = qs.filter(status=RecordStatus.PUBLISHED)
    q = (q or "").strip()
    if q:
        upper = q.upper()
        if CVE_ID.match(upper) or upper.startswith("ADV-"):
            qs = qs.filter(record_id__iexact=upper)
        else:
            qs = qs.filter(
                Q(record_id__icontains=q)
                | Q(description__icontains=q)
                | Q(summary_vi__icontains=q)
                | Q(products__icontains=q.casefold().replace(" ", "_"))
            )
    if kev is not None:
        qs = qs.filter(kev=kev)
    if severity:
        severity = severity.lower()
        qs = qs.filter(
            Q(cvss31_severity__iexact=severity)
            | (Q(cvss31_severity="") & Q(cvss40_severity__iexact=severity))
        )
    ids = _unit_ids(user)
    open_q = Q(exposures__resolved_at__isnull=True)
    if ids is not None:
        open_q &= Q(exposures__unit__in=ids)
    qs = qs.annotate(
        open_exposures=Count("exposures", filter=open_q, distinct=True),
        affected_units=Count("exposures__unit", filter=open_q, distinct=True),
    )
    if exposed_only:
        qs = qs.filter(open_exposures__gt=0)
    return qs.order_by("-kev", "-published", "record_id")


@dataclass
class AffectedUnit:
    """A unit with the hosts where a record is open, for the record's page."""

    unit: Unit
    hosts: list[Any]
    exposures: list[Exposure]


@dataclass
class VulnerabilityDetail:
    vulnerability: Vulnerability
    affected_units: list[AffectedUnit]
    exposures: list[Exposure]  # open, in the user's units
    resolved: list[Exposure]  # resolved, in the user's units
    advisories: list[Advisory]
    products: list[str]

    @property
    def affected_hosts(self) -> int:
        return len({e.host_id for e in self.exposures})


def vulnerability_detail(user, record_id: str) -> VulnerabilityDetail:
    """One record with where it is open among the units the user may see, the advisories
    that name it, and its products. Raises Vulnerability.DoesNotExist."""
    if not may_read_vulnerabilities(user):
        raise Vulnerability.DoesNotExist
    vuln = Vulnerability.objects.get(record_id__iexact=record_id.strip())
    exposures = list(exposures_for(user).filter(vulnerability=vuln))
    resolved = list(
        exposures_for(user, open_only=False).filter(vulnerability=vuln, resolved_at__isnull=False)
    )
    units: dict[int, AffectedUnit] = {}
    for e in exposures:
        item = units.setdefault(e.unit_id, AffectedUnit(e.unit, [], []))
        item.exposures.append(e)
        if all(h.pk != e.host_id for h in item.hosts):
            item.hosts.append(e.host)
    advisories = [a for a in Advisory.objects.all() if vuln.record_id in (a.cve_ids or [])]
    linked = Advisory.objects.filter(record=vuln).first()
    if linked is not None and linked not in advisories:
        advisories.insert(0, linked)
    return VulnerabilityDetail(
        vulnerability=vuln,
        affected_units=sorted(units.values(), key=lambda u: u.unit.path),
        exposures=exposures,
        resolved=resolved,
        advisories=advisories,
        products=list(vuln.products or []),
    )


def configuration_rows(vuln: Vulnerability) -> list[dict[str, Any]]:
    """The CPE match criteria of a record as rows to show: ``product`` (vendor:product),
    ``criteria``, ``range`` (a Vietnamese phrase), ``vulnerable``, ``platform`` (True for the
    "running on" part of an AND configuration)."""
    rows = []
    for config in vuln.configurations or []:
        for node in config.get("nodes", []):
            for m in node.get("cpeMatch", []):
                parts = m.get("criteria", "").split(":")
                rows.append(
                    {
                        "product": ":".join(parts[3:5]) if len(parts) > 4 else m.get("criteria"),
                        "criteria": m.get("criteria", ""),
                        "range": range_text(m, parts[5] if len(parts) > 5 else "*"),
                        "vulnerable": m.get("vulnerable", True),
                        "platform": not m.get("vulnerable", True),
                    }
                )
    return rows


def range_text(match: dict[str, Any], exact: str = "*") -> str:
    """ "từ 2.4.0 đến trước 2.4.50" and the like, from NVD bounds; the exact version when
    the criteria gives one; "mọi phiên bản" when nothing bounds it."""
    low_in, low_ex = match.get("versionStartIncluding"), match.get("versionStartExcluding")
    high_in, high_ex = match.get("versionEndIncluding"), match.get("versionEndExcluding")
    parts = []
    if low_in:
        parts.append(_("từ %(v)s") % {"v": low_in})
    elif low_ex:
        parts.append(_("sau %(v)s") % {"v": low_ex})
    if high_in:
        parts.append(_("đến %(v)s") % {"v": high_in})
    elif high_ex:
        parts.append(_("trước %(v)s") % {"v": high_ex})
    if parts:
        return " ".join(parts)
    if exact not in {"*", "-", ""}:
        return _("phiên bản %(v)s") % {"v": exact.replace("\\", "")}
    return _("mọi phiên bản")


# --- advisories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CveLink:
    """A CVE id an advisory names, with its record when the data has it."""

    cve_id: str
    vulnerability: Vulnerability | None

    @property
    def label(self) -> str:
        return (
            self.cve_id if self.vulnerability is not None else f"{self.cve_id} ({MISSING_RECORD})"
        )

    @property
    def missing(self) -> bool:
        return self.vulnerability is None


def advisories_for(user, *, q: str = "") -> QuerySet[Advisory]:
    """The Department's advisories, newest first (public warnings: every data role reads
    them). Use ``advisory_cves`` for the CVE ids with their records."""
    if not may_read_vulnerabilities(user):
        return Advisory.objects.none()
    qs = Advisory.objects.select_related("record", "created_by")
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(reference_number__icontains=q)
            | Q(source_detail__icontains=q)
            | Q(cve_ids__icontains=q.upper())
        )
    return qs.order_by("-issued_on", "-pk")


def get_advisory(user, pk: int) -> Advisory:
    return advisories_for(user).get(pk=pk)


def advisory_cves(advisory: Advisory) -> list[CveLink]:
    """The advisory's CVE ids in its order, each linked to its record or shown as
    "chưa có trong dữ liệu"."""
    ids = [c for c in advisory.cve_ids or [] if c]
    found = {v.record_id: v for v in Vulnerability.objects.filter(record_id__in=ids)}
    return [CveLink(c, found.get(c)) for c in ids]


def advisory_exposures(user, advisory: Advisory) -> QuerySet[Exposure]:
    """Open exposures, within the user's units, of the advisory's own record and its CVEs."""
    ids = list(advisory.cve_ids or [])
    if advisory.record_id:
        ids.append(advisory.record.record_id)
    return exposures_for(user).filter(vulnerability__record_id__in=ids)


# --- the software-name alias table ------------------------------------------------------------


@dataclass(frozen=True)
class AliasEntry:
    """A rule of the alias table as the inventory page shows it: ``origin`` "default" (shipped
    with the program) or "custom" (an officer's ``SoftwareAlias`` row, ``alias``);
    ``overridden``: a default that a custom row with the same kind and pattern replaces."""

    kind: str
    pattern: str
    cpe_vendor: str
    cpe_product: str
    part: str
    version_pattern: str
    note: str
    origin: str
    alias: SoftwareAlias | None = None
    overridden: bool = False


def alias_table() -> list[AliasEntry]:
    """Every alias rule: the defaults and the officers' rows, which is which, and which
    defaults a row overrides. Custom rows first."""
    custom = list(SoftwareAlias.objects.order_by("kind", "pattern"))
    keys = {(a.kind, a.pattern.casefold()) for a in custom}
    entries = [
        AliasEntry(
            kind=a.kind,
            pattern=a.pattern,
            cpe_vendor=a.cpe_vendor,
            cpe_product=a.cpe_product,
            part=a.part,
            version_pattern=a.version_pattern,
            note=a.note,
            origin="custom",
            alias=a,
        )
        for a in custom
    ]
    for rule in _default_alias_rules():
        entries.append(
            AliasEntry(
                **rule,
                origin="default",
                overridden=(rule["kind"], rule["pattern"].casefold()) in keys,
            )
        )
    return entries


def _default_alias_rules() -> list[dict[str, str]]:
    """The shipped rules as plain dicts (kind, pattern, cpe_vendor, cpe_product, part,
    version_pattern, note)."""
    from lachan.engine import software as engine_software

    return [
        {
            "kind": row.kind,
            "pattern": row.pattern,
            "cpe_vendor": row.cpe_vendor,
            "cpe_product": row.cpe_product,
            "part": row.part,
            "version_pattern": row.version_pattern,
            "note": row.name
            if not row.note
            else f"{row.name}: {row.note}"
            if row.name
            else row.note,
        }
        for row in engine_software.load_default_aliases()
    ]


_ALIAS_CACHE: dict[str, Any] = {"key": None, "table": None}


def alias_rows() -> list:
    """The officers' ``SoftwareAlias`` rows as the engine's ``AliasRow`` (in creation order)."""
    from lachan.engine import software as engine_software

    return [
        engine_software.AliasRow(
            kind=a.kind,
            pattern=a.pattern,
            cpe_vendor=a.cpe_vendor,
            cpe_product=a.cpe_product,
            part=a.part or "a",
            version_pattern=a.version_pattern,
            name=a.pattern,
            note=a.note,
        )
        for a in SoftwareAlias.objects.order_by("pk")
    ]


def matching_aliases():
    """The engine's alias table: the officers' ``SoftwareAlias`` rows first (they win), then
    the shipped defaults. Cached in the process until the rows change."""
    from lachan.engine import software as engine_software

    rows = alias_rows()  # a few officer rows: comparing them all is the cheapest key
    key = tuple(rows)
    if _ALIAS_CACHE["key"] == key and _ALIAS_CACHE["table"] is not None:
        return _ALIAS_CACHE["table"]
    table = engine_software.AliasTable([*rows, *engine_software.load_default_aliases()])
    _ALIAS_CACHE.update(key=key, table=table)
    return table


def forget_alias_cache() -> None:
    _ALIAS_CACHE.update(key=None, table=None)


# --- feeds and policy -------------------------------------------------------------------------


def feed_imports_for(user) -> QuerySet[FeedImport]:
    """The log of feed imports (Department staff only)."""
    if not may_manage_vulnerabilities(user):
        return FeedImport.objects.none()
    return FeedImport.objects.select_related("imported_by").order_by("-started_at", "-pk")


def vuln_due_policy() -> dict[str, int]:
    """Days to fix a vulnerability task by its worst item: kev, critical, high, medium, low."""
    stored = dict(VulnDuePolicy.objects.values_list("key", "days"))
    return {k: stored.get(k, VulnDuePolicy.DEFAULT_DAYS[k]) for k in VulnDuePolicy.KEYS}


def feed_status() -> dict[str, Any]:
    """What the data holds: record counts, KEV and EPSS coverage, last import of each kind."""
    counts = Vulnerability.objects.aggregate(
        records=Count("pk", filter=Q(status=RecordStatus.PUBLISHED)),
        rejected=Count("pk", filter=Q(status=RecordStatus.REJECTED)),
        kev=Count("pk", filter=Q(kev=True)),
        epss=Count("pk", filter=Q(epss__isnull=False)),
        advisories=Count("pk", filter=Q(source="advisory")),
    )
    last = {}
    for kind in ("records", "kev", "epss"):
        last[kind] = FeedImport.objects.filter(kind=kind).order_by("-started_at", "-pk").first()
    return {**counts, "last": last}


def exposure_counts_by_host(user, hosts) -> dict[int, dict[str, int]]:
    """{host id: {"affected": n, "needs_review": n, "kev": n}} of open exposures."""
    out: dict[int, dict[str, int]] = defaultdict(
        lambda: {"affected": 0, "needs_review": 0, "kev": 0}
    )
    rows = (
        exposures_for(user)
        .filter(host__in=hosts)
        .order_by()
        .values_list("host_id", "status", "vulnerability__kev")
    )
    for host_id, status, kev in rows:
        out[host_id][status] += 1
        if kev and status == ExposureStatus.AFFECTED:
            out[host_id]["kev"] += 1
    return dict(out)
