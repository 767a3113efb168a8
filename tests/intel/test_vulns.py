"""Vulnerability alerts in the database: feed imports (update in place, rejected marked, KEV
and EPSS flags), advisories (a warning without CVE matches by product and version), matching
into exposures, findings and one task per host with its guidance and due date, an upgrade
resolving exposures (task commented, not closed), scoping, the rematch job, the optional
download, and a run over the real shared records."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intel.vuln_fixtures import (
    INVENTORY,
    RECORDS,
    UPGRADE,
    cpe_match,
    inventory_csv,
    nvd_cve,
    write_feeds,
    write_records,
)
from lachan.assets.inventory_import import import_inventory
from lachan.assets.models import Host
from lachan.audit.models import AuditLog
from lachan.intel import vuln_selectors as sel
from lachan.intel import vulns
from lachan.intel.models import (
    Advisory,
    Exposure,
    FeedImport,
    RecordStatus,
    SoftwareAlias,
    Vulnerability,
)
from lachan.org.models import Role
from lachan.remediation.models import Finding, Task, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    vulns.forget_index_cache()
    sel.forget_alias_cache()
    yield
    vulns.forget_index_cache()
    sel.forget_alias_cache()


@pytest.fixture
def feeds(tmp_path):
    return write_feeds(tmp_path)


def load_inventory(rows=INVENTORY, actor=None):
    report = import_inventory(actor=actor, data=inventory_csv(rows), filename="inventory.csv")
    assert report.ok, [str(e) for e in report.errors]
    return report


@pytest.fixture
def loaded(tree, feeds):
    """Records, KEV and EPSS imported, the inventory loaded, matching run once."""
    vulns.import_records(actor=None, paths=[feeds["records"]])
    vulns.import_kev(actor=None, path=feeds["kev"])
    vulns.import_epss(actor=None, path=feeds["epss"])
    load_inventory()
    counts = vulns.run_matching()
    return counts


def open_exposures(**filters):
    return {
        (e.host.name, e.vulnerability.record_id, e.status)
        for e in Exposure.objects.filter(resolved_at__isnull=True, **filters).select_related(
            "host", "vulnerability"
        )
    }


# --- feeds ----------------------------------------------------------------------------------------


def test_records_import_creates_then_updates_in_place(tree, tmp_path):
    path = write_records(tmp_path / "page.json")
    feed = vulns.import_records(actor=None, paths=[path])
    assert (feed.kind, feed.records, feed.created, feed.updated, feed.rejected) == (
        "records",
        7,
        7,
        0,
        1,
    )
    record = Vulnerability.objects.get(record_id="CVE-2024-4577")
    assert record.cvss31_score == 9.8 and record.cvss31_severity == "critical"
    assert record.products == ["php:php"] and record.cwes == ["CWE-78"]
    assert record.configurations[0]["nodes"][0]["cpeMatch"][0]["versionEndExcluding"] == "8.1.29"
    assert Vulnerability.objects.get(record_id="CVE-2020-99999").status == RecordStatus.REJECTED
    # The same file again: nothing changes.
    again = vulns.import_records(actor=None, paths=[path])
    assert (again.created, again.updated) == (0, 0)
    # A corrected record updates in place; another one is withdrawn.
    changed = [dict(c) for c in RECORDS]
    changed[2] = nvd_cve(
        "CVE-2024-4577",
        [cpe_match("cpe:2.3:a:php:php:*:*:*:*:*:*:*:*", end_excl="8.1.30")],
        score=9.1,
    )
    changed[3] = {**changed[3], "vulnStatus": "Rejected"}
    write_records(path, changed)
    third = vulns.import_records(actor=None, paths=[path])
    assert (third.created, third.updated, third.rejected) == (0, 2, 2)
    updated = Vulnerability.objects.get(record_id="CVE-2024-4577")
    assert updated.pk == record.pk and updated.cvss31_score == 9.1
    assert Vulnerability.objects.get(record_id="CVE-2024-0519").status == RecordStatus.REJECTED
    # One audit record per import, not per record.
    assert AuditLog.objects.filter(action="vuln.import_records").count() == 3


def test_a_file_that_cannot_be_read_stores_nothing(tree, tmp_path):
    good = write_records(tmp_path / "a.json")
    bad = tmp_path / "b.json"
    bad.write_text('{"vulnerabilities": [{"cve": {"id": "CVE-2024-1"', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        vulns.import_records(actor=None, paths=[good, bad])
    assert "b.json" in " ".join(caught.value.messages)
    assert not Vulnerability.objects.exists() and not FeedImport.objects.exists()


def test_records_stream_in_batches(tree, tmp_path):
    cves = [
        nvd_cve(f"CVE-2024-{10000 + i}", [cpe_match(f"cpe:2.3:a:acme:app{i}:1.0:*:*:*:*:*:*:*")])
        for i in range(25)
    ]
    path = write_records(tmp_path / "many.json.gz", cves, gz=True)
    seen = []
    feed = vulns.import_records(
        actor=None, paths=[path], batch_size=7, progress=lambda p: seen.append(p.records)
    )
    assert feed.created == 25 and Vulnerability.objects.count() == 25
    assert seen and seen[-1] == 25


def test_kev_and_epss_set_flags_and_scores(tree, feeds):
    vulns.import_records(actor=None, paths=[feeds["records"]])
    kev = vulns.import_kev(actor=None, path=feeds["kev"])
    assert (kev.records, kev.updated, kev.created) == (2, 1, 1)
    apache = Vulnerability.objects.get(record_id="CVE-2021-41773")
    assert apache.kev and apache.kev_ransomware
    assert apache.kev_due_date == dt.date(2021, 11, 17)
    assert apache.kev_required_action == "Apply updates per vendor instructions."
    # A KEV entry whose record is not in the data: a placeholder that matches nothing.
    placeholder = Vulnerability.objects.get(record_id="CVE-2017-0144")
    assert placeholder.kev and placeholder.source == "kev" and placeholder.products == []
    epss = vulns.import_epss(actor=None, path=feeds["epss"])
    assert (epss.records, epss.updated) == (4, 3)
    apache.refresh_from_db()
    assert apache.epss == pytest.approx(0.97453) and apache.epss_date == dt.date(2024, 8, 1)
    # A later catalogue without the entry clears the flag; importing records keeps KEV flags.
    feeds["kev"].write_text(
        json.dumps({"catalogVersion": "x", "vulnerabilities": []}), encoding="utf-8"
    )
    vulns.import_records(actor=None, paths=[feeds["records"]])
    assert Vulnerability.objects.get(record_id="CVE-2021-41773").kev
    vulns.import_kev(actor=None, path=feeds["kev"])
    assert not Vulnerability.objects.get(record_id="CVE-2021-41773").kev


def test_feed_kinds_are_recognised_by_content(feeds, tmp_path):
    assert vulns.detect_feed_kind(feeds["records"]) == "records"
    assert vulns.detect_feed_kind(feeds["kev"]) == "kev"
    assert vulns.detect_feed_kind(feeds["epss"]) == "epss"
    gz = tmp_path / "epss.csv.gz"
    gz.write_bytes(gzip.compress(feeds["epss"].read_bytes()))
    assert vulns.detect_feed_kind(gz) == "epss"
    kev_csv = tmp_path / "kev.csv"
    kev_csv.write_text("cveID,vendorProject,product\nCVE-2021-41773,Apache,HTTP\n")
    assert vulns.detect_feed_kind(kev_csv) == "kev"
    assert vulns.detect_feed_kind(tmp_path) == "records"


def test_only_the_department_imports_feeds(tree, feeds, it_a, dept_officer):
    with pytest.raises(PermissionDenied):
        vulns.import_records(actor=it_a, paths=[feeds["records"]])
    feed = vulns.import_records(actor=dept_officer, paths=[feeds["records"]])
    assert feed.imported_by == dept_officer


# --- matching, findings, tasks ------------------------------------------------------------------


def test_matching_makes_exposures_findings_and_one_task_per_host(loaded, tree):
    assert open_exposures() == {
        ("SRV-WEB", "CVE-2021-41773", "affected"),
        ("SRV-WEB", "CVE-2021-42013", "affected"),
        ("SRV-WEB", "CVE-2024-4577", "affected"),
        ("SRV-WEB", "CVE-2023-38408", "needs_review"),
        ("PC-01", "CVE-2024-0519", "affected"),
        ("SRV-B", "CVE-2021-41773", "affected"),
        ("SRV-B", "CVE-2021-42013", "affected"),
    }
    assert loaded["affected"] == 6 and loaded["needs_review"] == 1
    kev_exposure = Exposure.objects.get(
        host__name="SRV-WEB", vulnerability__record_id="CVE-2021-41773"
    )
    assert kev_exposure.priority == 1 and kev_exposure.product_label == "Apache HTTP Server 2.4.49"
    php = Exposure.objects.get(vulnerability__record_id="CVE-2024-4577")
    assert php.fixed_version == "8.1.29"
    # One finding per (host, record), only for affected exposures; KEV is critical.
    findings = Finding.objects.filter(source="vulnerability")
    assert findings.count() == 6
    assert findings.get(dedupe_key__endswith="CVE-2021-41773", unit=tree.a).severity == "critical"
    assert findings.get(dedupe_key__endswith="CVE-2024-0519").severity == "high"
    assert not findings.filter(dedupe_key__endswith="CVE-2023-38408").exists()
    # One task per host with affected exposures.
    tasks = {t.problem_key: t for t in Task.objects.filter(problem_key__startswith="vuln:")}
    web = Host.objects.get(name="SRV-WEB")
    assert set(tasks) == {
        f"vuln:{web.pk}",
        f"vuln:{Host.objects.get(name='PC-01').pk}",
        f"vuln:{Host.objects.get(name='SRV-B').pk}",
    }
    task = tasks[f"vuln:{web.pk}"]
    assert task.unit == tree.a and task.source == "vulnerability"
    assert task.title == "Cập nhật phần mềm trên máy SRV-WEB: 3 lỗ hổng (1 đang bị khai thác)"
    assert task.severity == "critical"
    assert task.findings.count() == 3
    guidance = task.guidance
    for text in (
        "CVE-2021-41773 — Apache HTTP Server 2.4.49",
        "CVE-2024-4577 — PHP 8.1.20",
        "Cập nhật lên phiên bản 8.1.29 hoặc mới hơn",
        "Yêu cầu xử lý (danh mục KEV): Apply updates per vendor instructions.",
        "Cần kiểm tra thêm",
        "CVE-2023-38408 — openssh-server 1:9.2p1-2+deb12u2",
        "hệ thống Cổng thông tin",
    ):
        assert text in guidance, text
    today = timezone.localdate()
    assert task.due_date == today + dt.timedelta(days=7)  # KEV
    pc_task = tasks[f"vuln:{Host.objects.get(name='PC-01').pk}"]
    assert pc_task.due_date == today + dt.timedelta(days=15)  # high
    assert pc_task.title == "Cập nhật phần mềm trên máy PC-01: 1 lỗ hổng"


def test_a_second_run_changes_nothing(loaded):
    audit = AuditLog.objects.count()
    counts = vulns.run_matching()
    assert (counts["new"], counts["resolved"], counts["findings"], counts["tasks"]) == (0, 0, 0, 0)
    assert AuditLog.objects.count() == audit
    assert Task.objects.filter(problem_key__startswith="vuln:").count() == 3


def test_the_due_date_follows_the_policy(tree, feeds, dept_admin, dept_officer):
    with pytest.raises(PermissionDenied):
        vulns.set_vuln_due_policy(actor=dept_officer, key="high", days=3)
    with pytest.raises(ValidationError):
        vulns.set_vuln_due_policy(actor=dept_admin, key="urgent", days=3)
    vulns.set_vuln_due_policy(actor=dept_admin, key="high", days=3)
    assert sel.vuln_due_policy()["high"] == 3
    vulns.import_records(actor=None, paths=[feeds["records"]])
    load_inventory()
    vulns.run_matching()
    task = Task.objects.get(problem_key=f"vuln:{Host.objects.get(name='PC-01').pk}")
    assert task.due_date == timezone.localdate() + dt.timedelta(days=3)


def test_an_upgrade_resolves_exposures_and_comments_the_task_without_closing_it(loaded, tree):
    web = Host.objects.get(name="SRV-WEB")
    task = Task.objects.get(problem_key=f"vuln:{web.pk}")
    load_inventory(UPGRADE)
    counts = vulns.run_matching()
    assert counts["resolved"] == 3
    resolved = Exposure.objects.filter(host=web, resolved_at__isnull=False)
    assert {e.vulnerability.record_id for e in resolved} == {
        "CVE-2021-41773",
        "CVE-2021-42013",
        "CVE-2024-4577",
    }
    php = resolved.get(vulnerability__record_id="CVE-2024-4577")
    assert php.resolution_note.startswith("Không còn ảnh hưởng sau khi cập nhật phiên bản")
    assert "PHP 8.1.20 → 8.1.29" in php.resolution_note
    # The review item stays open; the findings are resolved, the task is not closed.
    assert open_exposures(host=web) == {("SRV-WEB", "CVE-2023-38408", "needs_review")}
    for finding in task.findings.all():
        assert finding.resolved_at is not None and finding.resolution_note
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    comment = task.comments.get()
    assert "3 lỗ hổng không còn ảnh hưởng máy SRV-WEB" in comment.body
    assert "CVE-2024-4577" in comment.body and "gửi báo cáo" in comment.body
    # School B is untouched.
    assert open_exposures(host__name="SRV-B") == {
        ("SRV-B", "CVE-2021-41773", "affected"),
        ("SRV-B", "CVE-2021-42013", "affected"),
    }
    # Back to the old version (a restore from backup): the same exposure opens again.
    load_inventory(INVENTORY[:3])
    again = vulns.run_matching()
    assert again["new"] == 0 and again["reopened"] == 3
    assert Finding.objects.filter(unit=tree.a, resolved_at__isnull=True).count() == 4


def test_an_inventory_import_rematches_after_commit(
    tree, feeds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        vulns.import_records(actor=None, paths=[feeds["records"]])
    assert not Exposure.objects.exists()  # nothing to match yet
    with django_capture_on_commit_callbacks(execute=True):
        load_inventory()
    assert len(open_exposures()) == 7
    with django_capture_on_commit_callbacks(execute=True):
        load_inventory(UPGRADE)
    assert len(open_exposures(host__name="SRV-WEB")) == 1


def test_a_rejected_record_resolves_its_exposures(loaded, tmp_path):
    withdrawn = [
        c if c["id"] != "CVE-2024-0519" else {**c, "vulnStatus": "Rejected"} for c in RECORDS
    ]
    vulns.import_records(actor=None, paths=[write_records(tmp_path / "r.json", withdrawn)])
    vulns.run_matching()
    exposure = Exposure.objects.get(vulnerability__record_id="CVE-2024-0519")
    assert exposure.resolved_at is not None
    assert "từ chối/thu hồi" in exposure.resolution_note


def test_host_exposure_raises_priority(loaded, tree):
    before = Exposure.objects.get(host__name="SRV-B", vulnerability__record_id="CVE-2021-42013")
    host = Host.objects.get(name="SRV-B")
    from lachan.assets.services import save_host

    save_host(actor=None, unit=tree.b, host=host, internet_facing=True)
    vulns.run_matching(units=[tree.b])
    after = Exposure.objects.get(pk=before.pk)
    assert after.score > before.score


def test_matching_a_unit_leaves_the_others_alone(loaded, tree):
    Exposure.objects.filter(unit=tree.b).update(priority=4)
    vulns.run_matching(units=[tree.a])
    assert set(Exposure.objects.filter(unit=tree.b).values_list("priority", flat=True)) == {4}


# --- advisories --------------------------------------------------------------------------------


def advisory_fields(**extra):
    fields = {
        "title": "Cảnh báo lỗ hổng trong Apache HTTP Server",
        "source": "ncsc",
        "issued_on": dt.date(2024, 8, 1),
        "reference_number": "123/CV-NCSC",
        "required_action": "Nâng cấp lên phiên bản 2.4.58 trở lên.",
        "deadline": timezone.localdate() + dt.timedelta(days=3),
        "products": [
            {
                "vendor": "Apache",
                "product": "Apache HTTP Server",
                "version_start_including": "2.4.0",
                "version_end_excluding": "2.4.58",
            }
        ],
    }
    fields.update(extra)
    return fields


def test_an_advisory_without_cve_matches_by_product_and_version(tree, dept_officer):
    load_inventory()
    advisory = vulns.save_advisory(actor=dept_officer, **advisory_fields())
    record = advisory.record
    assert record.record_id == f"ADV-{advisory.pk}" and record.source == "advisory"
    assert record.products == ["apache:http_server"]
    vulns.run_matching()
    assert open_exposures(vulnerability=record) == {
        ("SRV-WEB", record.record_id, "affected"),
        ("SRV-B", record.record_id, "affected"),
    }
    task = Task.objects.get(problem_key=f"vuln:{Host.objects.get(name='SRV-B').pk}")
    assert "Theo cảnh báo “Cảnh báo lỗ hổng trong Apache HTTP Server” 123/CV-NCSC" in task.guidance
    assert "Nâng cấp lên phiên bản 2.4.58 trở lên." in task.guidance
    # The advisory's deadline is earlier than the policy's days.
    assert task.due_date == timezone.localdate() + dt.timedelta(days=3)
    # Outside the range: nothing.
    load_inventory(UPGRADE)
    vulns.run_matching()
    assert open_exposures(vulnerability=record, host__name="SRV-WEB") == set()


def test_advisory_validation(tree, dept_officer, it_a):
    with pytest.raises(PermissionDenied):
        vulns.save_advisory(actor=it_a, **advisory_fields())
    with pytest.raises(ValidationError) as caught:
        vulns.save_advisory(
            actor=dept_officer, **advisory_fields(cve_ids="CVE-2024-4577, CVE-24-1")
        )
    assert "CVE-24-1" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        vulns.save_advisory(
            actor=dept_officer,
            **advisory_fields(products=[{"vendor": "", "product": "Moodle"}]),
        )
    assert "nhà phát triển" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        vulns.save_advisory(
            actor=dept_officer,
            **advisory_fields(
                products=[
                    {"vendor": "Moodle", "product": "Moodle", "version_end_excluding": "mới nhất"}
                ]
            ),
        )
    assert "mới nhất" in str(caught.value)
    with pytest.raises(ValidationError):
        vulns.save_advisory(actor=dept_officer, **advisory_fields(products=[], cve_ids=[]))
    assert not Advisory.objects.exists() and not Vulnerability.objects.exists()


def test_advisory_cve_ids_link_to_records_or_say_they_are_missing(tree, feeds, dept_officer):
    vulns.import_records(actor=None, paths=[feeds["records"]])
    advisory = vulns.save_advisory(
        actor=dept_officer,
        **advisory_fields(products=[], cve_ids=["cve-2024-4577", "CVE-2024-99999"]),
    )
    assert advisory.cve_ids == ["CVE-2024-4577", "CVE-2024-99999"]
    links = sel.advisory_cves(advisory)
    assert links[0].vulnerability.record_id == "CVE-2024-4577" and not links[0].missing
    assert links[1].missing and links[1].label == "CVE-2024-99999 (chưa có trong dữ liệu)"
    detail = sel.vulnerability_detail(dept_officer, "CVE-2024-4577")
    assert advisory in detail.advisories
    # Editing is audited; deleting withdraws its record.
    vulns.save_advisory(actor=dept_officer, advisory=advisory, title="Cảnh báo (sửa)")
    assert AuditLog.objects.filter(action="advisory.update").exists()
    record = advisory.record
    vulns.delete_advisory(actor=dept_officer, advisory=advisory)
    record.refresh_from_db()
    assert record.status == RecordStatus.REJECTED


# --- alias table ---------------------------------------------------------------------------------


def test_an_officers_alias_maps_software_and_is_listed(tree, feeds, dept_officer):
    vulns.import_records(actor=None, paths=[feeds["records"]])
    load_inventory()
    vnedu = Host.objects.get(name="PC-02").software.get()
    assert vnedu.mapping_method == "unmapped"
    alias = vulns.save_alias(
        actor=dept_officer,
        kind="display",
        pattern="VnEdu Client",
        cpe_vendor="vnpt",
        cpe_product="vnedu",
        note="Phần mềm quản lý trường học",
    )
    vnedu.refresh_from_db()
    assert (vnedu.cpe_vendor, vnedu.cpe_product, vnedu.mapping_method) == (
        "vnpt",
        "vnedu",
        "alias",
    )
    assert vnedu.mapping_rule
    entries = sel.alias_table()
    mine = [e for e in entries if e.origin == "custom"]
    assert [e.pattern for e in mine] == ["VnEdu Client"] and mine[0].alias == alias
    assert any(e.origin == "default" for e in entries)
    with pytest.raises(ValidationError):
        vulns.save_alias(
            actor=dept_officer, kind="display", pattern="X", cpe_vendor="Có dấu", cpe_product="x"
        )
    vulns.delete_alias(actor=dept_officer, alias=alias)
    vnedu.refresh_from_db()
    assert vnedu.mapping_method == "unmapped"
    assert not SoftwareAlias.objects.exists()


# --- scoped reads --------------------------------------------------------------------------------


def test_school_a_never_sees_school_bs_exposures(loaded, tree, it_a, it_b, dept_officer, make_user):
    assert {e.unit.code for e in sel.exposures_for(it_a)} == {"THPT-A"}
    assert {e.unit.code for e in sel.exposures_for(it_b)} == {"THPT-B"}
    assert sel.exposures_for(it_a, unit=tree.b).count() == 0
    assert sel.exposures_for(dept_officer).count() == 7
    assert sel.exposures_for(dept_officer, status="needs_review").count() == 1
    assert sel.exposures_for(dept_officer, priority=1).filter(vulnerability__kev=False).count() >= 0
    detail_a = sel.vulnerability_detail(it_a, "CVE-2021-41773")
    assert [u.unit.code for u in detail_a.affected_units] == ["THPT-A"]
    assert [h.name for h in detail_a.affected_units[0].hosts] == ["SRV-WEB"]
    detail_b = sel.vulnerability_detail(it_b, "cve-2021-41773")
    assert [u.unit.code for u in detail_b.affected_units] == ["THPT-B"]
    assert len(sel.vulnerability_detail(dept_officer, "CVE-2021-41773").affected_units) == 2
    # The record itself is public; the counts are the user's.
    found = {v.record_id: v for v in sel.vulnerabilities_search(it_b, "apache")}
    assert found["CVE-2021-41773"].open_exposures == 1
    assert found["CVE-2021-41773"].affected_units == 1
    assert "CVE-2020-99999" not in found  # rejected
    assert {v.record_id for v in sel.vulnerabilities_search(it_a, kev=True)} >= {"CVE-2021-41773"}
    assert sel.vulnerabilities_search(it_a, "CVE-2024-4577").get().open_exposures == 1
    assert set(
        sel.vulnerabilities_search(it_a, severity="high").values_list("record_id", flat=True)
    ) == {
        "CVE-2021-41773",
        "CVE-2024-0519",
    }
    assert sel.unit_exposure(it_b, tree.a) is None
    page = sel.unit_exposure(it_a, tree.a)
    assert [h.host.name for h in page.hosts] == ["SRV-WEB", "PC-01"]
    assert page.kev == 1 and page.needs_review == 1 and page.affected == 4
    assert len(page.tasks) == 2
    learner = make_user(Role.LEARNER, tree.a)
    assert sel.exposures_for(learner).count() == 0
    assert sel.vulnerabilities_search(learner).count() == 0
    summary = {r["unit__code"]: r for r in sel.exposure_summary_by_unit(it_a)}
    assert set(summary) == {"THPT-A"} and summary["THPT-A"]["kev"] == 1


def test_timeseries_counts_open_exposures_per_day(loaded, it_a, dept_officer):
    series = sel.exposure_timeseries(dept_officer, days=30)
    assert len(series["days"]) == 30 and series["days"][-1] == timezone.localdate()
    assert sum(lane[-1] for lane in series["by_priority"].values()) == 6
    assert series["by_priority"][1][-1] >= 2
    assert sum(lane[0] for lane in series["by_priority"].values()) == 0
    assert set(series["by_unit"]) == {"THPT-A", "THPT-B"}
    assert set(sel.exposure_timeseries(it_a, days=7)["by_unit"]) == {"THPT-A"}
    # An exposure seen ten days ago and fixed five days ago counts on the days between.
    now = timezone.now()
    pc = Exposure.objects.get(host__name="PC-01")
    Exposure.objects.filter(pk=pc.pk).update(
        first_seen=now - dt.timedelta(days=10), resolved_at=now - dt.timedelta(days=5)
    )
    lane = sel.exposure_timeseries(it_a, days=12)["by_unit"]["THPT-A"]
    web = Exposure.objects.filter(host__name="SRV-WEB", status="affected").count()
    # Index i is the end of day today-(11-i): seen during day -10, resolved during day -5.
    assert lane[0] == 0
    assert lane[1:6] == [1, 1, 1, 1, 1]
    assert lane[6:11] == [0, 0, 0, 0, 0]
    assert lane[11] == web


def test_match_rows_are_the_cli_objects(loaded, tree):
    result = sel.match_rows(None)
    assert result["summary"] == {
        "cves_loaded": 6,
        "inventory_rows": 6,
        "matches": 7,
        "needs_review": 1,
    }
    row = next(r for r in result["matches"] if r["cve"] == "CVE-2024-4577")
    assert row == {
        "unit_code": "THPT-A",
        "host": "SRV-WEB",
        "vendor": "",
        "product": "PHP",
        "version": "8.1.20",
        "cve": "CVE-2024-4577",
        "cvss": 9.8,
        "severity": "critical",
        "kev": False,
        "epss": pytest.approx(0.95741),
        "priority": row["priority"],
        "fixed_version": "8.1.29",
        "status": "affected",
    }
    assert [r["unit_code"] for r in sel.match_rows(None, unit=tree.b)["matches"]] == ["THPT-B"] * 2


# --- optional download ---------------------------------------------------------------------------


@pytest.fixture
def feed_server(feeds):
    """A local HTTP server on 127.0.0.1 serving the feed files."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(feeds["records"].parent)
    )
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_is_downloaded_by_default(settings, tree):
    from lachan.intel.tasks import download_feeds

    assert settings.LACHAN_FEED_URLS == {}
    assert download_feeds() == []
    assert not FeedImport.objects.exists()


