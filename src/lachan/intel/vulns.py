"""Writes of vulnerability alerts: feed imports (CVE records, KEV, EPSS), the Department's
advisories, the software-name alias table, the due-date policy, and matching the inventory
against the records (exposures → findings → one task per host).

Keyword-only, one transaction each, audited; ``actor`` None is the system (the CLI, jobs).
Feeds, advisories, aliases and matching are the Department's (``is_department_staff``); the
due-date policy is its administrators'.

Matching (``run_matching``) and what it decides:

- every published record with configurations goes into the engine's index (built once per
  state of the data and cached in the process); every software entry of the units concerned
  is matched with its stored CPE identity (``Software.cpe_*``);
- an **affected** match makes an ``Exposure`` (status "affected"), a ``Finding`` per (unit,
  host, record) — severity critical for KEV, else the CVSS severity — and ONE task per (unit,
  host), problem key ``vuln:<host pk>``, with every record in its guidance and a due date from
  ``VulnDuePolicy`` (the worst item of the host; an advisory's deadline when earlier);
- a **needs_review** match (a version the engine cannot compare, a distribution package that
  may carry a backported fix) makes an ``Exposure`` with status "needs_review" only: it is
  listed on the host and unit pages, and under "Cần kiểm tra thêm" in the guidance of the
  host's task when the host has one, but it opens no finding and no task by itself —
  a guess must not send a school to upgrade software that may already be fixed;
- an exposure no longer found (an upgrade, an inventory change, a record withdrawn) gets
  ``resolved_at`` and a note, its finding is resolved, and the host's task gets a comment
  listing what disappeared. The task is never closed here: the Department verifies it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.assets.models import Host, Software
from lachan.audit.services import record, snapshot
from lachan.engine import vulndata as vd
from lachan.org.models import Unit
from lachan.org.selectors import is_department_admin, is_department_staff
from lachan.remediation.models import Finding, Severity, SourceKind, Task
from lachan.remediation.models.tasks import UNFINISHED_STATUSES

from .models import (
    Advisory,
    AdvisorySource,
    AliasKind,
    Exposure,
    ExposureStatus,
    FeedImport,
    RecordStatus,
    SoftwareAlias,
    VulnDuePolicy,
    Vulnerability,
)
from .vuln_selectors import CVE_ID, forget_alias_cache

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# Called with ``engine.feeds.FeedProgress`` (files and bytes read, records so far).
ProgressCallback = Callable[[Any], None]


def _require_department(actor) -> None:
    if actor is not None and not is_department_staff(actor):
        raise PermissionDenied


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- records as JSON and back -----------------------------------------------------------------


def _match_json(m: vd.CpeMatch) -> dict[str, Any]:
    out: dict[str, Any] = {"criteria": m.criteria, "vulnerable": m.vulnerable}
    for key, value in (
        ("versionStartIncluding", m.version_start_including),
        ("versionStartExcluding", m.version_start_excluding),
        ("versionEndIncluding", m.version_end_including),
        ("versionEndExcluding", m.version_end_excluding),
    ):
        if value is not None:
            out[key] = value
    return out


def configurations_json(configurations: Iterable[vd.Configuration]) -> list[dict[str, Any]]:
    """Engine configurations in the NVD CVE API 2.0 shape, as stored in
    ``Vulnerability.configurations``."""
    return [
        {
            "operator": c.operator,
            "negate": c.negate,
            "nodes": [
                {
                    "operator": n.operator,
                    "negate": n.negate,
                    "cpeMatch": [_match_json(m) for m in n.matches],
                }
                for n in c.nodes
            ],
        }
        for c in configurations
    ]


def configurations_from_json(data: Any) -> tuple[vd.Configuration, ...]:
    """``Vulnerability.configurations`` back into engine configurations."""
    configs = []
    for c in data or []:
        nodes = []
        for n in c.get("nodes", []):
            matches = tuple(
                vd.CpeMatch(
                    criteria=m["criteria"],
                    vulnerable=bool(m.get("vulnerable", True)),
                    version_start_including=m.get("versionStartIncluding"),
                    version_start_excluding=m.get("versionStartExcluding"),
                    version_end_including=m.get("versionEndIncluding"),
                    version_end_excluding=m.get("versionEndExcluding"),
                )
                for m in n.get("cpeMatch", [])
            )
            nodes.append(
                vd.Node(
                    operator=n.get("operator", "OR"), negate=bool(n.get("negate")), matches=matches
                )
            )
        configs.append(
            vd.Configuration(
                operator=c.get("operator", "OR"), negate=bool(c.get("negate")), nodes=tuple(nodes)
            )
        )
    return tuple(configs)


def configuration_products(configurations: Iterable[vd.Configuration]) -> list[str]:
    """``vendor:product`` of the vulnerable criteria, in order, for search."""
    seen: dict[str, None] = {}
    for c in configurations:
        for n in c.nodes:
            for m in n.matches:
                parts = m.criteria.split(":")
                if m.vulnerable and len(parts) > 4:
                    seen.setdefault(f"{parts[3]}:{parts[4]}", None)
    return list(seen)


def _cvss_fields(prefix: str, cvss: vd.Cvss | None) -> dict[str, Any]:
    if cvss is None:
        return {f"{prefix}_score": None, f"{prefix}_vector": "", f"{prefix}_severity": ""}
    return {
        f"{prefix}_score": cvss.score,
        f"{prefix}_vector": (cvss.vector or "")[: 200 if prefix == "cvss31" else 300],
        f"{prefix}_severity": (cvss.severity or "").lower()[:10],
    }


def record_fields(rec: vd.VulnRecord) -> dict[str, Any]:
    """The ``Vulnerability`` fields a feed record sets (KEV and EPSS are set by their own
    imports; the Vietnamese summary by hand)."""
    return {
        "source": (rec.source or "")[:20],
        "description": rec.description or "",
        "published": rec.published,
        "modified": rec.modified,
        "status": RecordStatus.REJECTED if rec.status == vd.REJECTED else RecordStatus.PUBLISHED,
        **_cvss_fields("cvss31", rec.cvss31),
        **_cvss_fields("cvss40", rec.cvss40),
        "cwes": list(rec.cwes),
        "references": list(rec.references),
        "configurations": configurations_json(rec.configurations),
        "products": configuration_products(rec.configurations),
    }


RECORD_FIELDS = (
    "source",
    "description",
    "published",
    "modified",
    "status",
    "cvss31_score",
    "cvss31_vector",
    "cvss31_severity",
    "cvss40_score",
    "cvss40_vector",
    "cvss40_severity",
    "cwes",
    "references",
    "configurations",
    "products",
)


def content_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of a record's normalised fields: a re-import of the same content is skipped."""
    payload = json.dumps(
        {k: fields[k] for k in RECORD_FIELDS}, sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _merge(incoming: dict[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """A record from one source does not erase what another gave and it lacks: CPE
    configurations (a CVE JSON 5 record without them after an NVD one) and CVSS."""
    merged = dict(incoming)
    if not merged["configurations"] and current.get("configurations"):
        merged["configurations"] = current["configurations"]
        merged["products"] = current.get("products") or []
    for prefix in ("cvss31", "cvss40"):
        if merged[f"{prefix}_score"] is None and current.get(f"{prefix}_score") is not None:
            for suffix in ("score", "vector", "severity"):
                merged[f"{prefix}_{suffix}"] = current[f"{prefix}_{suffix}"]
    return merged


def _cvss_from(score, vector: str, severity: str, version: str) -> vd.Cvss | None:
    if score is None:
        return None
    if vector.startswith("CVSS:3.0"):
        version = "3.0"
    return vd.Cvss(version=version, score=float(score), vector=vector, severity=severity.lower())


# Nominal scores for an advisory's severity (it has no CVSS of its own): the middle of the
# CVSS band, so that priority treats it like a record of that severity.
ADVISORY_SCORES = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.5}


def engine_record(row: Mapping[str, Any]) -> vd.VulnRecord:
    """A stored record (a ``values()`` dict) as the engine's ``VulnRecord`` for matching."""
    cvss31 = _cvss_from(
        row["cvss31_score"], row["cvss31_vector"] or "", row["cvss31_severity"] or "", "3.1"
    )
    if cvss31 is None and row.get("source") == "advisory" and row["cvss31_severity"]:
        severity = row["cvss31_severity"].lower()
        cvss31 = vd.Cvss("advisory", ADVISORY_SCORES.get(severity, 5.5), "", severity)
    return vd.VulnRecord(
        record_id=row["record_id"],
        status=vd.REJECTED if row["status"] == RecordStatus.REJECTED else vd.PUBLISHED,
        cvss31=cvss31,
        cvss40=_cvss_from(
            row["cvss40_score"], row["cvss40_vector"] or "", row["cvss40_severity"] or "", "4.0"
        ),
        configurations=configurations_from_json(row["configurations"]),
        source=row.get("source") or "",
    )


# --- feed imports -----------------------------------------------------------------------------


def _feed_error(exc: Exception) -> ValidationError:
    return ValidationError(" ".join(str(exc).split()))


def _paths_label(paths: Sequence[Path]) -> str:
    names = ", ".join(p.name or str(p) for p in paths[:5])
    if len(paths) > 5:
        names += _(" và %(n)d tệp khác") % {"n": len(paths) - 5}
    return names[:500]


@dataclass
class _Counts:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


def _store_batch(batch: dict[str, vd.VulnRecord], counts: _Counts) -> None:
    """Create or update a batch of records in place by record id; unchanged ones skipped."""
    now = timezone.now()
    existing = {
        row["record_id"]: row
        for row in Vulnerability.objects.filter(record_id__in=list(batch)).values(
            "pk", "record_id", "content_hash", *RECORD_FIELDS
        )
    }
    to_create: list[Vulnerability] = []
    to_update: list[Vulnerability] = []
    for record_id, rec in batch.items():
        fields = record_fields(rec)
        digest = content_hash(fields)
        if fields["status"] == RecordStatus.REJECTED:
            counts.rejected += 1
        current = existing.get(record_id)
        if current is None:
            to_create.append(Vulnerability(record_id=record_id, content_hash=digest, **fields))
            continue
        if current["content_hash"] == digest:
            counts.unchanged += 1
            continue
        merged = _merge(fields, current)
        to_update.append(
            Vulnerability(pk=current["pk"], content_hash=digest, updated_at=now, **merged)
        )
    if to_create:
        Vulnerability.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Vulnerability.objects.bulk_update(
            to_update, [*RECORD_FIELDS, "content_hash", "updated_at"], batch_size=500
        )
    counts.created += len(to_create)
    counts.updated += len(to_update)


def import_records(
    *,
    actor,
    paths: Sequence[str | Path],
    progress: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
) -> FeedImport:
    """Import CVE records (NVD CVE API 2.0 JSON, CVE JSON 5 files, folders of them, .gz)
    streaming: records are read, compared and written in batches of ``batch_size``, never all
    held at once. A record already stored is updated in place (skipped when its content is
    unchanged); a rejected or withdrawn one is marked so. All or nothing: a file that cannot
    be read stores nothing (ValidationError). One FeedImport and one audit record; matching
    is re-run after the commit."""
    from lachan.engine import feeds

    _require_department(actor)
    paths = [Path(p) for p in paths]
    counts = _Counts()
    with transaction.atomic():
        feed = FeedImport.objects.create(
            kind="records", name=_paths_label(paths), imported_by=_user(actor)
        )
        batch: dict[str, vd.VulnRecord] = {}
        try:
            for rec in feeds.iter_records(paths, progress=progress):
                counts.records += 1
                previous = batch.get(rec.record_id)
                if previous is not None and not rec.configurations and previous.configurations:
                    # Two sources of one record in a batch: keep the CPE configurations.
                    rec.configurations = previous.configurations
                batch[rec.record_id] = rec
                if len(batch) >= batch_size:
                    _store_batch(batch, counts)
                    batch = {}
            if batch:
                _store_batch(batch, counts)
        except feeds.FeedError as exc:
            raise _feed_error(exc) from exc
        _finish(feed, counts)
        record(
            actor=actor,
            action="vuln.import_records",
            obj=feed,
            after=snapshot(feed, ["kind", "name", "records", "created", "updated", "rejected"]),
            message=_(
                "%(records)d bản ghi: %(created)d thêm mới, %(updated)d cập nhật, "
                "%(unchanged)d không đổi, %(rejected)d bị từ chối/thu hồi"
            )
            % vars(counts),
        )
        if counts.created or counts.updated:
            schedule_rematch()
    return feed


def _finish(feed: FeedImport, counts: _Counts) -> None:
    feed.records = counts.records
    feed.created = counts.created
    feed.updated = counts.updated
    feed.rejected = counts.rejected
    feed.finished_at = timezone.now()
    feed.save()


KEV_FIELDS = (
    "kev",
    "kev_date_added",
    "kev_due_date",
    "kev_ransomware",
    "kev_required_action",
)


def _kev_values(entry: vd.KevEntry | None) -> dict[str, Any]:
    if entry is None:
        return {
            "kev": False,
            "kev_date_added": None,
            "kev_due_date": None,
            "kev_ransomware": False,
            "kev_required_action": "",
        }
    return {
        "kev": True,
        "kev_date_added": entry.date_added,
        "kev_due_date": entry.due_date,
        "kev_ransomware": bool(entry.ransomware),
        "kev_required_action": entry.required_action or "",
    }


@transaction.atomic
def import_kev(*, actor, path: str | Path) -> FeedImport:
    """Import the CISA KEV catalogue (JSON or CSV): flags, dates, ransomware use and the
    required action set on every record it lists, cleared on records it no longer lists.
    A KEV CVE whose record is not in the data yet gets a placeholder record (source "kev",
    no configurations: it matches nothing until its record is imported, and keeps its flag
    then). One FeedImport, one audit record, matching re-run after the commit."""
    from lachan.engine import feeds

    _require_department(actor)
    path = Path(path)
    try:
        entries = feeds.read_kev(path)
    except feeds.FeedError as exc:
        raise _feed_error(exc) from exc
    feed = FeedImport.objects.create(kind="kev", name=path.name[:500], imported_by=_user(actor))
    counts = _Counts(records=len(entries))
    now = timezone.now()
    changed: list[Vulnerability] = []
    found: set[str] = set()
    rows = Vulnerability.objects.filter(Q(kev=True) | Q(record_id__in=list(entries))).values(
        "pk", "record_id", *KEV_FIELDS
    )
    for row in rows.iterator(chunk_size=BATCH_SIZE):
        found.add(row["record_id"])
        wanted = _kev_values(entries.get(row["record_id"]))
        if all(row[k] == v for k, v in wanted.items()):
            continue
        changed.append(Vulnerability(pk=row["pk"], updated_at=now, **wanted))
    Vulnerability.objects.bulk_update(changed, [*KEV_FIELDS, "updated_at"], batch_size=500)
    stubs = [
        Vulnerability(
            record_id=cve_id,
            source="kev",
            description=entry.name or f"{entry.vendor} {entry.product}".strip(),
            **_kev_values(entry),
        )
        for cve_id, entry in entries.items()
        if cve_id not in found
    ]
    Vulnerability.objects.bulk_create(stubs, batch_size=500)
    counts.updated, counts.created = len(changed), len(stubs)
    _finish(feed, counts)
    record(
        actor=actor,
        action="vuln.import_kev",
        obj=feed,
        after=snapshot(feed, ["kind", "name", "records", "created", "updated"]),
        message=_(
            "%(records)d lỗ hổng trong danh mục KEV: %(updated)d bản ghi thay đổi, %(created)d "
            "chưa có bản ghi (tạo bản ghi tạm)"
        )
        % vars(counts),
    )
    if changed or stubs:
        schedule_rematch()
    return feed


EPSS_FIELDS = ("epss", "epss_percentile", "epss_date")


@transaction.atomic
def import_epss(*, actor, path: str | Path) -> FeedImport:
    """Import EPSS scores (CSV, gzipped or not) onto the records the data has; scores of
    CVEs without a record are not kept (import the records first: ``lachan vuln import`` does).
    One FeedImport, one audit record, matching re-run after the commit."""
    from lachan.engine import feeds

    _require_department(actor)
    path = Path(path)
    try:
        scores = feeds.read_epss(path)
    except feeds.FeedError as exc:
        raise _feed_error(exc) from exc
    feed = FeedImport.objects.create(kind="epss", name=path.name[:500], imported_by=_user(actor))
    counts = _Counts(records=len(scores))
    now = timezone.now()
    changed: list[Vulnerability] = []
    matched = 0
    rows = Vulnerability.objects.filter(record_id__startswith="CVE-").values_list(
        "pk", "record_id", *EPSS_FIELDS
    )
    for pk, record_id, epss, percentile, day in rows.iterator(chunk_size=BATCH_SIZE):
        score = scores.get(record_id)
        if score is None:
            continue
        matched += 1
        if (epss, percentile, day) == (score.epss, score.percentile, score.date):
            continue
        changed.append(
            Vulnerability(
                pk=pk,
                epss=score.epss,
                epss_percentile=score.percentile,
                epss_date=score.date,
                updated_at=now,
            )
        )
        if len(changed) >= BATCH_SIZE:
            Vulnerability.objects.bulk_update(changed, [*EPSS_FIELDS, "updated_at"])
            counts.updated += len(changed)
            changed = []
    Vulnerability.objects.bulk_update(changed, [*EPSS_FIELDS, "updated_at"])
    counts.updated += len(changed)
    _finish(feed, counts)
    record(
        actor=actor,
        action="vuln.import_epss",
        obj=feed,
        after=snapshot(feed, ["kind", "name", "records", "updated"]),
        message=_("%(n)d điểm EPSS: %(matched)d khớp bản ghi, %(updated)d thay đổi")
        % {"n": counts.records, "matched": matched, "updated": counts.updated},
    )
    if counts.updated:
        schedule_rematch()
    return feed


def _head_text(path: Path, size: int = 65536) -> str:
    with path.open("rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        try:
            data = stream.read(size)
        except (OSError, EOFError):
            return ""
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def detect_feed_kind(path: str | Path) -> str:
    """ "kev" (the CISA catalogue, JSON or CSV), "epss" (a scores CSV) or "records" (CVE
    records: NVD or CVE JSON 5 files, folders), by content rather than by name."""
    path = Path(path)
    if path.is_dir():
        return "records"
    head = _head_text(path)
    stripped = head.lstrip()
    first = stripped.splitlines()[0].strip().lower() if stripped else ""
    if first.startswith("#model_version") or first.startswith("cve,epss"):
        return "epss"
    if first.startswith("cveid,vendorproject") or first.replace('"', "").startswith(
        "cveid,vendorproject"
    ):
        return "kev"
    if stripped.startswith("{") and '"catalogVersion"' in head[:4096]:
        return "kev"
    return "records"


def import_feed_files(
    *,
    actor,
    paths: Sequence[str | Path],
    kev: str | Path | None = None,
    epss: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> list[FeedImport]:
    """Import files of any kind, recognised by content: records first, then the KEV
    catalogue, then EPSS scores (so scores land on the records just imported)."""
    records, kevs, epsss = [], [Path(kev)] if kev else [], [Path(epss)] if epss else []
    for path in map(Path, paths):
        kind = detect_feed_kind(path) if path.exists() else "records"
        {"records": records, "kev": kevs, "epss": epsss}[kind].append(path)
    done = []
    if records:
        done.append(import_records(actor=actor, paths=records, progress=progress))
    done.extend(import_kev(actor=actor, path=p) for p in kevs)
    done.extend(import_epss(actor=actor, path=p) for p in epsss)
    return done


# --- optional online download -----------------------------------------------------------------

FEED_KINDS = ("records", "kev", "epss")


def download_feeds(
    *, actor=None, urls: Mapping[str, str | Sequence[str]] | None = None, directory=None
) -> list[FeedImport]:
    """Download the feeds configured in ``LACHAN_FEED_URLS`` (``{"records"|"kev"|"epss":
    URL or [URL, …]}``; empty by default: nothing is downloaded) into
    ``LACHAN_HOME/feeds`` and import them. Raises ValidationError naming the URL that failed;
    nothing is imported then."""
    import httpx

    urls = dict(getattr(settings, "LACHAN_FEED_URLS", {}) if urls is None else urls)
    if not urls:
        return []
    unknown = set(urls) - set(FEED_KINDS)
    if unknown:
        raise ValidationError(
            _("Loại nguồn không hợp lệ: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}
        )
    directory = Path(directory or Path(settings.LACHAN_HOME) / "feeds")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    fetched: dict[str, list[Path]] = defaultdict(list)
    with httpx.Client(timeout=120, follow_redirects=True) as client:
        for kind in FEED_KINDS:
            targets = urls.get(kind) or []
            for i, url in enumerate([targets] if isinstance(targets, str) else targets):
                name = Path(httpx.URL(url).path).name or f"{kind}.json"
                target = directory / f"{stamp}-{kind}-{i}-{name}"
                try:
                    with client.stream("GET", url) as response:
                        response.raise_for_status()
                        with target.open("wb") as out:
                            for chunk in response.iter_bytes(1 << 16):
                                out.write(chunk)
                except httpx.HTTPError as exc:
                    raise ValidationError(
                        _("Không tải được %(url)s: %(e)s") % {"url": url, "e": exc}
                    ) from exc
                fetched[kind].append(target)
    done = []
    if fetched["records"]:
        done.append(import_records(actor=actor, paths=fetched["records"]))
    done.extend(import_kev(actor=actor, path=p) for p in fetched["kev"])
    done.extend(import_epss(actor=actor, path=p) for p in fetched["epss"])
    return done


# --- advisories -------------------------------------------------------------------------------

ADVISORY_FIELDS = (
    "title",
    "source",
    "source_detail",
    "issued_on",
    "reference_number",
    "url",
    "cve_ids",
    "products",
    "required_action",
    "deadline",
)
ADVISORY_AUDIT = [*ADVISORY_FIELDS, "record"]
BOUND_KEYS = (
    "version_start_including",
    "version_start_excluding",
    "version_end_including",
    "version_end_excluding",
)
_NVD_BOUND = {
    "version_start_including": "versionStartIncluding",
    "version_start_excluding": "versionStartExcluding",
    "version_end_including": "versionEndIncluding",
    "version_end_excluding": "versionEndExcluding",
}


def parse_cve_ids(value: str | Iterable[str]) -> list[str]:
    """CVE ids from a list or a text ("CVE-2024-4577, cve-2021-41773"), upper-case, in order,
    without duplicates; ValidationError naming the bad ones."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    ids = list(dict.fromkeys(str(i).strip().upper() for i in items if str(i).strip()))
    bad = [i for i in ids if not CVE_ID.match(i)]
    if bad:
        raise ValidationError(
            {
                "cve_ids": _("Mã CVE không hợp lệ: %(ids)s (dạng đúng: CVE-2024-4577).")
                % {"ids": ", ".join(bad)}
            }
        )
    return ids


def _version_ok(text: str) -> bool:
    from lachan.engine import versions

    return versions.parse_version(text) is not None


def clean_products(products: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """An advisory's products validated: vendor and product required, version bounds and
    exact versions comparable by the engine. ValidationError names the product and field."""
    cleaned, errors = [], []
    for i, item in enumerate(products or [], start=1):
        vendor = " ".join(str(item.get("vendor") or "").split())
        product = " ".join(str(item.get("product") or "").split())
        entry: dict[str, Any] = {"vendor": vendor, "product": product}
        if not vendor or not product:
            errors.append(
                _("Sản phẩm thứ %(n)d: cần ghi đủ nhà phát triển và tên sản phẩm.") % {"n": i}
            )
        for key in BOUND_KEYS:
            value = str(item.get(key) or "").strip()
            if value and not _version_ok(value):
                errors.append(
                    _("Sản phẩm thứ %(n)d: phiên bản “%(v)s” không so sánh được.")
                    % {"n": i, "v": value}
                )
            entry[key] = value
        versions_given = item.get("versions") or []
        if isinstance(versions_given, str):
            versions_given = re.split(r"[,;\s]+", versions_given)
        exact = [str(v).strip() for v in versions_given if str(v).strip()]
        for value in exact:
            if not _version_ok(value):
                errors.append(
                    _("Sản phẩm thứ %(n)d: phiên bản “%(v)s” không so sánh được.")
                    % {"n": i, "v": value}
                )
        if entry["version_start_including"] and entry["version_start_excluding"]:
            errors.append(_("Sản phẩm thứ %(n)d: chỉ ghi một cận dưới (từ hoặc sau).") % {"n": i})
        if entry["version_end_including"] and entry["version_end_excluding"]:
            errors.append(
                _("Sản phẩm thứ %(n)d: chỉ ghi một cận trên (đến hoặc trước).") % {"n": i}
            )
        entry["versions"] = exact
        cleaned.append(entry)
    if errors:
        raise ValidationError({"products": errors})
    return cleaned


def _cpe_escape(text: str) -> str:
    return re.sub(r"([^A-Za-z0-9_\-.~*?])", r"\\\1", text)


def advisory_configurations(products: Iterable[Mapping[str, Any]], aliases=None) -> list:
    """Engine configurations of an advisory's products: each product named through the alias
    table ("Apache HTTP Server" → apache:http_server), its range as NVD bounds, its exact
    versions as exact criteria; no range and no version means every version."""
    from lachan.engine import software as engine_software

    if aliases is None:
        from .vuln_selectors import matching_aliases

        aliases = matching_aliases()
    configs = []
    for item in products:
        found = engine_software.normalise(item["vendor"], item["product"], "", aliases=aliases)
        if found.method != "unmapped" and found.vendor and found.product:
            vendor, product, part = found.vendor, found.product, found.part or "a"
        else:
            vendor = re.sub(r"\s+", "_", item["vendor"].strip().lower())
            product = re.sub(r"\s+", "_", item["product"].strip().lower())
            part = "a"
        base = f"cpe:2.3:{part}:{_cpe_escape(vendor)}:{_cpe_escape(product)}"
        matches = []
        bounds = {_NVD_BOUND[k]: item[k] for k in BOUND_KEYS if item.get(k)}
        if bounds or not item.get("versions"):
            matches.append(
                vd.CpeMatch(
                    criteria=f"{base}:*:*:*:*:*:*:*:*",
                    version_start_including=bounds.get("versionStartIncluding"),
                    version_start_excluding=bounds.get("versionStartExcluding"),
                    version_end_including=bounds.get("versionEndIncluding"),
                    version_end_excluding=bounds.get("versionEndExcluding"),
                )
            )
        for version in item.get("versions") or []:
            matches.append(vd.CpeMatch(criteria=f"{base}:{_cpe_escape(version)}:*:*:*:*:*:*:*"))
        configs.append(vd.Configuration(nodes=(vd.Node(matches=tuple(matches)),)))
    return configs


@transaction.atomic
def save_advisory(*, actor, advisory: Advisory | None = None, **fields: Any) -> Advisory:
    """Record a warning the Department received (``advisory`` None) or change one.

    Fields: ``title``, ``source``, ``source_detail``, ``issued_on``, ``reference_number``,
    ``url``, ``cve_ids`` (list or text), ``products`` (``[{"vendor", "product",
    "version_start_including", …, "versions": [...]}]``), ``required_action``, ``deadline``.
    The advisory's own record "ADV-<pk>" carries its products as configurations, so a
    warning without any CVE id still matches by product and version; its CVE ids match
    through their records (shown "chưa có trong dữ liệu" until imported). Matching is re-run
    after the commit."""
    _require_department(actor)
    created = advisory is None
    if created:
        advisory = Advisory(created_by=_user(actor))
        before = None
    else:
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        before = snapshot(advisory, ADVISORY_AUDIT)
    for key, value in fields.items():
        if key not in ADVISORY_FIELDS:
            raise TypeError(f"unknown advisory field {key!r}")
        if key == "cve_ids":
            value = parse_cve_ids(value or [])
        elif key == "products":
            value = clean_products(value or [])
        elif isinstance(value, str) and key not in {"required_action"}:
            value = " ".join(value.split())
        setattr(advisory, key, value)
    if not advisory.source:
        advisory.source = AdvisorySource.OTHER
    if not advisory.cve_ids and not advisory.products:
        raise ValidationError(
            _("Cảnh báo cần ít nhất một mã CVE hoặc một sản phẩm bị ảnh hưởng để đối chiếu.")
        )
    advisory.full_clean(exclude=["record"])
    advisory.save()
    vuln = advisory.record or Vulnerability(record_id=f"ADV-{advisory.pk}")
    configs = advisory_configurations(advisory.products)
    issued = dt.datetime.combine(
        advisory.issued_on, dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    vuln.source = "advisory"
    vuln.status = RecordStatus.PUBLISHED
    vuln.description = "\n\n".join(p for p in (advisory.title, advisory.required_action) if p)
    vuln.published = issued
    vuln.modified = timezone.now()
    vuln.cvss31_severity = advisory_severity(advisory)
    vuln.references = [advisory.url] if advisory.url else []
    vuln.configurations = configurations_json(configs)
    vuln.products = configuration_products(configs)
    vuln.content_hash = ""
    vuln.save()
    if advisory.record_id != vuln.pk:
        advisory.record = vuln
        advisory.save(update_fields=["record"])
    after = snapshot(advisory, ADVISORY_AUDIT)
    if created or before != after:
        record(
            actor=actor,
            action="advisory.create" if created else "advisory.update",
            obj=advisory,
            before=before,
            after=after,
        )
        schedule_rematch()
    return advisory


def advisory_severity(advisory: Advisory) -> str:
    """How grave an advisory is taken: its own ``severity`` when the model has one, else
    the worst CVSS of its CVE records, else "high" (the authorities warn of what matters)."""
    own = getattr(advisory, "severity", "")
    if own:
        return own
    ranks = [
        (v.cvss31_severity or v.cvss40_severity or "").lower()
        for v in Vulnerability.objects.filter(record_id__in=advisory.cve_ids or [])
    ]
    ranks = [r for r in ranks if r in ADVISORY_SCORES]
    return max(ranks, key=Severity.rank) if ranks else Severity.HIGH


@transaction.atomic
def delete_advisory(*, actor, advisory: Advisory) -> None:
    """Remove an advisory. Its record "ADV-<pk>" is kept, marked withdrawn, so the exposures it
    made are resolved by the next matching and the history stays."""
    _require_department(actor)
    record(
        actor=actor,
        action="advisory.delete",
        obj=advisory,
        before=snapshot(advisory, ADVISORY_AUDIT),
    )
    if advisory.record_id:
        Vulnerability.objects.filter(pk=advisory.record_id).update(
            status=RecordStatus.REJECTED, updated_at=timezone.now()
        )
    advisory.delete()
    schedule_rematch()


# --- alias table ------------------------------------------------------------------------------

ALIAS_FIELDS = ("kind", "pattern", "cpe_vendor", "cpe_product", "part", "version_pattern", "note")


@transaction.atomic
def save_alias(*, actor, alias: SoftwareAlias | None = None, **fields: Any) -> SoftwareAlias:
    """Add a rule to the software-name table (``alias`` None) or change one: ``kind``
    ("display", "package", "webapp"), ``pattern`` (names separated by ``|``, or a regular
    expression starting with ``^``), ``cpe_vendor``, ``cpe_product``, ``part``,
    ``version_pattern``, ``note``. A rule here wins over a shipped default. Every software
    entry is mapped again and matching re-run for the units whose mapping changed."""
    from lachan.engine import software as engine_software

    _require_department(actor)
    created = alias is None
    if created:
        alias = SoftwareAlias(created_by=_user(actor))
        before = None
    else:
        alias = SoftwareAlias.objects.select_for_update().get(pk=alias.pk)
        before = snapshot(alias)
    for key, value in fields.items():
        if key not in ALIAS_FIELDS:
            raise TypeError(f"unknown alias field {key!r}")
        value = str(value or "").strip()
        if key in {"cpe_vendor", "cpe_product"}:
            value = value.lower()
        elif key != "version_pattern":
            value = " ".join(value.split())
        setattr(alias, key, value)
    alias.part = alias.part or "a"
    errors: dict[str, list[str]] = {}
    for key in ("cpe_vendor", "cpe_product"):
        value = getattr(alias, key)
        if value and (any(ch.isspace() for ch in value) or not value.isascii()):
            errors.setdefault(key, []).append(
                _("Tên theo CPE viết thường, không dấu, không khoảng trắng (ví dụ: http_server).")
            )
    if alias.kind and alias.kind not in AliasKind.values:
        errors.setdefault("kind", []).append(_("Loại tên gọi không hợp lệ."))
    if not errors:
        problems = engine_software.validate_row(
            engine_software.AliasRow(
                kind=alias.kind,
                pattern=alias.pattern,
                cpe_vendor=alias.cpe_vendor,
                cpe_product=alias.cpe_product,
                part=alias.part,
                version_pattern=alias.version_pattern,
            )
        )
        if problems:
            errors.setdefault("pattern", []).append(
                _("Quy tắc không dùng được: %(p)s") % {"p": "; ".join(problems)}
            )
    if errors:
        raise ValidationError(errors)
    alias.full_clean()
    alias.save()
    after = snapshot(alias)
    if created or before != after:
        record(
            actor=actor,
            action="alias.create" if created else "alias.update",
            obj=alias,
            before=before,
            after=after,
        )
        _aliases_changed(actor)
    return alias


@transaction.atomic
def delete_alias(*, actor, alias: SoftwareAlias) -> None:
    """Remove an officer's rule (a shipped default it overrode applies again)."""
    _require_department(actor)
    record(actor=actor, action="alias.delete", obj=alias, before=snapshot(alias))
    alias.delete()
    _aliases_changed(actor)


def _aliases_changed(actor) -> None:
    from lachan.assets.services import renormalise_software

    forget_alias_cache()
    transaction.on_commit(forget_alias_cache)
    renormalise_software(actor=actor)


# --- due-date policy --------------------------------------------------------------------------


@transaction.atomic
def set_vuln_due_policy(*, actor, key: str, days: int) -> VulnDuePolicy:
    """Set the days to fix a vulnerability task whose worst item is ``key`` ("kev",
    "critical", "high", "medium", "low"). Department administrators only."""
    if actor is not None and not is_department_admin(actor):
        raise PermissionDenied
    if key not in VulnDuePolicy.KEYS:
        raise ValidationError({"key": _("Loại không hợp lệ: %(k)s") % {"k": key}})
    if not 1 <= int(days) <= 365:
        raise ValidationError({"days": _("Số ngày xử lý phải từ 1 đến 365.")})
    policy = VulnDuePolicy.objects.filter(key=key).first()
    before = snapshot(policy)
    policy, _created = VulnDuePolicy.objects.update_or_create(key=key, defaults={"days": int(days)})
    record(
        actor=actor,
        action="policy.vuln_due_days",
        obj=policy,
        before=before,
        after=snapshot(policy),
    )
    return policy


# --- re-running matching when something changed ------------------------------------------------

ALL_UNITS = "*"


def schedule_rematch(*, unit_ids: Iterable[int] | None = None) -> None:
    """Queue ``lachan.intel.tasks.rematch`` once the current transaction commits (at once
    outside one). Calls in one transaction are merged into one run: ``unit_ids`` None means
    every unit. A rolled-back transaction queues nothing."""
    wanted = {ALL_UNITS} if unit_ids is None else set(unit_ids)
    if not wanted:
        return
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        pending = getattr(entry[1], "lachan_rematch", None)
        if pending is not None and not entry[1].lachan_sent:
            pending.update(wanted)
            return

    def dispatch() -> None:
        from .tasks import rematch

        dispatch.lachan_sent = True  # type: ignore[attr-defined]
        units = None if ALL_UNITS in dispatch.lachan_rematch else sorted(dispatch.lachan_rematch)
        try:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                # In-process (embedded default): call it, as notifications do; touching the
                # Celery app here would fix its configuration for the rest of the process.
                rematch(units)
            else:
                rematch.delay(units)
        except Exception:
            # The change is committed; a failed (in-process) matching run must not make it
            # look failed. The next change or `lachan vuln rematch` runs it again.
            logger.exception("vulnerability matching after a change failed")

    dispatch.lachan_rematch = wanted  # type: ignore[attr-defined]
    dispatch.lachan_sent = False  # type: ignore[attr-defined]
    transaction.on_commit(dispatch)


# --- matching ---------------------------------------------------------------------------------

_INDEX_LOCK = threading.Lock()
_INDEX_CACHE: dict[str, Any] = {"key": None, "index": None, "records": None}
_RECORD_VALUES = (
    "record_id",
    "status",
    "source",
    "cvss31_score",
    "cvss31_vector",
    "cvss31_severity",
    "cvss40_score",
    "cvss40_vector",
    "cvss40_severity",
    "configurations",
)


def _matchable():
    return Vulnerability.objects.filter(status=RecordStatus.PUBLISHED).exclude(products=[])


def load_index():
    """The engine's index of every published record with configurations, and those records
    by id. Built once per state of the data (count and last update of the records) and kept
    in the process, so repeated runs reuse it."""
    from lachan.engine import vulnmatch

    state = Vulnerability.objects.aggregate(
        n=Count("pk"), last=Max("updated_at"), published=Count("pk", filter=Q(status="published"))
    )
    key = (state["n"], state["published"], state["last"])
    with _INDEX_LOCK:
        if _INDEX_CACHE["key"] == key:
            return _INDEX_CACHE["index"], _INDEX_CACHE["records"]
        records: dict[str, vd.VulnRecord] = {}
        for row in _matchable().values(*_RECORD_VALUES).iterator(chunk_size=BATCH_SIZE):
            records[row["record_id"]] = engine_record(row)
        index = vulnmatch.build_index(records.values())
        _INDEX_CACHE.update(key=key, index=index, records=records)
        return index, records


def forget_index_cache() -> None:
    with _INDEX_LOCK:
        _INDEX_CACHE.update(key=None, index=None, records=None)


def inventory_of(units: Iterable[Unit] | None = None):
    """The software of ``units`` (all units when None) as the engine's inventory: entries,
    their stored CPE identities, and the ``Software`` rows in the same order."""
    rows = Software.objects.select_related("host", "host__unit", "host__system")
    if units is not None:
        rows = rows.filter(host__unit__in=list(units))
    rows = list(rows.order_by("host__unit__path", "host__name", "pk"))
    entries, ids = [], []
    for s in rows:
        host = s.host
        system = host.system
        entries.append(
            vd.InventoryEntry(
                unit_code=host.unit.code,
                host=host.name,
                vendor=s.vendor,
                product=s.product,
                version=s.version,
                os=host.os,
                cpe=s.cpe,
                system=system.name if system else "",
                internet_facing=host.exposed,
                security_level=system.security_level if system else None,
            )
        )
        ids.append(
            vd.SoftwareId(
                vendor=s.cpe_vendor,
                product=s.cpe_product,
                version=s.cpe_version,
                method=s.mapping_method,
                rule=s.mapping_rule,
                part=s.cpe_part or "a",
                distro=s.distro,
                update=s.cpe_update,
                also=tuple(tuple(a.split(":", 1)) for a in s.cpe_also or [] if ":" in a),
            )
        )
    return entries, ids, rows


def kev_and_epss(
    record_ids: Iterable[str],
) -> tuple[dict[str, vd.KevEntry], dict[str, vd.EpssScore]]:
    """KEV entries and EPSS scores of these records, from the stored flags."""
    kev: dict[str, vd.KevEntry] = {}
    epss: dict[str, vd.EpssScore] = {}
    ids = list(set(record_ids))
    for start in range(0, len(ids), 500):
        rows = Vulnerability.objects.filter(record_id__in=ids[start : start + 500]).values(
            "record_id", *KEV_FIELDS, *EPSS_FIELDS
        )
        for row in rows:
            if row["kev"]:
                kev[row["record_id"]] = vd.KevEntry(
                    cve_id=row["record_id"],
                    date_added=row["kev_date_added"],
                    due_date=row["kev_due_date"],
                    ransomware=row["kev_ransomware"],
                    required_action=row["kev_required_action"],
                )
            if row["epss"] is not None:
                epss[row["record_id"]] = vd.EpssScore(
                    cve_id=row["record_id"],
                    epss=row["epss"],
                    percentile=row["epss_percentile"] or 0.0,
                    date=row["epss_date"],
                )
    return kev, epss


def match_software(units: Iterable[Unit] | None = None):
    """Match the inventory of ``units`` against the records: (prioritised matches, entries,
    Software rows), nothing written."""
    entries, ids, rows = inventory_of(units)
    if not entries:
        return [], entries, rows
    from lachan.engine import vulnmatch

    index, records = load_index()
    matches = vulnmatch.match_inventory(index, entries, ids)
    kev, epss = kev_and_epss(m.record_id for m in matches)
    wanted = {m.record_id: records[m.record_id] for m in matches if m.record_id in records}
    return vulnmatch.prioritise(matches, wanted, kev, epss, entries), entries, rows


def product_label(software: Software) -> str:
    return " ".join(p for p in (software.product, software.version) if p)[:400]


@dataclass
class _HostChange:
    """What a matching run changed on one host: ``worse`` — an affected exposure appeared,
    came back or became affected (the host needs a task); ``changed`` — something the task's
    guidance shows changed; ``resolved`` — exposures gone."""

    worse: set[int] = field(default_factory=set)  # vulnerability ids
    changed: bool = False
    resolved: list[Exposure] = field(default_factory=list)


@dataclass
class _RunContext:
    """What every host of a run shares: the policy, the advisories by record, today."""

    actor: Any
    now: dt.datetime
    today: dt.date
    policy: dict[str, int]
    advisories: dict[str, list[Advisory]]


EXPOSURE_FIELDS = (
    "unit_id",
    "software_id",
    "status",
    "reason",
    "criteria",
    "fixed_version",
    "priority",
    "score",
    "last_seen",
    "resolved_at",
    "resolution_note",
)


_ROW_FIELDS = ("pk", "host_id", "product_label", "vulnerability_id", *EXPOSURE_FIELDS)


class _ExposureRow:
    """A stored exposure as matching compares it: plain attributes, no model instance (a run
    over a province reads a million of them)."""

    __slots__ = _ROW_FIELDS

    def __init__(self, values: Sequence[Any]) -> None:
        for name, value in zip(_ROW_FIELDS, values, strict=True):
            setattr(self, name, value)


def _write_exposures(exposures: Sequence[Any]) -> None:
    """Write the ``EXPOSURE_FIELDS`` of changed exposures with one prepared UPDATE run for
    all rows (``bulk_update``'s CASE expressions cost seconds per thousand rows: a daily
    EPSS refresh changes the score of every exposure)."""
    from django.db import connection

    if not exposures:
        return
    meta = Exposure._meta
    fields = [meta.get_field(name.removesuffix("_id")) for name in EXPOSURE_FIELDS]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(getattr(e, f.attname), connection) for f in fields] + [e.pk]
        for e in exposures
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 5000):
            cursor.executemany(sql, chunk)


def _lock_matching() -> None:
    """One matching run at a time (a job and an officer's run may start together): an
    advisory lock on PostgreSQL; SQLite serialises writers by itself."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x6C61636856554C4E])


def _chunks(items: Sequence[Any], size: int = 900) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def run_matching(*, actor=None, units: Iterable[Unit | int] | None = None) -> dict[str, int]:
    """Match the inventory of ``units`` (every unit when None) against the records and bring
    exposures, findings and tasks up to date (see the module's docstring). Returns counts:
    ``entries``, ``matches``, ``affected``, ``needs_review``, ``new``, ``resolved``,
    ``reopened``, ``findings``, ``tasks``."""
    _require_department(actor)
    _lock_matching()
    unit_list = None
    if units is not None:
        unit_ids = [u if isinstance(u, int) else u.pk for u in units]
        unit_list = list(Unit.objects.filter(pk__in=unit_ids))
    prioritised, entries, rows = match_software(unit_list)
    now = timezone.now()
    counts = dict.fromkeys(
        ("matches", "affected", "needs_review", "new", "resolved", "reopened", "findings", "tasks"),
        0,
    )
    counts["entries"] = len(entries)
    record_ids = sorted({p.match.record_id for p in prioritised})
    vuln_pk: dict[str, int] = {}
    for chunk in _chunks(record_ids):
        vuln_pk.update(
            Vulnerability.objects.filter(record_id__in=chunk).values_list("record_id", "pk")
        )
    scope = Exposure.objects.all()
    if unit_list is not None:
        scope = scope.filter(unit__in=unit_list)
    existing: dict[tuple[int, str, int], Any] = {}
    for values_row in scope.values_list(*_ROW_FIELDS).iterator(chunk_size=BATCH_SIZE):
        row = _ExposureRow(values_row)
        existing[(row.host_id, row.product_label, row.vulnerability_id)] = row
    seen: set[int] = set()
    to_create: list[Exposure] = []
    to_update: list[Exposure] = []
    hosts: dict[int, _HostChange] = defaultdict(_HostChange)
    for p in prioritised:
        software = rows[p.match.entry]
        pk = vuln_pk.get(p.match.record_id)
        if pk is None:
            continue
        counts["matches"] += 1
        counts[p.match.status] += 1
        affected = p.match.status == ExposureStatus.AFFECTED
        values = {
            "unit_id": software.host.unit_id,
            "software_id": software.pk,
            "status": p.match.status,
            "reason": (p.match.reason or "")[:500],
            "criteria": (p.match.criteria or "")[:400],
            "fixed_version": (p.match.fixed_version or "")[:120],
            "priority": p.priority,
            "score": round(float(p.score), 3),
        }
        key = (software.host_id, product_label(software), pk)
        current = existing.get(key)
        change = hosts[software.host_id]
        if current is None:
            exposure = Exposure(
                host_id=software.host_id,
                vulnerability_id=pk,
                product_label=key[1],
                first_seen=now,
                last_seen=now,
                **values,
            )
            to_create.append(exposure)
            existing[key] = exposure
            counts["new"] += 1
            change.changed = True
            if affected:
                change.worse.add(pk)
            continue
        if current.pk is None or current.pk in seen:
            continue  # the same entry matched twice (two criteria): one exposure
        seen.add(current.pk)
        if current.resolved_at is not None:
            counts["reopened"] += 1
            current.resolved_at = None
            current.resolution_note = ""
            change.changed = True
            if affected:
                change.worse.add(pk)
        else:
            if current.fixed_version != values["fixed_version"]:
                change.changed = True
            if affected and current.status != values["status"]:
                change.changed = True
                change.worse.add(pk)  # newly affected: new evidence of the problem
            elif current.status != values["status"] or (
                affected and values["priority"] < current.priority
            ):
                # More urgent (EPSS, KEV…): the guidance is refreshed; a graver finding
                # (KEV makes it critical) counts as new evidence (see the findings below).
                change.changed = True
        if current.resolved_at is None and all(getattr(current, k) == v for k, v in values.items()):
            continue  # unchanged: its last_seen is moved with the others, in one statement
        for k, v in values.items():
            setattr(current, k, v)
        current.last_seen = now
        to_update.append(current)
    gone_ids = [
        e.pk
        for e in existing.values()
        if e.pk is not None and e.pk not in seen and e.resolved_at is None
    ]
    gone: list[Exposure] = []
    for chunk in _chunks(gone_ids):
        gone.extend(
            Exposure.objects.filter(pk__in=chunk).select_related("vulnerability", "software")
        )
    # Every exposure still open was seen now; the ones that are gone keep their last_seen
    # (written back below from what was read before this statement).
    scope.filter(resolved_at__isnull=True).update(last_seen=now)
    Exposure.objects.bulk_create(to_create, batch_size=500)
    software_now = _software_by_host({e.host_id for e in gone})
    for exposure in gone:
        exposure.resolved_at = now
        exposure.resolution_note = resolution_note(exposure, software_now.get(exposure.host_id, []))
        to_update.append(exposure)
        hosts[exposure.host_id].resolved.append(exposure)
        counts["resolved"] += 1
    _write_exposures(to_update)
    touched = {h: c for h, c in hosts.items() if c.changed or c.resolved}
    if touched:
        context = _RunContext(
            actor=actor,
            now=now,
            today=timezone.localdate(),
            policy={k: VulnDuePolicy.days_for(k) for k in VulnDuePolicy.KEYS},
            advisories=_advisories_by_record(),
        )
        for host_id, change in touched.items():
            findings, tasks = _host_findings_and_task(context, host_id, change)
            counts["findings"] += findings
            counts["tasks"] += tasks
    return {
        k: counts[k]
        for k in (
            "entries",
            "matches",
            "affected",
            "needs_review",
            "new",
            "resolved",
            "reopened",
            "findings",
            "tasks",
        )
    }


def _software_by_host(host_ids: set[int]) -> dict[int, list[Software]]:
    out: dict[int, list[Software]] = defaultdict(list)
    for chunk in _chunks(sorted(host_ids)):
        for s in Software.objects.filter(host_id__in=chunk):
            out[s.host_id].append(s)
    return out


def resolution_note(exposure: Exposure, host_software: list[Software]) -> str:
    """Why an exposure is no longer there, in a sentence: the version it was upgraded to,
    the entry gone from the inventory, or the record withdrawn or narrowed."""
    vuln = exposure.vulnerability
    if vuln.status == RecordStatus.REJECTED:
        return _("Không còn ảnh hưởng: bản ghi %(id)s đã bị từ chối/thu hồi.") % {
            "id": vuln.record_id
        }
    old = exposure.software
    if old is not None and old.host_id == exposure.host_id:
        return _(
            "Không còn ảnh hưởng theo dữ liệu lỗ hổng mới nhất: %(label)s nằm ngoài phạm vi bị "
            "ảnh hưởng."
        ) % {"label": exposure.product_label}
    name = exposure.product_label.casefold()
    successors = [
        s
        for s in host_software
        if s.product and name.startswith(s.product.casefold()) and s.version
    ]
    if successors:
        versions = ", ".join(sorted({s.version for s in successors}))
        return _("Không còn ảnh hưởng sau khi cập nhật phiên bản: %(old)s → %(new)s.") % {
            "old": exposure.product_label,
            "new": versions,
        }
    return _(
        "Không còn ảnh hưởng sau khi cập nhật phiên bản: %(label)s không còn trong danh mục "
        "phần mềm của máy."
    ) % {"label": exposure.product_label}


def finding_severity(vuln: Vulnerability) -> str:
    """KEV → critical; else the CVSS severity (v3.1, else v4.0); medium when none."""
    if vuln.kev:
        return Severity.CRITICAL
    severity = (vuln.cvss31_severity or vuln.cvss40_severity or "").lower()
    return severity if severity in Severity.values else Severity.MEDIUM


def _policy_key(vuln: Vulnerability) -> str:
    return "kev" if vuln.kev else finding_severity(vuln)


def _advisories_by_record() -> dict[str, list[Advisory]]:
    """Every advisory under each record id it concerns: its CVE ids and its own record."""
    out: dict[str, list[Advisory]] = defaultdict(list)
    for advisory in Advisory.objects.select_related("record").order_by("issued_on", "pk"):
        for cve in advisory.cve_ids or []:
            out[cve].append(advisory)
        if advisory.record is not None:
            out[advisory.record.record_id].append(advisory)
    return out


def due_date_for_host(
    exposures: Sequence[Exposure],
    advisories: Mapping[str, list[Advisory]],
    today: dt.date,
    policy: Mapping[str, int] | None = None,
) -> dt.date:
    """Today plus the policy's days of the worst item (KEV or CVSS severity); an advisory's
    deadline when it is earlier (never before today)."""
    if policy is None:
        policy = {k: VulnDuePolicy.days_for(k) for k in VulnDuePolicy.KEYS}
    days = min(policy[_policy_key(e.vulnerability)] for e in exposures)
    due = today + dt.timedelta(days=days)
    for e in exposures:
        for advisory in advisories.get(e.vulnerability.record_id, []):
            if advisory.deadline:
                due = min(due, max(advisory.deadline, today))
    return due


def _host_findings_and_task(context: _RunContext, host_id: int, change: _HostChange):
    """Bring the findings and the task of one host in line with its exposures. Returns
    (findings recorded or resolved, tasks opened or refreshed)."""
    from lachan.remediation.services import open_or_refresh_task, record_finding, resolve_finding

    host = Host.objects.select_related("unit", "system").get(pk=host_id)
    open_exposures = list(
        Exposure.objects.filter(host=host, resolved_at__isnull=True)
        .select_related("vulnerability", "software")
        .order_by("priority", "-score", "vulnerability__record_id", "product_label")
    )
    affected = [e for e in open_exposures if e.status == ExposureStatus.AFFECTED]
    review = [e for e in open_exposures if e.status == ExposureStatus.NEEDS_REVIEW]
    by_vuln: dict[int, list[Exposure]] = defaultdict(list)
    for e in affected:
        by_vuln[e.vulnerability_id].append(e)
    keys = {f"{host.pk}:{e.vulnerability.record_id}" for e in [*affected, *change.resolved]}
    findings = {
        f.dedupe_key: f
        for f in Finding.objects.filter(source=SourceKind.VULNERABILITY, dedupe_key__in=keys)
    }
    touched = 0
    open_findings: list[Finding] = []
    new_findings: list[tuple[Finding, list[Exposure]]] = []
    links: list[tuple[int, int]] = []  # (finding, exposure)
    for exposures in by_vuln.values():
        vuln = exposures[0].vulnerability
        key = f"{host.pk}:{vuln.record_id}"
        finding = findings.get(key)
        labels = sorted({e.product_label for e in exposures})
        title = _("Lỗ hổng %(id)s trên máy %(host)s (%(software)s)") % {
            "id": vuln.record_id,
            "host": host.name,
            "software": ", ".join(labels),
        }
        evidence = {
            "host": host.name,
            "record": vuln.record_id,
            "software": labels,
            "fixed_version": exposures[0].fixed_version,
            "kev": vuln.kev,
            "cvss": vuln.cvss,
        }
        severity = finding_severity(vuln)
        if finding is None:
            # Many at once on a first run (an old browser has hundreds of records): created
            # together, with one audit record for the host below.
            finding = Finding(
                source=SourceKind.VULNERABILITY,
                unit=host.unit,
                dedupe_key=key,
                title=title[:300],
                severity=severity,
                evidence=evidence,
                asset_ref=host.name,
                first_seen=context.now,
                last_seen=context.now,
            )
            new_findings.append((finding, exposures))
        elif (
            vuln.pk in change.worse
            or Severity.rank(severity) > Severity.rank(finding.severity)
            or any(e.finding_id != finding.pk for e in exposures)
        ):
            finding, _created = record_finding(
                actor=context.actor,
                source=SourceKind.VULNERABILITY,
                unit=host.unit,
                dedupe_key=key,
                title=title,
                severity=severity,
                evidence=evidence,
                asset_ref=host.name,
                seen_at=context.now,
            )
            touched += 1
            links.extend((finding.pk, e.pk) for e in exposures if e.finding_id != finding.pk)
            change.worse.add(vuln.pk)
        open_findings.append(finding)
    if new_findings:
        Finding.objects.bulk_create([f for f, _e in new_findings], batch_size=500)
        for finding, exposures in new_findings:
            links.extend((finding.pk, e.pk) for e in exposures)
            change.worse.add(exposures[0].vulnerability_id)
        touched += len(new_findings)
        record(
            actor=context.actor,
            action="finding.create",
            object_type="remediation.finding",
            object_repr=host.name,
            unit=host.unit,
            after={
                "findings": [f.pk for f, _e in new_findings],
                "records": [e[0].vulnerability.record_id for _f, e in new_findings],
            },
            message=_("%(n)d phát hiện lỗ hổng trên máy %(host)s")
            % {"n": len(new_findings), "host": host.name},
        )
    _link_findings(links)
    still_open = set(by_vuln)
    gone_by_vuln: dict[int, list[Exposure]] = defaultdict(list)
    for e in change.resolved:
        if e.status == ExposureStatus.AFFECTED:
            gone_by_vuln[e.vulnerability_id].append(e)
    for vuln_id, exposures in gone_by_vuln.items():
        if vuln_id in still_open:
            continue
        finding = findings.get(f"{host.pk}:{exposures[0].vulnerability.record_id}")
        if finding is not None and finding.resolved_at is None:
            resolve_finding(actor=None, finding=finding, note=exposures[0].resolution_note)
            touched += 1
    problem_key = f"vuln:{host.pk}"
    unfinished = Task.objects.filter(
        unit=host.unit, problem_key=problem_key, status__in=UNFINISHED_STATUSES
    ).first()
    tasks = 0
    if affected and (change.worse or unfinished is not None):
        # A new task only for new evidence (a record newly affecting the host, or graver);
        # otherwise the unfinished task's title and guidance are refreshed.
        due = due_date_for_host(affected, context.advisories, context.today, context.policy)
        linked = set(unfinished.findings.values_list("pk", flat=True)) if unfinished else set()
        task, _created = open_or_refresh_task(
            actor=context.actor,
            unit=host.unit,
            problem_key=problem_key,
            title=task_title(host, affected),
            guidance=task_guidance(host, affected, review, context.advisories),
            severity=max((f.severity for f in open_findings), key=Severity.rank),
            # Only the findings the task lacks (the service checks each one it is given).
            findings=[f for f in open_findings if f.pk not in linked],
            source=SourceKind.VULNERABILITY,
            due_date=due,
        )
        if due < task.due_date:
            # The vulnerability policy (not the generic one) decides how close it comes.
            before = snapshot(task, ["due_date"])
            task.due_date = due
            task.save(update_fields=["due_date", "updated_at"])
            record(
                actor=context.actor,
                action="task.due_date",
                obj=task,
                unit=host.unit,
                before=before,
                after=snapshot(task, ["due_date"]),
                message=_("Hạn xử lý theo thời hạn xử lý lỗ hổng"),
            )
        tasks += 1
        unfinished = task
    gone = [e for exposures in gone_by_vuln.values() for e in exposures]
    if gone:
        _comment_resolved(host, problem_key, unfinished, gone, remaining=len(still_open))
    return touched, tasks


def _link_findings(links: Sequence[tuple[int, int]]) -> None:
    """Point exposures at their findings: ``(finding pk, exposure pk)`` pairs, one statement."""
    from django.db import connection

    if not links:
        return
    table = connection.ops.quote_name(Exposure._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _chunks(links, 5000):
            cursor.executemany(f"UPDATE {table} SET finding_id = %s WHERE id = %s", chunk)


def _comment_resolved(
    host: Host, problem_key: str, task: Task | None, gone: list[Exposure], remaining: int
) -> None:
    """A comment on the host's task (the unfinished one, else the latest) listing the
    exposures that disappeared. The task is never closed here: the Department verifies."""
    from lachan.remediation.services import add_comment

    if task is None:
        task = (
            Task.objects.filter(unit=host.unit, problem_key=problem_key)
            .order_by("-created_at", "-pk")
            .first()
        )
    if task is None:
        return
    lines = [
        _("Lần đối chiếu ngày %(day)s: %(n)d lỗ hổng không còn ảnh hưởng máy %(host)s:")
        % {
            "day": timezone.localdate().strftime("%d/%m/%Y"),
            "n": len({e.vulnerability_id for e in gone}),
            "host": host.name,
        }
    ]
    for e in sorted(gone, key=lambda e: (e.vulnerability.record_id, e.product_label)):
        lines.append(f"- {e.vulnerability.record_id} — {e.resolution_note}")
    if remaining:
        lines.append(_("Còn %(n)d lỗ hổng cần xử lý trên máy này.") % {"n": remaining})
    else:
        lines.append(
            _(
                "Máy không còn lỗ hổng nào trong danh sách. Đơn vị gửi báo cáo kết quả để Sở "
                "xác nhận và đóng việc."
            )
        )
    add_comment(actor=None, task=task, body="\n".join(lines))


def task_title(host: Host, affected: Sequence[Exposure]) -> str:
    """ "Cập nhật phần mềm trên máy SRV-WEB: 3 lỗ hổng (1 đang bị khai thác)"."""
    vulns = {e.vulnerability_id: e.vulnerability for e in affected}
    kev = sum(1 for v in vulns.values() if v.kev)
    title = _("Cập nhật phần mềm trên máy %(host)s: %(n)d lỗ hổng") % {
        "host": host.name,
        "n": len(vulns),
    }
    if kev:
        title += _(" (%(k)d đang bị khai thác)") % {"k": kev}
    return title


SEVERITY_LABELS = {
    "critical": "nghiêm trọng",
    "high": "cao",
    "medium": "trung bình",
    "low": "thấp",
}


def _exposure_line(e: Exposure) -> str:
    vuln = e.vulnerability
    facts = []
    severity = (vuln.severity or "").lower()
    if severity in SEVERITY_LABELS:
        facts.append(_("mức %(s)s") % {"s": _(SEVERITY_LABELS[severity])})
    if vuln.cvss is not None:
        facts.append(f"CVSS {vuln.cvss:.1f}".replace(".", ","))
    if vuln.kev:
        facts.append(_("đang bị khai thác"))
    if vuln.kev_ransomware:
        facts.append(_("dùng trong mã độc tống tiền"))
    if vuln.epss is not None:
        facts.append(f"EPSS {vuln.epss * 100:.1f}%".replace(".", ","))
    return f"{vuln.record_id} — {e.product_label}" + (f" ({', '.join(facts)})" if facts else "")


def upgrade_advice(exposures: Sequence[Exposure]) -> str:
    """What to upgrade a product to so that all its records are fixed: the highest of their
    fixed versions; the latest release when some record gives none."""
    from lachan.engine.versions import compare

    fixed = [e.fixed_version for e in exposures if e.fixed_version]
    highest = ""
    for version in fixed:
        if not highest or (compare(version, highest) or 0) > 0:
            highest = version
    if highest and len(fixed) == len(exposures):
        return _("Cập nhật lên phiên bản %(v)s hoặc mới hơn.") % {"v": highest}
    if highest:
        return _(
            "Cập nhật lên phiên bản mới nhất theo hướng dẫn của nhà phát triển (tối thiểu %(v)s)."
        ) % {"v": highest}
    return _("Cập nhật lên phiên bản mới nhất theo hướng dẫn của nhà phát triển.")


def task_guidance(
    host: Host,
    affected: Sequence[Exposure],
    review: Sequence[Exposure],
    advisories: Mapping[str, list[Advisory]],
) -> str:
    """The guidance of a host's task: every record with its product and version, the version
    to upgrade to when known, the KEV and advisories' required actions; then the matches
    that need a check ("cần kiểm tra"), which open no task of their own."""
    where = []
    if host.system is not None:
        where.append(_("hệ thống %(s)s") % {"s": host.system.name})
    if host.exposed:
        where.append(_("truy cập được từ Internet"))
    heading = _("Máy %(host)s") % {"host": host.name}
    if where:
        heading += f" ({', '.join(where)})"
    count = len({e.vulnerability_id for e in affected})
    lines = [heading + _(" có %(n)d lỗ hổng cần xử lý:") % {"n": count}]
    groups: dict[str, list[Exposure]] = {}
    for e in affected:  # worst first: the groups come in the order of their worst item
        groups.setdefault(e.product_label, []).append(e)
    for i, (label, exposures) in enumerate(groups.items(), start=1):
        n = len({e.vulnerability_id for e in exposures})
        lines += [
            "",
            f"{i}. {label} — "
            + _("%(n)d lỗ hổng. %(action)s")
            % {
                "n": n,
                "action": upgrade_advice(exposures),
            },
        ]
        for e in exposures:
            vuln = e.vulnerability
            lines.append(f"   - {_exposure_line(e)}")
            if vuln.kev and vuln.kev_required_action:
                due = (
                    _(" (hạn theo CISA: %(d)s)") % {"d": vuln.kev_due_date.strftime("%d/%m/%Y")}
                    if vuln.kev_due_date
                    else ""
                )
                lines.append(
                    "     "
                    + _("Yêu cầu xử lý (danh mục KEV): %(a)s%(due)s")
                    % {"a": vuln.kev_required_action, "due": due}
                )
            for advisory in advisories.get(vuln.record_id, []):
                ref = f" {advisory.reference_number}" if advisory.reference_number else ""
                action = advisory.required_action or _("xử lý theo cảnh báo")
                deadline = (
                    _(", hạn %(d)s") % {"d": advisory.deadline.strftime("%d/%m/%Y")}
                    if advisory.deadline
                    else ""
                )
                lines.append(
                    "     "
                    + _("Theo cảnh báo “%(t)s”%(ref)s: %(a)s%(deadline)s")
                    % {"t": advisory.title, "ref": ref, "a": action, "deadline": deadline}
                )
    if review:
        lines += ["", _("Cần kiểm tra thêm (chưa kết luận được, không tính vào số lỗ hổng):")]
        for e in review:
            reason = f": {e.reason}" if e.reason else ""
            lines.append(f"- {e.vulnerability.record_id} — {e.product_label}{reason}")
    lines += [
        "",
        _(
            "Sau khi cập nhật, nhập lại danh mục phần mềm của máy (hoặc để tác tử gửi lên): hệ "
            "thống tự ghi nhận lỗ hổng không còn ảnh hưởng. Gửi báo cáo kèm minh chứng (ảnh "
            "màn hình phiên bản mới) để Sở xác nhận."
        ),
    ]
    return "\n".join(lines)


# Iterator helper kept for callers that stream rows (the CLI's export).
def iter_exposure_rows(user, *, unit: Unit | None = None) -> Iterator[dict[str, Any]]:
    from .vuln_selectors import exposure_row, exposures_for

    for exposure in exposures_for(user, unit=unit).iterator(chunk_size=BATCH_SIZE):
        yield exposure_row(exposure)
