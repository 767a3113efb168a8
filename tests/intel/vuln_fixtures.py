"""Small vulnerability feeds and an inventory, written as the real formats (NVD CVE API 2.0
JSON, the CISA KEV JSON, an EPSS CSV, the inventory CSV) for the intel and CLI tests.

The records are shaped like the real ones (ids and ranges taken from the public records of
these products); what each inventory row should give is written beside it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path


def cpe_match(criteria, vulnerable=True, **bounds):
    out = {"vulnerable": vulnerable, "criteria": criteria, "matchCriteriaId": "X"}
    names = {
        "start_incl": "versionStartIncluding",
        "start_excl": "versionStartExcluding",
        "end_incl": "versionEndIncluding",
        "end_excl": "versionEndExcluding",
    }
    out.update({names[k]: v for k, v in bounds.items()})
    return out


def nvd_cve(
    cve_id,
    matches,
    *,
    score=9.8,
    severity="CRITICAL",
    status="Analyzed",
    description="",
    platform=None,
):
    """One ``cve`` object of an NVD CVE API 2.0 response."""
    nodes = [{"operator": "OR", "negate": False, "cpeMatch": matches}]
    config = {"nodes": nodes}
    if platform:
        config = {
            "operator": "AND",
            "nodes": [*nodes, {"operator": "OR", "negate": False, "cpeMatch": platform}],
        }
    metrics = {}
    if score is not None:
        metrics["cvssMetricV31"] = [
            {
                "source": "nvd@nist.gov",
                "type": "Primary",
                "cvssData": {
                    "version": "3.1",
                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "baseScore": score,
                    "baseSeverity": severity,
                },
            }
        ]
    return {
        "id": cve_id,
        "published": "2024-06-09T20:15:09.550",
        "lastModified": "2024-08-14T17:49:14.560",
        "vulnStatus": status,
        "descriptions": [{"lang": "en", "value": description or f"Test record {cve_id}."}],
        "metrics": metrics,
        "weaknesses": [
            {
                "source": "nvd@nist.gov",
                "type": "Primary",
                "description": [{"lang": "en", "value": "CWE-78"}],
            }
        ],
        "configurations": [config] if matches else [],
        "references": [{"url": f"https://nvd.nist.gov/vuln/detail/{cve_id}"}],
    }


APACHE = "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"
RECORDS = [
    # Path traversal in 2.4.49 only (exact version): SRV-WEB and SRV-B are affected; KEV.
    nvd_cve(
        "CVE-2021-41773",
        [cpe_match("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*")],
        score=7.5,
        severity="HIGH",
    ),
    # 2.4.49 and 2.4.50.
    nvd_cve("CVE-2021-42013", [cpe_match(APACHE, start_incl="2.4.49", end_incl="2.4.50")]),
    # PHP before 8.1.29 (fixed in 8.1.29).
    nvd_cve(
        "CVE-2024-4577",
        [
            cpe_match("cpe:2.3:a:php:php:*:*:*:*:*:*:*:*", end_excl="8.1.29"),
            cpe_match("cpe:2.3:a:php:php:*:*:*:*:*:*:*:*", start_incl="8.2", end_excl="8.2.20"),
        ],
    ),
    # Chrome before 121.0.6167.85: PC-01 (120.0.6099.71).
    nvd_cve(
        "CVE-2024-0519",
        [cpe_match("cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*", end_excl="120.0.6099.224")],
        score=8.8,
        severity="HIGH",
    ),
    # OpenSSH before 9.3p2: a Debian package, so it needs a review (backported fixes).
    nvd_cve(
        "CVE-2023-38408",
        [cpe_match("cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", end_excl="9.3")],
    ),
    # A rejected record naming every Apache version: never matches, marked rejected.
    nvd_cve("CVE-2020-99999", [cpe_match(APACHE)], status="Rejected", score=None),
    # Not in any inventory.
    nvd_cve(
        "CVE-2024-1597",
        [
            cpe_match(
                "cpe:2.3:a:postgresql:postgresql_jdbc_driver:*:*:*:*:*:*:*:*", end_excl="42.2.28"
            )
        ],
    ),
]

INVENTORY_HEADER = ["unit_code", "host", "os", "vendor", "product", "version", "cpe", "system"]
INVENTORY = [
    # SRV-WEB: 3 records affect it (1 KEV), 1 to review.
    ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "Apache HTTP Server", "2.4.49", "", "Cổng thông tin"],
    [
        "THPT-A",
        "SRV-WEB",
        "Ubuntu 22.04",
        "",
        "PHP",
        "8.1.20",
        "cpe:2.3:a:php:php:8.1.20:*:*:*:*:*:*:*",
        "Cổng thông tin",
    ],
    [
        "THPT-A",
        "SRV-WEB",
        "Ubuntu 22.04",
        "",
        "openssh-server",
        "1:9.2p1-2+deb12u2",
        "",
        "Cổng thông tin",
    ],
    # PC-01: Chrome.
    [
        "THPT-A",
        "PC-01",
        "Windows 10",
        "",
        "Google Chrome",
        "120.0.6099.71",
        "cpe:2.3:a:google:chrome:120.0.6099.71:*:*:*:*:*:*:*",
        "",
    ],
    # PC-02: nothing known.
    ["THPT-A", "PC-02", "Windows 10", "VNPT", "VnEdu Client", "3.2", "", ""],
    # School B's server: the two Apache records.
    [
        "THPT-B",
        "SRV-B",
        "Debian 12",
        "",
        "Apache HTTP Server",
        "2.4.49",
        "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
        "",
    ],
]
# SRV-WEB after the upgrade: Apache and PHP fixed; OpenSSH unchanged.
UPGRADE = [
    ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "Apache HTTP Server", "2.4.58", "", ""],
    [
        "THPT-A",
        "SRV-WEB",
        "Ubuntu 22.04",
        "",
        "PHP",
        "8.1.29",
        "cpe:2.3:a:php:php:8.1.29:*:*:*:*:*:*:*",
        "",
    ],
    ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "openssh-server", "1:9.2p1-2+deb12u2", "", ""],
]

KEV = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities",
    "catalogVersion": "2024.08.01",
    "dateReleased": "2024-08-01T00:00:00.000Z",
    "count": 2,
    "vulnerabilities": [
        {
            "cveID": "CVE-2021-41773",
            "vendorProject": "Apache",
            "product": "HTTP Server",
            "vulnerabilityName": "Apache HTTP Server Path Traversal Vulnerability",
            "dateAdded": "2021-11-03",
            "shortDescription": "Path traversal.",
            "requiredAction": "Apply updates per vendor instructions.",
            "dueDate": "2021-11-17",
            "knownRansomwareCampaignUse": "Known",
            "notes": "",
        },
        {
            "cveID": "CVE-2017-0144",
            "vendorProject": "Microsoft",
            "product": "SMBv1",
            "vulnerabilityName": "Microsoft SMBv1 Remote Code Execution Vulnerability",
            "dateAdded": "2022-02-10",
            "shortDescription": "EternalBlue.",
            "requiredAction": "Apply updates per vendor instructions.",
            "dueDate": "2022-08-10",
            "knownRansomwareCampaignUse": "Known",
            "notes": "",
        },
    ],
}
EPSS = (
    "#model_version:v2023.03.01,score_date:2024-08-01T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2021-41773,0.97453,0.99970\n"
    "CVE-2024-4577,0.95741,0.99430\n"
    "CVE-2024-0519,0.01230,0.85000\n"
    "CVE-1999-0001,0.00100,0.10000\n"
)


def nvd_document(cves) -> dict:
    return {
        "resultsPerPage": len(cves),
        "startIndex": 0,
        "totalResults": len(cves),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2024-08-01T00:00:00.000",
        "vulnerabilities": [{"cve": c} for c in cves],
    }


def write_records(path: Path, cves=RECORDS, *, gz: bool = False) -> Path:
    data = json.dumps(nvd_document(cves)).encode()
    if gz:
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def inventory_csv(rows=INVENTORY) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INVENTORY_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_feeds(directory: Path) -> dict[str, Path]:
    """records.json, kev.json, epss.csv and inventory.csv in ``directory``."""
    paths = {
        "records": write_records(directory / "nvd-page.json"),
        "kev": directory / "known_exploited_vulnerabilities.json",
        "epss": directory / "epss_scores.csv",
        "inventory": directory / "inventory.csv",
    }
    paths["kev"].write_text(json.dumps(KEV), encoding="utf-8")
    paths["epss"].write_text(EPSS, encoding="utf-8")
    paths["inventory"].write_bytes(inventory_csv())
    return paths