def test_configured_feeds_are_downloaded_and_imported(settings, tree, feed_server, tmp_path):
    from lachan.intel.tasks import download_feeds

    settings.LACHAN_HOME = tmp_path / "home"
    settings.LACHAN_FEED_URLS = {
        "records": [f"{feed_server}/nvd-page.json"],
        "kev": f"{feed_server}/known_exploited_vulnerabilities.json",
        "epss": f"{feed_server}/epss_scores.csv",
    }
    ids = download_feeds()
    kinds = list(
        FeedImport.objects.filter(pk__in=ids).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["records", "kev", "epss"]
    assert Vulnerability.objects.get(record_id="CVE-2021-41773").kev
    assert len(list((tmp_path / "home" / "feeds").iterdir())) == 3
    settings.LACHAN_FEED_URLS = {"kev": f"{feed_server}/khong-co.json"}
    with pytest.raises(ValidationError) as caught:
        download_feeds()
    assert "khong-co.json" in str(caught.value)


def test_the_beat_entry_exists_only_when_feeds_are_configured():
    from lachan.celery import app

    app.loader.import_default_modules()
    assert "download-vuln-feeds" not in app.conf.beat_schedule
    assert "lachan.intel.download_feeds" in app.tasks
    assert "lachan.intel.rematch" in app.tasks


# --- real records --------------------------------------------------------------------------------

REAL_INVENTORY = [
    # PHP on Windows (XAMPP): CVE-2024-4577 (KEV) needs Windows and a version before 8.1.29.
    [
        "THPT-A",
        "SRV-XAMPP",
        "Windows Server 2019",
        "",
        "PHP",
        "8.1.28",
        "cpe:2.3:a:php:php:8.1.28:*:*:*:*:*:*:*",
        "",
    ],
    # Just outside every PHP range of CVE-2024-4577: 8.1.29 is the fixed version.
    [
        "THPT-A",
        "SRV-FIXED",
        "Windows Server 2019",
        "",
        "PHP",
        "8.1.29",
        "cpe:2.3:a:php:php:8.1.29:*:*:*:*:*:*:*",
        "",
    ],
    # Chrome before 122.0.6261.57 (CVE-2024-1670), and exactly the fixed version.
    [
        "THPT-B",
        "PC-OLD",
        "Windows 10",
        "",
        "Google Chrome",
        "122.0.6261.56",
        "cpe:2.3:a:google:chrome:122.0.6261.56:*:*:*:*:*:*:*",
        "",
    ],
    [
        "THPT-B",
        "PC-NEW",
        "Windows 10",
        "",
        "Google Chrome",
        "122.0.6261.57",
        "cpe:2.3:a:google:chrome:122.0.6261.57:*:*:*:*:*:*:*",
        "",
    ],
]


def test_real_records_and_kev(shared_data, tree):
    import time

    records = shared_data / "cve_records" / "cve_records_v5.jsonl.gz"
    kev = shared_data / "kev" / "known_exploited_vulnerabilities.json"
    started = time.perf_counter()
    feed = vulns.import_records(actor=None, paths=[records])
    vulns.import_kev(actor=None, path=kev)
    imported = time.perf_counter() - started
    assert feed.records == 2140 and feed.created == 2140
    assert Vulnerability.objects.get(record_id="CVE-2024-4577").kev
    load_inventory(REAL_INVENTORY)
    started = time.perf_counter()
    vulns.run_matching()
    matched = time.perf_counter() - started
    found = open_exposures()
    assert ("SRV-XAMPP", "CVE-2024-4577", "affected") in found
    assert not any(h == "SRV-FIXED" and r == "CVE-2024-4577" for h, r, _s in found)
    assert ("PC-OLD", "CVE-2024-1670", "affected") in found
    assert not any(h == "PC-NEW" and r == "CVE-2024-1670" for h, r, _s in found)
    xampp = Exposure.objects.get(host__name="SRV-XAMPP", vulnerability__record_id="CVE-2024-4577")
    assert xampp.priority == 1 and xampp.fixed_version == "8.1.29"
    task = Task.objects.get(problem_key=f"vuln:{xampp.host_id}")
    assert "CVE-2024-4577" in task.guidance and "đang bị khai thác" in task.title
    print(f"\nreal data: import {imported:.2f}s, matching {matched:.2f}s")


def test_a_host_with_only_matches_to_review_gets_no_finding_and_no_task(tree, feeds, it_a):
    vulns.import_records(actor=None, paths=[feeds["records"]])
    load_inventory(
        [["THPT-A", "SRV-SSH", "Debian 12", "", "openssh-server", "1:9.2p1-2+deb12u2", "", ""]]
    )
    counts = vulns.run_matching()
    assert (counts["affected"], counts["needs_review"], counts["tasks"]) == (0, 1, 0)
    exposure = Exposure.objects.get()
    assert exposure.status == "needs_review" and exposure.reason and exposure.finding is None
    assert not Finding.objects.exists() and not Task.objects.exists()
    page = sel.unit_exposure(it_a, tree.a)
    assert page.needs_review == 1 and page.affected == 0
    assert [e.vulnerability.record_id for e in page.hosts[0].needs_review] == ["CVE-2023-38408"]


def test_a_verified_task_is_not_reopened_while_nothing_changes(loaded, dept_officer):
    from lachan.remediation import services as rs

    task = Task.objects.get(problem_key=f"vuln:{Host.objects.get(name='PC-01').pk}")
    rs.submit_task(actor=None, task=task, answer_text="Đã cập nhật Chrome.")
    rs.verify_task(actor=dept_officer, task=task)
    vulns.run_matching()
    assert Task.objects.filter(problem_key=task.problem_key).count() == 1
    # New evidence of the problem (a worse priority: the record enters KEV) opens a new task.
    Vulnerability.objects.filter(record_id="CVE-2024-0519").update(
        kev=True, updated_at=timezone.now()
    )
    vulns.run_matching()
    assert Task.objects.filter(problem_key=task.problem_key).count() == 2
