"""The OpenAPI schema at its stable path, and the docs page served without any CDN."""

from __future__ import annotations

import re

import pytest

from lachan.api.urls import api

pytestmark = pytest.mark.django_db

# Every operation, by its stable id (also its URL name "api:<id>" and its key in tests/authz).
OPERATIONS = {
    ("get", "/api/v1/org/units/"): "org_units_list",
    ("post", "/api/v1/org/units/"): "org_units_create",
    ("get", "/api/v1/org/units/{unit_id}/"): "org_units_detail",
    ("patch", "/api/v1/org/units/{unit_id}/"): "org_units_update",
    ("get", "/api/v1/org/units/by-code/{code}/"): "org_units_by_code",
    ("get", "/api/v1/org/users/"): "org_users_list",
    ("post", "/api/v1/org/users/"): "org_users_create",
    ("get", "/api/v1/org/users/{user_id}/"): "org_users_detail",
    ("post", "/api/v1/org/users/{user_id}/roles/"): "org_users_assign_role",
    ("delete", "/api/v1/org/users/{user_id}/roles/{assignment_id}/"): "org_users_revoke_role",
    ("get", "/api/v1/org/me/"): "org_me",
    ("get", "/api/v1/remediation/findings/"): "remediation_findings_list",
    ("post", "/api/v1/remediation/findings/"): "remediation_findings_record",
    ("get", "/api/v1/remediation/findings/{finding_id}/"): "remediation_findings_detail",
    ("get", "/api/v1/remediation/tasks/"): "remediation_tasks_list",
    ("post", "/api/v1/remediation/tasks/"): "remediation_tasks_create",
    ("get", "/api/v1/remediation/tasks/{task_id}/"): "remediation_tasks_detail",
    (
        "get",
        "/api/v1/remediation/tasks/{task_id}/evidence/{evidence_id}/",
    ): "remediation_tasks_evidence_download",
    ("post", "/api/v1/remediation/tasks/{task_id}/start/"): "remediation_tasks_start",
    ("post", "/api/v1/remediation/tasks/{task_id}/submit/"): "remediation_tasks_submit",
    ("post", "/api/v1/remediation/tasks/{task_id}/verify/"): "remediation_tasks_verify",
    ("post", "/api/v1/remediation/tasks/{task_id}/return/"): "remediation_tasks_return",
    ("post", "/api/v1/remediation/tasks/{task_id}/close/"): "remediation_tasks_close",
    ("post", "/api/v1/remediation/tasks/{task_id}/comments/"): "remediation_tasks_comment",
    ("get", "/api/v1/assets/networks/"): "assets_networks_list",
    ("post", "/api/v1/assets/networks/"): "assets_networks_create",
    ("get", "/api/v1/assets/networks/overlaps/"): "assets_networks_overlaps",
    ("get", "/api/v1/assets/networks/{network_id}/"): "assets_networks_detail",
    ("patch", "/api/v1/assets/networks/{network_id}/"): "assets_networks_update",
    ("delete", "/api/v1/assets/networks/{network_id}/"): "assets_networks_delete",
    ("get", "/api/v1/intel/botnet/lists/"): "intel_botnet_lists",
    ("post", "/api/v1/intel/botnet/lists/"): "intel_botnet_import",
    ("get", "/api/v1/intel/botnet/lists/{list_id}/"): "intel_botnet_list_detail",
    ("get", "/api/v1/intel/botnet/periods/{period}/matches/"): "intel_botnet_period_matches",
    ("get", "/api/v1/intel/botnet/periods/{period}/units/"): "intel_botnet_period_units",
    ("get", "/api/v1/intel/botnet/review/"): "intel_botnet_review",
    ("post", "/api/v1/intel/botnet/rows/{row_id}/confirm/"): "intel_botnet_confirm",
    ("get", "/api/v1/intel/botnet/units/{unit_id}/history/"): "intel_botnet_unit_history",
    ("get", "/api/v1/intel/vulnerabilities/"): "intel_vuln_search",
    ("get", "/api/v1/intel/vulnerabilities/exposures/"): "intel_vuln_exposures",
    ("get", "/api/v1/intel/vulnerabilities/matches/"): "intel_vuln_matches",
    ("post", "/api/v1/intel/vulnerabilities/rematch/"): "intel_vuln_rematch",
    ("get", "/api/v1/intel/vulnerabilities/{record_id}/"): "intel_vuln_detail",
    ("get", "/api/v1/intel/advisories/"): "intel_vuln_advisories",
    ("post", "/api/v1/intel/advisories/"): "intel_vuln_advisory_create",
    ("get", "/api/v1/intel/advisories/{advisory_id}/"): "intel_vuln_advisory_detail",
    ("get", "/api/v1/assets/hosts/"): "assets_hosts_list",
    ("get", "/api/v1/assets/hosts/{host_id}/"): "assets_hosts_detail",
    ("post", "/api/v1/assets/inventory/"): "assets_hosts_inventory_upload",
    ("post", "/api/v1/scams/check/"): "scams_check",
    ("post", "/api/v1/scams/check/batch/"): "scams_check_batch",
    ("post", "/api/v1/scams/reports/"): "scams_reports_create",
    ("get", "/api/v1/scams/reports/"): "scams_reports_list",
    ("get", "/api/v1/scams/reports/{report_id}/"): "scams_reports_detail",
    ("post", "/api/v1/scams/reports/{report_id}/approve/"): "scams_reports_approve",
    ("post", "/api/v1/scams/reports/{report_id}/reject/"): "scams_reports_reject",
    ("get", "/api/v1/scams/blocklists/"): "scams_blocklists",
    ("post", "/api/v1/scams/blocklists/import/"): "scams_blocklists_import",
    ("get", "/api/v1/scams/indicators/"): "scams_indicators",
    ("get", "/api/v1/awareness/lessons/"): "awareness_lessons_list",
    ("get", "/api/v1/awareness/lessons/{slug}/"): "awareness_lessons_detail",
    ("get", "/api/v1/awareness/my/progress/"): "awareness_my_progress",
    ("get", "/api/v1/awareness/campaigns/"): "awareness_campaigns_list",
    ("get", "/api/v1/awareness/campaigns/{campaign_id}/"): "awareness_campaign_detail",
    ("get", "/api/v1/awareness/campaigns/{campaign_id}/progress/"): "awareness_campaign_progress",
    ("post", "/api/v1/awareness/campaigns/{campaign_id}/classes/"): "awareness_class_groups_create",
    ("get", "/api/v1/drills/"): "drills_list",
    ("get", "/api/v1/drills/{drill_id}/results"): "drills_results",
    ("post", "/api/v1/drills/report"): "drills_report",
}


