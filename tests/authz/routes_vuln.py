"""Routes of vulnerability alerts (intel) and the software inventory (assets): pages and API,
see spec.py.

The world gives school B a host "SRV-QUASAR-B7" of its information system "Cổng thông tin
Quasar-B7" running Apache HTTP Server 2.4.49, matched by the record CVE-2021-41773 (an
exposure, a finding, a task), and an advisory naming that CVE; school A has a host of its own.
Records, advisories and the alias table are public to every data role — but which units and
hosts they affect is scoped: school A reads CVE-2021-41773 and the advisory without ever
seeing B's host, system or unit. B's host and B's unit page are objects (403/404 for A).
Feeds, matching, advisories, aliases and summaries are written by the Department; the
inventory is imported by the Department and a unit's IT officer. A learner (no data role)
gets 403 on every page and operation here.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import VULN_ID
from .spec import RouteSpec

NO_LEARNER = {"denied_roles": {"learner"}}
READERS_ONLY_IT = {"denied_roles": {"unit_head", "learner"}}


def _record(w):
    return {"record_id": VULN_ID}


def _inventory_file(w):
    """An inventory naming school B's unit: school A's IT officer is refused (422), B unchanged."""
    text = (
        "unit_code,host,os,vendor,product,version,cpe,system\r\n"
        f"{w.b.unit.code},SRV-MOI-01,Ubuntu 22.04,,apache2,2.4.52-1ubuntu4.6,,\r\n"
    )
    return {"file": SimpleUploadedFile("phan-mem.csv", text.encode(), content_type="text/csv")}


ROUTES: dict[str, RouteSpec] = {
    # --- vulnerability pages ------------------------------------------------------------------
    "vuln_list": RouteSpec(
        "authenticated",
        note="records with counts of the user's own affected units and hosts",
        extra={
            **NO_LEARNER,
            "queries": [
                {"q": VULN_ID},
                {"q": "apache"},
                {"affects": "yes"},
                {"kev": "no", "severity": "high"},
                {"severity": "bogus", "page": "x"},
            ],
        },
    ),
    "vuln_detail": RouteSpec(
        "authenticated",
        kwargs=_record,
        note="the record; affected units and hosts only within the user's scope",
        extra=NO_LEARNER,
    ),
    "vuln_summary_edit": RouteSpec(
        "department",
        method="POST",
        kwargs=_record,
        data=lambda w: {"summary_vi": "Lỗi duyệt đường dẫn trong Apache HTTP Server 2.4.49."},
    ),
    "vuln_unit_exposure": RouteSpec("object", kwargs=lambda w: {"pk": w.b.unit.pk}),
    "vuln_exposure_dashboard": RouteSpec(
        "authenticated",
        note="charts and tables of the user's units",
        extra={**NO_LEARNER, "queries": [{"priority": "2"}, {"status": "affected"}]},
    ),
    "vuln_exposure_export": RouteSpec(
        "authenticated",
        extra={**NO_LEARNER, "queries": [{"format": "json"}, {"format": "csv"}]},
    ),
    "vuln_feeds": RouteSpec("department"),
    "vuln_rematch": RouteSpec("department", method="POST", data=lambda w: {}),
    "vuln_policy": RouteSpec(
        "authenticated",
        note="read by every data role; saved by Department admins",
        extra=NO_LEARNER,
    ),
    "advisory_list": RouteSpec(
        "authenticated", note="advisories with the user's own affected counts", extra=NO_LEARNER
    ),
    "advisory_create": RouteSpec("department"),
    "advisory_detail": RouteSpec(
        "authenticated",
        kwargs=lambda w: {"pk": w.vuln.advisory.pk},
        note="the advisory; matched units and hosts within the user's scope",
        extra=NO_LEARNER,
    ),
    "advisory_edit": RouteSpec("department", kwargs=lambda w: {"pk": w.vuln.advisory.pk}),
    "software_alias_list": RouteSpec(
        "authenticated", extra={**NO_LEARNER, "queries": [{"name": "apache2", "version": "2.4.52"}]}
    ),
    "software_alias_create": RouteSpec(
        "department",
        method="POST",
        data=lambda w: {
            "kind": "display",
            "pattern": "Phần mềm kế toán MISA",
            "cpe_vendor": "misa",
            "cpe_product": "mimosa",
            "part": "a",
        },
    ),
    "software_alias_delete": RouteSpec(
        "department", method="POST", kwargs=lambda w: {"pk": w.vuln.alias.pk}, data=lambda w: {}
    ),
    "software_alias_try": RouteSpec(
        "authenticated",
        extra={**NO_LEARNER, "queries": [{"name": "Apache HTTP Server", "version": "2.4.49"}]},
    ),
    # --- inventory pages ----------------------------------------------------------------------
    "host_list": RouteSpec(
        "authenticated",
        note="hosts of the user's units, with their counts of open vulnerabilities",
        extra={
            **NO_LEARNER,
            "queries": [
                {"exposed": "yes"},
                {"os": "Windows Server 2019"},
                {"system": "999999"},
                {"q": "SRV", "role": "server"},
            ],
        },
    ),
    "host_detail": RouteSpec("object", kwargs=lambda w: {"pk": w.b.host.pk}),
    "system_list": RouteSpec("authenticated", extra={**NO_LEARNER, "queries": [{"q": "Cổng"}]}),
    "inventory_import": RouteSpec("authenticated", extra=READERS_ONLY_IT),
    "inventory_export": RouteSpec(
        "authenticated",
        extra={
            **NO_LEARNER,
            "queries": [{"format": "json"}, {"format": "csv", "mapping": "1"}, {"q": "Apache"}],
        },
    ),
    # --- API ----------------------------------------------------------------------------------
    "api:intel_vuln_search": RouteSpec(
        "authenticated",
        extra={**NO_LEARNER, "queries": [{"q": VULN_ID}, {"exposed_only": "true"}]},
    ),
    "api:intel_vuln_detail": RouteSpec("authenticated", kwargs=_record, extra=NO_LEARNER),
    "api:intel_vuln_exposures": RouteSpec(
        "authenticated",
        extra={**NO_LEARNER, "queries": [{"priority": 2}, {"status": "affected", "q": "Apache"}]},
    ),
    "api:intel_vuln_matches": RouteSpec("authenticated", extra=NO_LEARNER),
    "api:intel_vuln_advisories": RouteSpec("authenticated", extra=NO_LEARNER),
    "api:intel_vuln_advisory_detail": RouteSpec(
        "authenticated", kwargs=lambda w: {"advisory_id": w.vuln.advisory.pk}, extra=NO_LEARNER
    ),
    "api:intel_vuln_advisory_create": RouteSpec(
        "department",
        method="POST",
        data=lambda w: {
            "title": "Cảnh báo thử từ ma trận phân quyền",
            "source": "letter",
            "issued_on": "2026-10-07",
            "products": [{"vendor": "apache", "product": "http_server", "versions": ["2.4.50"]}],
        },
    ),
    "api:intel_vuln_rematch": RouteSpec("department", method="POST", data=lambda w: {}),
    "api:assets_hosts_list": RouteSpec(
        "authenticated",
        extra={**NO_LEARNER, "queries": [{"exposed": "true"}, {"q": "SRV"}]},
    ),
    "api:assets_hosts_detail": RouteSpec("object", kwargs=lambda w: {"host_id": w.b.host.pk}),
    "api:assets_hosts_inventory_upload": RouteSpec(
        "authenticated",
        method="POST",
        data=_inventory_file,
        # The refusal repeats the unit code the caller sent, exactly as for a code that does
        # not exist (tests/assets/test_inventory_views.py checks both answers are the same).
        leak_check=False,
        extra={**READERS_ONLY_IT, "multipart": True},
    ),
}
