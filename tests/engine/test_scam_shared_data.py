"""The real lists in shared/data (URLhaus, hosts, maltrail, IPsum, FireHOL ipset) read without
an error, and the Public Suffix List's reference vectors. Skipped when the shared data is
absent (``LACHAN_SHARED_DATA``)."""

from __future__ import annotations

import re

import pytest

from lachan.engine.scam import Blocklist, Checker, parse_blocklist


def content_lines(path, comments=("#",)):
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith(comments)
    ]


@pytest.mark.parametrize(
    ("relative", "fmt", "comments"),
    [
        ("url_lists/urlhaus/urlhaus-filter-online.txt", "auto", ("!", "#")),
        ("url_lists/urlhaus/urlhaus-filter-domains.txt", "auto", ("#",)),
        ("url_lists/urlhaus/urlhaus-filter-domains-online.txt", "plain", ("#",)),
        ("url_lists/urlhaus/urlhaus-filter-hosts-online.txt", "auto", ("#",)),
        ("ip_blocklists/ipsum/level3.txt", "auto", ("#",)),
        ("ip_blocklists/feodo/feodo_badips.ipset", "auto", ("#",)),
    ],
)
def test_line_lists_parse_completely(shared_data, relative, fmt, comments):
    path = shared_data / relative
    items = parse_blocklist(path, fmt=fmt)
    assert len(items) == len(content_lines(path, comments)), relative
    assert all(i.source == path.name for i in items)


@pytest.mark.parametrize(
    "relative",
    [
        "url_lists/maltrail/phishing_scam_indicators.csv",
        "url_lists/maltrail/malware_domains.csv",
        "ip_blocklists/maltrail/malware_c2_ips.csv",
    ],
)
def test_maltrail_csv_parse_completely(shared_data, relative):
    path = shared_data / relative
    items = parse_blocklist(path)
    rows = len(content_lines(path)) - 1  # header
    assert len(items) == rows
    assert {i.kind for i in items} <= {"domain", "ip", "url"}
    assert all(i.label for i in items)


def test_a_checker_over_the_real_lists(shared_data):
    items = parse_blocklist(shared_data / "url_lists/maltrail/phishing_scam_indicators.csv")
    items += parse_blocklist(shared_data / "url_lists/urlhaus/urlhaus-filter-online.txt")
    checker = Checker(blocklist=Blocklist.from_indicators(items))
    domain = next(i.value for i in items if i.kind == "domain")
    result = checker.check(f"https://{domain}/")
    assert result.risk == "high" and result.reasons[0].code == "blocklist.domain"
    url = next(i.value for i in items if i.kind == "url" and "/" in i.value.split("://")[1])
    assert checker.check(url).reasons[0].code in {"blocklist.url", "blocklist.ip"}


def _vectors(text):
    pattern = re.compile(r"^checkPublicSuffix\((null|'[^']*'), (null|'[^']*')\);")
    for line in text.splitlines():
        match = pattern.match(line.strip())
        if match:
            given, expected = (None if g == "null" else g[1:-1] for g in match.groups())
            yield given, expected


def test_public_suffix_list_reference_vectors(shared_data):
    folder = shared_data / "public_suffix_list"
    checker = Checker(psl_file=folder / "public_suffix_list.dat")
    vectors = list(_vectors((folder / "test_psl.txt").read_text(encoding="utf-8")))
    assert len(vectors) > 60
    wrong = [
        (given, expected, checker.registrable_domain(given))
        for given, expected in vectors
        if given is not None and checker.registrable_domain(given) != expected
    ]
    assert wrong == []
    pairs = [
        line.split()
        for line in (folder / "tests.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("//")
    ]
    for given, expected in pairs:
        if given == "null":
            continue
        assert checker.registrable_domain(given) == (None if expected == "null" else expected), (
            given
        )
