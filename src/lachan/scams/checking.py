"""The checker the web pages, the API and ``lachan check`` share.

``current_checker()`` builds one ``lachan.engine.scam.Checker`` from

- the active entries of the active blocklists (imported files, confirmed reports, by hand),
- the domains of the registry — units' e-mail addresses (``Unit.email``,
  ``Unit.it_officer_email``), free-mail providers left out — as protected domains, so that a
  look-alike of a school's or the Department's domain is flagged,
- the engine's built-in data (banks, e-wallets, government portals, shorteners…).

It is cached in the process and rebuilt when a cheap version changes: the number of lists
and the newest ``BlocklistSource.changed_at`` (every service that touches a list or its
entries saves the list), and the number and newest ``updated_at`` of units. Two aggregate
queries, so web workers, Celery workers and the CLI agree without a shared cache.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max

from lachan.org.models import Unit

from .models import BlocklistSource

# Addresses at these providers say nothing about the unit's own domain.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.com.vn",
        "ymail.com",
        "outlook.com",
        "outlook.com.vn",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "zoho.com",
        "gmx.com",
        "mail.com",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "vnn.vn",
        "fpt.vn",
        "viettel.vn",
    }
)

_lock = threading.Lock()
_cached: dict[str, Any] = {"version": None, "checker": None}


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(host: str) -> str | None:
    """``so.lachong.edu.vn`` → ``lachong.edu.vn``; None for a bare public suffix or junk."""
    host = host.strip().strip(".").lower()
    if not host or "." not in host:
        return None
    try:
        return _psl().privatesuffix(host, accept_unknown=False)
    except Exception:  # noqa: BLE001 - a malformed host is simply not a domain
        return None


def unit_domains(units: Iterable[Unit]) -> dict[str, str]:
    """Registrable domain → the name of the first unit (in tree order) using it."""
    found: dict[str, str] = {}
    for unit in units:
        for address in (unit.email, unit.it_officer_email):
            if not address or "@" not in address:
                continue
            domain = registrable_domain(address.rsplit("@", 1)[1])
            if domain is None or domain in FREE_MAIL_DOMAINS or domain in found:
                continue
            found[domain] = unit.name
    return found


def protected_domains() -> list[Any]:
    """The registry's domains as the engine's ``ProtectedDomain`` (category "education")."""
    from lachan.engine.scam import ProtectedDomain

    units = (
        Unit.objects.filter(is_active=True)
        .order_by("path")
        .only("name", "email", "it_officer_email", "path")
    )
    return [
        ProtectedDomain(domain=domain, brand=brand, category="education")
        for domain, brand in unit_domains(units).items()
    ]


def checker_version() -> tuple[Any, ...]:
    lists = BlocklistSource.objects.aggregate(n=Count("pk"), last=Max("changed_at"))
    units = Unit.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (lists["n"], lists["last"], units["n"], units["last"])


def build_checker() -> Any:
    """A new checker from the database as it is now."""
    from lachan.engine.scam import Blocklist, Checker

    from .selectors import active_indicators

    blocklist = Blocklist.from_indicators(_indicators(active_indicators()))
    psl = getattr(settings, "LACHAN_PSL_FILE", "")
    if psl and not Path(psl).is_file():
        raise ImproperlyConfigured(f"LACHAN_PSL_FILE: không có tệp {psl}")
    return Checker(
        blocklist=blocklist,
        extra_protected=protected_domains(),
        psl_file=Path(psl) if psl else None,
    )


def _indicators(entries) -> Iterable[Any]:
    from lachan.engine.scam import Indicator

    for kind, value, label, source in entries.values_list(
        "kind", "value", "label", "source__name"
    ).iterator(chunk_size=5000):
        yield Indicator(kind=kind, value=value, label=label, source=source)


def current_checker() -> Any:
    """The shared checker, rebuilt when a blocklist or a unit changed since it was built."""
    version = checker_version()
    with _lock:
        if _cached["checker"] is None or _cached["version"] != version:
            _cached["checker"] = build_checker()
            _cached["version"] = version
        return _cached["checker"]


def forget_checker() -> None:
    """Drop the cached checker (tests; a service that wants the next check to rebuild)."""
    with _lock:
        _cached["checker"] = None
        _cached["version"] = None


def check(text: str, kind: str = "auto") -> Any:
    """``current_checker().check(text, kind)``."""
    return current_checker().check(text, kind)


def evidence_spans(text: str, result: Any) -> list[dict[str, Any]]:
    """Where each reason's evidence sits in ``text``: merged, non-overlapping spans in order,
    each with the codes of the reasons that point at it and their positions in
    ``result.reasons`` (0-based). Offsets are Python string indices (code points).

    A reason whose offsets are missing (-1) or do not match its evidence is located by
    searching for the evidence; one that cannot be found has no span (it stays in the list
    of reasons)."""
    raw: list[tuple[int, int, str, int]] = []
    for index, reason in enumerate(result.reasons):
        start, end, evidence = reason.start, reason.end, reason.evidence
        if not evidence:
            continue
        if not (0 <= start < end <= len(text) and text[start:end] == evidence):
            start = text.find(evidence)
            if start < 0:
                continue
            end = start + len(evidence)
        raw.append((start, end, reason.code, index))
    raw.sort()
    spans: list[dict[str, Any]] = []
    for start, end, code, index in raw:
        if spans and start < spans[-1]["end"]:
            last = spans[-1]
            last["end"] = max(last["end"], end)
            if code not in last["codes"]:
                last["codes"].append(code)
            last["reasons"].append(index)
            continue
        spans.append({"start": start, "end": end, "codes": [code], "reasons": [index]})
    for span in spans:
        span["text"] = text[span["start"] : span["end"]]
    return spans


def segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``text`` cut at the spans: [{"text", "marked", "refs"}] (refs: 1-based reason numbers),
    for the highlighted echo."""
    out: list[dict[str, Any]] = []
    pos = 0
    for span in spans:
        if span["start"] > pos:
            out.append({"text": text[pos : span["start"]], "marked": False, "refs": []})
        refs = sorted({i + 1 for i in span["reasons"]})
        out.append({"text": span["text"], "marked": True, "refs": refs})
        pos = span["end"]
    if pos < len(text):
        out.append({"text": text[pos:], "marked": False, "refs": []})
    return out
