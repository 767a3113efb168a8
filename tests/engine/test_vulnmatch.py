"""lachan.engine.vulnmatch: version-accurate matching of an inventory to vulnerability
records, on hand-written records in the NVD API 2.0 shape and on the real configurations in
shared/data (versions just inside and just outside every kind of bound), and the priority
order of the matches."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lachan.engine.vulndata import (
    AFFECTED,
    NEEDS_REVIEW,
    REJECTED,
    Configuration,
    CpeMatch,
    Cvss,
    EpssScore,
    InventoryEntry,
    KevEntry,
    Match,
    Node,
    SoftwareId,
    VulnRecord,
)
from lachan.engine.vulnmatch import (
    build_index,
    judge,
    match_inventory,
    match_naive,
    os_identities,
    prioritise,
)

# --- a small loader for records written the way NVD API 2.0 writes them -------------------


def nvd_record(cve_id: str, configurations: list[dict], **fields) -> VulnRecord:
    """A VulnRecord from ``cve.configurations`` in NVD API 2.0 JSON."""
    configs = []
    for conf in configurations:
        nodes = []
        for node in conf["nodes"]:
            matches = tuple(
                CpeMatch(
                    m["criteria"],
                    m.get("vulnerable", True),
                    m.get("versionStartIncluding"),
                    m.get("versionStartExcluding"),
                    m.get("versionEndIncluding"),
                    m.get("versionEndExcluding"),
                )
                for m in node["cpeMatch"]
            )
            nodes.append(Node(node.get("operator", "OR"), node.get("negate", False), matches))
        configs.append(
            Configuration(conf.get("operator", "OR"), conf.get("negate", False), tuple(nodes))
        )
    return VulnRecord(cve_id, configurations=tuple(configs), source="nvd", **fields)


def cpe(
    vendor: str, product: str, version: str = "*", part: str = "a", target_sw: str = "*"
) -> str:
    return f"cpe:2.3:{part}:{vendor}:{product}:{version}:*:*:*:*:{target_sw}:*:*"


def one_node(*matches: dict) -> list[dict]:
    return [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": list(matches)}]}]


def on_platform(app: list[dict], platform: list[dict], negate: bool = False) -> list[dict]:
    return [
        {
            "operator": "AND",
            "nodes": [
                {"operator": "OR", "negate": False, "cpeMatch": app},
                {"operator": "OR", "negate": negate, "cpeMatch": platform},
            ],
        }
    ]


WINDOWS = {"criteria": cpe("microsoft", "windows", "-", part="o"), "vulnerable": False}
LINUX = {"criteria": cpe("linux", "linux_kernel", "-", part="o"), "vulnerable": False}

# Real records, written as NVD publishes them (configurations only).
HTTPD_41773 = nvd_record(
    "CVE-2021-41773",
    one_node({"criteria": cpe("apache", "http_server", "2.4.49"), "vulnerable": True}),
)
HTTPD_42013 = nvd_record(
    "CVE-2021-42013",
    one_node(
        {"criteria": cpe("apache", "http_server", "2.4.49"), "vulnerable": True},
        {"criteria": cpe("apache", "http_server", "2.4.50"), "vulnerable": True},
    ),
)
PHP_4577 = nvd_record(
    "CVE-2024-4577",
    on_platform(
        [
            {"criteria": cpe("php", "php"), "vulnerable": True, "versionEndExcluding": "8.1.29"},
            {
                "criteria": cpe("php", "php"),
                "vulnerable": True,
                "versionStartIncluding": "8.2",
                "versionEndExcluding": "8.2.20",
            },
            {
                "criteria": cpe("php", "php"),
                "vulnerable": True,
                "versionStartIncluding": "8.3",
                "versionEndExcluding": "8.3.8",
            },
        ],
        [WINDOWS],
    ),
)
OPENSSL_5535 = nvd_record(
    "CVE-2024-5535",
    one_node(
        {
            "criteria": cpe("openssl", "openssl"),
            "vulnerable": True,
            "versionStartIncluding": "1.1.1",
            "versionEndExcluding": "1.1.1za",
        },
        {
            "criteria": cpe("openssl", "openssl"),
            "vulnerable": True,
            "versionStartIncluding": "3.0.0",
            "versionEndExcluding": "3.0.15",
        },
    ),
)
GIT_24767 = nvd_record(  # three nodes in one AND: two names of the application, one platform
    "CVE-2022-24767",
    [
        {
            "operator": "AND",
            "nodes": [
                {
                    "operator": "OR",
                    "cpeMatch": [
                        {
                            "criteria": cpe("git_for_windows_project", "git_for_windows"),
                            "vulnerable": True,
                            "versionEndExcluding": "2.35.2",
                        }
                    ],
                },
                {
                    "operator": "OR",
                    "cpeMatch": [
                        {
                            "criteria": cpe("gitforwindows", "git"),
                            "vulnerable": True,
                            "versionEndExcluding": "2.35.2",
                        }
                    ],
                },
                {"operator": "OR", "cpeMatch": [WINDOWS]},
            ],
        }
    ],
)


def inventory(*rows: tuple) -> tuple[list[InventoryEntry], list[SoftwareId]]:
    """Rows (host, vendor, product, version[, os[, extra entry fields / id fields]])."""
    entries, ids = [], []
    for row in rows:
        host, vendor, product, version = row[:4]
        os_text = row[4] if len(row) > 4 else ""
        extra = row[5] if len(row) > 5 else {}
        id_fields = {k: extra.pop(k) for k in ("distro", "part", "method", "product") if k in extra}
        entries.append(
            InventoryEntry("THPT-A", host, vendor, product, version, os=os_text, **extra)
        )
        ids.append(
            SoftwareId(
                vendor,
                id_fields.pop("product", product),
                version,
                id_fields.pop("method", "exact"),
                **id_fields,
            )
        )
    return entries, ids


def run(records, entries, ids, **kwargs) -> list[Match]:
    """match_inventory, checked against match_naive."""
    found = match_inventory(build_index(records), entries, ids, **kwargs)
    assert found == match_naive(records, entries, ids, **kwargs)
    return found


def statuses(found: list[Match]) -> dict[tuple[int, str], str]:
    return {(m.entry, m.record_id): m.status for m in found}


# --- rules --------------------------------------------------------------------------------


def test_exact_version():
    entries, ids = inventory(
        ("h1", "apache", "http_server", "2.4.49"),
        ("h1", "apache", "http_server", "2.4.50"),
        ("h1", "apache", "http_server", "2.4.48"),
        ("h1", "apache", "http_server", "2.4.49.0"),
        ("h1", "Apache", "HTTP_Server", "v2.4.49"),
    )
    found = statuses(run([HTTPD_41773, HTTPD_42013], entries, ids))
    assert found == {
        (0, "CVE-2021-41773"): AFFECTED,
        (0, "CVE-2021-42013"): AFFECTED,
        (1, "CVE-2021-42013"): AFFECTED,
        (3, "CVE-2021-41773"): AFFECTED,
        (3, "CVE-2021-42013"): AFFECTED,
        (4, "CVE-2021-41773"): AFFECTED,
        (4, "CVE-2021-42013"): AFFECTED,
    }


def test_one_match_per_entry_and_record_with_its_reason():
    entries, ids = inventory(("h1", "apache", "http_server", "2.4.50"))
    (match,) = run([HTTPD_42013], entries, ids)
    assert match == Match(
        0,
        "CVE-2021-42013",
        AFFECTED,
        "Phiên bản 2.4.50 là phiên bản bị ảnh hưởng (2.4.50)",
        cpe("apache", "http_server", "2.4.50"),
        None,
    )


@pytest.mark.parametrize(
    ("bounds", "inside", "outside", "reason"),
    [
        (
            {"versionStartIncluding": "2.4.49", "versionEndExcluding": "2.4.50"},
            ["2.4.49", "2.4.49.1", "2.4.50-rc1"],
            ["2.4.48", "2.4.50", "2.4.50.0", "2.5", "2.4.49-rc1"],
            "Phiên bản {v} nằm trong khoảng từ 2.4.49 đến trước 2.4.50",
        ),
        (
            {"versionStartExcluding": "2.4.49", "versionEndIncluding": "2.4.51"},
            ["2.4.49.1", "2.4.50", "2.4.51", "2.4.51.0"],
            ["2.4.49", "2.4.48", "2.4.51.1", "2.4.52"],
            "Phiên bản {v} nằm trong khoảng từ sau 2.4.49 đến 2.4.51",
        ),
        (
            {"versionStartIncluding": "8.2", "versionEndIncluding": "8.2.19"},
            ["8.2", "8.2.0", "8.2.19"],
            ["8.1.99", "8.2.20", "8.2-beta"],
            "Phiên bản {v} nằm trong khoảng từ 8.2 đến 8.2.19",
        ),
        (
            {"versionStartExcluding": "1.0", "versionEndExcluding": "2.0"},
            ["1.0.1", "1.99"],
            ["1.0", "1", "2.0", "2.0.0.0"],
            "Phiên bản {v} nằm trong khoảng từ sau 1.0 đến trước 2.0",
        ),
        (
            {"versionEndExcluding": "8.1.29"},
            ["8.1.28", "0.1", "8.1.29-rc1", "8.1.28.99"],
            ["8.1.29", "8.1.30", "8.2", "9"],
            "Phiên bản {v} thuộc các phiên bản trước 8.1.29",
        ),
        (
            {"versionEndIncluding": "2.35.2"},
            ["2.35.2", "2.35.1", "1.0"],
            ["2.35.2.1", "2.35.3", "2.36"],
            "Phiên bản {v} thuộc các phiên bản đến hết 2.35.2",
        ),
        (
            {"versionStartIncluding": "4.0"},
            ["4.0", "4.0.1", "99"],
            ["3.9.9", "4.0-rc1"],
            "Phiên bản {v} thuộc các phiên bản từ 4.0 trở đi",
        ),
        (
            {"versionStartExcluding": "4.0"},
            ["4.0.1", "5"],
            ["4.0", "4", "3"],
            "Phiên bản {v} thuộc các phiên bản sau 4.0",
        ),
        (
            {"versionStartIncluding": "1.1.1", "versionEndExcluding": "1.1.1za"},
            ["1.1.1", "1.1.1a", "1.1.1w", "1.1.1z"],
            ["1.1.0l", "1.1.1za", "1.1.1zb", "1.1.2", "3.0.0"],
            "Phiên bản {v} nằm trong khoảng từ 1.1.1 đến trước 1.1.1za",
        ),
        (
            {"versionStartIncluding": "9.3", "versionEndExcluding": "9.3p2"},
            ["9.3", "9.3p1"],
            ["9.2p1", "9.3p2", "9.4", "9.3.1"],
            "Phiên bản {v} nằm trong khoảng từ 9.3 đến trước 9.3p2",
        ),
        (
            {"versionStartIncluding": "1.8", "versionEndExcluding": "1.8.0_91"},
            ["1.8.0_77", "8u77", "1.8.0", "1.8"],
            ["1.8.0_91", "8u91", "1.8.0_101", "1.7.0_80", "8.0.91"],
            "Phiên bản {v} nằm trong khoảng từ 1.8 đến trước 1.8.0_91",
        ),
        (
            {"versionStartIncluding": "11.0.0-M1", "versionEndExcluding": "11.0.0-M12"},
            ["11.0.0-M1", "11.0.0-M11"],
            ["11.0.0-M12", "11.0.0", "10.1.50"],
            "Phiên bản {v} nằm trong khoảng từ 11.0.0-M1 đến trước 11.0.0-M12",
        ),
        (
            {"versionStartIncluding": "R25", "versionEndExcluding": "R29_P1"},
            ["R25", "R28", "R29"],
            ["R24", "R29_P1", "R30"],
            "Phiên bản {v} nằm trong khoảng từ R25 đến trước R29_P1",
        ),
        (
            {"versionEndExcluding": "10.0.19045.3693"},
            ["10.0.19045.3692", "10.0.17763.5458"],
            ["10.0.19045.3693", "10.0.22621.1"],
            "Phiên bản {v} thuộc các phiên bản trước 10.0.19045.3693",
        ),
    ],
)
def test_every_kind_of_bound(bounds, inside, outside, reason):
    record = nvd_record(
        "CVE-2099-0001",
        one_node({"criteria": cpe("vendor", "product"), "vulnerable": True, **bounds}),
    )
    versions = inside + outside
    entries, ids = inventory(*[("h1", "vendor", "product", v) for v in versions])
    found = run([record], entries, ids)
    assert {m.entry for m in found} == set(range(len(inside)))
    for m in found:
        assert m.status == AFFECTED
        assert m.reason == reason.format(v=versions[m.entry])
        assert m.fixed_version == bounds.get("versionEndExcluding")


def test_any_version_without_a_range():
    record = nvd_record(
        "CVE-2099-0002", one_node({"criteria": cpe("vendor", "product"), "vulnerable": True})
    )
    entries, ids = inventory(
        ("h1", "vendor", "product", "1.0"),
        ("h1", "vendor", "product", "latest"),
        ("h1", "vendor", "product", ""),
        ("h1", "vendor", "other", "1.0"),
    )
    found = run([record], entries, ids)
    assert [(m.entry, m.status) for m in found] == [(0, AFFECTED), (1, AFFECTED), (2, AFFECTED)]
    assert found[0].reason == "Mọi phiên bản của vendor product đều bị ảnh hưởng"
    assert found[0].fixed_version is None


def test_not_applicable_version_is_any_version():
    record = nvd_record(
        "CVE-2099-0003",
        one_node({"criteria": cpe("vendor", "device_firmware", "-", part="o"), "vulnerable": True}),
    )
    entries, ids = inventory(("h1", "vendor", "device_firmware", "3.2"))
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2099-0003"): AFFECTED}


def test_versions_that_cannot_be_compared_need_review():
    record = nvd_record(
        "CVE-2099-0004",
        one_node(
            {
                "criteria": cpe("vendor", "product"),
                "vulnerable": True,
                "versionEndExcluding": "2.4.50",
            },
        ),
    )
    exact = nvd_record(
        "CVE-2099-0005",
        one_node({"criteria": cpe("vendor", "product", "2.4.49"), "vulnerable": True}),
    )
    entries, ids = inventory(
        ("h1", "vendor", "product", "latest"),
        ("h1", "vendor", "product", ""),
        ("h1", "vendor", "product", "n/a"),
        ("h1", "vendor", "product", "2.4.49"),
    )
    found = run([record, exact], entries, ids)
    assert statuses(found) == {
        (0, "CVE-2099-0004"): NEEDS_REVIEW,
        (0, "CVE-2099-0005"): NEEDS_REVIEW,
        (1, "CVE-2099-0004"): NEEDS_REVIEW,
        (1, "CVE-2099-0005"): NEEDS_REVIEW,
        (2, "CVE-2099-0004"): NEEDS_REVIEW,
        (2, "CVE-2099-0005"): NEEDS_REVIEW,
        (3, "CVE-2099-0004"): AFFECTED,
        (3, "CVE-2099-0005"): AFFECTED,
    }
    reasons = {(m.entry, m.record_id): m.reason for m in found}
    assert reasons[(0, "CVE-2099-0004")] == (
        "Không so sánh được phiên bản “latest” với khoảng trước 2.4.50, cần kiểm tra thủ công"
    )
    assert reasons[(1, "CVE-2099-0004")] == (
        "Chưa ghi phiên bản, không so sánh được với khoảng trước 2.4.50, cần kiểm tra thủ công"
    )
    assert reasons[(0, "CVE-2099-0005")] == (
        "Không so sánh được phiên bản “latest” với phiên bản bị ảnh hưởng 2.4.49, "
        "cần kiểm tra thủ công"
    )


def test_a_bound_of_uncertain_order_needs_review_unless_the_other_excludes():
    record = nvd_record(
        "CVE-2024-34102",
        one_node(
            {
                "criteria": cpe("adobe", "commerce"),
                "vulnerable": True,
                "versionStartIncluding": "2.4.3-alpha0",
                "versionEndExcluding": "2.4.3-ext-8",
            }
        ),
    )
    entries, ids = inventory(
        ("h1", "adobe", "commerce", "2.4.3"),  # below ext-8: affected
        ("h1", "adobe", "commerce", "2.4.3-p1"),  # p1 against ext-8: cannot tell
        ("h1", "adobe", "commerce", "2.4.2-p1"),  # below the start: certainly not
        ("h1", "adobe", "commerce", "2.4.3-ext-8"),
        ("h1", "adobe", "commerce", "2.4.4"),
        ("h1", "adobe", "commerce", "2.4.3-ext-7"),
    )
    assert statuses(run([record], entries, ids)) == {
        (0, "CVE-2024-34102"): AFFECTED,
        (1, "CVE-2024-34102"): NEEDS_REVIEW,
        (5, "CVE-2024-34102"): AFFECTED,
    }


def test_wildcard_bound():
    record = nvd_record(
        "CVE-2025-27210",
        one_node(
            {
                "criteria": cpe("nodejs", "node.js"),
                "vulnerable": True,
                "versionStartIncluding": "4.0",
                "versionEndExcluding": "4.*",
            }
        ),
    )
    entries, ids = inventory(
        ("h1", "nodejs", "node.js", "4.5.1"),
        ("h1", "nodejs", "node.js", "5.1"),
        ("h1", "nodejs", "node.js", "3.9"),
    )
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2025-27210"): NEEDS_REVIEW}


def test_rejected_records_and_negated_configurations_never_match():
    rejected = nvd_record(
        "CVE-2099-0006",
        one_node({"criteria": cpe("vendor", "product"), "vulnerable": True}),
        status=REJECTED,
    )
    negated = nvd_record(
        "CVE-2099-0007",
        [
            {
                "negate": True,
                "nodes": [
                    {
                        "operator": "OR",
                        "cpeMatch": [{"criteria": cpe("vendor", "product"), "vulnerable": True}],
                    }
                ],
            }
        ],
    )
    negated_node = nvd_record(
        "CVE-2099-0008",
        [
            {
                "nodes": [
                    {
                        "operator": "OR",
                        "negate": True,
                        "cpeMatch": [{"criteria": cpe("vendor", "product"), "vulnerable": True}],
                    }
                ]
            }
        ],
    )
    not_vulnerable = nvd_record(
        "CVE-2099-0009", one_node({"criteria": cpe("vendor", "product"), "vulnerable": False})
    )
    entries, ids = inventory(("h1", "vendor", "product", "1.0"))
    records = [rejected, negated, negated_node, not_vulnerable]
    assert run(records, entries, ids) == []
    index = build_index(records)
    assert index.record_ids == []
    assert index.skipped_records == 4


def test_unmapped_identities_never_match():
    record = nvd_record(
        "CVE-2099-0010", one_node({"criteria": cpe("vendor", "product"), "vulnerable": True})
    )
    entries, ids = inventory(("h1", "vendor", "product", "1.0", "", {"method": "unmapped"}))
    assert run([record], entries, ids) == []
    with pytest.raises(ValueError):
        match_inventory(build_index([record]), entries, [])


def test_target_sw_excludes_only_what_is_known_to_differ():
    record = nvd_record(
        "CVE-2099-0011",
        one_node(
            {
                "criteria": cpe("helpiewp", "accordion_\\&_faq", target_sw="wordpress"),
                "vulnerable": True,
                "versionEndExcluding": "2.0",
            }
        ),
    )
    entries, ids = inventory(
        ("h1", "helpiewp", "accordion_&_faq", "1.2"),
        (
            "h1",
            "helpiewp",
            "accordion_&_faq",
            "1.2",
            "",
            {"cpe": "cpe:2.3:a:helpiewp:accordion_\\&_faq:1.2:*:*:*:*:wordpress:*:*"},
        ),
        (
            "h1",
            "helpiewp",
            "accordion_&_faq",
            "1.2",
            "",
            {"cpe": "cpe:2.3:a:helpiewp:accordion_\\&_faq:1.2:*:*:*:*:joomla:*:*"},
        ),
    )
    assert statuses(run([record], entries, ids)) == {
        (0, "CVE-2099-0011"): AFFECTED,
        (1, "CVE-2099-0011"): AFFECTED,
    }


def test_exact_version_with_update_component():
    record = nvd_record(
        "CVE-2099-0012",
        one_node({"criteria": "cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*", "vulnerable": True}),
    )
    entries, ids = inventory(
        ("h1", "openbsd", "openssh", "9.3p1"),
        ("h1", "openbsd", "openssh", "9.3"),
        ("h1", "openbsd", "openssh", "9.3p2"),
    )
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2099-0012"): AFFECTED}


def test_a_cve_from_two_sources_is_one_record():
    other = nvd_record(
        "CVE-2021-41773",
        one_node(
            {"criteria": cpe("apache", "http_server", "2.4.50"), "vulnerable": True},
            {
                "criteria": cpe("apache", "http_server"),
                "vulnerable": True,
                "versionStartIncluding": "2.4.49",
                "versionEndExcluding": "2.4.51",
            },
        ),
    )
    entries, ids = inventory(
        ("h1", "apache", "http_server", "2.4.49"), ("h1", "apache", "http_server", "2.4.50")
    )
    records = [HTTPD_41773, HTTPD_42013, other]  # the second source comes later
    found = run(records, entries, ids)
    assert [(m.entry, m.record_id, m.criteria) for m in found] == [
        (0, "CVE-2021-41773", cpe("apache", "http_server", "2.4.49")),
        (0, "CVE-2021-42013", cpe("apache", "http_server", "2.4.49")),
        (1, "CVE-2021-41773", cpe("apache", "http_server", "2.4.50")),
        (1, "CVE-2021-42013", cpe("apache", "http_server", "2.4.50")),
    ]
    assert build_index(records).record_ids == ["CVE-2021-41773", "CVE-2021-42013"]


def test_judge():
    m = CpeMatch(cpe("php", "php"), True, "8.2", None, None, "8.2.20")
    assert judge(m, "8.2.19") == AFFECTED
    assert judge(m, "8.2.20") is None
    assert judge(m, "8.1.99") is None
    assert judge(m, "latest") == NEEDS_REVIEW
    assert judge(CpeMatch(cpe("php", "php")), "anything") == AFFECTED
    assert judge(CpeMatch(cpe("php", "php", "8.1.2")), "8.1.2.0") == AFFECTED
    assert judge(CpeMatch(cpe("php", "php", "8.1.2")), "8.1.3") is None


# --- platforms ----------------------------------------------------------------------------


def test_platform_from_the_os_text():
    entries, ids = inventory(
        ("win", "php", "php", "8.1.28", "Windows Server 2019"),
        ("ubuntu", "php", "php", "8.1.28", "Ubuntu 22.04"),
        ("unknown", "php", "php", "8.1.28", ""),
        ("win", "php", "php", "8.1.29", "Windows Server 2019"),
        ("win", "php", "php", "8.2.19", "Windows Server 2019"),
    )
    found = run([PHP_4577], entries, ids)
    assert statuses(found) == {
        (0, "CVE-2024-4577"): AFFECTED,
        (2, "CVE-2024-4577"): NEEDS_REVIEW,
        (4, "CVE-2024-4577"): AFFECTED,
    }
    reasons = {m.entry: m.reason for m in found}
    assert reasons[0] == (
        "Phiên bản 8.1.28 thuộc các phiên bản trước 8.1.29, chạy trên nền tảng microsoft windows"
    )
    assert reasons[2] == (
        "Phiên bản 8.1.28 thuộc các phiên bản trước 8.1.29; chưa xác định được máy có chạy trên "
        "nền tảng microsoft windows, cần kiểm tra thủ công"
    )


def test_platform_from_an_os_entry_of_the_same_host_only():
    entries, ids = inventory(
        ("h1", "php", "php", "8.1.28"),
        ("h1", "microsoft", "windows_10", "10.0.19045.3693", "", {"part": "o"}),
        ("h2", "php", "php", "8.1.28"),
        ("h3", "php", "php", "8.1.28"),
        ("h3", "canonical", "ubuntu_linux", "22.04", "", {"part": "o"}),
    )
    windows_10 = nvd_record(
        "CVE-2099-0020",
        on_platform(
            [{"criteria": cpe("php", "php"), "vulnerable": True, "versionEndExcluding": "8.1.29"}],
            [{"criteria": cpe("microsoft", "windows_10", "-", part="o"), "vulnerable": False}],
        ),
    )
    assert statuses(run([windows_10], entries, ids)) == {
        (0, "CVE-2099-0020"): AFFECTED,
        (2, "CVE-2099-0020"): NEEDS_REVIEW,  # h2 says nothing of its system
    }


def test_application_platform_must_be_installed_on_the_same_host():
    plugin = nvd_record(
        "CVE-2099-0021",
        on_platform(
            [
                {
                    "criteria": cpe("jenkins", "git_plugin"),
                    "vulnerable": True,
                    "versionEndExcluding": "5.0",
                }
            ],
            [
                {
                    "criteria": cpe("jenkins", "jenkins"),
                    "vulnerable": False,
                    "versionStartIncluding": "2.400",
                }
            ],
        ),
    )
    entries, ids = inventory(
        ("h1", "jenkins", "git_plugin", "4.1"),
        ("h1", "jenkins", "jenkins", "2.401"),
        ("h2", "jenkins", "git_plugin", "4.1"),
        ("h3", "jenkins", "git_plugin", "4.1"),
        ("h3", "jenkins", "jenkins", "2.300"),
        ("h4", "jenkins", "git_plugin", "4.1"),
        ("h4", "jenkins", "jenkins", "weekly"),
    )
    assert statuses(run([plugin], entries, ids)) == {
        (0, "CVE-2099-0021"): AFFECTED,
        (5, "CVE-2099-0021"): NEEDS_REVIEW,
    }


def test_negated_platform_node():
    not_on_windows = nvd_record(
        "CVE-2099-0022",
        on_platform(
            [
                {
                    "criteria": cpe("vendor", "agent"),
                    "vulnerable": True,
                    "versionEndExcluding": "3.0",
                }
            ],
            [WINDOWS],
            negate=True,
        ),
    )
    entries, ids = inventory(
        ("win", "vendor", "agent", "2.0", "Windows 11 23H2"),
        ("lin", "vendor", "agent", "2.0", "Debian 12"),
        ("unk", "vendor", "agent", "2.0", ""),
    )
    assert statuses(run([not_on_windows], entries, ids)) == {
        (1, "CVE-2099-0022"): AFFECTED,
        (2, "CVE-2099-0022"): NEEDS_REVIEW,
    }


def test_two_application_names_in_one_and_are_alternatives():
    entries, ids = inventory(
        ("win", "gitforwindows", "git", "2.35.1", "Windows 10"),
        ("win", "git_for_windows_project", "git_for_windows", "2.35.1", "Windows 10"),
        ("win", "gitforwindows", "git", "2.35.2", "Windows 10"),
        ("lin", "gitforwindows", "git", "2.35.1", "Ubuntu 22.04"),
    )
    assert statuses(run([GIT_24767], entries, ids)) == {
        (0, "CVE-2022-24767"): AFFECTED,
        (1, "CVE-2022-24767"): AFFECTED,
    }


def test_and_node_requires_its_other_matches():
    record = nvd_record(
        "CVE-2099-0023",
        [
            {
                "nodes": [
                    {
                        "operator": "AND",
                        "cpeMatch": [
                            {
                                "criteria": cpe("vendor", "server"),
                                "vulnerable": True,
                                "versionEndExcluding": "2.0",
                            },
                            {"criteria": cpe("vendor", "module"), "vulnerable": False},
                        ],
                    }
                ]
            }
        ],
    )
    entries, ids = inventory(
        ("h1", "vendor", "server", "1.0"),
        ("h1", "vendor", "module", "1.0"),
        ("h2", "vendor", "server", "1.0"),
    )
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2099-0023"): AFFECTED}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Windows Server 2019",
            {("microsoft", "windows", ""), ("microsoft", "windows_server_2019", "")},
        ),
        (
            "Windows Server 2012 R2",
            {("microsoft", "windows", ""), ("microsoft", "windows_server_2012", "r2")},
        ),
        (
            "Windows 10 Pro 22H2",
            {
                ("microsoft", "windows", ""),
                ("microsoft", "windows_10", "22h2"),
                ("microsoft", "windows_10_22h2", ""),
            },
        ),
        (
            "Microsoft Windows 11 Pro 23H2 (10.0.22631.3447)",
            {
                ("microsoft", "windows", "10.0.22631.3447"),
                ("microsoft", "windows_11", "23h2"),
                ("microsoft", "windows_11_23h2", "10.0.22631.3447"),
            },
        ),
        ("Windows 7", {("microsoft", "windows", ""), ("microsoft", "windows_7", "")}),
        ("Ubuntu 22.04", {("canonical", "ubuntu_linux", "22.04"), ("linux", "linux_kernel", "")}),
        (
            "Ubuntu 22.04.4 LTS",
            {("canonical", "ubuntu_linux", "22.04"), ("linux", "linux_kernel", "")},
        ),
        ("Debian 12", {("debian", "debian_linux", "12"), ("linux", "linux_kernel", "")}),
        (
            "Debian GNU/Linux 11 (bullseye)",
            {("debian", "debian_linux", "11"), ("linux", "linux_kernel", "")},
        ),
        ("bookworm", {("debian", "debian_linux", "12"), ("linux", "linux_kernel", "")}),
        ("CentOS 7", {("centos", "centos", "7"), ("linux", "linux_kernel", "")}),
        (
            "Red Hat Enterprise Linux 8.9",
            {("redhat", "enterprise_linux", "8.9"), ("linux", "linux_kernel", "")},
        ),
        ("macOS 14.4", {("apple", "macos", "14.4")}),
        ("Android 14", {("google", "android", "14")}),
        ("iOS 17.2", {("apple", "iphone_os", "17.2")}),
        ("Linux", {("linux", "linux_kernel", "")}),
        ("", set()),
        ("Máy in", set()),
    ],
)
def test_os_identities(text, expected):
    found = os_identities(text)
    assert {(s.vendor, s.product, s.version) for s in found} == expected
    assert all(s.part == "o" for s in found)


# --- distribution packages ----------------------------------------------------------------

OPENSSH = nvd_record(
    "CVE-2023-38408",
    one_node(
        {"criteria": cpe("openbsd", "openssh"), "vulnerable": True, "versionEndExcluding": "9.3p2"}
    ),
)


def test_distribution_package_in_an_upstream_range_needs_review():
    entries, ids = inventory(
        (
            "deb",
            "openbsd",
            "openssh-server",
            "1:9.2p1-2+deb12u2",
            "Debian 12",
            {"distro": "debian", "product": "openssh"},
        ),
        (
            "deb",
            "openbsd",
            "openssh-server",
            "1:9.6p1-3",
            "Debian 13",
            {"distro": "debian", "product": "openssh"},
        ),
        (
            "ubu",
            "openbsd",
            "openssh-server",
            "1:8.9p1-3ubuntu0.10",
            "Ubuntu 22.04",
            {"product": "openssh"},
        ),
    )
    found = run([OPENSSH], entries, ids)
    assert statuses(found) == {
        (0, "CVE-2023-38408"): NEEDS_REVIEW,
        (2, "CVE-2023-38408"): NEEDS_REVIEW,
    }
    assert found[0].reason == (
        "Phiên bản gốc 9.2p1 thuộc các phiên bản trước 9.3p2; bản vá có thể đã được nhà phân "
        "phối đưa ngược về (backport), cần kiểm tra thủ công"
    )


def test_distribution_advisory_decides():
    entries, ids = inventory(
        (
            "deb1",
            "openbsd",
            "openssh-server",
            "1:9.2p1-2+deb12u2",
            "Debian 12",
            {"distro": "debian", "product": "openssh"},
        ),
        (
            "deb2",
            "openbsd",
            "openssh-server",
            "1:9.2p1-2+deb12u3",
            "Debian 12",
            {"distro": "debian", "product": "openssh"},
        ),
        (
            "deb3",
            "openbsd",
            "openssh-server",
            "1:9.2p1-2",
            "Debian 12",
            {"distro": "debian", "product": "openssh"},
        ),
        (
            "ubu",
            "openbsd",
            "openssh-server",
            "1:8.9p1-3ubuntu0.10",
            "Ubuntu 22.04",
            {"product": "openssh"},
        ),
    )
    fixed = {
        ("debian", "openssh-server", "CVE-2023-38408"): "1:9.2p1-2+deb12u3",
        ("ubuntu", "openssh", "CVE-2023-38408"): "1:8.9p1-3ubuntu0.3",
    }
    found = run([OPENSSH], entries, ids, distro_fixed=fixed)
    assert statuses(found) == {(0, "CVE-2023-38408"): AFFECTED, (2, "CVE-2023-38408"): AFFECTED}
    assert (
        found[0].reason
        == "Gói openssh-server 1:9.2p1-2+deb12u2 thấp hơn bản sửa lỗi 1:9.2p1-2+deb12u3 của Debian"
    )
    assert found[0].fixed_version == "1:9.2p1-2+deb12u3"


def test_distribution_package_outside_the_upstream_range_is_not_reported():
    entries, ids = inventory(
        (
            "deb",
            "apache",
            "apache2",
            "2.4.62-1~deb12u1",
            "Debian 12",
            {"distro": "debian", "product": "http_server"},
        ),
    )
    record = nvd_record(
        "CVE-2024-38474",
        one_node(
            {
                "criteria": cpe("apache", "http_server"),
                "vulnerable": True,
                "versionEndExcluding": "2.4.60",
            }
        ),
    )
    assert run([record], entries, ids, distro_fixed={}) == []


# --- real configurations ------------------------------------------------------------------


def _plain(text: str | None) -> tuple[int, ...] | None:
    if text is None or not text or not all(p.isdigit() for p in text.split(".")):
        return None
    numbers = [int(p) for p in text.split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _below(text: str) -> str | None:
    numbers = [int(p) for p in text.split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    if not numbers:
        return None
    numbers[-1] -= 1
    return ".".join(map(str, numbers + [999]))


def _above(text: str) -> str:
    return text + ".1"


def _inside(version: tuple[int, ...], m: CpeMatch) -> bool:
    """The oracle: plain dotted numbers as zero-padded tuples (the bounds must be plain)."""

    def cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
        return (a > b) - (a < b)

    checks = [
        (m.version_start_including, lambda c: c >= 0),
        (m.version_start_excluding, lambda c: c > 0),
        (m.version_end_including, lambda c: c <= 0),
        (m.version_end_excluding, lambda c: c < 0),
    ]
    for text, ok in checks:
        if text is not None and not ok(cmp(version, _plain(text))):
            return False
    if not any(t is not None for t, _ in checks):
        exact = m.criteria.split(":")[5]
        if exact not in ("*", "-"):
            return version == _plain(exact)
    return True


def _kind(m: CpeMatch) -> str:
    bounds = [
        name
        for name, value in (
            ("start_including", m.version_start_including),
            ("start_excluding", m.version_start_excluding),
            ("end_including", m.version_end_including),
            ("end_excluding", m.version_end_excluding),
        )
        if value is not None
    ]
    if bounds:
        return "+".join(bounds)
    return "any" if m.criteria.split(":")[5] in ("*", "-") else "exact"


# Platforms the test can state exactly with an OS text, and what that text names.
OS_TEXTS = {
    ("microsoft", "windows"): (
        "Windows 10",
        {("microsoft", "windows"), ("microsoft", "windows_10")},
    ),
    ("linux", "linux_kernel"): (
        "Ubuntu 22.04",
        {("canonical", "ubuntu_linux"), ("linux", "linux_kernel")},
    ),
    ("apple", "macos"): ("macOS 14", {("apple", "macos")}),
    ("google", "android"): ("Android 14", {("google", "android")}),
    ("apple", "iphone_os"): ("iOS 17", {("apple", "iphone_os")}),
}


@functools.cache
def _load_real(folder: Path) -> tuple[VulnRecord, ...]:
    from lachan.engine.feeds import iter_records

    return tuple(
        iter_records([folder / "nvd_cpe_configurations.jsonl.gz", folder / "nvd_api_2_0_examples"])
    )


@pytest.fixture
def real_records(shared_data) -> list[VulnRecord]:
    """The 2,000 CPE configuration records and the two NVD API pages, read by engine.feeds."""
    return list(_load_real(shared_data / "nvd_cpe_configurations"))


def _product_rules(record: VulnRecord, vendor: str, product: str):
    """(cpeMatch, platform products or None) of the record for one product; None when the
    oracle cannot state the platform (the case is then skipped)."""
    rules = []
    for conf in record.configurations:
        app_nodes = [n for n in conf.nodes if any(m.vulnerable for m in n.matches)]
        platform_nodes = [
            n for n in conf.nodes if n.matches and not any(m.vulnerable for m in n.matches)
        ]
        is_and = conf.operator == "AND" and len(conf.nodes) > 1
        for node in app_nodes if is_and else conf.nodes:
            for m in node.matches:
                parts = m.criteria.split(":")
                if not m.vulnerable or (parts[3], parts[4]) != (vendor, product):
                    continue
                platforms = None
                if is_and and platform_nodes:
                    if len(platform_nodes) != 1:
                        return None
                    platforms = set()
                    for pm in platform_nodes[0].matches:
                        pparts = pm.criteria.split(":")
                        if (
                            pparts[5] not in ("*", "-")
                            or _kind(pm) != "any"
                            or platform_nodes[0].negate
                        ):
                            return None
                        platforms.add((pparts[3], pparts[4]))
                rules.append((m, platforms))
    return rules


def _real_cases(records: list[VulnRecord]):
    """Inventory versions just inside and just outside every bound of every cpeMatch whose
    bounds (and the record's other bounds for that product) are plain dotted numbers, with
    the status the oracle expects: AFFECTED or None (not reported)."""
    cases = []  # (record_id, vendor, product, version, os text, expected, kind)
    for record in records:
        products = {
            tuple(m.criteria.split(":")[3:5])
            for conf in record.configurations
            for node in conf.nodes
            for m in node.matches
            if m.vulnerable and "\\" not in m.criteria
        }
        for vendor, product in sorted(products):
            rules = _product_rules(record, vendor, product)
            if not rules:
                continue
            texts = [
                t
                for m, _ in rules
                for t in (
                    m.version_start_including,
                    m.version_start_excluding,
                    m.version_end_including,
                    m.version_end_excluding,
                    None if _kind(m) != "exact" else m.criteria.split(":")[5],
                )
                if t is not None
            ]
            if any(_plain(t) is None for t in texts):
                continue
            candidates = set()
            for t in texts:
                candidates.update({t, _above(t)})
                below = _below(t)
                if below:
                    candidates.add(below)
            if not texts:
                candidates.add("3.1.4")
            platform_sets = {frozenset(p) for _, p in rules if p is not None}
            scenarios = [("", None)]
            if platform_sets:
                if len(platform_sets) > 1 or any(p is None for _, p in rules):
                    continue
                (platforms,) = platform_sets
                known = [p for p in sorted(platforms) if p in OS_TEXTS]
                if not known:
                    continue
                os_text, names = OS_TEXTS[known[0]]
                scenarios = [(os_text, names)]
                others = [
                    text
                    for key, (text, n) in OS_TEXTS.items()
                    if not (n & platforms) and key not in platforms
                ]
                if others:
                    scenarios.append((others[0], set()))
            for version in sorted(candidates):
                plain = _plain(version)
                for os_text, names in scenarios:
                    inside = [
                        m
                        for m, p in rules
                        if _inside(plain, m) and (p is None or (names is not None and p & names))
                    ]
                    kinds = {_kind(m) for m, _ in rules}
                    kind = next(iter(kinds)) if len(kinds) == 1 else "mixed"
                    if platform_sets:
                        kind = "platform"
                    cases.append(
                        (
                            record.record_id,
                            vendor,
                            product,
                            version,
                            os_text,
                            AFFECTED if inside else None,
                            kind,
                        )
                    )
    return cases


def test_real_records_just_inside_and_just_outside_every_bound(real_records):
    cases = _real_cases(real_records)
    kinds = defaultdict(lambda: [0, 0])
    for *_, expected, kind in cases:
        kinds[kind][expected is None] += 1
    # Every kind of bound, inside and outside, many times over.
    for kind in (
        "end_excluding",
        "end_including",
        "start_including+end_excluding",
        "start_including+end_including",
        "exact",
        "any",
        "platform",
    ):
        assert kinds[kind][0] >= 5, (kind, dict(kinds))
        if kind != "any":
            assert kinds[kind][1] >= 5, (kind, dict(kinds))
    assert (
        kinds["start_including"][0]
        + kinds["start_excluding+end_excluding"][0]
        + kinds["start_excluding+end_including"][0]
        + kinds["mixed"][0]
        >= 1
    )

    entries, ids = [], []
    for n, (_, vendor, product, version, os_text, _, _) in enumerate(cases):
        entries.append(InventoryEntry("THPT-A", f"host-{n}", vendor, product, version, os=os_text))
        ids.append(SoftwareId(vendor, product, version, "exact"))
    index = build_index(real_records)
    found = statuses(match_inventory(index, entries, ids))
    wrong = []
    for n, (record_id, vendor, product, version, os_text, expected, kind) in enumerate(cases):
        got = found.get((n, record_id))
        if got != expected:
            wrong.append((record_id, vendor, product, version, os_text, kind, expected, got))
    assert wrong == [], f"{len(wrong)} of {len(cases)} cases wrong, e.g. {wrong[:10]}"
    assert len(cases) > 10_000


def test_real_records_naive_and_index_agree(real_records, shared_data):
    """On every product of the real records, at realistic and awkward versions, with and
    without a platform, and with the CVE JSON 5 records of shared/data added."""
    from lachan.engine.feeds import iter_records

    records = real_records + list(
        iter_records([shared_data / "cve_records" / "cve_records_v5.jsonl.gz"])
    )
    rng = random.Random(7)
    versions_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        for conf in record.configurations:
            for node in conf.nodes:
                for m in node.matches:
                    parts = m.criteria.split(":")
                    key = (parts[3], parts[4])
                    for t in (
                        m.version_start_including,
                        m.version_start_excluding,
                        m.version_end_including,
                        m.version_end_excluding,
                        parts[5],
                    ):
                        if t and t not in ("*", "-"):
                            versions_of[key].add(t)
    entries, ids = [], []
    oses = ["", "Windows 10 22H2", "Ubuntu 22.04", "macOS 14", "Android 14", "Debian 12"]
    products = sorted(versions_of.items())
    products = rng.sample(products, min(500, len(products)))
    for n, (key, versions) in enumerate(products):
        picked = rng.sample(sorted(versions), min(4, len(versions))) + ["latest", ""]
        for version in picked:
            host = f"h{n % 50}"
            entries.append(
                InventoryEntry("THPT-A", host, key[0], key[1], version, os=oses[n % 50 % len(oses)])
            )
            ids.append(
                SoftwareId(key[0], key[1], version, "exact")  # quoted as NVD writes them
            )
    index = build_index(records)
    fast = match_inventory(index, entries, ids)
    assert fast == match_naive(records, entries, ids)
    assert len(fast) > 1000
    assert {m.status for m in fast} == {AFFECTED, NEEDS_REVIEW}


def test_real_page_from_the_nvd_api(shared_data):
    """single-entry.json and full-page.json as the NVD CVE API 2.0 returns them."""
    from lachan.engine.feeds import iter_records

    folder = shared_data / "nvd_cpe_configurations" / "nvd_api_2_0_examples"
    records = list(iter_records([folder]))
    assert len(records) == 39
    with open(folder / "full-page.json", encoding="utf-8") as handle:
        page = json.load(handle)
    # Each record's first ranged cpeMatch: an entry just inside its end is reported.
    entries, ids, expected = [], [], []
    for item in page["vulnerabilities"]:
        for conf in item["cve"].get("configurations", []):
            for node in conf["nodes"]:
                for m in node["cpeMatch"]:
                    end = m.get("versionEndExcluding")
                    if m["vulnerable"] and end and _plain(end) and conf.get("operator") != "AND":
                        _, _, part, vendor, product = m["criteria"].split(":")[:5]
                        below = _below(end)
                        for version, hit in ((below, True), (end, None)):
                            entries.append(InventoryEntry("THPT-A", "h", vendor, product, version))
                            ids.append(SoftwareId(vendor, product, version, "exact", part=part))
                            expected.append((item["cve"]["id"], hit))
                        break
                else:
                    continue
                break
    assert expected
    found = statuses(run(records, entries, ids))
    for n, (cve_id, hit) in enumerate(expected):
        if hit:
            assert found.get((n, cve_id)) == AFFECTED, (entries[n], cve_id)


def test_shared_configuration_file_is_what_the_test_reads(shared_data):
    path = shared_data / "nvd_cpe_configurations" / "nvd_cpe_configurations.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        first = json.loads(handle.readline())
    assert "configurations" in first["cve"]


# --- property: the index agrees with the baseline and with an oracle ----------------------

plain_version = st.lists(st.integers(0, 5), min_size=1, max_size=3).map(
    lambda p: ".".join(map(str, p))
)


@st.composite
def cpe_matches(draw):
    kind = draw(st.sampled_from(["exact", "any", "range"]))
    product = draw(st.sampled_from(["p1", "p2"]))
    if kind == "exact":
        return CpeMatch(cpe("v", product, draw(plain_version)))
    if kind == "any":
        return CpeMatch(cpe("v", product))
    start = draw(st.one_of(st.none(), plain_version))
    end = draw(st.one_of(st.none(), plain_version))
    start_excl, end_incl = draw(st.booleans()), draw(st.booleans())
    return CpeMatch(
        cpe("v", product),
        True,
        None if start_excl else start,
        start if start_excl else None,
        end if end_incl else None,
        None if end_incl else end,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(cpe_matches(), min_size=1, max_size=4), min_size=1, max_size=8),
    st.lists(
        st.tuples(st.sampled_from(["p1", "p2", "p3"]), plain_version), min_size=1, max_size=12
    ),
)
def test_index_agrees_with_baseline_and_oracle(record_matches, inventory_rows):
    records = [
        VulnRecord(
            f"CVE-2099-{n:04d}", configurations=(Configuration(nodes=(Node(matches=tuple(ms)),)),)
        )
        for n, ms in enumerate(record_matches)
    ]
    entries = [InventoryEntry("U", "h", "v", p, version) for p, version in inventory_rows]
    ids = [SoftwareId("v", p, version, "exact") for p, version in inventory_rows]
    found = match_inventory(build_index(records), entries, ids)
    assert found == match_naive(records, entries, ids)
    expected = {
        (i, record.record_id)
        for i, (product, version) in enumerate(inventory_rows)
        for record in records
        if any(
            m.criteria.split(":")[4] == product and _inside(_plain(version), m)
            for m in record.configurations[0].nodes[0].matches
        )
    }
    assert {(m.entry, m.record_id) for m in found} == expected
    assert all(m.status == AFFECTED for m in found)


# --- priority -----------------------------------------------------------------------------


def _cvss(score: float, severity: str) -> Cvss:
    return Cvss("3.1", score, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", severity)


def test_prioritise_formula_and_order():
    entries = [
        InventoryEntry("U", "web", "php", "php", "8.1.28", internet_facing=True, security_level=3),
        InventoryEntry("U", "pc", "php", "php", "8.1.28"),
    ]
    records = {
        "CVE-KEV": VulnRecord("CVE-KEV", cvss31=_cvss(9.8, "critical")),
        "CVE-HIGH": VulnRecord("CVE-HIGH", cvss31=_cvss(7.5, "high")),
        "CVE-CRIT": VulnRecord("CVE-CRIT", cvss31=_cvss(9.8, "critical")),
        "CVE-NONE": VulnRecord("CVE-NONE"),
        "CVE-LOW": VulnRecord("CVE-LOW", cvss31=_cvss(3.1, "low")),
    }
    kev = {"CVE-KEV": KevEntry("CVE-KEV", due_date=dt.date(2024, 7, 3), ransomware=True)}
    epss = {
        "CVE-KEV": EpssScore("CVE-KEV", 0.94, 0.999),
        "CVE-HIGH": EpssScore("CVE-HIGH", 0.25, 0.97),
        "CVE-CRIT": EpssScore("CVE-CRIT", 0.001, 0.2),
    }
    matches = [
        Match(1, "CVE-LOW", AFFECTED, ""),
        Match(1, "CVE-NONE", NEEDS_REVIEW, ""),
        Match(1, "CVE-CRIT", AFFECTED, ""),
        Match(0, "CVE-HIGH", AFFECTED, ""),
        Match(1, "CVE-KEV", AFFECTED, ""),
        Match(0, "CVE-CRIT", AFFECTED, ""),
    ]
    out = prioritise(matches, records, kev, epss, entries)
    got = [(p.match.entry, p.match.record_id, p.priority, p.score) for p in out]
    assert got == [
        # 35 + 3 + 20 + 29.4 = 87.4
        (1, "CVE-KEV", 1, 87.4),
        # 10 + 22.5 + 7 + 2.5 = 42
        (0, "CVE-HIGH", 2, 42.0),
        # 0.04 + 29.4 + 7 + 2.5 = 38.94
        (0, "CVE-CRIT", 2, 38.9),
        # 0.04 + 29.4: critical is at least priority 2
        (1, "CVE-CRIT", 2, 29.4),
        # no CVSS: counted as 5
        (1, "CVE-NONE", 4, 15.0),
        (1, "CVE-LOW", 4, 9.3),
    ]
    kev_item = out[0]
    assert (
        kev_item.kev
        and kev_item.cvss == 9.8
        and kev_item.severity == "critical"
        and kev_item.epss == 0.94
    )
    assert (
        kev_item.notes[0]
        == "Đang bị khai thác thực tế (danh mục KEV) (CISA yêu cầu khắc phục trước 03/07/2024)"
    )
    assert "Đã được dùng trong các chiến dịch mã độc tống tiền" in kev_item.notes
    assert "Xác suất bị khai thác (EPSS) 94%, cao hơn 99,9% các lỗ hổng khác" in kev_item.notes
    none_item = next(p for p in out if p.match.record_id == "CVE-NONE")
    assert none_item.cvss is None and none_item.severity == ""
    assert "Chưa có điểm CVSS: tạm tính mức trung bình" in none_item.notes
    assert "Cần kiểm tra thủ công trước khi kết luận" in none_item.notes
    high = next(p for p in out if p.match.record_id == "CVE-HIGH")
    assert "Máy công khai ra Internet" in high.notes
    assert "Thuộc hệ thống thông tin cấp độ 3" in high.notes
    # Deterministic whatever the input order.
    assert prioritise(list(reversed(matches)), records, kev, epss, entries) == out


def test_prioritise_kev_first_even_with_low_cvss():
    entries = [InventoryEntry("U", "pc", "v", "p", "1")]
    records = {
        "CVE-A": VulnRecord("CVE-A", cvss31=_cvss(4.3, "medium")),
        "CVE-B": VulnRecord("CVE-B", cvss31=_cvss(10.0, "critical")),
    }
    out = prioritise(
        [Match(0, "CVE-B", AFFECTED, ""), Match(0, "CVE-A", AFFECTED, "")],
        records,
        {"CVE-A": KevEntry("CVE-A")},
        {},
        entries,
    )
    assert [(p.match.record_id, p.priority) for p in out] == [("CVE-A", 1), ("CVE-B", 2)]
    assert all(0 <= p.score <= 100 for p in out)


def test_prioritise_with_real_kev(shared_data):
    from lachan.engine.feeds import read_kev

    kev = read_kev(shared_data / "kev" / "known_exploited_vulnerabilities.json")
    entries, ids = inventory(
        ("h1", "php", "php", "8.1.28", "Windows Server 2019", {"internet_facing": True})
    )
    found = run([PHP_4577], entries, ids)
    (item,) = prioritise(found, {"CVE-2024-4577": PHP_4577}, kev, {}, entries)
    assert item.kev and item.priority == 1


# --- names normalisation feeds the matcher ------------------------------------------------


def test_other_names_of_the_same_software_give_one_match():
    record = nvd_record(
        "CVE-2024-7347",
        one_node(
            {
                "criteria": cpe("f5", "nginx"),
                "vulnerable": True,
                "versionStartIncluding": "1.5.13",
                "versionEndExcluding": "1.26.2",
            },
            {
                "criteria": cpe("nginx", "nginx"),
                "vulnerable": True,
                "versionStartIncluding": "1.5.13",
                "versionEndExcluding": "1.26.2",
            },
        ),
    )
    older = nvd_record(
        "CVE-2021-23017",
        one_node(
            {
                "criteria": cpe("nginx", "nginx"),
                "vulnerable": True,
                "versionStartIncluding": "0.6.18",
                "versionEndExcluding": "1.20.1",
            }
        ),
    )
    entries = [InventoryEntry("U", "h", "F5", "nginx", "1.18.0")]
    ids = [
        SoftwareId(
            "f5", "nginx", "1.18.0", "exact", also=(("f5", "nginx_open_source"), ("nginx", "nginx"))
        )
    ]
    found = run([record, older], entries, ids)
    assert [(m.record_id, m.status, m.criteria) for m in found] == [
        ("CVE-2024-7347", AFFECTED, cpe("f5", "nginx")),
        ("CVE-2021-23017", AFFECTED, cpe("nginx", "nginx")),
    ]


def test_update_of_the_identity_is_part_of_its_version():
    record = nvd_record(
        "CVE-2099-0030",
        one_node(
            {
                "criteria": "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*",
                "vulnerable": True,
            },
            {
                "criteria": "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_13:*:*:*:*:*:*",
                "vulnerable": True,
            },
        ),
    )
    entries = [InventoryEntry("U", "mail", "Microsoft", "Exchange", "15.2.1118.7")] * 3
    ids = [
        SoftwareId("microsoft", "exchange_server", "2019", "alias", update="cumulative_update_12"),
        SoftwareId("microsoft", "exchange_server", "2019", "alias", update="cumulative_update_14"),
        SoftwareId("microsoft", "exchange_server", "2016", "alias", update="cumulative_update_12"),
    ]
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2099-0030"): AFFECTED}


def test_quoted_cpe_names():
    record = nvd_record(
        "CVE-2023-23752",
        one_node(
            {
                "criteria": "cpe:2.3:a:joomla:joomla\\!:*:*:*:*:*:*:*:*",
                "vulnerable": True,
                "versionStartIncluding": "4.0.0",
                "versionEndExcluding": "4.2.8",
            }
        ),
    )
    entries = [InventoryEntry("U", "web", "", "Joomla!", "4.2.7")] * 2
    ids = [
        SoftwareId("joomla", "joomla\\!", "4.2.7", "alias"),
        SoftwareId("joomla", "joomla!", "4.2.7", "alias"),
    ]
    assert statuses(run([record], entries, ids)) == {
        (0, "CVE-2023-23752"): AFFECTED,
        (1, "CVE-2023-23752"): AFFECTED,
    }


def test_inventory_names_through_software_normalise_on_real_records(real_records):
    from lachan.engine.software import AliasTable, load_default_aliases, normalise

    table = AliasTable(load_default_aliases())
    rows = [
        # (host, os, vendor, product, version)
        ("web1", "Ubuntu 22.04", "", "nginx", "1.25.3"),
        ("web1", "Ubuntu 22.04", "", "nginx", "1.26.2"),
        ("ssh1", "Debian 12", "", "openssh-server", "1:9.2p1-2+deb12u2"),
        ("lms", "Ubuntu 22.04", "", "Moodle", "4.2.5"),
        ("lms", "Ubuntu 22.04", "", "Moodle", "4.2.6"),
        ("pc1", "Windows 10 Pro 22H2", "Mozilla", "Mozilla Firefox (x64 vi)", "130.0"),
        ("pc1", "Windows 10 Pro 22H2", "Mozilla", "Mozilla Firefox (x64 vi)", "131.0.3"),
        ("srv", "Windows Server 2019", "", "PHP", "8.1.28"),
        ("lin", "Ubuntu 22.04", "", "PHP", "8.1.28"),
    ]
    entries = [InventoryEntry("THPT-A", h, v, p, ver, os=os) for h, os, v, p, ver in rows]
    ids = [normalise(e.vendor, e.product, e.version, aliases=table, os=e.os) for e in entries]
    found = statuses(run(real_records, entries, ids))
    expect = {
        (0, "CVE-2024-7347"): AFFECTED,  # 1.5.13 <= 1.25.3 < 1.26.2
        (0, "CVE-2024-31079"): AFFECTED,
        (2, "CVE-2025-61985"): NEEDS_REVIEW,  # upstream 9.2p1 < 10.1, Debian may have backported
        (3, "CVE-2024-25980"): AFFECTED,
        (5, "CVE-2024-9392"): AFFECTED,
        (7, "CVE-2024-4577"): AFFECTED,
    }
    for key, status in expect.items():
        assert found.get(key) == status, key
    absent = [
        (0, "CVE-2023-44487"),  # fixed in 1.25.3
        (1, "CVE-2024-7347"),
        (2, "CVE-2025-26466"),  # starts at 9.5p1
        (4, "CVE-2024-25980"),
        (6, "CVE-2024-9392"),
        (6, "CVE-2024-9680"),
        (8, "CVE-2024-4577"),  # Windows only
    ]
    for key in absent:
        assert key not in found, key
    fixed = {("debian", "openssh-server", "CVE-2025-61985"): "1:9.2p1-2+deb12u7"}
    with_tracker = statuses(run(real_records, entries, ids, distro_fixed=fixed))
    assert with_tracker[(2, "CVE-2025-61985")] == AFFECTED


def test_many_versions_of_a_product_tested_in_blocks(monkeypatch):
    """The versions of one product are tested against its rules in blocks; block edges
    change nothing, and a second run (reasons cached in the index) gives the same."""
    import lachan.engine.vulnmatch as vulnmatch

    records = [
        nvd_record(
            f"CVE-2099-{n:04d}",
            one_node(
                {
                    "criteria": cpe("vendor", "product"),
                    "vulnerable": True,
                    "versionStartIncluding": f"1.{n}",
                    "versionEndExcluding": f"1.{n + 3}",
                },
                {"criteria": cpe("vendor", "product", f"2.{n}"), "vulnerable": True},
            ),
        )
        for n in range(40)
    ]
    versions = [f"1.{n}.{k}" for n in range(45) for k in range(3)] + [
        "2.7",
        "2.7.0",
        "latest",
        "9.3p1",
    ]
    entries, ids = inventory(
        *[(f"h{i % 7}", "vendor", "product", v) for i, v in enumerate(versions)]
    )
    index = build_index(records)
    whole = match_inventory(index, entries, ids)
    monkeypatch.setattr(vulnmatch, "_CELLS", 7)
    assert match_inventory(index, entries, ids) == whole
    assert match_inventory(build_index(records), entries, ids) == whole
    monkeypatch.setattr(vulnmatch, "_SMALL", 1000)  # plain Python instead of numpy
    assert match_inventory(build_index(records), entries, ids) == whole
    assert whole == match_naive(records, entries, ids)
    by_entry = defaultdict(set)
    for m in whole:
        by_entry[versions[m.entry]].add(m.record_id)
    assert by_entry["1.5.2"] == {"CVE-2099-0003", "CVE-2099-0004", "CVE-2099-0005"}
    assert by_entry["2.7.0"] == {"CVE-2099-0007"}


def test_an_epoch_without_a_distribution_is_dropped():
    record = nvd_record(
        "CVE-2099-0040",
        one_node(
            {"criteria": cpe("vendor", "product"), "vulnerable": True, "versionEndExcluding": "2.5"}
        ),
    )
    entries, ids = inventory(("h1", "vendor", "product", "1:2.4.1"))
    assert statuses(run([record], entries, ids)) == {(0, "CVE-2099-0040"): AFFECTED}


rich_version = st.builds(
    lambda base, suffix: base + suffix,
    plain_version,
    st.sampled_from(["", "", "p1", "p2", "-p1", "-ext-1", "a", "z", "-rc1", "-beta", "u3", "-0"]),
) | st.sampled_from(["latest", "", "1.*", "2.0-0e79d5bcafe", "1:1.2"])


@st.composite
def rich_matches(draw):
    kind = draw(st.sampled_from(["exact", "any", "range", "range"]))
    if kind == "exact":
        return CpeMatch(cpe("v", "p1", draw(rich_version).replace(":", "\\:") or "1"))
    if kind == "any":
        return CpeMatch(cpe("v", "p1"))
    start, end = draw(st.one_of(st.none(), rich_version)), draw(st.one_of(st.none(), rich_version))
    start_excl, end_incl = draw(st.booleans()), draw(st.booleans())
    return CpeMatch(
        cpe("v", "p1"),
        True,
        None if start_excl else start or None,
        start or None if start_excl else None,
        end or None if end_incl else None,
        None if end_incl else end or None,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(rich_matches(), min_size=1, max_size=4), min_size=1, max_size=6),
    st.lists(rich_version, min_size=1, max_size=10),
)
def test_index_agrees_with_baseline_on_awkward_versions(record_matches, versions):
    """Post-release words of one or several kinds, letters, pre-releases, wildcards, opaque
    parts, epochs and non-versions: the index's shortcuts change nothing."""
    records = [
        VulnRecord(
            f"CVE-2099-{n:04d}", configurations=(Configuration(nodes=(Node(matches=tuple(ms)),)),)
        )
        for n, ms in enumerate(record_matches)
    ]
    entries = [InventoryEntry("U", "h", "v", "p1", version) for version in versions]
    ids = [SoftwareId("v", "p1", version, "exact") for version in versions]
    found = match_inventory(build_index(records), entries, ids)
    assert found == match_naive(records, entries, ids)
    for m in found:  # never affected by a bound that excludes the version for certain
        if m.status == AFFECTED:
            record = records[int(m.record_id[-4:])]
            assert any(
                judge(cm, versions[m.entry].split(":", 1)[-1]) == AFFECTED
                for cm in record.configurations[0].nodes[0].matches
            )


def test_matches_are_ordinary_frozen_matches():
    import dataclasses

    entries, ids = inventory(("h1", "apache", "http_server", "2.4.49"))
    (match,) = match_inventory(build_index([HTTPD_41773]), entries, ids)
    again = Match(*(getattr(match, f.name) for f in dataclasses.fields(Match)))
    assert match == again and hash(match) == hash(again) and repr(match) == repr(again)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.status = NEEDS_REVIEW