def test_schema_is_served_anonymously_and_lists_every_operation(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Lá Chắn API"
    found = {
        (method, path): op["operationId"]
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    assert found == OPERATIONS
    for ops in schema["paths"].values():
        for op in ops.values():
            assert op.get("tags"), op["operationId"]
            assert op.get("summary"), op["operationId"]


def test_schema_declares_bearer_and_session_auth(client):
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    submit = schema["paths"]["/api/v1/remediation/tasks/{task_id}/submit/"]["post"]
    assert "multipart/form-data" in submit["requestBody"]["content"]
    assert "409" in submit["responses"]


def test_every_url_name_is_the_operation_id():
    from django.urls import reverse

    assert reverse("api:remediation_tasks_start", kwargs={"task_id": 7}) == (
        "/api/v1/remediation/tasks/7/start/"
    )
    assert reverse("api:org_units_by_code", kwargs={"code": "THPT-A"}) == (
        "/api/v1/org/units/by-code/THPT-A/"
    )
    ids = {
        op["operationId"]
        for ops in api.get_openapi_schema()["paths"].values()
        for op in ops.values()
    }
    assert ids == set(OPERATIONS.values())


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    assert "cdn" not in html.lower()
    assert '"/api/v1/openapi.json"' in html
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert b"".join(asset.streaming_content)
        assert "max-age=86400" in asset["Cache-Control"]


def test_docs_assets_are_an_allow_list(client):
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js")["Content-Type"] in {
        "text/javascript",
        "application/javascript",
    }
    assert client.get("/api/v1/docs/assets/redoc.standalone.js.map").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F__init__.py").status_code == 404


def test_api_root_points_to_schema_and_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Lá Chắn API",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }
