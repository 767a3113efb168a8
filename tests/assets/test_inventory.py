"""Software inventory: import/export (every error kind with its row and column, all or
nothing, a host's list replaced on re-import), hosts and systems created by name,
normalisation stored with its method and rule, scoped reads, permissions, and matching
queued after a change."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from lachan.assets import selectors, services
from lachan.assets.inventory_import import export_inventory, import_inventory
from lachan.assets.models import Host, InformationSystem, MappingMethod, Software
from lachan.audit.models import AuditLog
from lachan.org.models import Role

pytestmark = pytest.mark.django_db

HEADER = ["unit_code", "host", "os", "vendor", "product", "version", "cpe", "system"]
VI_HEADER = [
    "Mã đơn vị",
    "Tên máy",
    "Hệ điều hành",
    "Nhà phát triển",
    "Phần mềm",
    "Phiên bản",
    "CPE",
    "Hệ thống thông tin",
]
ROWS = [
    ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "Apache HTTP Server", "2.4.49", "", "Cổng thông tin"],
    ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "PHP", "8.1.20", "", "Cổng thông tin"],
    ["THPT-A", "PC-01", "Windows 10", "Google LLC", "Google Chrome", "120.0.6099.71", "", ""],
    [
        "THPT-A",
        "PC-01",
        "Windows 10",
        "",
        "7-Zip",
        "23.01",
        "cpe:2.3:a:7-zip:7-zip:23.01:*:*:*:*:*:*:*",
        "",
    ],
    ["THPT-B", "MAY-CHU", "Debian 12", "", "openssh-server", "1:9.2p1-2+deb12u2", "", ""],
]


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=VI_HEADER, title_rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Phần mềm"
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data, filename="phan-mem.csv", actor=None, dry_run=False):
    return import_inventory(actor=actor, data=data, filename=filename, dry_run=dry_run)


def errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def software_of(host_name):
    return sorted((s.product, s.version) for s in Software.objects.filter(host__name=host_name))


# --- a good file -------------------------------------------------------------------------------


def test_import_creates_hosts_systems_and_software(tree):
    report = run(csv_bytes(ROWS))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    web = Host.objects.get(unit=tree.a, name="SRV-WEB")
    assert web.os == "Ubuntu 22.04"
    assert web.system.name == "Cổng thông tin" and web.system.unit == tree.a
    assert web.inventory_at is not None and web.source == "import"
    assert Host.objects.get(unit=tree.b, name="MAY-CHU").system is None
    assert InformationSystem.objects.count() == 1
    assert software_of("PC-01") == [("7-Zip", "23.01"), ("Google Chrome", "120.0.6099.71")]
    # One audit record per host (and per host/system created), not one per software row.
    assert AuditLog.objects.filter(action="host.software").count() == 3


def test_each_entry_is_normalised_and_says_how(tree):
    assert run(csv_bytes(ROWS)).ok
    apache = Software.objects.get(product="Apache HTTP Server")
    assert (apache.cpe_vendor, apache.cpe_product, apache.cpe_version) == (
        "apache",
        "http_server",
        "2.4.49",
    )
    assert apache.mapping_method == MappingMethod.ALIAS and apache.mapping_rule
    chrome = Software.objects.get(product="Google Chrome")
    assert (chrome.cpe_vendor, chrome.cpe_product) == ("google", "chrome")
    seven = Software.objects.get(product="7-Zip")
    assert seven.mapping_method == MappingMethod.CPE
    assert (seven.cpe_vendor, seven.cpe_product, seven.cpe_version) == ("7-zip", "7-zip", "23.01")
    ssh = Software.objects.get(product="openssh-server")
    assert ssh.mapping_method == MappingMethod.PACKAGE
    assert (ssh.cpe_vendor, ssh.cpe_product) == ("openbsd", "openssh")
    assert ssh.distro == "debian"


def test_vietnamese_headers_and_a_title_row_in_xlsx(tree):
    data = xlsx_bytes(ROWS[:2], title_rows=["DANH MỤC PHẦN MỀM CÀI ĐẶT", ""])
    report = run(data, "danh-muc.xlsx")
    assert report.ok, errors(report)
    assert software_of("SRV-WEB") == [("Apache HTTP Server", "2.4.49"), ("PHP", "8.1.20")]


# --- errors: row and column named, nothing stored ----------------------------------------------


def test_every_error_names_its_row_and_column_and_nothing_is_stored(tree):
    rows = [
        ROWS[0],
        ["KHONG-CO", "PC-9", "", "", "Firefox", "120", "", ""],  # row 3: unknown unit
        ["THPT-A", "PC-02", "", "", "", "1.0", "", ""],  # row 4: empty product
        ["THPT-A", "PC-03", "", "", "Foo", "1.0", "cpe:2.3:x:foo", ""],  # row 5: bad CPE
        ["THPT-A", "SRV-WEB", "Windows Server 2019", "", "MySQL", "8.0.1", "", ""],  # row 6: OS
        ["THPT-A", "SRV-WEB", "", "", "nginx", "1.24", "", "Hệ thống khác"],  # row 7: system
    ]
    report = run(csv_bytes(rows))
    assert not report.ok
    found = errors(report)
    assert [(r, c) for r, c, _m in found] == [
        (3, "unit_code"),
        (4, "product"),
        (5, "cpe"),
        (6, "os"),
        (7, "system"),
    ]
    assert "KHONG-CO" in found[0][2]
    assert "Thiếu giá trị bắt buộc" in found[1][2]
    assert "CPE không hợp lệ" in found[2][2]
    assert "dòng 2" in found[3][2] and "Ubuntu 22.04" in found[3][2]
    assert "Cổng thông tin" in found[4][2]
    assert not Host.objects.exists() and not Software.objects.exists()
    assert report.created == 0


def test_a_unit_outside_the_importers_scope_is_an_unknown_unit(tree, it_a):
    rows = [ROWS[0], ROWS[4]]
    report = run(csv_bytes(rows), actor=it_a)
    assert errors(report) == [(3, "unit_code", "Không tìm thấy đơn vị có mã “THPT-B”.")]
    assert not Software.objects.exists()


def test_a_unit_head_may_not_import(tree, make_user):
    head = make_user(Role.UNIT_HEAD, tree.a)
    report = run(csv_bytes(ROWS[:1]), actor=head)
    assert [(r, c) for r, c, _m in errors(report)] == [(2, "unit_code")]
    assert "không có quyền" in report.errors[0].message


def test_the_units_it_officer_and_the_department_may_import(tree, it_a, dept_officer):
    assert run(csv_bytes(ROWS[:2]), actor=it_a).ok
    assert run(csv_bytes(ROWS), actor=dept_officer).ok


def test_dry_run_stores_nothing(tree):
    report = run(csv_bytes(ROWS), dry_run=True)
    assert report.ok and report.created == 5
    assert not Software.objects.exists() and not Host.objects.exists()


def test_the_same_entry_twice_is_kept_once_with_a_warning(tree):
    report = run(csv_bytes([ROWS[0], ROWS[0]]))
    assert report.ok
    assert Software.objects.count() == 1
    assert any("Dòng 3 trùng với dòng 2" in w for w in report.warnings)


# --- re-import replaces a host's list ------------------------------------------------------------


def test_reimport_replaces_the_software_of_the_hosts_in_the_file(tree):
    assert run(csv_bytes(ROWS)).ok
    upgraded = [
        ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "Apache HTTP Server", "2.4.58", "", ""],
        ["THPT-A", "SRV-WEB", "Ubuntu 22.04", "", "PHP", "8.1.20", "", ""],
    ]
    report = run(csv_bytes(upgraded))
    assert report.ok, errors(report)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 1)
    assert software_of("SRV-WEB") == [("Apache HTTP Server", "2.4.58"), ("PHP", "8.1.20")]
    # The other hosts, not in the file, are left alone.
    assert software_of("PC-01") == [("7-Zip", "23.01"), ("Google Chrome", "120.0.6099.71")]
    assert software_of("MAY-CHU") == [("openssh-server", "1:9.2p1-2+deb12u2")]
    # The removal is said, not silent; the system stays (no system column value given).
    assert any("Apache HTTP Server 2.4.49" in w and "SRV-WEB" in w for w in report.warnings)
    assert Host.objects.get(name="SRV-WEB").system.name == "Cổng thông tin"
    entry = AuditLog.objects.filter(action="host.software").order_by("-pk").first()
    assert entry.after["removed"] == ["Apache HTTP Server 2.4.49"]
    assert entry.after["added"] == ["Apache HTTP Server 2.4.58"]


def test_an_identical_reimport_changes_nothing(tree):
    assert run(csv_bytes(ROWS)).ok
    before = AuditLog.objects.count()
    report = run(csv_bytes(ROWS))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert AuditLog.objects.count() == before


def test_a_changed_cpe_updates_the_entry(tree):
    assert run(csv_bytes(ROWS[:1])).ok
    row = list(ROWS[0])
    row[6] = "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"
    report = run(csv_bytes([row]))
    assert (report.created, report.updated) == (0, 1)
    apache = Software.objects.get()
    assert apache.mapping_method == MappingMethod.CPE
    assert apache.cpe.startswith("cpe:2.3:a:apache:http_server:2.4.49")


# --- export ---------------------------------------------------------------------------------------


def test_export_imports_back_unchanged(tree):
    assert run(csv_bytes(ROWS)).ok
    data = export_inventory(user=None, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbfunit_code,host,os,vendor,product,version,cpe,system")
    report = run(data, "xuat.csv")
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 5)
    rows = json.loads(export_inventory(user=None, fmt="json", with_mapping=True))
    apache = next(r for r in rows if r["product"] == "Apache HTTP Server")
    assert apache["cpe_product"] == "http_server" and apache["mapping_method"] == "alias"
    book = openpyxl.load_workbook(io.BytesIO(export_inventory(user=None, fmt="xlsx")))
    assert book.active.max_row == 6


def test_export_for_a_user_holds_only_their_units(tree, it_a):
    assert run(csv_bytes(ROWS)).ok
    rows = json.loads(export_inventory(user=it_a, fmt="json"))
    assert {r["unit_code"] for r in rows} == {"THPT-A"} and len(rows) == 4


# --- scoped reads ---------------------------------------------------------------------------------


def test_school_a_never_sees_school_bs_hosts_or_software(tree, it_a, it_b, dept_officer):
    assert run(csv_bytes(ROWS)).ok
    assert {h.name for h in selectors.hosts_for(it_a)} == {"SRV-WEB", "PC-01"}
    assert {h.name for h in selectors.hosts_for(it_b)} == {"MAY-CHU"}
    assert selectors.hosts_for(it_a, unit=tree.b).count() == 0
    assert {s.host.unit.code for s in selectors.software_for(it_a)} == {"THPT-A"}
    assert selectors.software_for(it_b, q="apache").count() == 0
    assert selectors.software_for(dept_officer, q="apache").count() == 1
    assert selectors.systems_for(it_b).count() == 0
    assert selectors.systems_for(it_a).get().host_count == 1
    with pytest.raises(Host.DoesNotExist):
        selectors.get_host(it_b, Host.objects.get(name="SRV-WEB").pk)
    counted = {h.name: h.software_count for h in selectors.hosts_for(dept_officer)}
    assert counted == {"SRV-WEB": 2, "PC-01": 2, "MAY-CHU": 1}
    assert selectors.mapping_counts(it_a)["alias"] >= 2


def test_host_search_finds_installed_software(tree, it_a):
    assert run(csv_bytes(ROWS)).ok
    assert [h.name for h in selectors.hosts_for(it_a, q="chrome")] == ["PC-01"]


# --- services -------------------------------------------------------------------------------------


def test_host_and_system_services_check_the_right_and_audit(tree, it_a, it_b):
    system = services.save_system(actor=it_a, unit=tree.a, name="Website", internet_facing=True)
    host = services.save_host(
        actor=it_a, unit=tree.a, name="SRV-1", ips=["14.160.10.5"], system="Website"
    )
    assert host.system == system and host.exposed
    with pytest.raises(services.PermissionDenied):
        services.save_host(actor=it_b, unit=tree.a, host=host, os="Windows")
    services.save_host(actor=it_a, unit=tree.a, host=host, os="Windows Server 2022")
    assert AuditLog.objects.filter(action="host.update", object_id=str(host.pk)).exists()
    software = services.save_software(
        actor=it_a, host=host, product="Mozilla Firefox", version="115.0"
    )
    assert (software.cpe_vendor, software.cpe_product) == ("mozilla", "firefox")
    services.delete_software(actor=it_a, software=software)
    services.delete_host(actor=it_a, host=host)
    assert not Host.objects.exists()
    assert AuditLog.objects.filter(action="host.delete").get().before["name"] == "SRV-1"


def test_a_change_queues_matching_for_the_unit_after_commit(
    tree, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("lachan.intel.tasks.rematch", lambda units=None: calls.append(units))
    with django_capture_on_commit_callbacks(execute=True):
        assert run(csv_bytes(ROWS)).ok
    assert calls == [sorted([tree.a.pk, tree.b.pk])]
    calls.clear()
    host = Host.objects.get(name="PC-01")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_host(actor=None, unit=tree.a, host=host, internet_facing=True)
    assert calls == [[tree.a.pk]]
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert run(csv_bytes(ROWS), dry_run=True).ok
    assert calls == []
