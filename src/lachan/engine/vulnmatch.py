"""Which inventory entries a vulnerability record affects, version-accurately, and in what
order the Department should have them fixed.

Reading a record's configurations (:func:`build_index`):

- Only PUBLISHED records match; a negated configuration names nothing vulnerable and is
  skipped, and so is a negated node that would name the vulnerable software.
- An OR configuration (or one of a single node): every ``vulnerable`` cpeMatch of every node
  is a rule on its own.
- An AND configuration: the nodes holding a ``vulnerable`` cpeMatch name the application;
  the nodes holding none (``vulnerable: false`` only) name the platform it must run on.
  A vulnerable cpeMatch is a rule whose platform requirement is *every* platform node. Two
  application nodes in one AND (seen when a product is known under two names) are read as
  alternatives, not as "both installed". Inside an AND node, the node's other cpeMatches
  are required on the host as well.

A rule hits an entry when the CPE vendor and product are equal and (:func:`judge`):

- the criteria's version is ``*`` or ``-`` and there is no range: every version ("NVD: all
  versions") - affected;
- an exact version (with the criteria's ``update`` appended, so ``openssh:9.3:p1`` is
  ``9.3p1``): affected when the versions compare equal (or the texts are equal);
- a range: affected when the version is inside every bound given (start including or
  excluding, end including or excluding). A bound that excludes the version for certain
  means no match, whatever the other says; a bound that cannot be compared with it (see
  :func:`lachan.engine.versions.compare`), or an inventory version that is not a version
  ("latest", empty), makes the match NEEDS_REVIEW. A version outside the range is never
  reported.

The other CPE fields never exclude an entry, except a ``target_sw``/``target_hw`` that the
entry's own CPE states differently.

Platforms: a platform node is satisfied by the host (entries grouped by ``(unit_code,
host)``): by any of its software identities, or by its operating system, read from
``InventoryEntry.os`` (:func:`os_identities`: "Windows Server 2019", "Ubuntu 22.04", "Debian
12"…) or given as an entry whose identity has part ``o``. A platform version ``-`` or ``*``
means any version. An application missing from the inventory is not there; an operating
system or hardware platform that the host does not state is unknown: the match becomes
NEEDS_REVIEW. A negated platform node is satisfied when it is certainly not there.

Distribution packages (an identity with ``distro``, or a version whose revision names
Debian, Ubuntu…): the upstream version is judged against the ranges, and a hit is not
trusted, because distributions backport fixes without changing the upstream version:
it is NEEDS_REVIEW, unless ``distro_fixed`` (a distribution's security tracker: (distro,
package, CVE) → fixed package version) decides by the full package version, compared as
dpkg does: lower is affected, the same or higher is not reported.

Identities: an entry matches under its identity's CPE vendor/product and under the other
names NVD uses for it (``SoftwareId.also``), one match per (entry, record) whatever the
number of names and rules that hit: the first affected hit in rule order, else the first
to review. An identity's ``update`` is part of its version (``2019`` + ``cumulative_update_12``
is ``2019-cumulative_update_12``). An epoch (``1:2.4.1``) is not NVD's and is dropped. A CVE
given by two sources (NVD and CVE JSON 5) is one record: the union of their rules.

Speed: the index keeps, per (vendor, product), the rules as two numpy columns over the
sorted distinct bounds of that product (see ``_ProductRules``). A version is placed among
the bounds by bisection, and all the versions of a product found in the inventory are tested
against all its rules at once. The order is certain unless a bound or the version has an
opaque part or a wildcard, or two different post-release words meet: those rules and
versions, and non-versions, go through :func:`judge`, which :func:`match_naive` uses for
everything. Work is shared: per distinct (product, version, package…) "target", its matches
are built once from per-rule templates of the reason; per target and host verdicts on the
platforms it names, once more. Matching fills caches in the index (parsed platforms,
reason templates); results do not depend on them. The cyclic garbage collector is paused
while indexing and matching (no cycles are made; a collection would walk the whole index).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import gc
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from lachan.engine.cpe import ANY, NA, CpeError, normalise_name, parse_cpe
from lachan.engine.versions import (
    Version,
    compare,
    compare_distro,
    parse_version,
    split_distro,
)
from lachan.engine.vulndata import (
    AFFECTED,
    NEEDS_REVIEW,
    PUBLISHED,
    CpeMatch,
    EpssScore,
    InventoryEntry,
    KevEntry,
    Match,
    Prioritised,
    SoftwareId,
    VulnRecord,
)

__all__ = [
    "DistroFixed",
    "VulnIndex",
    "build_index",
    "judge",
    "match_inventory",
    "match_naive",
    "os_identities",
    "prioritise",
]

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

# (distro, package or product, CVE id) -> fixed package version ("0": never affected).
DistroFixed = Mapping[tuple[str, str, str], str]

_YES, _NO, _UNKNOWN = 1, 0, -1
_EPOCH = re.compile(r"^\d+:")
_REVIEW = ", cần kiểm tra thủ công"
_DISTRO_NAMES = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "rhel": "Red Hat",
    "fedora": "Fedora",
    "alpine": "Alpine",
    "amazon": "Amazon Linux",
}


# --- criteria and bounds ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Criteria:
    """What the matcher needs of a criteria string."""

    part: str
    vendor: str
    product: str
    exact: str | None  # None: any version ("*", or "-" = not applicable)
    target_sw: str
    target_hw: str


def _read_criteria(text: str) -> _Criteria | None:
    try:
        cpe = parse_cpe(text)
    except CpeError:
        return None
    if cpe.vendor in (ANY, NA) or cpe.product in (ANY, NA):
        return None
    exact: str | None = None
    if cpe.version not in (ANY, NA):
        exact = cpe.version
        if cpe.update not in (ANY, NA):
            exact = f"{cpe.version}-{cpe.update}"
    return _Criteria(cpe.part, cpe.vendor, cpe.product, exact, cpe.target_sw, cpe.target_hw)


class _Parsed:
    """Parsed bounds and criteria, each text once."""

    def __init__(self) -> None:
        self.versions: dict[str, Version | None] = {}
        self.criteria: dict[str, _Criteria | None] = {}

    def version(self, text: str) -> Version | None:
        try:
            return self.versions[text]
        except KeyError:
            parsed = self.versions[text] = parse_version(text)
            return parsed

    def cpe(self, text: str) -> _Criteria | None:
        try:
            return self.criteria[text]
        except KeyError:
            parsed = self.criteria[text] = _read_criteria(text)
            return parsed


def _has_range(m: CpeMatch) -> bool:
    return (
        m.version_start_including is not None
        or m.version_start_excluding is not None
        or m.version_end_including is not None
        or m.version_end_excluding is not None
    )


def _same_text(a: str, b: str) -> bool:
    return "_".join(a.lower().split()) == "_".join(b.lower().split())


def judge(m: CpeMatch, version: str) -> str | None:
    """AFFECTED, NEEDS_REVIEW or ``None`` (not affected) for ``version`` against the version
    part of cpeMatch ``m`` (its vendor and product are assumed to be the entry's)."""
    return _judge(m, version, parse_version(version), _Parsed())


def _judge(m: CpeMatch, version: str, version_: Version | None, bounds: _Parsed) -> str | None:
    criteria = bounds.cpe(m.criteria)
    if not _has_range(m):
        if criteria is None or criteria.exact is None:
            return AFFECTED
        if _same_text(version, criteria.exact):
            return AFFECTED
        order = compare(version_, bounds.version(criteria.exact))
        if order is None:
            return NEEDS_REVIEW
        return AFFECTED if order == 0 else None
    unknown = False
    for text, start, including in (
        (m.version_start_including, True, True),
        (m.version_start_excluding, True, False),
        (m.version_end_including, False, True),
        (m.version_end_excluding, False, False),
    ):
        if text is None:
            continue
        order = compare(version_, bounds.version(text))
        if order is None:
            unknown = True
        elif start and not (order > 0 or (including and order == 0)):
            return None
        elif not start and not (order < 0 or (including and order == 0)):
            return None
    return NEEDS_REVIEW if unknown else AFFECTED


# --- reasons (plain Vietnamese) -----------------------------------------------------------


def _range_phrase(m: CpeMatch) -> tuple[str, bool]:
    """ "từ 2.4.49 đến trước 2.4.50" and whether both ends are given."""
    start = ""
    if m.version_start_including is not None:
        start = f"từ {m.version_start_including}"
    elif m.version_start_excluding is not None:
        start = f"sau {m.version_start_excluding}"
    end = ""
    if m.version_end_excluding is not None:
        end = f"trước {m.version_end_excluding}"
    elif m.version_end_including is not None:
        end = f"đến hết {m.version_end_including}"
    if start and end:
        if start.startswith("sau"):
            start = "từ " + start
        if end.startswith("trước"):
            end = "đến " + end
        else:
            end = "đến " + end.removeprefix("đến hết ")
        return f"{start} {end}", True
    if start:
        return (start + " trở đi" if start.startswith("từ") else start), False
    return end, False


def _reason_parts(
    m: CpeMatch, criteria: _Criteria | None, status: str, label: str, has_version: bool
) -> tuple[str, str | None]:
    """A reason as (text before the version, text after it), or (whole text, None) when it
    does not show the version."""
    if not _has_range(m):
        if criteria is None or criteria.exact is None:
            name = f"{criteria.vendor} {criteria.product}" if criteria else m.criteria
            return f"Mọi phiên bản của {name} đều bị ảnh hưởng", None
        if status == AFFECTED:
            return f"{label} ", f" là phiên bản bị ảnh hưởng ({criteria.exact})"
        if not has_version:
            return (
                "Chưa ghi phiên bản, không so sánh được với phiên bản bị ảnh hưởng "
                f"{criteria.exact}{_REVIEW}",
                None,
            )
        return (
            f"Không so sánh được {label.lower()} “",
            f"” với phiên bản bị ảnh hưởng {criteria.exact}{_REVIEW}",
        )
    phrase, both = _range_phrase(m)
    if status == AFFECTED:
        if both:
            return f"{label} ", f" nằm trong khoảng {phrase}"
        return f"{label} ", f" thuộc các phiên bản {phrase}"
    if not has_version:
        return f"Chưa ghi phiên bản, không so sánh được với khoảng {phrase}{_REVIEW}", None
    return f"Không so sánh được {label.lower()} “", f"” với khoảng {phrase}{_REVIEW}"


# --- the index ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PlatformNode:
    negate: bool
    matches: tuple[CpeMatch, ...]


_Template = tuple[str, str, str | None, str, str | None]


@dataclass(slots=True)
class _ProductRules:
    """The rules of one (vendor, product): their cpeMatches, and two numpy columns over the
    sorted distinct bounds ``keys`` of the product.

    A version placed among the keys (``left``/``right`` = bisect left/right of its key) gets
    the threshold ``t = left + right``. With ``lo2 = 2·start + (0 if including else 1)``
    (``-2`` without a start) and ``hi2 = 2·end + (1 if including else 0)`` (``2·len(keys)+1``
    without an end), a rule holds the version exactly when ``lo2 < t <= hi2``. Rules whose
    bounds are of uncertain order (``slow``) get ``lo2`` = max and go through :func:`judge`.
    """

    matches: list[CpeMatch] = field(default_factory=list)
    records: list[int] = field(default_factory=list)
    platforms: list[int] = field(default_factory=list)
    keys: list[tuple[tuple[int, str, int], ...]] = field(default_factory=list)
    lo2: IntArray = field(default_factory=lambda: np.zeros(0, np.int32))
    hi2: IntArray = field(default_factory=lambda: np.zeros(0, np.int32))
    bounds2: list[tuple[int, int]] = field(default_factory=list)  # (lo2, hi2), small products
    any_platform: bool = False  # some rule needs a platform
    slow: list[int] = field(default_factory=list)  # positions of the rules judge() decides
    post_words: frozenset[str] = frozenset()  # the one post-release word of fast bounds, if any
    record_column: IntArray = field(default_factory=lambda: np.zeros(0, np.int32))
    platform_column: IntArray = field(default_factory=lambda: np.zeros(0, np.int32))
    # By position, what a plain affected version's match says: (record id, criteria, fixed
    # version, reason before the version, reason after it or None): filled while matching.
    templates: list[_Template | None] = field(default_factory=list)
    review_templates: list[_Template | None] = field(default_factory=list)  # version given
    blank_templates: list[_Template | None] = field(default_factory=list)  # no version
    # What judge() says of each rule for a version that is not one, and the exact-version
    # rules (whose text may still be the same).
    unversioned: list[str] = field(default_factory=list)
    exact: list[int] = field(default_factory=list)


@dataclass(slots=True)
class VulnIndex:
    """Every rule of every published record, by CPE (vendor, product). Build it with
    :func:`build_index`."""

    record_ids: list[str] = field(default_factory=list)
    record_position: dict[str, int] = field(default_factory=dict)  # record id -> its place
    products: dict[tuple[str, str], _ProductRules] = field(default_factory=dict)
    platforms: list[tuple[_PlatformNode, ...]] = field(default_factory=list)
    rules: int = 0
    skipped_records: int = 0  # rejected, or without a usable configuration
    parsed: _Parsed = field(default_factory=_Parsed)


def _record_rules(
    record: VulnRecord,
) -> Iterator[tuple[CpeMatch, tuple[_PlatformNode, ...]]]:
    """The (vulnerable cpeMatch, platform requirement) rules of a record, in order."""
    for configuration in record.configurations:
        if configuration.negate:
            continue
        nodes = configuration.nodes
        platform: tuple[_PlatformNode, ...] = ()
        application = nodes
        if configuration.operator.upper() == "AND" and len(nodes) > 1:
            application = tuple(n for n in nodes if any(m.vulnerable for m in n.matches))
            platform = tuple(
                _PlatformNode(n.negate, n.matches)
                for n in nodes
                if n.matches and not any(m.vulnerable for m in n.matches)
            )
        for node in application:
            if node.negate:
                continue
            node_and = node.operator.upper() == "AND" and len(node.matches) > 1
            for m in node.matches:
                if not m.vulnerable:
                    continue
                required = platform
                if node_and:
                    required = platform + tuple(
                        _PlatformNode(False, (other,)) for other in node.matches if other is not m
                    )
                yield m, required


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: matching allocates millions of small acyclic
    objects, and each collection would walk the whole index for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_index(records: Iterable[VulnRecord]) -> VulnIndex:
    """Index every cpeMatch of every PUBLISHED record (rejected ones are skipped)."""
    with _gc_paused():
        return _build_index(records)


def _build_index(records: Iterable[VulnRecord]) -> VulnIndex:
    index = VulnIndex()
    parsed = index.parsed
    platform_ids: dict[tuple[_PlatformNode, ...], int] = {}
    # Per product while reading: (cpeMatch, record position, platform id).
    pending: dict[tuple[str, str], list[tuple[CpeMatch, int, int]]] = {}
    positions = index.record_position  # a CVE given by two sources is one record
    for record in records:
        if record.status != PUBLISHED:
            index.skipped_records += 1
            continue
        position = positions.get(record.record_id, len(index.record_ids))
        used = False
        for m, platform in _record_rules(record):
            criteria = parsed.cpe(m.criteria)
            if criteria is None:
                continue
            platform_id = -1
            if platform:
                platform_id = platform_ids.get(platform, -1)
                if platform_id < 0:
                    platform_id = platform_ids[platform] = len(index.platforms)
                    index.platforms.append(platform)
            pending.setdefault((criteria.vendor, criteria.product), []).append(
                (m, position, platform_id)
            )
            used = True
        if used and position == len(index.record_ids):
            positions[record.record_id] = position
            index.record_ids.append(record.record_id)
        elif not used:
            index.skipped_records += 1
    for key, rules in pending.items():
        index.products[key] = _product_rules(rules, parsed)
        index.rules += len(rules)
    return index


def _bounds_of(
    m: CpeMatch, parsed: _Parsed
) -> tuple[Version | None, bool, Version | None, bool, bool]:
    """(start, start including, end, end including, slow) as Versions; ``slow`` when a bound
    is unparsable, opaque or a wildcard (post-release words are decided per product)."""
    slow = False
    if not _has_range(m):
        criteria = parsed.cpe(m.criteria)
        if criteria is None or criteria.exact is None:
            return None, True, None, True, False
        exact = parsed.version(criteria.exact)
        if exact is None or not exact.plain_order:
            return None, True, None, True, True
        return exact, True, exact, True, False
    start: Version | None = None
    end: Version | None = None
    start_incl = end_incl = True
    if m.version_start_including is not None:
        start = parsed.version(m.version_start_including)
        slow |= start is None
    elif m.version_start_excluding is not None:
        start, start_incl = parsed.version(m.version_start_excluding), False
        slow |= start is None
    if m.version_end_including is not None:
        end = parsed.version(m.version_end_including)
        slow |= end is None
    elif m.version_end_excluding is not None:
        end, end_incl = parsed.version(m.version_end_excluding), False
        slow |= end is None
    if (m.version_start_including is not None and m.version_start_excluding is not None) or (
        m.version_end_including is not None and m.version_end_excluding is not None
    ):
        slow = True  # both kinds of one end: let judge() apply all four
    slow |= bool((start and not start.plain_order) or (end and not end.plain_order))
    return start, start_incl, end, end_incl, slow


def _product_rules(rules: list[tuple[CpeMatch, int, int]], parsed: _Parsed) -> _ProductRules:
    # In record order (stable): a CVE given again by another source joins its first place.
    if any(rules[i][1] > rules[i + 1][1] for i in range(len(rules) - 1)):
        rules = sorted(rules, key=lambda rule: rule[1])
    bounds = [_bounds_of(m, parsed) for m, _, _ in rules]
    # Post-release words order for certain only against the same word (9.3p1 < 9.3p2, but
    # 2.4.4-p9 against 2.4.4-ext-8 cannot be told): with one word in the product's bounds
    # they are fast; with several, the rules that have any are slow.
    words = {
        w
        for start, _, end, _, slow in bounds
        if not slow
        for b in (start, end)
        if b
        for w in b.post_words
    }
    if len(words) > 1:
        bounds = [
            (a, ai, b, bi, slow or bool((a and a.post_words) or (b and b.post_words)))
            for a, ai, b, bi, slow in bounds
        ]
        words = set()

    def criteria_exact(m: CpeMatch) -> str | None:
        criteria = parsed.cpe(m.criteria)
        return criteria.exact if criteria is not None else None

    distinct = {b.key for start, _, end, _, _ in bounds for b in (start, end) if b is not None}
    keys = sorted(distinct)
    where = {k: i for i, k in enumerate(keys)}
    count = len(rules)
    lo2 = np.full(count, -2, np.int32)
    hi2 = np.full(count, 2 * len(keys) + 1, np.int32)
    slow: list[int] = []
    blocked = np.iinfo(np.int32).max
    for i, (start, start_incl, end, end_incl, is_slow) in enumerate(bounds):
        if is_slow:
            lo2[i] = blocked
            slow.append(i)
            continue
        if start is not None:
            lo2[i] = 2 * where[start.key] + (0 if start_incl else 1)
        if end is not None:
            hi2[i] = 2 * where[end.key] + (1 if end_incl else 0)
    return _ProductRules(
        matches=[m for m, _, _ in rules],
        records=[r for _, r, _ in rules],
        platforms=[p for _, _, p in rules],
        keys=keys,
        lo2=lo2,
        hi2=hi2,
        bounds2=list(zip(lo2.tolist(), hi2.tolist(), strict=True)) if count <= _SMALL else [],
        any_platform=any(p >= 0 for _, _, p in rules),
        slow=slow,
        post_words=frozenset(words),
        record_column=np.array([r for _, r, _ in rules], np.int32),
        platform_column=np.array([p for _, _, p in rules], np.int32),
        templates=[None] * count,
        review_templates=[None] * count,
        blank_templates=[None] * count,
        unversioned=[
            AFFECTED if not _has_range(m) and criteria_exact(m) is None else NEEDS_REVIEW
            for m, _, _ in rules
        ],
        exact=[i for i, (m, _, _) in enumerate(rules) if not _has_range(m) and criteria_exact(m)],
    )


_CELLS = 1 << 22  # versions x rules tested at once: a few MB of booleans
_SMALL = 48  # rules of a product below which plain Python beats numpy


def _hits_many(
    rules: _ProductRules, versions: Sequence[str], parsed: _Parsed
) -> list[tuple[list[int], list[tuple[int, str]]]]:
    """For each version: the positions of the rules that hold it for certain (affected),
    and (position, status) of those :func:`judge` decided (the slow rules, or every rule for
    a version whose order against the keys is not certain). The certain versions of the
    product are tested all at once, in blocks of versions."""
    out: list[tuple[list[int], list[tuple[int, str]]]] = [([], []) for _ in versions]
    parsed_versions = [parsed.version(v) for v in versions]
    # A version with a post-release word (9.3p1) orders for certain against bounds without
    # one, and against bounds with the same one (the product's fast bounds have at most one).
    words = rules.post_words
    certain = [
        (i, v)
        for i, v in enumerate(parsed_versions)
        if v is not None and v.plain_order and (not words or v.post_words <= words)
    ]
    fast = [i for i, _ in certain]
    if fast:
        keys = rules.keys
        thresholds = [
            bisect.bisect_left(keys, v.key) + bisect.bisect_right(keys, v.key) for _, v in certain
        ]
        if rules.bounds2:
            pairs = rules.bounds2
            for i, t in zip(fast, thresholds, strict=True):
                out[i] = ([k for k, (lo, hi) in enumerate(pairs) if lo < t <= hi], [])
        else:
            lo2, hi2 = rules.lo2, rules.hi2
            step = max(1, _CELLS // max(1, len(lo2)))
            for begin in range(0, len(fast), step):
                block = np.array(thresholds[begin : begin + step], np.int32)[:, None]
                rows, cols = np.nonzero((lo2 < block) & (hi2 >= block))
                cuts = np.cumsum(np.bincount(rows, minlength=len(block)))[:-1].tolist()
                positions = cols.tolist()
                start = 0
                for row, end in enumerate([*cuts, len(positions)]):
                    out[fast[begin + row]] = (positions[start:end], [])
                    start = end
    fast_set = set(fast)
    everything = range(len(rules.matches))
    for i, version in enumerate(versions):
        if parsed_versions[i] is None:  # not a version: every rule is to review, or affected
            out[i] = ([], _unversioned(rules, version))
            continue
        candidates = rules.slow if i in fast_set else everything
        if not candidates:
            continue
        judged = out[i][1]
        for position in candidates:
            status = _judge(rules.matches[position], version, parsed_versions[i], parsed)
            if status is not None:
                judged.append((position, status))
    return out


def _unversioned(rules: _ProductRules, version: str) -> list[tuple[int, str]]:
    """judge() for a version that is not one: any-version rules hold it, an exact version
    holds it when the texts are the same, everything else is to review."""
    found = list(enumerate(rules.unversioned))
    for position in rules.exact:
        criteria = _read_criteria(rules.matches[position].criteria)
        if criteria is not None and criteria.exact is not None:
            if _same_text(version, criteria.exact):
                found[position] = (position, AFFECTED)
    return found


# --- hosts and platforms ------------------------------------------------------------------

_WINDOWS_SERVER = re.compile(r"windows\s+server\s+(\d{4})(?:\s+(r2))?")
_WINDOWS_DESKTOP = re.compile(r"windows\s+(11|10|8\.1|8|7|vista|xp)\b")
_FEATURE_UPDATE = re.compile(r"\b(\d{2}h\d|1[5-9]\d\d|20[0-9]{2})\b")
_BUILD = re.compile(r"\b(\d+\.\d+\.\d{4,5}(?:\.\d+)?)\b")
_LINUX_OS = [
    (re.compile(r"ubuntu(?:\s+server)?\s+(\d+\.\d+)"), "canonical", "ubuntu_linux"),
    (re.compile(r"debian(?:\s+gnu/linux)?\s+(\d+)"), "debian", "debian_linux"),
    (re.compile(r"centos(?:\s+linux|\s+stream)?\s+(\d+(?:\.\d+)?)"), "centos", "centos"),
    (
        re.compile(r"(?:red\s*hat\s+enterprise\s+linux|rhel)(?:\s+server)?\s+(\d+(?:\.\d+)?)"),
        "redhat",
        "enterprise_linux",
    ),
    (re.compile(r"rocky(?:\s+linux)?\s+(\d+(?:\.\d+)?)"), "rockylinux", "rocky_linux"),
    (re.compile(r"alma\s*linux\s+(\d+(?:\.\d+)?)"), "almalinux", "almalinux"),
    (re.compile(r"fedora(?:\s+linux)?\s+(\d+)"), "fedoraproject", "fedora"),
    (re.compile(r"oracle\s+linux\s+(\d+(?:\.\d+)?)"), "oracle", "linux"),
    (
        re.compile(r"(?:suse\s+linux\s+enterprise\s+server|sles)\s+(\d+(?:\s*sp\d+)?)"),
        "suse",
        "linux_enterprise_server",
    ),
]
_CODENAMES = {
    "bookworm": ("debian", "debian_linux", "12"),
    "bullseye": ("debian", "debian_linux", "11"),
    "buster": ("debian", "debian_linux", "10"),
    "trixie": ("debian", "debian_linux", "13"),
    "noble": ("canonical", "ubuntu_linux", "24.04"),
    "jammy": ("canonical", "ubuntu_linux", "22.04"),
    "focal": ("canonical", "ubuntu_linux", "20.04"),
    "bionic": ("canonical", "ubuntu_linux", "18.04"),
}
_OTHER_OS = [
    (re.compile(r"mac\s*os(?:\s*x)?\s*(\d+(?:\.\d+)*)?"), "apple", "macos"),
    (re.compile(r"android\s*(\d+(?:\.\d+)*)?"), "google", "android"),
    (re.compile(r"\bipados\s*(\d+(?:\.\d+)*)?"), "apple", "ipados"),
    (re.compile(r"\bios\s*(\d+(?:\.\d+)*)?"), "apple", "iphone_os"),
    (re.compile(r"freebsd\s*(\d+(?:\.\d+)*)?"), "freebsd", "freebsd"),
    (re.compile(r"chrome\s*os\s*(\d+(?:\.\d+)*)?"), "google", "chrome_os"),
]


def os_identities(text: str) -> tuple[SoftwareId, ...]:
    """The operating-system CPE identities (part ``o``) an inventory's OS text names:
    "Windows Server 2019" → microsoft windows and windows_server_2019; "Windows 10 22H2" →
    windows, windows_10 (version 22h2) and windows_10_22h2; "Ubuntu 22.04" → canonical
    ubuntu_linux 22.04 and linux linux_kernel (version unknown); "Debian 12" → debian
    debian_linux 12. Empty when the text names no known system."""
    lowered = " ".join(text.lower().split())
    if not lowered:
        return ()
    rule = "os: " + text.strip()
    out: list[SoftwareId] = []

    def add(vendor: str, product: str, version: str = "") -> None:
        out.append(SoftwareId(vendor, product, version, "alias", rule=rule, part="o"))

    build = _BUILD.search(lowered)
    server = _WINDOWS_SERVER.search(lowered)
    desktop = _WINDOWS_DESKTOP.search(lowered)
    if server or desktop or lowered.startswith("windows") or "microsoft windows" in lowered:
        add("microsoft", "windows", build.group(1) if build else "")
        if server:
            add("microsoft", f"windows_server_{server.group(1)}", server.group(2) or "")
        elif desktop:
            name = f"windows_{desktop.group(1)}"
            feature = _FEATURE_UPDATE.search(lowered[desktop.end() :])
            add("microsoft", name, feature.group(1) if feature else "")
            if feature:
                add("microsoft", f"{name}_{feature.group(1)}", build.group(1) if build else "")
        return tuple(out)
    for pattern, vendor, product in _LINUX_OS:
        found = pattern.search(lowered)
        if found:
            add(vendor, product, found.group(1).replace(" ", ""))
            add("linux", "linux_kernel")
            return tuple(out)
    for word, (vendor, product, version) in _CODENAMES.items():
        if word in lowered:
            add(vendor, product, version)
            add("linux", "linux_kernel")
            return tuple(out)
    for pattern, vendor, product in _OTHER_OS:
        found = pattern.search(lowered)
        if found:
            add(vendor, product, found.group(1) or "")
            return tuple(out)
    if "linux" in lowered:
        add("linux", "linux_kernel")
    return tuple(out)


@dataclass(slots=True)
class _Host:
    # (vendor, product) -> versions (upstream for distribution packages)
    software: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)  # parts the host states ("o" when an OS is known)
    verdicts: dict[int, tuple[int, str]] = field(default_factory=dict)  # platform id -> verdict
    os_texts: set[str] = field(default_factory=set)


class _Memo:
    """What one matching run works out once per distinct value."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[tuple[str, str]]] = {}
        self.split: dict[str, tuple[str, str, str]] = {}
        self.os: dict[str, list[tuple[tuple[str, str], str, str]]] = {}
        self.software: dict[SoftwareId, list[tuple[tuple[str, str], str, str]]] = {}
        self.targets: dict[tuple[SoftwareId, str, str], list[_Target]] = {}

    def names_of(self, sid: SoftwareId) -> list[tuple[str, str]]:
        key = (sid.vendor, sid.product, sid.also)
        found = self.names.get(key)
        if found is None:
            found = self.names[key] = _names(sid)
        return found

    def split_of(self, version: str) -> tuple[str, str, str]:
        found = self.split.get(version)
        if found is None:
            found = self.split[version] = split_distro(version)
        return found

    def software_of(self, sid: SoftwareId) -> list[tuple[tuple[str, str], str, str]]:
        """(CPE name, version, part) of an identity, the upstream version for a package."""
        found = self.software.get(sid)
        if found is None:
            version = sid.version
            upstream, _, distro = self.split_of(version)
            if sid.distro or distro:
                version = upstream
            part = sid.part or "a"
            found = self.software[sid] = [(name, version, part) for name in self.names_of(sid)]
        return found

    def os_software(self, text: str) -> list[tuple[tuple[str, str], str, str]]:
        found = self.os.get(text)
        if found is None:
            found = self.os[text] = [
                item for sid in os_identities(text) for item in self.software_of(sid)
            ]
        return found


def _hosts(
    entries: Sequence[InventoryEntry], ids: Sequence[SoftwareId], memo: _Memo
) -> tuple[list[int], list[_Host]]:
    """Each entry's host number, and the hosts' software and operating systems."""
    numbers: dict[tuple[str, str], int] = {}
    hosts: list[_Host] = []
    host_of: list[int] = []
    for entry, sid in zip(entries, ids, strict=True):
        key = (entry.unit_code, entry.host)
        number = numbers.get(key)
        if number is None:
            number = numbers[key] = len(hosts)
            hosts.append(_Host())
        host_of.append(number)
        host = hosts[number]
        software = host.software
        if _usable(sid):
            for name, version, part in memo.software_of(sid):
                software.setdefault(name, []).append(version)
                host.parts.add(part)
        if entry.os and entry.os not in host.os_texts:
            host.os_texts.add(entry.os)
            for name, version, part in memo.os_software(entry.os):
                software.setdefault(name, []).append(version)
                host.parts.add(part)
    return host_of, hosts


def _usable(sid: SoftwareId) -> bool:
    return sid.method != "unmapped" and bool(sid.vendor) and bool(sid.product)


def _platform_verdict(
    host: _Host, platform: tuple[_PlatformNode, ...], parsed: _Parsed
) -> tuple[int, str]:
    """(_YES/_NO/_UNKNOWN, the platform's name) for one host."""
    overall = _YES
    names: list[str] = []
    for node in platform:
        verdict = _NO
        for m in node.matches:
            criteria = parsed.cpe(m.criteria)
            if criteria is None:
                continue
            name = f"{criteria.vendor} {criteria.product}"
            versions = host.software.get((criteria.vendor, criteria.product))
            if versions is None:
                if criteria.part in ("o", "h") and criteria.part not in host.parts:
                    # The host does not say what system or device it is.
                    verdict = _UNKNOWN
                    names.append(name)
                continue
            for version in versions:
                if criteria.exact is None and not _has_range(m):
                    status: str | None = AFFECTED
                elif not version:
                    status = NEEDS_REVIEW
                else:
                    status = _judge(m, version, parse_version(version), parsed)
                if status == AFFECTED:
                    verdict = _YES
                    names.append(name)
                    break
                if status == NEEDS_REVIEW and verdict == _NO:
                    verdict = _UNKNOWN
                    names.append(name)
            if verdict == _YES:
                break
        if node.negate and verdict != _UNKNOWN:
            verdict = _NO if verdict == _YES else _YES
        if verdict == _NO:
            return _NO, ""
        if verdict == _UNKNOWN:
            overall = _UNKNOWN
    unique = list(dict.fromkeys(names))
    return overall, ", ".join(unique)


# --- matching -----------------------------------------------------------------------------


class _Target(NamedTuple):
    """What of an entry decides its matches: one per distinct value across the inventory."""

    vendor: str
    product: str
    version: str  # the upstream version for a distribution package
    full_version: str  # the package version as installed
    distro: str
    package: str  # the entry's own product name (a package name, for distribution packages)
    target_sw: str
    target_hw: str


def _names(sid: SoftwareId) -> list[tuple[str, str]]:
    """The identity's CPE (vendor, product) and the other names NVD uses for it, unquoted."""
    names = [(normalise_name(sid.vendor), normalise_name(sid.product))]
    for vendor, product in sid.also:
        name = (normalise_name(vendor), normalise_name(product))
        if name not in names:
            names.append(name)
    return names


def _targets(entry: InventoryEntry, sid: SoftwareId, memo: _Memo) -> list[_Target]:
    """What decides an entry's matches, one per CPE name of its identity."""
    key = (sid, entry.product, entry.cpe)
    found = memo.targets.get(key)
    if found is None:
        found = memo.targets[key] = _new_targets(entry, sid, memo)
    return found


def _new_targets(entry: InventoryEntry, sid: SoftwareId, memo: _Memo) -> list[_Target]:
    version = sid.version.strip()
    if sid.update and sid.update not in (ANY, NA):
        version = f"{version}-{sid.update}" if version else ""
    upstream, distro = version, ""
    parts = memo.split_of(version)
    if sid.distro or parts[2]:
        upstream, distro = parts[0], (sid.distro or parts[2]).lower()
    elif _EPOCH.match(version):  # NVD never writes an epoch ("1:2.4.1" is 2.4.1 upstream)
        upstream = version.split(":", 1)[1]
    target_sw = target_hw = ""
    if entry.cpe:
        try:
            cpe = parse_cpe(entry.cpe)
            target_sw = "" if cpe.target_sw in (ANY, NA) else cpe.target_sw
            target_hw = "" if cpe.target_hw in (ANY, NA) else cpe.target_hw
        except CpeError:
            pass
    package = entry.product.strip().lower()
    return [
        _Target(vendor, product, upstream, version, distro, package, target_sw, target_hw)
        for vendor, product in memo.names_of(sid)
    ]


def _excluded(target: _Target, criteria: _Criteria | None) -> bool:
    if criteria is None:
        return False
    return bool(
        (target.target_sw and criteria.target_sw not in (ANY, NA, target.target_sw))
        or (target.target_hw and criteria.target_hw not in (ANY, NA, target.target_hw))
    )


def _distro_verdict(
    target: _Target,
    record_id: str,
    status: str,
    base: str,
    distro_fixed: DistroFixed | None,
) -> tuple[str | None, str, str | None]:
    """(status, reason, fixed version) of an upstream hit on a distribution package: the
    distribution's fixed version decides; without one, an upstream hit is only a lead."""
    shown = _DISTRO_NAMES.get(target.distro, target.distro)
    fixed = None
    if distro_fixed:
        for name in (target.package, target.product):
            fixed = distro_fixed.get((target.distro, name, record_id))
            if fixed is not None:
                break
    if fixed is None and status != AFFECTED:
        return NEEDS_REVIEW, base, None
    if fixed is None:
        return (
            NEEDS_REVIEW,
            f"{base}; bản vá có thể đã được nhà phân phối đưa ngược về (backport){_REVIEW}",
            None,
        )
    if compare_distro(target.full_version, fixed) >= 0:
        return None, "", None
    return (
        AFFECTED,
        f"Gói {target.package} {target.full_version} thấp hơn bản sửa lỗi {fixed} của {shown}",
        fixed,
    )


# A hit before platforms: (record, status, reason, criteria, fixed version, platform id).
# (record, status, reason, criteria, fixed version, platform id, rule position)
_Hit = tuple[int, str, str, str, str | None, int, int]


def _target_hits(
    target: _Target,
    matches: Sequence[CpeMatch],
    records: Sequence[int],
    platforms: Sequence[int],
    found: Iterable[tuple[int, str]],
    record_ids: Sequence[str],
    parsed: _Parsed,
    distro_fixed: DistroFixed | None,
    cache: list[_Template | None] | None,
) -> list[_Hit]:
    """The hits of one target, before platforms, with their reasons. ``found`` holds
    (position, status) of the rules ``matches[position]`` etc. that hold the version;
    ``cache`` keeps, by position, the reason of an affected plain version."""
    out: list[_Hit] = []
    packaged = bool(target.distro)
    label = "Phiên bản gốc" if packaged else "Phiên bản"
    shown = target.version.strip()
    has_version = bool(shown)
    targeted = bool(target.target_sw or target.target_hw)
    common = cache if cache is not None and has_version and not packaged else None
    append = out.append
    for position, status in found:
        m = matches[position]
        if targeted and _excluded(target, parsed.cpe(m.criteria)):
            continue
        if common is not None and status == AFFECTED:
            template = common[position] or _template(
                common, position, m, record_ids[records[position]], parsed
            )
            before, after = template[3], template[4]
        else:
            before, after = _reason_parts(m, parsed.cpe(m.criteria), status, label, has_version)
        reason = before if after is None else before + shown + after
        fixed = m.version_end_excluding
        if packaged:
            decided, reason, fixed = _distro_verdict(
                target, record_ids[records[position]], status, reason, distro_fixed
            )
            if decided is None:
                continue
            status = decided
        append(
            (records[position], status, reason, m.criteria, fixed, platforms[position], position)
        )
    return out


def _template(
    templates: list[_Template | None],
    position: int,
    m: CpeMatch,
    record_id: str,
    parsed: _Parsed,
    status: str = AFFECTED,
    has_version: bool = True,
) -> _Template:
    before, after = _reason_parts(m, parsed.cpe(m.criteria), status, "Phiên bản", has_version)
    made = templates[position] = (record_id, m.criteria, m.version_end_excluding, before, after)
    return made


def _plain_items(
    rules: _ProductRules,
    certain: list[int],
    judged: list[tuple[int, str]],
    shown: str,
    record_ids: Sequence[str],
    parsed: _Parsed,
) -> list[tuple[int, int, _Item]]:
    """(record, rule position, match) of a plain version (no distribution package, no
    target software) for the rules that hold it for certain (affected) and those judged
    (position, status), none needing a platform: per record the first affected, else the
    first; from the rules' templates."""
    records, matches = rules.records, rules.matches
    items: list[tuple[int, int, _Item]] = []
    append = items.append
    previous = -1
    if not judged and shown:  # the common case: affected, from certain rules only
        templates = rules.templates
        for position in certain:
            record = records[position]
            if record == previous:
                continue
            previous = record
            t = templates[position] or _template(
                templates, position, matches[position], record_ids[record], parsed
            )
            after = t[4]
            reason = t[3] if after is None else t[3] + shown + after
            append((record, position, (t[0], AFFECTED, reason, t[1], t[2])))
        return items
    found = sorted([(p, AFFECTED) for p in certain] + judged) if certain else judged
    if shown:
        affected, review = rules.templates, rules.review_templates
    else:
        affected, review = rules.templates, rules.blank_templates
    previous_status = ""
    for position, status in found:
        record = records[position]
        if record == previous and (previous_status == AFFECTED or status != AFFECTED):
            continue
        table = affected if status == AFFECTED else review
        t = table[position] or _template(
            table, position, matches[position], record_ids[record], parsed, status, bool(shown)
        )
        after = t[4]
        reason = t[3] if after is None else t[3] + shown + after
        item = (record, position, (t[0], status, reason, t[1], t[2]))
        if record == previous:
            items[-1] = item  # an affected rule after one to review, in the same record
        else:
            append(item)
        previous, previous_status = record, status
    return items


# A match without its entry: (record id, status, reason, criteria, fixed version).
_Item = tuple[str, str, str, str, str | None]


def _resolve(
    hits: Iterable[_Hit], verdict_of: Callable[[int], tuple[int, str]]
) -> dict[int, tuple[int, str, str, str, str | None]]:
    """Per record, (position, status, reason, criteria, fixed) of the first affected hit, else
    of the first to review; a hit whose platform the host certainly lacks is dropped, one
    whose platform is unknown is to review."""
    best: dict[int, tuple[int, str, str, str, str | None]] = {}
    for record, status, reason, criteria, fixed, platform, position in hits:
        if platform >= 0:
            verdict, names = verdict_of(platform)
            if verdict == _NO:
                continue
            if verdict == _UNKNOWN:
                status = NEEDS_REVIEW
                reason = (
                    f"{reason.removesuffix(_REVIEW)}; chưa xác định được máy có chạy trên nền "
                    f"tảng {names}{_REVIEW}"
                )
            elif names:
                reason = f"{reason}, chạy trên nền tảng {names}"
        known = best.get(record)
        if known is None or (known[1] != AFFECTED and status == AFFECTED):
            best[record] = (position, status, reason, criteria, fixed)
    return best


def _choose(
    hits: Iterable[_Hit],
    verdict_of: Callable[[int], tuple[int, str]],
    record_ids: Sequence[str],
) -> list[_Item]:
    """One match per record, in record order (see :func:`_resolve`)."""
    best = _resolve(hits, verdict_of)
    return [(record_ids[r], *best[r][1:]) for r in sorted(best)]


def _merge(
    plain: list[tuple[int, int, _Item]],
    best: dict[int, tuple[int, str, str, str, str | None]],
    record_ids: Sequence[str],
) -> list[_Item]:
    """Plain matches and the resolved others, as :func:`_choose` would have chosen among all
    of them: per record, the first affected by rule position, else the first."""
    if not best:
        return [item for _, _, item in plain]
    merged: list[tuple[int, _Item]] = []
    append = merged.append
    pending = dict(best)
    for record, position, item in plain:
        other = pending.pop(record, None)
        if other is not None:
            mine_affected, other_affected = item[1] == AFFECTED, other[1] == AFFECTED
            if (other_affected and not mine_affected) or (
                other_affected == mine_affected and other[0] < position
            ):
                item = (record_ids[record], *other[1:])
        append((record, item))
    if pending:
        merged += [(r, (record_ids[r], *other[1:])) for r, other in pending.items()]
        merged.sort(key=_first)
    return [item for _, item in merged]


def _first(pair: tuple[int, _Item]) -> int:
    return pair[0]


class _Plan(NamedTuple):
    """A target's hits: those that are plain matches, and the rest (platforms, judged)."""

    plain: list[tuple[int, int, _Item]]
    items: list[_Item]  # the plain matches alone
    rest: list[_Hit]
    needed: tuple[int, ...]  # the platform ids the rest name

    def hits(self) -> list[_Hit]:
        """Every hit in rule order, the plain ones as hits again."""
        again: list[_Hit] = [
            (record, item[1], item[2], item[3], item[4], -1, position)
            for record, position, item in self.plain
        ]
        return sorted(again + self.rest, key=lambda hit: hit[6])


_MATCH_FIELDS = ("entry", "record_id", "status", "reason", "criteria", "fixed_version")


def _match_builder() -> Callable[[int, list[_Item], list[Match]], None]:
    """What appends an entry's matches to a list. Match is a frozen dataclass with slots: its
    generated ``__init__`` sets each field through ``object.__setattr__``; setting the slots
    directly does the same in half the time, which counts for a million matches. Should
    Match ever have other fields, the constructor is used."""
    slots = [Match.__dict__.get(name) for name in _MATCH_FIELDS]
    names = tuple(f.name for f in dataclasses.fields(Match))
    if names != _MATCH_FIELDS or not all(
        isinstance(slot, types.MemberDescriptorType) for slot in slots
    ):

        def construct(entry: int, items: list[_Item], out: list[Match]) -> None:
            out.extend([Match(entry, *item) for item in items])

        return construct
    setters = [slot.__set__ for slot in slots if isinstance(slot, types.MemberDescriptorType)]
    set_entry, set_record, set_status, set_reason, set_criteria, set_fixed = setters
    new = object.__new__

    def fill(entry: int, items: list[_Item], out: list[Match]) -> None:
        append = out.append
        for record_id, status, reason, criteria, fixed in items:
            match = new(Match)
            set_entry(match, entry)
            set_record(match, record_id)
            set_status(match, status)
            set_reason(match, reason)
            set_criteria(match, criteria)
            set_fixed(match, fixed)
            append(match)

    return fill


_add_matches = _match_builder()


def _verdicts(
    host: _Host, platforms: Sequence[tuple[_PlatformNode, ...]], parsed: _Parsed
) -> Callable[[int], tuple[int, str]]:
    """The host's verdict on a platform requirement, worked out once per host."""

    def verdict_of(platform: int) -> tuple[int, str]:
        found = host.verdicts.get(platform)
        if found is None:
            found = host.verdicts[platform] = _platform_verdict(host, platforms[platform], parsed)
        return found

    return verdict_of


def match_inventory(
    index: VulnIndex,
    entries: Sequence[InventoryEntry],
    ids: Sequence[SoftwareId],
    *,
    distro_fixed: DistroFixed | None = None,
) -> list[Match]:
    """Every (entry, record) match, ordered by entry then by the record's place in the index.

    ``ids[i]`` is the normalised identity of ``entries[i]``; identities with method
    "unmapped" (or no vendor/product) never match. ``distro_fixed`` settles distribution
    packages (see the module's docstring).
    """
    if len(entries) != len(ids):
        raise ValueError(f"{len(entries)} entries but {len(ids)} identities")
    with _gc_paused():
        return _match_inventory(index, entries, ids, distro_fixed)


def _match_inventory(
    index: VulnIndex,
    entries: Sequence[InventoryEntry],
    ids: Sequence[SoftwareId],
    distro_fixed: DistroFixed | None,
) -> list[Match]:
    memo = _Memo()
    parsed = index.parsed
    record_ids = index.record_ids
    products = index.products
    # One pass over the inventory: the hosts' software, and each entry's targets (what of
    # it decides its matches), both worked out once per distinct entry.
    numbers: dict[tuple[str, str], int] = {}
    hosts: list[_Host] = []
    host_of: list[int] = []
    groups: dict[_Target, list[int]] = {}
    entry_targets: list[list[_Target]] = []
    seen: dict[
        tuple[SoftwareId, str, str], tuple[list[tuple[tuple[str, str], str, str]], list[_Target]]
    ] = {}
    for i, (entry, sid) in enumerate(zip(entries, ids, strict=True)):
        key = (entry.unit_code, entry.host)
        number = numbers.get(key)
        if number is None:
            number = numbers[key] = len(hosts)
            hosts.append(_Host())
        host_of.append(number)
        host = hosts[number]
        software = host.software
        if entry.os and entry.os not in host.os_texts:
            host.os_texts.add(entry.os)
            for name, version, part in memo.os_software(entry.os):
                software.setdefault(name, []).append(version)
                host.parts.add(part)
        if not _usable(sid):
            entry_targets.append([])
            continue
        known = seen.get((sid, entry.product, entry.cpe))
        if known is None:
            targets = [t for t in _targets(entry, sid, memo) if (t.vendor, t.product) in products]
            known = seen[(sid, entry.product, entry.cpe)] = (memo.software_of(sid), targets)
        for name, version, part in known[0]:
            software.setdefault(name, []).append(version)
            host.parts.add(part)
        for target in known[1]:
            groups.setdefault(target, []).append(i)
        entry_targets.append(known[1])
    # Per target: its plan; per target and combination of verdicts on the platforms its hits
    # name (most hosts share one), its matches.
    plans: dict[_Target, _Plan] = {}
    by_product: dict[tuple[str, str], list[_Target]] = {}
    for target in groups:
        by_product.setdefault((target.vendor, target.product), []).append(target)
    for key, targets in by_product.items():
        rules = products[key]
        for target, (certain, judged) in zip(
            targets, _hits_many(rules, [t.version for t in targets], parsed), strict=True
        ):
            if certain or judged:
                plan = _plan(target, rules, certain, judged, record_ids, parsed, distro_fixed)
                if plan.plain or plan.rest:
                    plans[target] = plan
    found: list[Match] = []
    chosen: dict[tuple[_Target, tuple[tuple[int, str], ...]], list[_Item]] = {}
    for member in range(len(entries)):
        mine = [(t, plans[t]) for t in entry_targets[member] if t in plans]
        if not mine:
            continue
        if len(mine) == 1:
            target, plan = mine[0]
            if not plan.rest:
                items = plan.items
            else:
                verdict_of = _verdicts(hosts[host_of[member]], index.platforms, parsed)
                signature = tuple(verdict_of(p) for p in plan.needed)
                cached = chosen.get((target, signature))
                if cached is None:
                    cached = chosen[(target, signature)] = _merge(
                        plan.plain, _resolve(plan.rest, verdict_of), record_ids
                    )
                items = cached
        else:  # several CPE names: one match per record across them
            verdict_of = _verdicts(hosts[host_of[member]], index.platforms, parsed)
            items = _choose(
                (hit for _, plan in mine for hit in plan.hits()), verdict_of, record_ids
            )
        _add_matches(member, items, found)
    return found


def _plan(
    target: _Target,
    rules: _ProductRules,
    certain: list[int],
    judged: list[tuple[int, str]],
    record_ids: Sequence[str],
    parsed: _Parsed,
    distro_fixed: DistroFixed | None,
) -> _Plan:
    shown = target.version.strip()
    plain: list[tuple[int, int, _Item]] = []
    found: list[tuple[int, str]] = judged
    if not target.distro and not target.target_sw and not target.target_hw:
        found = []
        if rules.any_platform:
            platforms = rules.platforms
            found = [(p, AFFECTED) for p in certain if platforms[p] >= 0]
            certain = [p for p in certain if platforms[p] < 0]
            if judged:
                found = sorted(found + [hit for hit in judged if platforms[hit[0]] >= 0])
                judged = [hit for hit in judged if platforms[hit[0]] < 0]
        plain = _plain_items(rules, certain, judged, shown, record_ids, parsed)
    elif certain:
        found = sorted([(p, AFFECTED) for p in certain] + judged)
    rest = (
        _target_hits(
            target,
            rules.matches,
            rules.records,
            rules.platforms,
            found,
            record_ids,
            parsed,
            distro_fixed,
            rules.templates,
        )
        if found
        else []
    )
    needed = tuple(sorted({hit[5] for hit in rest if hit[5] >= 0}))
    return _Plan(plain, [item for _, _, item in plain], rest, needed)


def match_naive(
    records: Iterable[VulnRecord],
    entries: Sequence[InventoryEntry],
    ids: Sequence[SoftwareId],
    *,
    distro_fixed: DistroFixed | None = None,
) -> list[Match]:
    """The baseline: each entry checked against every cpeMatch of every record of its
    product, bounds parsed on the spot, no index. Same results as :func:`match_inventory`."""
    if len(entries) != len(ids):
        raise ValueError(f"{len(entries)} entries but {len(ids)} identities")
    with _gc_paused():
        return _match_naive(records, entries, ids, distro_fixed)


def _match_naive(
    records: Iterable[VulnRecord],
    entries: Sequence[InventoryEntry],
    ids: Sequence[SoftwareId],
    distro_fixed: DistroFixed | None,
) -> list[Match]:
    published: list[list[VulnRecord]] = []  # per record id, its records (one per source)
    positions: dict[str, int] = {}
    by_product: dict[tuple[str, str], list[int]] = {}
    for record in records:
        if record.status != PUBLISHED:
            continue
        products = set()
        for m, _ in _record_rules(record):
            criteria = _read_criteria(m.criteria)
            if criteria is not None:
                products.add((criteria.vendor, criteria.product))
        if not products:
            continue
        position = positions.setdefault(record.record_id, len(published))
        if position == len(published):
            published.append([])
        published[position].append(record)
        for product in products:
            listed = by_product.setdefault(product, [])
            if position not in listed:
                listed.append(position)
    record_ids = list(positions)
    memo = _Memo()
    host_of, hosts = _hosts(entries, ids, memo)
    parsed = _Parsed()  # criteria and platform verdicts only; the ranges are parsed each time
    found: list[Match] = []
    for i, (entry, sid) in enumerate(zip(entries, ids, strict=True)):
        if not _usable(sid):
            continue
        hits: list[_Hit] = []
        platforms: list[tuple[_PlatformNode, ...]] = []
        for target in _targets(entry, sid, memo):
            hits += _naive_hits(target, by_product, published, record_ids, platforms, distro_fixed)
        host = hosts[host_of[i]]
        host.verdicts.clear()  # platform ids are the entry's own here
        verdict_of = _verdicts(host, platforms, parsed)
        found.extend(Match(i, *item) for item in _choose(hits, verdict_of, record_ids))
    return found


def _naive_hits(
    target: _Target,
    by_product: Mapping[tuple[str, str], list[int]],
    published: Sequence[Sequence[VulnRecord]],
    record_ids: Sequence[str],
    platforms: list[tuple[_PlatformNode, ...]],
    distro_fixed: DistroFixed | None,
) -> list[_Hit]:
    """One target's hits the naive way: every cpeMatch of every record of the product, its
    criteria and bounds parsed on the spot."""
    matches: list[CpeMatch] = []
    records: list[int] = []
    rule_platforms: list[int] = []
    found: list[tuple[int, str]] = []
    for position in by_product.get((target.vendor, target.product), ()):
        for record in published[position]:
            for m, platform in _record_rules(record):
                criteria = _read_criteria(m.criteria)
                if criteria is None or (criteria.vendor, criteria.product) != (
                    target.vendor,
                    target.product,
                ):
                    continue
                status = judge(m, target.version)
                if status is None:
                    continue
                platform_id = -1
                if platform:
                    platform_id = len(platforms)
                    platforms.append(platform)
                found.append((len(matches), status))
                matches.append(m)
                records.append(position)
                rule_platforms.append(platform_id)
    return _target_hits(
        target, matches, records, rule_platforms, found, record_ids, _Parsed(), distro_fixed, None
    )


# --- priority -----------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def prioritise(
    matches: Iterable[Match],
    records_by_id: Mapping[str, VulnRecord],
    kev: Mapping[str, KevEntry],
    epss: Mapping[str, EpssScore],
    entries: Sequence[InventoryEntry],
) -> list[Prioritised]:
    """Order matches for remediation: a 0..100 score and a priority 1 (urgent) .. 4 (low).

    score = 35 × KEV + 3 × ransomware use (KEV) + 20 × min(1, EPSS / 0.5)
            + 3 × CVSS base score (0..10; 5 when the record has none)
            + 7 × internet-facing host + 1.25 × (security level − 1) (level 1..5; 0 if unknown)

    (rounded to one decimal, at most 100). Priority: 1 when the CVE is in KEV or the score
    is at least 50; else 2 when the score is at least 35 or the severity is critical; else 3
    when the score is at least 20 or the severity is high; else 4. So KEV comes first,
    then the likelihood of exploitation (EPSS), then the severity (CVSS), then exposure and
    the importance of the system. A match to review keeps its priority, with a note.
    Sorted by priority, score (highest first), entry, then CVE id; deterministic.
    """
    out: list[Prioritised] = []
    for match in matches:
        record = records_by_id.get(match.record_id)
        cvss = record.best_cvss if record is not None else None
        known = kev.get(match.record_id)
        score_of = epss.get(match.record_id)
        entry = entries[match.entry]
        notes: list[str] = []
        points = 0.0
        if known is not None:
            points += 35
            due = (
                f" (CISA yêu cầu khắc phục trước {known.due_date:%d/%m/%Y})"
                if known.due_date
                else ""
            )
            notes.append(f"Đang bị khai thác thực tế (danh mục KEV){due}")
            if known.ransomware:
                points += 3
                notes.append("Đã được dùng trong các chiến dịch mã độc tống tiền")
        if score_of is not None:
            points += 20 * min(1.0, score_of.epss / 0.5)
            notes.append(
                f"Xác suất bị khai thác (EPSS) {_number(score_of.epss * 100)}%, "
                f"cao hơn {_number(score_of.percentile * 100)}% các lỗ hổng khác"
            )
        base = cvss.score if cvss is not None else 5.0
        if cvss is None:
            notes.append("Chưa có điểm CVSS: tạm tính mức trung bình")
        points += 3 * base
        if entry.internet_facing:
            points += 7
            notes.append("Máy công khai ra Internet")
        level = entry.security_level
        if level is not None and 1 <= level <= 5:
            points += 1.25 * (level - 1)
            notes.append(f"Thuộc hệ thống thông tin cấp độ {level}")
        if match.status == NEEDS_REVIEW:
            notes.append("Cần kiểm tra thủ công trước khi kết luận")
        score = round(min(100.0, points), 1)
        severity = cvss.severity if cvss is not None else ""
        if known is not None or score >= 50:
            priority = 1
        elif score >= 35 or severity == "critical":
            priority = 2
        elif score >= 20 or severity == "high":
            priority = 3
        else:
            priority = 4
        out.append(
            Prioritised(
                match=match,
                cvss=cvss.score if cvss is not None else None,
                severity=severity,
                kev=known is not None,
                epss=score_of.epss if score_of is not None else None,
                priority=priority,
                score=score,
                notes=notes,
            )
        )
    out.sort(key=lambda p: (p.priority, -p.score, p.match.entry, p.match.record_id))
    return out
