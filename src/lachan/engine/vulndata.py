"""The plain data of vulnerability matching, shared by the feed readers
(:mod:`lachan.engine.feeds`), software-name normalisation (:mod:`lachan.engine.software`) and
the matcher (:mod:`lachan.engine.vulnmatch`). No Django, no I/O.

One model for every source: an NVD CVE API 2.0 record, a CVE JSON 5 record (its CNA
``affected`` entries and the CISA ADP enrichment become the same configurations), and a
Department advisory (its products and version ranges, with ``record_id`` "ADV-<n>") all become
a :class:`VulnRecord`. KEV and EPSS are joined onto records by CVE id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Record statuses. A rejected or withdrawn record is kept (so a re-import can mark it) but
# never matches.
PUBLISHED = "published"
REJECTED = "rejected"

# Match statuses.
AFFECTED = "affected"
NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True, slots=True)
class CpeMatch:
    """One NVD ``cpeMatch``: a CPE 2.3 match string and an optional version range.

    ``criteria`` is the full ``cpe:2.3:part:vendor:product:version:update:edition:language:
    sw_edition:target_sw:target_hw:other`` string; its version is ``*`` when a range is given,
    an exact version otherwise. The four bounds are NVD's, unparsed.
    """

    criteria: str
    vulnerable: bool = True
    version_start_including: str | None = None
    version_start_excluding: str | None = None
    version_end_including: str | None = None
    version_end_excluding: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """A configuration node: its matches joined by ``operator`` ("OR" or "AND")."""

    operator: str = "OR"
    negate: bool = False
    matches: tuple[CpeMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class Configuration:
    """A configuration: nodes joined by ``operator``. The usual AND case is "a vulnerable
    application (node 1, vulnerable=True) running on a platform (node 2, vulnerable=False)"."""

    operator: str = "OR"
    negate: bool = False
    nodes: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Cvss:
    version: str  # "4.0", "3.1", "3.0" or "2.0"
    score: float
    vector: str
    severity: str  # lower case: "none", "low", "medium", "high", "critical"


@dataclass(slots=True)
class VulnRecord:
    """A vulnerability as one model, whatever its source."""

    record_id: str  # "CVE-2024-4577", or "ADV-12" for a Department advisory without CVE
    description: str = ""  # English as published (a Vietnamese summary is kept elsewhere)
    published: dt.datetime | None = None
    modified: dt.datetime | None = None
    status: str = PUBLISHED  # PUBLISHED or REJECTED (rejected / withdrawn by its source)
    cvss31: Cvss | None = None  # v3.1 (or v3.0 when that is all there is)
    cvss40: Cvss | None = None
    cwes: tuple[str, ...] = ()  # "CWE-79"
    references: tuple[str, ...] = ()
    configurations: tuple[Configuration, ...] = ()
    source: str = ""  # "nvd", "cve5", "advisory"
    aliases: tuple[str, ...] = ()  # CVE ids an advisory covers

    @property
    def best_cvss(self) -> Cvss | None:
        """v3.1 first (what most tools and the authorities quote), else v4.0."""
        return self.cvss31 or self.cvss40


@dataclass(frozen=True, slots=True)
class KevEntry:
    """An entry of the CISA Known Exploited Vulnerabilities catalogue."""

    cve_id: str
    vendor: str = ""
    product: str = ""
    name: str = ""
    date_added: dt.date | None = None
    due_date: dt.date | None = None
    ransomware: bool = False  # knownRansomwareCampaignUse == "Known"
    required_action: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class EpssScore:
    cve_id: str
    epss: float  # probability of exploitation in the next 30 days, 0..1
    percentile: float  # 0..1
    date: dt.date | None = None  # the model's score date, from the file's comment line


@dataclass(frozen=True, slots=True)
class SoftwareId:
    """What normalisation made of an inventory entry: CPE vendor/product/version, and how.

    ``method``: "cpe" (the entry carried a CPE), "alias" (a rule of the alias table), "package"
    (a Debian/Ubuntu package name), "exact" (vendor/product already in CPE form),
    "unmapped" (nothing known: never matches by name guessing). ``rule`` names the alias or
    package rule that applied, for the UI to show.
    """

    vendor: str
    product: str
    version: str
    method: str
    rule: str = ""
    part: str = "a"  # "a" application, "o" operating system, "h" hardware
    distro: str = ""  # "debian", "ubuntu", … when the version is a distribution package's
    update: str = ""  # CPE update, when the name carries one ("cumulative_update_12")
    # Other CPE (vendor, product) names NVD uses for the same software, older or newer
    # ("nginx:nginx" beside "f5:nginx"): a record naming any of them applies.
    also: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """One software entry of one host, as imported (``unit_code,host,os,vendor,product,
    version,cpe,system``) plus what the registry knows of the host and its system."""

    unit_code: str
    host: str
    vendor: str
    product: str
    version: str
    os: str = ""
    cpe: str = ""
    system: str = ""
    internet_facing: bool = False
    security_level: int | None = None  # cấp độ 1..5 of the information system, if known
    row: int | None = None  # source row, for messages


@dataclass(frozen=True, slots=True)
class Match:
    """One (inventory entry, record) pair found by the matcher."""

    entry: int  # index of the entry in the inventory given to the matcher
    record_id: str
    status: str  # AFFECTED or NEEDS_REVIEW
    reason: str  # plain Vietnamese: why (range hit, version not comparable, backport…)
    criteria: str = ""  # the cpeMatch criteria that matched
    fixed_version: str | None = None  # the lowest version outside the range, when known


@dataclass(slots=True)
class Prioritised:
    """A match with what the Department needs to order the work."""

    match: Match
    cvss: float | None = None
    severity: str = ""  # lower case, from the record's CVSS ("" when none)
    kev: bool = False
    epss: float | None = None
    priority: int = 4  # 1 (urgent) .. 4 (low)
    score: float = 0.0  # 0..100, the sort key behind ``priority``
    notes: list[str] = field(default_factory=list)
