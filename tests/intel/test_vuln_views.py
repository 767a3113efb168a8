"""The vulnerability pages: every page for every role, scoping (school A never sees school B's
host), search and filters, the record's page, the Vietnamese summary, the advisory form and
its errors, feeds, matching, due policy, the alias table and its try box, exports, charts."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intel import vuln_pages
from intel.vuln_fixtures import KEV, RECORDS, nvd_document
from intel.vuln_pages import DEPARTMENT, READERS, SCHOOL_A
from lachan.audit.models import AuditLog
from lachan.intel.models import Advisory, FeedImport, SoftwareAlias, VulnDuePolicy, Vulnerability
from lachan.intel.vuln_charts import nice_ceiling, priority_timeseries_chart, sparkline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    with vuln_pages.fresh_caches():
        yield


@pytest.fixture
def vworld(tree, make_user, tmp_path):
    return vuln_pages.build_vworld(tree, make_user, tmp_path)


RECORD = "CVE-2021-41773"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def reader_pages(w) -> list[str]:
    advisory = _advisory(w)
    return [
        reverse("vuln_list"),
        reverse("vuln_list") + "?q=apache&kev=yes&severity=high&affects=yes",
        reverse("vuln_detail", args=[RECORD]),
        reverse("vuln_exposure_dashboard"),
        reverse("vuln_exposure_dashboard") + "?priority=1&status=affected",
        reverse("vuln_unit_exposure", args=[w.tree.a.pk]),
        reverse("advisory_list"),
        reverse("advisory_detail", args=[advisory.pk]),
        reverse("vuln_policy"),
        reverse("software_alias_list"),
        reverse("software_alias_try") + "?name=apache2&version=2.4.52-1ubuntu4.6",
    ]


def _advisory(w, **fields) -> Advisory:
    from lachan.intel.vulns import save_advisory

    values = {
        "title": "Cảnh báo lỗ hổng Apache HTTP Server",
        "source": "ncsc",
        "issued_on": "2026-10-06",
        "cve_ids": [RECORD],
        "products": [],
        **fields,
    }
    import datetime as dt

    values["issued_on"] = dt.date.fromisoformat(values["issued_on"])
    found = Advisory.objects.filter(title=values["title"]).first()
    return found or save_advisory(actor=None, **values)


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_every_page_renders_for_each_data_role(vworld, role):
    client = client_for(vworld.users[role])
    for url in reader_pages(vworld):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Traceback" not in text(response)


def test_a_learner_is_refused_every_page(vworld):
    client = client_for(vworld.users["learner"])
    for url in [*reader_pages(vworld), reverse("vuln_feeds"), reverse("advisory_create")]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", SCHOOL_A)
def test_department_pages_are_refused_to_a_school(vworld, role):
    client = client_for(vworld.users[role])
    advisory = _advisory(vworld)
    for url in (
        reverse("vuln_feeds"),
        reverse("advisory_create"),
        reverse("advisory_edit", args=[advisory.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url, data in (
        (reverse("vuln_rematch"), {}),
        (reverse("vuln_summary_edit", args=[RECORD]), {"summary_vi": "Thử"}),
        (reverse("software_alias_create"), {"kind": "display", "pattern": "X"}),
    ):
        assert client.post(url, data).status_code == 403, url


@pytest.mark.parametrize("role", DEPARTMENT)
def test_department_pages_render(vworld, role):
    client = client_for(vworld.users[role])
    advisory = _advisory(vworld)
    for url in (
        reverse("vuln_feeds"),
        reverse("advisory_create"),
        reverse("advisory_edit", args=[advisory.pk]),
        reverse("vuln_unit_exposure", args=[vworld.tree.b.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_record_page_shows_only_the_schools_own_hosts(vworld):
    url = reverse("vuln_detail", args=[RECORD])
    school = text(client_for(vworld.users["unit_it"]).get(url))
    assert "SRV-WEB" in school
    assert "SRV-B" not in school and "Nguyễn Trãi" not in school
    department = text(client_for(vworld.users["dept_security"]).get(url))
    assert "SRV-WEB" in department and "SRV-B" in department
    assert "THPT Nguyễn Trãi" in department


def test_a_unit_page_of_another_school_is_not_found(vworld):
    client = client_for(vworld.users["unit_it"])
    response = client.get(reverse("vuln_unit_exposure", args=[vworld.tree.b.pk]))
    assert response.status_code == 404
    own = text(client.get(reverse("vuln_unit_exposure", args=[vworld.tree.a.pk])))
    assert "SRV-WEB" in own and "PC-01" in own and "SRV-B" not in own


def test_dashboard_and_lists_never_name_school_b_to_school_a(vworld):
    client = client_for(vworld.users["unit_head"])
    for url in reader_pages(vworld):
        body = text(client.get(url))
        for name in ("SRV-B", "Nguyễn Trãi", "THPT-B"):
            assert name not in body, (url, name)
    body = text(client.get(reverse("vuln_exposure_dashboard"), {"unit": vworld.tree.b.pk}))
    assert "SRV-B" not in body


def test_the_unit_page_has_a_vulnerability_section(vworld):
    client = client_for(vworld.users["unit_it"])
    body = text(client.get(reverse("unit_detail", args=[vworld.tree.a.pk])))
    assert 'id="unit-vulnerabilities"' in body
    assert "SRV-WEB" in body
    assert reverse("vuln_unit_exposure", args=[vworld.tree.a.pk]) in body


# --- the list ---------------------------------------------------------------------------------


def test_search_filters_and_scoped_counts(vworld):
    school = client_for(vworld.users["unit_it"])
    department = client_for(vworld.users["dept_security"])
    url = reverse("vuln_list")
    body = text(school.get(url, {"q": "CVE-2024-4577"}))
    assert "CVE-2024-4577" in body and "CVE-2021-41773" not in body
    body = text(school.get(url, {"kev": "yes"}))
    assert "CVE-2021-41773" in body and "CVE-2024-4577" not in body
    body = text(school.get(url, {"affects": "yes"}))
    assert "CVE-2021-41773" in body and "CVE-2024-1597" not in body
    body = text(school.get(url))
    assert "CVE-2024-1597" in body  # records are public; counts are not
    # The record that hits both schools counts one unit for A, two for the Department.
    school_row = _row(text(school.get(url, {"q": RECORD})), RECORD)
    department_row = _row(text(department.get(url, {"q": RECORD})), RECORD)
    assert _counts(school_row) == ["1", "1"]
    assert _counts(department_row) == ["2", "2"]


def _row(body: str, record_id: str) -> str:
    start = body.index(f">{record_id}</a>")
    return body[start : body.index("</tr>", start)]


def _counts(row: str) -> list[str]:
    import re

    return re.findall(r'class="num">(?:<strong>)?(?:<span class="zero">)?(\d+)', row)


def test_an_htmx_search_returns_only_the_results(vworld):
    client = client_for(vworld.users["unit_it"])
    response = client.get(reverse("vuln_list"), {"q": "php"}, headers={"HX-Request": "true"})
    body = text(response)
    assert 'id="vuln-results"' in body and "<html" not in body
    assert "CVE-2024-4577" in body


def test_bad_filter_values_are_ignored(vworld):
    client = client_for(vworld.users["unit_it"])
    response = client.get(reverse("vuln_list"), {"severity": "bogus", "kev": "x", "page": "abc"})
    assert response.status_code == 200


def test_an_unknown_record_is_not_found_and_case_is_normalised(vworld):
    client = client_for(vworld.users["unit_it"])
    assert client.get(reverse("vuln_detail", args=["CVE-1999-99999"])).status_code == 404
    response = client.get(reverse("vuln_detail", args=["cve-2021-41773"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("vuln_detail", args=[RECORD])


# --- a record ---------------------------------------------------------------------------------


def test_the_record_page_shows_scores_kev_epss_and_ranges(vworld):
    body = text(
        client_for(vworld.users["dept_security"]).get(reverse("vuln_detail", args=[RECORD]))
    )
    assert "7,5 · Cao" in body  # CVSS v3.1, Vietnamese decimal comma
    assert "CVSS:3.1/AV:N" in body
    assert "CWE-78" in body
    assert "Đang bị khai thác (KEV)" in body
    assert "03/11/2021" in body and "17/11/2021" in body  # date added, due date
    assert "Đã được dùng" in body  # ransomware
    assert "97,45%" in body  # EPSS
    assert "apache http_server" in body and "phiên bản 2.4.49" in body
    assert 'href="https://nvd.nist.gov/vuln/detail/CVE-2021-41773"' in body
    # A range reads in words.
    body = text(
        client_for(vworld.users["unit_it"]).get(reverse("vuln_detail", args=["CVE-2024-4577"]))
    )
    assert "trước 8.1.29" in body and "từ 8.2 trước 8.2.20" in body
    assert "8.1.29" in body  # the fixed version on SRV-WEB's row


def test_a_reference_that_is_not_a_web_address_is_not_a_link(vworld):
    record = Vulnerability.objects.get(record_id=RECORD)
    record.references = ["javascript:alert(1)", {"url": "https://example.org/a"}]
    record.save()
    body = text(client_for(vworld.users["unit_it"]).get(reverse("vuln_detail", args=[RECORD])))
    assert 'href="javascript:' not in body
    assert 'href="https://example.org/a"' in body


def test_the_department_writes_the_vietnamese_summary(vworld):
    user = vworld.users["dept_security"]
    client = client_for(user)
    url = reverse("vuln_summary_edit", args=[RECORD])
    response = client.post(url, {"summary_vi": "  Lỗi duyệt đường dẫn trong Apache 2.4.49.  "})
    assert response.status_code == 302
    record = Vulnerability.objects.get(record_id=RECORD)
    assert record.summary_vi == "Lỗi duyệt đường dẫn trong Apache 2.4.49."
    log = AuditLog.objects.get(action="vulnerability.summary")
    assert log.actor == user and log.after == {"summary_vi": record.summary_vi}
    # The school reads it, with the English description kept.
    body = text(client_for(vworld.users["unit_it"]).get(reverse("vuln_detail", args=[RECORD])))
    assert "Lỗi duyệt đường dẫn trong Apache 2.4.49." in body
    assert "Mô tả gốc (tiếng Anh)" in body and 'lang="en"' in body
    assert "Sửa tóm tắt tiếng Việt" not in body
    # Too long: a message, nothing saved.
    client.post(url, {"summary_vi": "x" * 5000})
    assert Vulnerability.objects.get(record_id=RECORD).summary_vi.startswith("Lỗi")


# --- advisories -------------------------------------------------------------------------------


def _advisory_post(**overrides):
    data = {
        "title": "Lỗ hổng Apache HTTP Server 2.4.49",
        "source": "khonggianmang",
        "source_detail": "Cục An toàn thông tin",
        "issued_on": "05/10/2026",
        "reference_number": "1234/CATTT-NCSC",
        "url": "https://khonggianmang.vn/bai-viet/1234",
        "cve_ids": "",
        "required_action": "Nâng cấp lên 2.4.51.",
        "deadline": "20/10/2026",
        "products-TOTAL_FORMS": "2",
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "50",
        "products-0-vendor": "apache",
        "products-0-product": "Apache HTTP Server",
        "products-0-version_from": "2.4.49",
        "products-0-from_kind": "including",
        "products-0-version_to": "2.4.51",
        "products-0-to_kind": "excluding",
        "products-0-versions": "",
        "products-1-vendor": "",
        "products-1-product": "",
        "products-1-version_from": "",
        "products-1-from_kind": "including",
        "products-1-version_to": "",
        "products-1-to_kind": "excluding",
        "products-1-versions": "",
    }
    data.update(overrides)
    return data


def test_an_advisory_without_cve_matches_by_product_and_version(vworld):
    client = client_for(vworld.users["dept_security"])
    response = client.post(reverse("advisory_create"), _advisory_post())
    advisory = Advisory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advisory_detail", args=[advisory.pk])
    assert advisory.issued_on.isoformat() == "2026-10-05"
    assert advisory.products[0]["version_start_including"] == "2.4.49"
    assert advisory.products[0]["version_end_excluding"] == "2.4.51"
    from lachan.intel.vulns import run_matching

    run_matching()
    body = text(client.get(response["Location"]))
    assert "SRV-WEB" in body and "SRV-B" in body
    assert "từ 2.4.49 trước 2.4.51" in body
    school = text(client_for(vworld.users["unit_it"]).get(response["Location"]))
    assert "SRV-WEB" in school and "SRV-B" not in school
    # The list counts within the reader's scope.
    row = _adv_row(text(client_for(vworld.users["unit_it"]).get(reverse("advisory_list"))))
    assert _counts(row) == ["1", "1"]


def _adv_row(body: str) -> str:
    start = body.index("Lỗ hổng Apache HTTP Server 2.4.49")
    return body[start : body.index("</tr>", start)]


def test_advisory_form_errors_are_shown_not_raised(vworld):
    client = client_for(vworld.users["dept_security"])
    response = client.post(
        reverse("advisory_create"),
        _advisory_post(
            title="",
            issued_on="31/02/2026",
            cve_ids="CVE-2024-4577, CVE-12, abc",
            url="không phải đường dẫn",
            **{"products-1-version_from": "1.0", "products-1-product": ""},
        ),
    )
    assert response.status_code == 400
    body = text(response)
    assert "Chưa lưu được" in body
    assert "Nhập ngày theo dạng dd/mm/yyyy" in body
    assert "Không phải mã CVE: CVE-12, ABC" in body
    assert "Ghi tên sản phẩm bị ảnh hưởng." in body
    assert "Nhập một đường dẫn đầy đủ" in body
    assert not Advisory.objects.exists()


def test_advisory_needs_a_cve_or_a_product_and_valid_versions(vworld):
    client = client_for(vworld.users["dept_admin"])
    empty = {f"products-0-{k}": "" for k in ("vendor", "product", "version_from", "version_to")}
    response = client.post(reverse("advisory_create"), _advisory_post(**empty))
    assert response.status_code == 400
    assert "Ghi ít nhất một mã CVE hoặc một sản phẩm" in text(response)
    # A version the engine cannot compare: the service's error, above the products.
    response = client.post(
        reverse("advisory_create"), _advisory_post(**{"products-0-version_to": "???"})
    )
    assert response.status_code == 400
    assert "không so sánh được" in text(response)
    # Both a range and exact versions.
    response = client.post(
        reverse("advisory_create"), _advisory_post(**{"products-0-versions": "2.4.49"})
    )
    assert "Chọn một trong hai" in text(response)
    # A deadline before the issue date.
    response = client.post(reverse("advisory_create"), _advisory_post(deadline="01/10/2026"))
    assert "Hạn xử lý phải bằng hoặc sau ngày ban hành" in text(response)
    assert not Advisory.objects.exists()


def test_advisory_edit_keeps_its_products(vworld):
    client = client_for(vworld.users["dept_security"])
    client.post(reverse("advisory_create"), _advisory_post(cve_ids="CVE-2021-41773\nCVE-2099-0001"))
    advisory = Advisory.objects.get()
    assert advisory.cve_ids == ["CVE-2021-41773", "CVE-2099-0001"]
    page = text(client.get(reverse("advisory_edit", args=[advisory.pk])))
    assert 'value="2.4.49"' in page and 'value="2.4.51"' in page
    assert "CVE-2099-0001" in page
    detail = text(client.get(reverse("advisory_detail", args=[advisory.pk])))
    assert "chưa có trong dữ liệu" in detail
    data = _advisory_post(
        title="Lỗ hổng Apache (cập nhật)",
        **{
            "products-INITIAL_FORMS": "1",
            "products-0-versions": "",
            "products-0-version_to": "2.4.52",
        },
    )
    response = client.post(reverse("advisory_edit", args=[advisory.pk]), data)
    assert response.status_code == 302
    advisory.refresh_from_db()
    assert advisory.title == "Lỗ hổng Apache (cập nhật)"
    assert advisory.products[0]["version_end_excluding"] == "2.4.52"


# --- feeds, matching, policy ------------------------------------------------------------------


def test_feed_uploads_of_each_kind(vworld):
    client = client_for(vworld.users["dept_security"])
    url = reverse("vuln_feeds")
    records = json.dumps(nvd_document(RECORDS)).encode()
    response = client.post(
        url, {"kind": "records", "file": SimpleUploadedFile("nvd-trang-1.json", records)}
    )
    assert response.status_code == 302
    assert FeedImport.objects.filter(kind="records", name="nvd-trang-1.json").exists()
    kev = json.dumps(KEV).encode()
    response = client.post(url, {"kind": "kev", "file": SimpleUploadedFile("kev.json", kev)})
    assert response.status_code == 302
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cves/2021/41xxx/page.json", records)
        archive.writestr("../README.txt", "bỏ qua")
    response = client.post(
        url, {"kind": "records", "file": SimpleUploadedFile("cvelist.zip", buffer.getvalue())}
    )
    assert response.status_code == 302
    page = text(client.get(url))
    assert "nvd-trang-1.json" in page and "kev.json" in page
    assert "Đã nhập" in page


def test_feed_upload_errors_are_messages(vworld):
    client = client_for(vworld.users["dept_security"])
    url = reverse("vuln_feeds")
    response = client.post(url, {"kind": "kev", "file": SimpleUploadedFile("kev.xlsx", b"x")})
    assert response.status_code == 400
    assert "không đúng loại đã chọn" in text(response)
    response = client.post(
        url, {"kind": "records", "file": SimpleUploadedFile("hong.json", b"{not json")}
    )
    assert response.status_code == 400
    assert "hong.json" in text(response)
    response = client.post(
        url, {"kind": "records", "file": SimpleUploadedFile("x.zip", b"not a zip")}
    )
    assert "Tệp .zip bị hỏng" in text(response)


def test_rematch_runs_matching_and_says_what_it_found(vworld):
    client = client_for(vworld.users["dept_admin"])
    response = client.post(reverse("vuln_rematch"), follow=True)
    assert response.status_code == 200
    assert "Đã đối chiếu" in text(response)


def test_due_policy_is_edited_by_admins_and_read_by_others(vworld):
    admin = client_for(vworld.users["dept_admin"])
    response = admin.post(
        reverse("vuln_policy"), {"kev": 5, "critical": 7, "high": 14, "medium": 30, "low": 90}
    )
    assert response.status_code == 302
    assert VulnDuePolicy.days_for("kev") == 5 and VulnDuePolicy.days_for("high") == 14
    response = admin.post(
        reverse("vuln_policy"), {"kev": 0, "critical": 7, "high": 14, "medium": 30, "low": 90}
    )
    assert response.status_code == 400
    officer = client_for(vworld.users["dept_security"])
    page = text(officer.get(reverse("vuln_policy")))
    assert "Chỉ quản trị hệ thống cấp Sở" in page and 'name="kev"' not in page
    assert "5 ngày" in page
    assert officer.post(reverse("vuln_policy"), {"kev": 3}).status_code == 403


# --- aliases ----------------------------------------------------------------------------------


def test_the_try_box_shows_the_mapping(vworld):
    client = client_for(vworld.users["unit_it"])
    url = reverse("software_alias_try")
    htmx = {"HX-Request": "true"}
    body = text(client.get(url, {"name": "Apache HTTP Server", "version": "2.4.49"}, headers=htmx))
    assert "<html" not in body and "apache:http_server" in body and "Bảng tên gọi" in body
    body = text(client.get(url, {"name": "apache2", "version": "2.4.52-1ubuntu4.6"}, headers=htmx))
    assert "apache:http_server" in body and "Tên gói Debian/Ubuntu" in body
    assert "vá lùi" in body
    body = text(client.get(url, {"name": "Phần mềm lạ XYZ"}, headers=htmx))
    assert "Chưa nhận ra" in body
    # Without JavaScript: the whole page, with the answer.
    body = text(client.get(url, {"name": "Mozilla Firefox (x64 vi)", "version": "128.0"}))
    assert "<html" in body and "mozilla:firefox" in body


def test_officers_add_and_delete_aliases(vworld):
    client = client_for(vworld.users["dept_security"])
    response = client.post(
        reverse("software_alias_create"),
        {
            "kind": "display",
            "pattern": "VnEdu Client",
            "cpe_vendor": "VNPT",
            "cpe_product": "vnedu client",
            "part": "a",
            "note": "Phần mềm quản lý trường học",
        },
    )
    assert response.status_code == 302
    alias = SoftwareAlias.objects.get()
    assert (alias.cpe_vendor, alias.cpe_product) == ("vnpt", "vnedu_client")
    page = text(client.get(reverse("software_alias_list"), {"origin": "custom"}))
    assert "VnEdu Client" in page and "Cán bộ thêm" in page
    # The school's PC-02 entry is now recognised.
    host_page = text(client.get(reverse("host_list"), {"q": "PC-02"}))
    assert "PC-02" in host_page
    response = client.post(reverse("software_alias_delete", args=[alias.pk]))
    assert response.status_code == 302 and not SoftwareAlias.objects.exists()
    assert client.post(reverse("software_alias_delete", args=[alias.pk])).status_code == 404


def test_alias_form_errors_are_shown(vworld):
    client = client_for(vworld.users["dept_security"])
    response = client.post(
        reverse("software_alias_create"),
        {
            "kind": "display",
            "pattern": "Abc",
            "cpe_vendor": "Có dấu",
            "cpe_product": "x",
            "part": "a",
            "version_pattern": "(unclosed",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert "Chỉ dùng chữ thường không dấu" in body
    assert "Biểu thức không hợp lệ" in body
    assert not SoftwareAlias.objects.exists()


# --- exports and charts -----------------------------------------------------------------------


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


def test_exposure_exports_parse_back_and_are_scoped(vworld):
    school = client_for(vworld.users["unit_it"])
    url = reverse("vuln_exposure_export")
    rows = json.loads(school.get(url, {"format": "json"}).content)
    assert rows and all(list(r) == MATCH_KEYS for r in rows)
    assert {r["unit_code"] for r in rows} == {"THPT-A"}
    assert {"SRV-WEB", "PC-01"} <= {r["host"] for r in rows}
    response = school.get(url, {"format": "csv"})
    parsed = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["cve"] for r in parsed] == [r["cve"] for r in rows]
    from openpyxl import load_workbook

    response = client_for(vworld.users["dept_security"]).get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Mã đơn vị"
    assert "THPT-B" in {v[0] for v in values[1:]}
    assert school.get(url, {"format": "pdf"}).status_code == 400


def test_the_dashboard_draws_svg_charts(vworld):
    body = text(client_for(vworld.users["dept_security"]).get(reverse("vuln_exposure_dashboard")))
    assert body.count("<svg") >= 2
    assert 'class="p1"' in body or 'class="p2"' in body
    assert "Theo đơn vị" in body and reverse("vuln_unit_exposure", args=[vworld.tree.b.pk]) in body
    school = text(client_for(vworld.users["unit_it"]).get(reverse("vuln_exposure_dashboard")))
    assert "<svg" in school and "Theo đơn vị" not in school  # one unit: no comparison


def test_chart_geometry():
    import datetime as dt

    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30)]
    series = {
        "days": days,
        "by_priority": {1: [1] * 30, 2: [0] * 30, 3: [i for i in range(30)], 4: [2] * 30},
    }
    chart = priority_timeseries_chart(series)
    assert chart["today"] == 32 and chart["peak"] == 32
    assert len(chart["bars"]) == 30
    assert chart["labels"][0]["text"] == "01/11" and chart["labels"][-1]["text"] == "30/11"
    assert chart["grid"][-1]["value"] >= 32
    assert "30/11/2026: 32" in chart["bars"][-1]["title"]
    assert priority_timeseries_chart({"days": days, "by_priority": {1: [0] * 30}}) is None
    # Days before anything was seen are left out, keeping two weeks.
    late = {"days": days, "by_priority": {3: [0] * 28 + [4, 5]}}
    trimmed = priority_timeseries_chart(late)
    assert len(trimmed["bars"]) == 14 and trimmed["first"] == days[16]
    assert trimmed["today"] == 5
    assert nice_ceiling(7) == (8, 2) and nice_ceiling(0) == (4, 1)
    assert sparkline([0, 0]) is None and sparkline([1, 3])["last"] == 3
