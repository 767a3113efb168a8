"""API of vulnerability alerts and the inventory: search, a record with its hosts, exposures,
the match rows of ``lachan vuln matches``, advisories, rematch, hosts with their software and
the inventory upload — scoped to the caller's units, with the project's error shapes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.conftest import ApiClient
from intel import vuln_pages
from lachan.assets.models import Host
from lachan.intel.models import Advisory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    with vuln_pages.fresh_caches():
        yield


@pytest.fixture
def vworld(tree, make_user, tmp_path):
    return vuln_pages.build_vworld(tree, make_user, tmp_path)


RECORD = "CVE-2021-41773"
MATCH_KEYS = [
    "unit_code",
    "host",
    "vendor",
    "product",
    "version",
    "cve",
    "cvss",
    "severity",
    "kev",
    "epss",
    "priority",
    "fixed_version",
    "status",
]


def api(user) -> ApiClient:
    from lachan.org.services import issue_api_token

    if user is None:
        return ApiClient(None)
    _token, key = issue_api_token(actor=None, user=user, name="kiem-thu")
    return ApiClient(key)


def test_search_counts_within_the_callers_scope(vworld):
    school = api(vworld.users["unit_it"]).get("intel/vulnerabilities/", {"q": RECORD})
    assert school.status_code == 200
    (item,) = school.json()["items"]
    assert (item["record_id"], item["affected_units"], item["open_exposures"]) == (RECORD, 1, 1)
    assert item["kev"] is True and item["cvss31"]["severity"] == "high"
    department = api(vworld.users["dept_security"]).get("intel/vulnerabilities/", {"q": RECORD})
    assert department.json()["items"][0]["affected_units"] == 2
    exposed = api(vworld.users["unit_it"]).get("intel/vulnerabilities/", {"exposed_only": "true"})
    ids = {i["record_id"] for i in exposed.json()["items"]}
    assert RECORD in ids and "CVE-2024-1597" not in ids
    kev = api(vworld.users["unit_it"]).get("intel/vulnerabilities/", {"kev": "true"}).json()
    # The KEV entry without a record yet is listed too (a placeholder until its record comes).
    assert {i["record_id"] for i in kev["items"]} == {RECORD, "CVE-2017-0144"}


def test_who_may_call(vworld):
    assert api(None).get("intel/vulnerabilities/").status_code == 401
    learner = api(vworld.users["learner"])
    for path in (
        "intel/vulnerabilities/",
        f"intel/vulnerabilities/{RECORD}/",
        "intel/vulnerabilities/exposures/",
        "intel/vulnerabilities/matches/",
        "intel/advisories/",
        "assets/hosts/",
    ):
        assert learner.get(path).status_code == 403, path


def test_a_record_lists_only_the_callers_hosts(vworld):
    school = api(vworld.users["unit_it"]).get(f"intel/vulnerabilities/{RECORD}/").json()
    assert [e["host"]["name"] for e in school["exposures"]] == ["SRV-WEB"]
    assert school["exposures"][0]["task_id"] is not None
    assert school["configurations"][0]["vulnerable"][0]["product"] == "http_server"
    assert school["references"] == [f"https://nvd.nist.gov/vuln/detail/{RECORD}"]
    department = api(vworld.users["dept_admin"]).get(f"intel/vulnerabilities/{RECORD}/").json()
    assert {e["host"]["name"] for e in department["exposures"]} == {"SRV-WEB", "SRV-B"}
    missing = api(vworld.users["unit_it"]).get("intel/vulnerabilities/CVE-1999-0000/")
    assert missing.status_code == 404 and "detail" in missing.json()


def test_exposures_filter_and_count_what_they_show(vworld):
    client = api(vworld.users["unit_it"])
    body = client.get("intel/vulnerabilities/exposures/").json()
    assert body["count"] == len(body["items"]) > 0
    assert {e["unit"]["code"] for e in body["items"]} == {"THPT-A"}
    review = client.get("intel/vulnerabilities/exposures/", {"status": "needs_review"}).json()
    assert review["items"] and {e["status"] for e in review["items"]} == {"needs_review"}
    apache = client.get("intel/vulnerabilities/exposures/", {"q": "Apache"}).json()
    assert {e["product"] for e in apache["items"]} == {"Apache HTTP Server 2.4.49"}
    other = client.get("intel/vulnerabilities/exposures/", {"unit_id": vworld.tree.b.pk}).json()
    assert other == {"items": [], "count": 0}


def test_matches_are_the_objects_of_the_command(vworld):
    body = api(vworld.users["unit_it"]).get("intel/vulnerabilities/matches/").json()
    assert list(body["summary"]) == ["cves_loaded", "inventory_rows", "matches", "needs_review"]
    assert body["matches"] and all(list(m) == MATCH_KEYS for m in body["matches"])
    assert body["summary"]["matches"] == len(body["matches"])
    assert {m["unit_code"] for m in body["matches"]} == {"THPT-A"}
    other = api(vworld.users["unit_it"]).get(
        "intel/vulnerabilities/matches/", {"unit_id": vworld.tree.b.pk}
    )
    assert other.json()["matches"] == []


def test_advisories_create_and_list(vworld):
    payload = {
        "title": "Lỗ hổng Apache HTTP Server 2.4.49",
        "source": "ncsc",
        "issued_on": "2026-10-05",
        "products": [
            {
                "vendor": "apache",
                "product": "http_server",
                "version_start_including": "2.4.49",
                "version_end_excluding": "2.4.51",
            }
        ],
        "deadline": "2026-10-20",
    }
    assert api(vworld.users["unit_it"]).post("intel/advisories/", payload).status_code == 403
    response = api(vworld.users["dept_security"]).post("intel/advisories/", payload)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["record_id"] == f"ADV-{created['id']}"
    assert created["products"][0]["version_end_excluding"] == "2.4.51"
    from lachan.intel.vulns import run_matching

    run_matching()
    listed = api(vworld.users["unit_it"]).get("intel/advisories/").json()
    assert listed["items"][0]["affected_hosts"] == 1  # SRV-WEB, not SRV-B
    detail = api(vworld.users["dept_admin"]).get(f"intel/advisories/{created['id']}/").json()
    assert detail["affected_units"] == 2
    bad = api(vworld.users["dept_security"]).post(
        "intel/advisories/", {**payload, "cve_ids": ["CVE-12"], "unknown": 1}
    )
    assert bad.status_code == 422 and "errors" in bad.json()
    bad = api(vworld.users["dept_security"]).post(
        "intel/advisories/", {**payload, "cve_ids": ["CVE-12"]}
    )
    assert bad.status_code == 422 and "cve_ids" in bad.json()["errors"]
    assert Advisory.objects.count() == 1


def test_rematch_is_for_the_department(vworld):
    assert api(vworld.users["unit_it"]).post("intel/vulnerabilities/rematch/").status_code == 403
    response = api(vworld.users["dept_security"]).post("intel/vulnerabilities/rematch/")
    assert response.status_code == 200
    assert {"entries", "affected", "needs_review", "new", "resolved"} <= set(response.json())


def test_hosts_with_software_and_mapping(vworld):
    client = api(vworld.users["unit_it"])
    body = client.get("assets/hosts/").json()
    assert body["count"] == len(body["items"])
    assert {h["name"] for h in body["items"]} == {"SRV-WEB", "PC-01", "PC-02"}
    exposed = client.get("assets/hosts/", {"exposed": "true"}).json()
    assert {h["name"] for h in exposed["items"]} == {"SRV-WEB", "PC-01"}
    srv = Host.objects.get(name="SRV-WEB")
    detail = client.get(f"assets/hosts/{srv.pk}/").json()
    apache = next(s for s in detail["software"] if s["product"] == "Apache HTTP Server")
    assert apache["cpe_name"] == "apache:http_server:2.4.49"
    assert apache["mapping_method"] == "alias" and apache["mapping_method_label"] == "Bảng tên gọi"
    assert {e["record_id"] for e in apache["exposures"]} >= {RECORD}
    pc02 = Host.objects.get(name="PC-02")
    unknown = client.get(f"assets/hosts/{pc02.pk}/").json()["software"][0]
    assert unknown["cpe_name"] is None and unknown["mapping_method"] == "unmapped"
    other = Host.objects.get(name="SRV-B")
    assert client.get(f"assets/hosts/{other.pk}/").status_code == 404


def test_inventory_upload(vworld):
    data = (
        "unit_code,host,os,vendor,product,version,cpe,system\r\n"
        "THPT-A,PC-07,Windows 11,,Google Chrome,120.0.6099.71,,\r\n"
    )
    head = api(vworld.users["unit_head"]).post_multipart(
        "assets/inventory/", {"file": SimpleUploadedFile("a.csv", data.encode())}
    )
    assert head.status_code == 403
    response = api(vworld.users["unit_it"]).post_multipart(
        "assets/inventory/", {"file": SimpleUploadedFile("a.csv", data.encode())}
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    assert Host.objects.filter(name="PC-07", unit=vworld.tree.a).exists()
    bad = "unit_code,host,product\r\nTHPT-B,SRV-X,nginx\r\n"
    refused = api(vworld.users["unit_it"]).post_multipart(
        "assets/inventory/", {"file": SimpleUploadedFile("b.csv", bad.encode())}
    )
    assert refused.status_code == 422
    (message,) = refused.json()["errors"]["file"]
    assert message.startswith("Dòng 2") and "unit_code" in message
    assert not Host.objects.filter(name="SRV-X").exists()
