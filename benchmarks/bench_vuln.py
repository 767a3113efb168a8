"""Vulnerability matching (issue 4, item 8): ``lachan.engine.vulnmatch`` against a baseline.

Generates, in a temporary directory, 250,000 CVE records as NVD CVE API 2.0 response pages of
2,000 records (``--records``), shaped like the real configurations in
shared/data/nvd_cpe_configurations (when present; a few built-in shapes otherwise):

- each synthetic record copies the configuration structure of a real record: its
  configurations, AND/OR operators, nodes, the kind of every cpeMatch (start/end
  including/excluding, exact version, ``*``, ``-``), vulnerable flags and platform nodes
  (Windows, Linux kernel, Android, macOS, iOS, as in the real ones);
- the vendor/product of each application is drawn from a long-tailed (Zipf-like) list: the
  real products first, ranked by how often they occur, then 29,000 synthetic ones, a third
  of them WordPress plugins (``target_sw`` wordpress); the first product gets about 3.5 % of
  the records, as the Linux kernel does in NVD;
- each product has a release line in its own version style (dotted, Chrome-like four
  parts, OpenSSL letters, OpenSSH ``p``, Java ``1.8.0_NNN``, pre-releases), about six
  records per release; bounds are releases of that line;
- descriptions, CVSS v3.1, CWE and references make the pages as heavy as NVD's; 1 % of the
  records are rejected.

Then an inventory of 50,000 entries on 2,000 hosts (``--entries``, ``--hosts``): 70 % Windows
PCs, 10 % Windows servers, 20 % Ubuntu/Debian servers whose OpenSSH, Apache, PHP and OpenSSL
are distribution packages (``1:9.2p1-2+deb12u2``). ``--profile current`` (the default): 30 %
of a host's software is of the 300 most frequent (CVE-heavy) products, the rest from the
middle and the long tail or software NVD does not know; 65 % of versions are the newest
release, 20 % one to three releases behind, 10 % four to fifteen, 5 % up to eighty; 0.5 %
"latest" or empty. That gives a few hundred matches per host, as scanners report for
school PCs. ``--profile stale``: half the software popular, a third of it months behind.
Identities are built directly (``SoftwareId(method="exact")``).

Times, in one process:

- import: :func:`lachan.engine.feeds.iter_records` over the folder (the time spent inside
  the reader), streaming into :func:`lachan.engine.vulnmatch.build_index` (the rest);
- matching: :func:`match_inventory` for the whole inventory (best and median of 3);
- the baseline: :func:`match_naive` (each entry against every cpeMatch of every record of
  its product, bounds parsed on the spot) on a sample of whole hosts, with the records of
  the sample's products read again from the pages, scaled to the inventory; its answers are
  checked against the index's;
- peak memory: the process's maximum resident set size after import, index and matching.

Wall and CPU seconds are both given: the machine may be shared. The first matching run also
fills the index's reason templates; its time is given too.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/bench_vuln.py [--records N]
[--entries N] [--hosts N] [--profile current|stale] [--sample-hosts N] [--seed N]``.
Needs no database.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lachan.engine.feeds import iter_records  # noqa: E402
from lachan.engine.vulndata import (  # noqa: E402
    AFFECTED,
    NEEDS_REVIEW,
    InventoryEntry,
    SoftwareId,
    VulnRecord,
)
from lachan.engine.vulnmatch import build_index, match_inventory, match_naive  # noqa: E402

SHARED = Path(os.environ.get("LACHAN_SHARED_DATA", ROOT.parent / "shared" / "data"))
REAL = SHARED / "nvd_cpe_configurations" / "nvd_cpe_configurations.jsonl.gz"
PAGE = 2000
CVES_PER_RELEASE = 6

# A cpeMatch shape: (kind, vulnerable, part, slot, platform vendor, platform product, target_sw)
# kind: "si", "se", "ei", "ee" joined by "+", "exact", "any" or "na"; slot: which application
# of the record (0, 1, …) or -1 for a platform named as in the real record.
FALLBACK_SHAPES: list[list[tuple[str, list[tuple[bool, list[tuple]]]]]] = [
    [("OR", [(False, [("si+ee", True, "a", 0, "", "", "*")] * 3)])],
    [("OR", [(False, [("ee", True, "a", 0, "", "", "*")])])],
    [("OR", [(False, [("exact", True, "a", 0, "", "", "*")] * 4)])],
    [("OR", [(False, [("si+ei", True, "a", 0, "", "", "*"), ("ei", True, "a", 1, "", "", "*")])])],
    [
        (
            "AND",
            [
                (False, [("ee", True, "a", 0, "", "", "*")]),
                (False, [("na", False, "o", -1, "microsoft", "windows", "*")]),
            ],
        )
    ],
]

WORDS = (
    "a remote attacker could exploit improper validation of user supplied input in the "
    "request handler leading to memory corruption cross site scripting information "
    "disclosure denial of service privilege escalation authentication bypass arbitrary code "
    "execution path traversal sql injection via crafted parameters in the administration "
    "interface when processing specially crafted files or network packets"
).split()
CWES = [
    "CWE-79",
    "CWE-89",
    "CWE-787",
    "CWE-20",
    "CWE-125",
    "CWE-78",
    "CWE-416",
    "CWE-22",
    "CWE-352",
]
SEVERITY = [
    (9.8, "CRITICAL"),
    (8.8, "HIGH"),
    (7.5, "HIGH"),
    (6.1, "MEDIUM"),
    (5.3, "MEDIUM"),
    (3.3, "LOW"),
]


# --- shapes of the real records -------------------------------------------------------------


def _kind(m: dict) -> str:
    parts = []
    for key, short in (
        ("versionStartIncluding", "si"),
        ("versionStartExcluding", "se"),
        ("versionEndIncluding", "ei"),
        ("versionEndExcluding", "ee"),
    ):
        if key in m:
            parts.append(short)
    if parts:
        return "+".join(parts)
    version = m["criteria"].split(":")[5]
    return "any" if version == "*" else "na" if version == "-" else "exact"


def real_shapes() -> tuple[list, Counter]:
    """The configuration shapes of the real records and how often each product occurs."""
    if not REAL.is_file():
        return FALLBACK_SHAPES, Counter()
    shapes, products = [], Counter()
    with gzip.open(REAL, "rt", encoding="utf-8") as handle:
        for line in handle:
            configurations = json.loads(line)["cve"].get("configurations") or []
            slots: dict[tuple[str, str], int] = {}
            shape = []
            for conf in configurations:
                nodes = []
                for node in conf["nodes"]:
                    matches = []
                    for m in node["cpeMatch"]:
                        parts = m["criteria"].split(":")
                        if "\\" in m["criteria"] or len(parts) != 13:
                            continue
                        key = (parts[3], parts[4])
                        if m["vulnerable"] or parts[2] == "a":
                            slot = slots.setdefault(key, len(slots))
                            products[key] += 1
                            matches.append(
                                (_kind(m), m["vulnerable"], parts[2], slot, "", "", parts[10])
                            )
                        else:
                            matches.append((_kind(m), False, parts[2], -1, parts[3], parts[4], "*"))
                    if matches:
                        nodes.append((node.get("negate", False), matches))
                if nodes:
                    shape.append((conf.get("operator", "OR"), nodes))
            if shape:
                shapes.append(shape)
    return shapes, products


# --- products and their release lines -------------------------------------------------------


class Product:
    __slots__ = ("vendor", "name", "target_sw", "style", "releases", "weight")

    def __init__(self, vendor: str, name: str, target_sw: str, weight: float) -> None:
        self.vendor, self.name, self.target_sw, self.weight = vendor, name, target_sw, weight
        self.style = ""
        self.releases: list[str] = []


def _style_of(product: Product, rng: random.Random) -> str:
    name = product.name
    if name in ("chrome", "edge", "edge_chromium", "chromium") or "chrome" in name:
        return "four"
    if name == "openssl":
        return "letter"
    if name == "openssh":
        return "p"
    if name in ("java_se", "jdk", "jre", "java", "openjdk"):
        return "java"
    return rng.choices(
        ["three", "four", "two", "letter", "p", "java", "pre"], [70, 8, 12, 2, 2, 2, 4]
    )[0]


def release_line(style: str, count: int, rng: random.Random) -> list[str]:
    """``count`` ascending releases in a version style."""
    out: list[str] = []
    major, minor, patch = rng.randint(1, 12), rng.randint(0, 5), 0
    build = rng.randint(3000, 6000)
    letter = 0
    while len(out) < count:
        step = rng.random()
        if step < 0.05:
            major, minor, patch, letter = major + 1, 0, 0, 0
            build += rng.randint(50, 400)
        elif step < 0.25:
            minor, patch, letter = minor + 1, 0, 0
        else:
            patch += 1
            letter += 1
        if style == "four":
            out.append(f"{major + 100}.0.{build + minor * 10}.{patch}")
        elif style == "two":
            out.append(f"{major}.{minor * 10 + patch}")
        elif style == "letter":
            letters = "abcdefghijklmnopqrstuvwxyz"
            suffix = (
                letters[letter - 1]
                if 0 < letter <= 26
                else ("z" + letters[(letter - 27) % 26] if letter else "")
            )
            out.append(f"{major}.{minor}.{patch // 30}{suffix}")
        elif style == "p":
            out.append(f"{major}.{minor}p{patch % 3 + 1}" if patch % 4 else f"{major}.{minor}")
        elif style == "java":
            out.append(f"1.{major}.0_{(minor * 20 + patch) * 10 + 1}")
        elif style == "pre" and patch == 0:
            out.append(f"{major}.{minor}.0-rc{rng.randint(1, 3)}")
        else:
            out.append(f"{major}.{minor}.{patch}")
    # De-duplicate while keeping the order (the styles above are increasing).
    return list(dict.fromkeys(out))


def make_products(rng: random.Random, real: Counter, total: int, records: int) -> list[Product]:
    ranked = [key for key, _ in real.most_common()]
    products: list[Product] = []
    for rank in range(total):
        weight = 1.0 / (rank + 3)
        if rank < len(ranked):
            vendor, name = ranked[rank]
            target = "*"
        else:
            n = rank - len(ranked)
            plugin = n % 3 == 0
            vendor = f"vendor{n // 2:05d}"
            name = f"plugin_{n:05d}" if plugin else f"product_{n:05d}"
            target = "wordpress" if plugin else "*"
        products.append(Product(vendor, name, target, weight))
    norm = sum(p.weight for p in products)
    rules_per_record = 2.7
    for p in products:
        expected = records * rules_per_record * p.weight / norm / 2  # products per record ~2
        p.style = _style_of(p, rng)
        p.releases = release_line(
            p.style, int(min(4000, max(12, expected / CVES_PER_RELEASE))), rng
        )
    return products


# --- records as NVD API 2.0 pages -----------------------------------------------------------


def _cpe(part: str, vendor: str, product: str, version: str = "*", target_sw: str = "*") -> str:
    return f"cpe:2.3:{part}:{vendor}:{product}:{version}:*:*:*:*:{target_sw}:*:*"


def make_match(shape: tuple, product: Product, fix: int, rng: random.Random) -> tuple[dict, int]:
    """A cpeMatch of a shape, and where the next range of the same product in the node ends
    (below this one's start: NVD lists one range per branch, 8.3.x, 8.2.x, …)."""
    kind, vulnerable, part, _, pvendor, pproduct, _ = shape
    if not vulnerable and pvendor:
        version = "-" if kind == "na" else "*"
        return {
            "vulnerable": False,
            "criteria": _cpe(part, pvendor, pproduct, version),
            "matchCriteriaId": "0",
        }, fix
    releases = product.releases
    target = product.target_sw
    m: dict = {"vulnerable": bool(vulnerable)}
    if kind in ("exact", "na"):
        version = releases[rng.randrange(len(releases))] if kind == "exact" else "-"
        m["criteria"] = _cpe(part, product.vendor, product.name, version, target)
        return m, fix
    m["criteria"] = _cpe(part, product.vendor, product.name, "*", target)
    if kind == "any":
        return m, fix
    start = max(0, fix - rng.randint(1, 40))
    for bound in kind.split("+"):
        if bound == "si":
            m["versionStartIncluding"] = releases[start]
        elif bound == "se":
            m["versionStartExcluding"] = releases[start]
        elif bound == "ei":
            m["versionEndIncluding"] = releases[max(0, fix - 1)]
        elif bound == "ee":
            m["versionEndExcluding"] = releases[fix]
    return m, max(1, start - 1) if "s" in kind else fix


def make_record(
    n: int, shape: list, products: list[Product], cumulative: list[float], rng: random.Random
) -> dict:
    year = 2015 + n % 11
    cve_id = f"CVE-{year}-{100000 + n}"
    apps = {}
    configurations = []
    for operator, nodes in shape:
        conf_nodes = []
        for negate, matches in nodes:
            cpe_matches = []
            ends: dict[int, int] = {}  # per product of the node, where its next range ends
            for shape_match in matches:
                slot = shape_match[3]
                if slot >= 0 and slot not in apps:
                    product = rng.choices(products, cum_weights=cumulative)[0]
                    apps[slot] = (product, rng.randrange(1, len(product.releases)))
                product, fix = apps.get(slot, (products[0], 1))
                made, ends[slot] = make_match(shape_match, product, ends.get(slot, fix), rng)
                cpe_matches.append(made)
            conf_nodes.append({"operator": "OR", "negate": negate, "cpeMatch": cpe_matches})
        conf: dict = {"nodes": conf_nodes}
        if operator == "AND":
            conf["operator"] = "AND"
        configurations.append(conf)
    score, severity = rng.choice(SEVERITY)
    rejected = rng.random() < 0.01
    description = " ".join(rng.choices(WORDS, k=rng.randint(25, 60)))
    if rejected:
        description = "** REJECT ** DO NOT USE THIS CANDIDATE NUMBER. " + description
    return {
        "cve": {
            "id": cve_id,
            "sourceIdentifier": "cve@mitre.org",
            "published": f"{year}-0{1 + n % 9}-1{n % 10}T10:15:0{n % 10}.000",
            "lastModified": "2025-06-01T08:00:00.000",
            "vulnStatus": "Rejected" if rejected else "Analyzed",
            "descriptions": [{"lang": "en", "value": description}],
            "metrics": {
                "cvssMetricV31": [
                    {
                        "source": "nvd@nist.gov",
                        "type": "Primary",
                        "cvssData": {
                            "version": "3.1",
                            "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                            "baseScore": score,
                            "baseSeverity": severity,
                        },
                        "exploitabilityScore": 3.9,
                        "impactScore": 5.9,
                    }
                ]
            },
            "weaknesses": [
                {
                    "source": "nvd@nist.gov",
                    "type": "Primary",
                    "description": [{"lang": "en", "value": rng.choice(CWES)}],
                }
            ],
            "configurations": configurations,
            "references": [
                {"url": f"https://example.org/advisories/{cve_id}/{k}", "source": "cve@mitre.org"}
                for k in range(rng.randint(2, 6))
            ],
        }
    }


def write_pages(
    folder: Path, count: int, shapes: list, products: list[Product], rng: random.Random
) -> tuple[int, Counter]:
    """Write ``count`` records as NVD API 2.0 pages; (bytes written, shape statistics)."""
    cumulative = []
    running = 0.0
    for p in products:
        running += p.weight
        cumulative.append(running)
    stats: Counter = Counter()
    written = 0
    for start in range(0, count, PAGE):
        items = []
        for n in range(start, min(count, start + PAGE)):
            shape = shapes[rng.randrange(len(shapes))]
            item = make_record(n, shape, products, cumulative, rng)
            for conf in item["cve"]["configurations"]:
                stats["configurations"] += 1
                stats["and_configurations"] += conf.get("operator") == "AND"
                for node in conf["nodes"]:
                    stats["cpe_matches"] += len(node["cpeMatch"])
            items.append(item)
        page = {
            "resultsPerPage": len(items),
            "startIndex": start,
            "totalResults": count,
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": "2025-06-01T08:00:00.000",
            "vulnerabilities": items,
        }
        text = json.dumps(page, separators=(",", ":"))
        (folder / f"nvdcve-2.0-page-{start // PAGE:04d}.json").write_text(text, encoding="utf-8")
        written += len(text)
    return written, stats


# --- inventory ------------------------------------------------------------------------------

WINDOWS_OS = ["Windows 10 Pro 22H2", "Windows 11 Pro 23H2", "Windows 10 Education 21H2"]
SERVER_OS = ["Windows Server 2019", "Windows Server 2016", "Windows Server 2022"]
LINUX_OS = [("Ubuntu 22.04", "ubuntu"), ("Debian 12", "debian"), ("Ubuntu 20.04", "ubuntu")]
PACKAGES = [
    ("openbsd", "openssh", "openssh-server"),
    ("apache", "http_server", "apache2"),
    ("php", "php", "php8.1"),
    ("openssl", "openssl", "openssl"),
]


# How far behind the newest release an installed version is: (share, lowest, highest lag),
# and which share of a host's software is the CVE-heavy popular kind. "current": auto-updated
# browsers, most software at its latest release, a few machines years behind. "stale": half
# of the software popular and a third of it months behind (a neglected fleet).
PROFILES = {
    "current": {
        "lags": [(0.65, 0, 0), (0.20, 1, 3), (0.10, 4, 15), (0.05, 16, 80)],
        "popular": 0.3,
    },
    "stale": {"lags": [(0.60, 0, 1), (0.30, 2, 10), (0.10, 10, 60)], "popular": 0.5},
}


def _lagged(product: Product, lags: list[tuple[float, int, int]], rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.005:
        return rng.choice(["latest", ""])
    lag = 0
    for share, low, high in lags:
        if roll < share:
            lag = rng.randint(low, high)
            break
        roll -= share
    releases = product.releases
    return releases[max(0, len(releases) - 1 - lag)]


def make_inventory(
    rng: random.Random, products: list[Product], entries: int, hosts: int, profile: str
) -> tuple[list[InventoryEntry], list[SoftwareId]]:
    """Hosts of 25 entries: the popular (CVE-heavy) share from the 300 most frequent
    products, weighted by frequency; the rest from products ranked 300 to 3,000 (a third)
    and from the long tail or software NVD does not know (two thirds)."""
    lags, popular_share = PROFILES[profile]["lags"], PROFILES[profile]["popular"]
    popular = products[:300]
    popular_weights = [p.weight for p in popular]
    middle = products[300:3000]
    tail = products[3000:]
    by_name = {(p.vendor, p.name): p for p in products}
    out_entries: list[InventoryEntry] = []
    out_ids: list[SoftwareId] = []
    per_host = entries // hosts
    unknown = 0
    for h in range(hosts):
        unit = f"DV{h // 4:04d}"
        host = f"may-{h:04d}"
        roll = rng.random()
        linux = roll >= 0.8
        server = roll >= 0.7
        if linux:
            os_text, distro = rng.choice(LINUX_OS)
        else:
            os_text, distro = rng.choice(SERVER_OS if server else WINDOWS_OS), ""
        level = rng.choice([None, 1, 2, 3]) if server else None
        chosen: list[tuple[Product, str, str, str]] = []  # product, version, distro, package
        if linux:
            for vendor, name, package in PACKAGES:
                product = by_name.get((vendor, name)) or rng.choice(popular)
                upstream = _lagged(product, lags, rng) or product.releases[-1]
                revision = (
                    f"1ubuntu0.{rng.randint(1, 9)}"
                    if distro == "ubuntu"
                    else f"1+deb12u{rng.randint(1, 5)}"
                )
                chosen.append((product, f"{upstream}-{revision}", distro, package))
        seen = {c[0].name for c in chosen}
        while len(chosen) < per_host:
            kind = rng.random()
            if kind < popular_share:
                product = rng.choices(popular, popular_weights)[0]
            elif kind < popular_share + (1 - popular_share) / 3:
                product = rng.choice(middle)
            elif rng.random() < 0.5:
                product = rng.choice(tail)
            else:  # local software with no CVE record (Unikey, Zalo, MISA, drivers…)
                unknown += 1
                product = Product(f"local{unknown % 500}", f"app_{unknown % 5000}", "*", 0.0)
                product.releases = ["1.0", "2.0", "2.1"]
            if product.name in seen:
                continue
            seen.add(product.name)
            chosen.append((product, _lagged(product, lags, rng), "", product.name))
        for product, version, dist, package in chosen:
            out_entries.append(
                InventoryEntry(
                    unit,
                    host,
                    product.vendor,
                    package,
                    version,
                    os=os_text,
                    internet_facing=server and rng.random() < 0.3,
                    security_level=level,
                )
            )
            out_ids.append(SoftwareId(product.vendor, product.name, version, "exact", distro=dist))
    return out_entries, out_ids


# --- timing ---------------------------------------------------------------------------------


class TimedReader:
    """Iterates ``source``, adding up the time spent inside it."""

    def __init__(self, source: Iterable[VulnRecord]) -> None:
        self.source = iter(source)
        self.seconds = 0.0
        self.count = 0

    def __iter__(self) -> Iterator[VulnRecord]:
        clock = time.perf_counter
        source = self.source
        while True:
            began = clock()
            try:
                record = next(source)
            except StopIteration:
                self.seconds += clock() - began
                return
            self.seconds += clock() - began
            self.count += 1
            yield record


def timed(function, repeat: int = 3):
    """Wall and CPU seconds of each of ``repeat`` runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        result = None  # let the previous result go before the next run
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--products", type=int, default=30_000)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--hosts", type=int, default=2_000)
    parser.add_argument("--sample-hosts", type=int, default=20, help="hosts for the baseline")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="current")
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="lachan-bench-vuln-"))
    try:
        report = run(args, rng, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))


def run(args: argparse.Namespace, rng: random.Random, workdir: Path) -> dict:
    begin = time.perf_counter()
    shapes, real_products = real_shapes()
    products = make_products(rng, real_products, args.products, args.records)
    pages = workdir / "nvd"
    pages.mkdir()
    size, stats = write_pages(pages, args.records, shapes, products, rng)
    entries, ids = make_inventory(rng, products, args.entries, args.hosts, args.profile)
    generated = time.perf_counter() - begin
    rss_before = peak_mib()

    # Import streaming into the index.
    reader = TimedReader(iter_records([pages]))
    began, began_cpu = time.perf_counter(), time.process_time()
    index = build_index(reader)
    import_and_index = time.perf_counter() - began
    import_and_index_cpu = time.process_time() - began_cpu
    import_seconds = reader.seconds
    index_seconds = import_and_index - import_seconds
    rss_index = peak_mib()

    # Matching: the first run fills the index's reason cache, the next ones use it.
    walls, cpus, found = timed(lambda: match_inventory(index, entries, ids), 3)
    match_best, match_cpu = min(walls), min(cpus)
    statuses = Counter(m.status for m in found)
    per_host = Counter((entries[m.entry].unit_code, entries[m.entry].host) for m in found)
    match_count, with_match = len(found), len({m.entry for m in found})
    rss_match = peak_mib()

    # Baseline on whole hosts, records of their products read again.
    host_keys = sorted({(e.unit_code, e.host) for e in entries})
    sample_hosts = set(rng.sample(host_keys, min(args.sample_hosts, len(host_keys))))
    sample = [i for i, e in enumerate(entries) if (e.unit_code, e.host) in sample_hosts]
    sample_entries = [entries[i] for i in sample]
    sample_ids = [ids[i] for i in sample]
    wanted = {f":{sid.vendor}:{sid.product}:" for sid in sample_ids}
    records = [
        r
        for r in iter_records([pages])
        if any(
            w in m.criteria
            for c in r.configurations
            for n in c.nodes
            for m in n.matches
            for w in wanted
        )
    ]
    began, began_cpu = time.perf_counter(), time.process_time()
    expected = match_naive(records, sample_entries, sample_ids)
    baseline_seconds = time.perf_counter() - began
    baseline_cpu = time.process_time() - began_cpu
    del found
    ours = match_inventory(index, sample_entries, sample_ids)
    disagreements = len(set(expected) ^ set(ours))
    baseline_per_entry = baseline_seconds / len(sample)
    baseline_scaled = baseline_per_entry * len(entries)

    goals = {
        "import_and_index_under_60_s": import_and_index < 60,
        "match_under_2_s": match_best < 2,
        "match_under_2_cpu_s": match_cpu < 2,
        "peak_memory_under_2_gb": rss_match < 2048,
    }
    return {
        "records": args.records,
        "pages": math.ceil(args.records / PAGE),
        "page_bytes": size,
        "configurations": stats["configurations"],
        "and_configurations": stats["and_configurations"],
        "cpe_matches": stats["cpe_matches"],
        "shapes_from": str(REAL) if REAL.is_file() else "built-in shapes (shared data not found)",
        "real_shapes": len(shapes),
        "products": args.products,
        "generate_seconds": round(generated, 1),
        "import": {
            "seconds": round(import_seconds, 2),
            "records_per_s": round(reader.count / import_seconds),
            "mb_per_s": round(size / 1e6 / import_seconds, 1),
        },
        "index": {
            "build_seconds": round(index_seconds, 2),
            "records_indexed": len(index.record_ids),
            "records_skipped": index.skipped_records,
            "rules": index.rules,
            "products": len(index.products),
            "platform_requirements": len(index.platforms),
        },
        "import_and_index_seconds": round(import_and_index, 2),
        "import_and_index_cpu_seconds": round(import_and_index_cpu, 2),
        "match": {
            "profile": args.profile,
            "entries": len(entries),
            "hosts": args.hosts,
            "seconds": round(match_best, 3),
            "median_seconds": round(statistics.median(walls), 3),
            "first_run_seconds": round(walls[0], 3),
            "cpu_seconds": round(match_cpu, 3),
            "first_run_cpu_seconds": round(cpus[0], 3),
            "entries_per_s": round(len(entries) / match_best),
            "matches": match_count,
            "matches_per_host_median": statistics.median(per_host.values()) if per_host else 0,
            "affected": statuses[AFFECTED],
            "needs_review": statuses[NEEDS_REVIEW],
            "entries_with_a_match": with_match,
        },
        "peak_rss_mib": {
            "after_generating": rss_before,
            "after_import_and_index": rss_index,
            "after_matching": rss_match,
        },
        "baseline": {
            "method": "match_naive: every cpeMatch of every record of the entry's product, bounds parsed each time",
            "sample_hosts": len(sample_hosts),
            "sample_entries": len(sample),
            "records_of_sample_products": len(records),
            "seconds": round(baseline_seconds, 3),
            "cpu_seconds": round(baseline_cpu, 3),
            "seconds_per_entry": round(baseline_per_entry, 5),
            "scaled_seconds": round(baseline_scaled, 1),
            "scaled_cpu_seconds": round(baseline_cpu / len(sample) * len(entries), 1),
            "disagreements_with_index": disagreements,
        },
        "ratio_vs_baseline": round(baseline_scaled / match_best, 1),
        "ratio_vs_baseline_cpu": round(baseline_cpu / len(sample) * len(entries) / match_cpu, 1),
        "goals": goals,
    }


if __name__ == "__main__":
    main()
