"""The real URLhaus, hosts and maltrail lists of shared/data imported through the service."""

from __future__ import annotations

import pytest

from lachan.scams import checking, services

pytestmark = pytest.mark.django_db

LISTS = [
    ("url_lists/urlhaus/urlhaus-filter-online.txt", "urlhaus"),
    ("url_lists/urlhaus/urlhaus-filter-hosts-online.txt", "hosts"),
    ("url_lists/urlhaus/urlhaus-filter-domains-online.txt", "auto"),
    ("url_lists/maltrail/phishing_scam_indicators.csv", "maltrail"),
    ("ip_blocklists/maltrail/malware_c2_ips.csv", "auto"),
]


@pytest.mark.parametrize(("path", "fmt"), LISTS)
def test_real_lists_import_and_flag_their_entries(shared_data, dept_officer, path, fmt):
    file = shared_data / path
    if not file.exists():
        pytest.skip(f"{file} not found in the shared reference data")
    outcome = services.import_blocklist(
        actor=dept_officer, data=file.read_bytes(), filename=file.name, name=path, fmt=fmt
    )
    assert outcome.added > 100
    entry = outcome.source.entries.filter(kind__in=["domain", "url", "ip"]).order_by("pk").first()
    text = entry.value if entry.kind == "url" else f"http://{entry.value}/"
    result = checking.check(text)
    assert any(r.code.startswith("blocklist") for r in result.reasons), (entry, result)
    # Importing the same list again changes nothing.
    again = services.import_blocklist(
        actor=dept_officer, data=file.read_bytes(), filename=file.name, name=path, fmt=fmt
    )
    assert (again.added, again.removed) == (0, 0) and again.kept == outcome.total
