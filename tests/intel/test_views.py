"""The botnet list pages: import, the lists, a list's rows, name review, a period's results per
unit, exports, the unit page's section and the official documents — and who sees what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lachan.assets.services import save_network
from lachan.intel.forms import previous_month
from lachan.intel.models import BotnetList, BotnetListRow
from lachan.intel.services import import_botnet_list
from lachan.org.models import Role, Unit
from lachan.org.services import save_unit
from lachan.remediation.models import Task

JULY = dt.date(2025, 7, 1)
AUGUST = dt.date(2025, 8, 1)
# As lists arrive: a title above the header, Vietnamese headers, a private address (rejected),
# a duplicate, a subscriber name instead of a registered prefix, an unknown subscriber.
LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC\r\n"
    "Tháng 7/2025\r\n"
    "STT,Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Tên thuê bao,Địa chỉ\r\n"
    "1,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 4: THPT-NQ until 14/07
    "2,203.0.113.77,20/07/2025 10:00,Mirai,VNPT,,\r\n"  # row 5: THCS-NQ from 15/07
    "3,198.51.100.9,,Gafgyt,Viettel,TRUONG THPT NGO QUYEN,Phường Hòa Bình\r\n"  # 6: by name
    "4,192.168.1.10,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 7: rejected, private
    "5,2001:db8:ab::5,2025-07-03T01:00:00Z,Mozi,FPT,,\r\n"  # row 8: MN-HS by prefix
    "6,203.0.113.77,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # row 9: duplicate of row 4
    "7,198.51.100.10,,Emotet,VNPT,Công ty ABC,\r\n"  # row 10: unmatched
    "8,khong-phai-ip,,,,,\r\n"  # row 11: rejected, invalid
)
# August: only THCS-NQ's address again (THPT-NQ and MN-HS are clean).
AUGUST_LIST = "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng\r\n203.0.113.77,03/08/2025 07:00,Mirai,VNPT\r\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _documentation_ips(settings):
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True


@pytest.fixture
def units(tree):
    nq, _ = save_unit(
        actor=None,
        code="THPT-NQ",
        name="Trường THPT Ngô Quyền",
        short_name="THPT Ngô Quyền",
        type="thpt",
        parent=tree.so,
        ward="Phường Hòa Bình",
    )
    cs, _ = save_unit(
        actor=None,
        code="THCS-NQ",
        name="Trường THCS Ngô Quyền",
        type="thcs",
        parent=tree.so,
        ward="Phường Hòa Bình",
    )
    mn, _ = save_unit(
        actor=None, code="MN-HS", name="Trường Mầm non Hoa Sen", type="mn", parent=tree.so
    )
    save_network(
        actor=None, unit=nq, prefix="203.0.113.77", isp="VNPT", valid_to=dt.date(2025, 7, 14)
    )
    save_network(
        actor=None, unit=cs, prefix="203.0.113.77/32", isp="VNPT", valid_from=dt.date(2025, 7, 15)
    )
    save_network(actor=None, unit=mn, prefix="2001:db8:ab::/48", isp="FPT")
    return {"nq": nq, "cs": cs, "mn": mn}


def do_import(text=LIST, period=JULY, name="ds-07-2025.csv", actor=None) -> BotnetList:
    return import_botnet_list(
        actor=actor, data=text.encode("utf-8"), filename=name, period=period, source="Sở KH&CN"
    )


def upload(text=LIST, name="ds-07-2025.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def text_of(response) -> str:
    return response.content.decode()


# --- import -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_page_stores_the_list_and_opens_its_page(client, units, dept_officer):
    client.force_login(dept_officer)
    page = client.get(reverse("botnet_import"))
    assert page.status_code == 200
    assert f'value="{previous_month():%m/%Y}"' in text_of(page)  # the previous month
    response = client.post(
        reverse("botnet_import"),
        {"file": upload(), "period": "07/2025", "source": "Cục An toàn thông tin"},
    )
    stored = BotnetList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("botnet_list_detail", args=[stored.pk])
    assert stored.period == JULY and stored.source == "Cục An toàn thông tin"
    assert stored.imported_by == dept_officer
    assert Task.objects.filter(problem_key="botnet:2025-07").count() == 3
    page = client.get(response["Location"])
    body = text_of(page)
    assert "Đã nhập danh sách ds-07-2025.csv (kỳ tháng 07/2025): 8 dòng đã đọc" in body
    assert "3 xác định theo dải địa chỉ" in body
    assert "Cục An toàn thông tin" in body
    assert "203.0.113.77" in body and "THPT Ngô Quyền" in body
    # The month picker's own form ("2025-07") is accepted as well.
    again = client.post(
        reverse("botnet_import"),
        {"file": upload(name="ds-08.csv"), "period": "2025-08", "source": ""},
    )
    assert again.status_code == 302
    assert BotnetList.objects.filter(period=AUGUST).exists()


@pytest.mark.django_db
def test_import_of_a_file_without_an_ip_column_names_its_headers(client, units, dept_officer):
    client.force_login(dept_officer)
    bad = "Họ tên,Số điện thoại\r\nNguyễn Văn A,0912345678\r\n"
    response = client.post(
        reverse("botnet_import"), {"file": upload(bad, "sai.csv"), "period": "07/2025"}
    )
    assert response.status_code == 200
    body = text_of(response)
    assert "Tệp sai.csv không có cột địa chỉ IP" in body
    assert "Các tiêu đề tìm thấy: “Họ tên”, “Số điện thoại”" in body
    assert "Traceback" not in body
    assert not BotnetList.objects.exists()


@pytest.mark.django_db
def test_import_form_errors(client, units, dept_officer):
    client.force_login(dept_officer)
    response = client.post(reverse("botnet_import"), {"file": upload(), "period": "13/2025"})
    assert "Ghi kỳ theo dạng mm/yyyy" in text_of(response)
    response = client.post(
        reverse("botnet_import"), {"file": upload(name="ds.pdf"), "period": "07/2025"}
    )
    assert "Chỉ nhận tệp .csv, .xlsx hoặc .xls." in text_of(response)
    response = client.post(reverse("botnet_import"), {"period": "07/2025"})
    assert response.status_code == 200 and 'class="errorlist' in text_of(response)
    assert not BotnetList.objects.exists()


@pytest.mark.django_db
def test_a_file_imported_for_the_period_is_refused(client, units, dept_officer):
    do_import()
    client.force_login(dept_officer)
    response = client.post(
        reverse("botnet_import"), {"file": upload(name="ten-khac.csv"), "period": "07/2025"}
    )
    assert response.status_code == 200
    assert "đã được nhập cho kỳ 07/2025; không nhập lại" in text_of(response)
    assert BotnetList.objects.count() == 1


@pytest.mark.django_db
def test_only_the_department_imports(client, units, it_a):
    client.force_login(it_a)
    assert client.get(reverse("botnet_import")).status_code == 403
    response = client.post(reverse("botnet_import"), {"file": upload(), "period": "07/2025"})
    assert response.status_code == 403
    assert not BotnetList.objects.exists()


# --- lists and a list's page -----------------------------------------------------------------


@pytest.mark.django_db
def test_index_groups_lists_by_month(client, units, dept_officer, make_user):
    july = do_import()
    do_import(AUGUST_LIST, AUGUST, "ds-08-2025.csv")
    client.force_login(dept_officer)
    body = text_of(client.get(reverse("botnet_list_index")))
    assert body.index("Tháng 08/2025") < body.index("Tháng 07/2025")
    assert "ds-07-2025.csv" in body and "Sở KH&amp;CN" in body
    assert "Nhập danh sách" in body and reverse("botnet_import") in body
    assert reverse("botnet_period", args=[JULY]) in body
    filtered = text_of(client.get(reverse("botnet_list_index"), {"period": "2025-07"}))
    assert "ds-07-2025.csv" in filtered and "ds-08-2025.csv" not in filtered
    # A school's staff see only the lists with their rows, and only their own counts.
    client.force_login(make_user(Role.UNIT_IT, units["mn"]))
    body = text_of(client.get(reverse("botnet_list_index")))
    assert "ds-07-2025.csv" in body and "ds-08-2025.csv" not in body
    assert reverse("botnet_import") not in body
    assert "Dòng của đơn vị bạn" in body and "Dòng đã đọc" not in body
    assert f'href="{reverse("botnet_list_detail", args=[july.pk])}"' in body
    # Learners see no list at all.
    client.force_login(make_user(Role.LEARNER, units["mn"]))
    body = text_of(client.get(reverse("botnet_list_index")))
    assert "ds-07-2025.csv" not in body and "Chưa có danh sách IP botnet nào" in body


SCOPED = (
    "Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Tên thuê bao\r\n"
    "192.0.2.5,10/07/2025 09:00,Mirai,Trường A\r\n"
    "192.0.2.20,10/07/2025 09:00,Emotet,Thuê bao riêng của trường B\r\n"
    "198.51.100.200,10/07/2025 09:00,Emotet,Công ty XYZ\r\n"
)


@pytest.mark.django_db
def test_list_page_shows_school_a_only_its_own_rows_and_units(client, tree, it_a, dept_officer):
    save_network(actor=None, unit=tree.a, prefix="192.0.2.0/28")
    save_network(actor=None, unit=tree.b, prefix="192.0.2.16/28")
    stored = do_import(SCOPED, name="ds-chung.csv")
    only_b = do_import(
        "Địa chỉ IP,Tên mã độc\r\n192.0.2.21,Mirai\r\n", name="ds-rieng-b.csv"
    )  # fmt: skip
    url = reverse("botnet_list_detail", args=[stored.pk])

    client.force_login(it_a)
    body = text_of(client.get(url))
    assert "192.0.2.5" in body
    for hidden in ("192.0.2.20", "198.51.100.200", "Thuê bao riêng của trường B", "Nguyễn Trãi"):
        assert hidden not in body
    assert "Dòng thuộc đơn vị của bạn" in body and "Dòng bị loại" not in body
    units_tab = text_of(client.get(url, {"tab": "units"}))
    assert "THPT Lê Lợi" in units_tab and "Nguyễn Trãi" not in units_tab
    rejected_tab = text_of(client.get(url, {"tab": "rejected"}))  # not theirs: the rows
    assert "192.0.2.5" in rejected_tab and "192.0.2.20" not in rejected_tab
    assert client.get(reverse("botnet_list_detail", args=[only_b.pk])).status_code == 404
    assert client.get(reverse("botnet_list_detail", args=[99999])).status_code == 404

    client.force_login(dept_officer)
    body = text_of(client.get(url))
    assert all(ip in body for ip in ("192.0.2.5", "192.0.2.20", "198.51.100.200"))
    units_tab = text_of(client.get(url, {"tab": "units"}))
    assert "THPT Lê Lợi" in units_tab and "THPT Nguyễn Trãi" in units_tab


@pytest.mark.django_db
def test_list_rows_filters_and_rejected_rows(client, units, dept_officer):
    stored = do_import()
    url = reverse("botnet_list_detail", args=[stored.pk])
    client.force_login(dept_officer)
    body = text_of(client.get(url))
    assert "5 dòng" in body
    assert "1 dòng được đề xuất theo tên thuê bao đang chờ xác nhận" in body
    by_name = text_of(client.get(url, {"method": "name"}))
    assert "198.51.100.9" in by_name and "203.0.113.77" not in by_name
    assert "theo tên thuê bao, chờ xác nhận" in by_name
    unmatched = text_of(client.get(url, {"method": "unmatched"}))
    assert "198.51.100.10" in unmatched and "198.51.100.9<" not in unmatched
    by_prefix = text_of(client.get(url, {"method": "prefix"}))
    assert "theo dải 2001:db8:ab::/48" in by_prefix and "198.51.100" not in by_prefix
    found = text_of(client.get(url, {"q": "Công ty ABC"}))
    assert "198.51.100.10" in found and "203.0.113.77" not in found
    by_unit = text_of(client.get(url, {"q": "MN-HS"}))
    assert "2001:db8:ab::5" in by_unit and "203.0.113.77" not in by_unit
    # The HTMX filter gets only the results.
    partial = client.get(url, {"q": "203.0.113"}, headers={"HX-Request": "true"})
    assert text_of(partial).lstrip().startswith('<section id="row-results"')
    assert "<html" not in text_of(partial)
    rejected = text_of(client.get(url, {"tab": "rejected"}))
    assert ">7</td>" in rejected and ">11</td>" in rejected
    assert "Địa chỉ “192.168.1.10” ở cột “Địa chỉ IP” là địa chỉ mạng riêng" in rejected


@pytest.mark.django_db
def test_list_rows_are_paginated_by_100(client, units, dept_officer):
    lines = "".join(f"203.0.113.{i},05/07/2025 08:{i % 60:02d},Mirai\r\n" for i in range(1, 131))
    stored = do_import("Địa chỉ IP,Thời gian ghi nhận,Tên mã độc\r\n" + lines)
    client.force_login(dept_officer)
    url = reverse("botnet_list_detail", args=[stored.pk])
    first = text_of(client.get(url))
    assert "130 dòng" in first and "Trang 1/2" in first
    second = text_of(client.get(url, {"page": 2}))
    assert "Trang 2/2" in second and second.count('class="ip">203.0.113.') == 30


# --- name review ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_name_review_and_confirmation(client, units, dept_officer):
    do_import()
    row = BotnetListRow.objects.get(row=6)
    client.force_login(dept_officer)
    page = text_of(client.get(reverse("botnet_name_review")))
    assert "TRUONG THPT NGO QUYEN" in page and "Phường Hòa Bình" in page
    assert "THPT Ngô Quyền" in page and "198.51.100.9" in page
    assert row.match_reason and row.match_reason in page
    assert "tên thuê bao được thêm vào “Tên gọi khác” của đơn vị" in page
    assert reverse("botnet_confirm_name", args=[row.pk]) in page

    response = client.post(
        reverse("botnet_confirm_name", args=[row.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = text_of(response)
    assert fragment.lstrip().startswith(f'<tr id="name-row-{row.pk}"')
    assert "Đã xác nhận" in fragment
    assert "Đã thêm tên thuê bao vào tên gọi khác của đơn vị." in fragment
    task = Task.objects.get(unit=units["nq"], problem_key="botnet:2025-07")
    assert reverse("task_detail", args=[task.pk]) in fragment
    assert "TRUONG THPT NGO QUYEN" in Unit.objects.get(code="THPT-NQ").aliases
    assert task.title.startswith("Rà soát, xử lý 2 địa chỉ IP")
    assert "198.51.100.9: Gafgyt" in task.guidance
    assert "Không có đề xuất nào" in text_of(client.get(reverse("botnet_name_review")))


@pytest.mark.django_db
def test_confirmation_without_htmx_redirects_with_a_message(client, units, dept_officer):
    do_import()
    row = BotnetListRow.objects.get(row=6)
    client.force_login(dept_officer)
    response = client.post(reverse("botnet_confirm_name", args=[row.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("botnet_name_review")
    assert "Đã xác nhận địa chỉ 198.51.100.9 thuộc THPT Ngô Quyền" in text_of(response)
    # A row matched by prefix is not a name match: a message, nothing changes.
    prefix_row = BotnetListRow.objects.get(row=4)
    response = client.post(reverse("botnet_confirm_name", args=[prefix_row.pk]), follow=True)
    assert "không được đối chiếu theo tên thuê bao" in text_of(response)
    fragment = client.post(
        reverse("botnet_confirm_name", args=[prefix_row.pk]), headers={"HX-Request": "true"}
    )
    assert "không được đối chiếu theo tên thuê bao" in text_of(fragment)
    assert client.post(reverse("botnet_confirm_name", args=[99999])).status_code == 404
    assert client.get(reverse("botnet_confirm_name", args=[row.pk])).status_code == 405


@pytest.mark.django_db
def test_school_staff_may_not_review_or_confirm(client, units, make_user):
    do_import()
    row = BotnetListRow.objects.get(row=6)
    client.force_login(make_user(Role.UNIT_IT, units["nq"]))
    assert client.get(reverse("botnet_name_review")).status_code == 403
    assert client.post(reverse("botnet_confirm_name", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert not row.confirmed
    assert "TRUONG THPT NGO QUYEN" not in Unit.objects.get(code="THPT-NQ").aliases


# --- a period, its exports and the unit page -----------------------------------------------


@pytest.mark.django_db
def test_period_page_per_unit_and_next_month(client, units, dept_officer):
    do_import()
    client.force_login(dept_officer)
    url = reverse("botnet_period", args=[JULY])
    assert url == "/botnet/periods/2025-07/"
    body = text_of(client.get(url))
    assert "Danh sách IP botnet tháng 07/2025" in body
    for name in ("THPT Ngô Quyền", "Trường THCS Ngô Quyền", "Trường Mầm non Hoa Sen"):
        assert name in body
    assert "Chưa có danh sách kỳ sau" in body
    assert "1 theo tên chờ xác nhận" in body  # THPT-NQ's name proposal
    assert reverse("botnet_summary", args=[JULY, "docx"]) in body
    assert reverse("botnet_unit_notice", args=[JULY, units["nq"].pk, "pdf"]) in body
    task = Task.objects.get(unit=units["cs"], problem_key="botnet:2025-07")
    assert reverse("task_detail", args=[task.pk]) in body and "Mới giao" in body

    do_import(AUGUST_LIST, AUGUST, "ds-08-2025.csv")
    body = text_of(client.get(url))
    assert "Vẫn còn trong danh sách kỳ sau" in body  # THCS-NQ
    assert "Không còn trong danh sách kỳ sau" in body  # THPT-NQ, MN-HS
    assert reverse("botnet_period", args=[AUGUST]) in body
    august = text_of(client.get(reverse("botnet_period", args=[AUGUST])))
    assert "Tái nhiễm" in august
    assert client.get(reverse("botnet_period", args=[dt.date(2025, 9, 1)])).status_code == 404
    assert client.get("/botnet/periods/2025-13/").status_code == 404


@pytest.mark.django_db
def test_period_exports_parse_back(client, units, dept_officer, make_user):
    do_import()
    client.force_login(dept_officer)
    url = reverse("botnet_period_export", args=[JULY])

    response = client.get(url, {"format": "json"})
    assert response["Content-Type"].startswith("application/json")
    assert "ket-qua-botnet-2025-07-" in response["Content-Disposition"]
    rows = json.loads(response.content)
    assert [r["row"] for r in rows] == [4, 5, 6, 8, 10]
    assert rows[0]["unit_code"] == "THPT-NQ" and rows[0]["method"] == "prefix"
    assert rows[0]["seen_at"] == "2025-07-05T08:30:00+07:00"
    assert rows[4]["unit_code"] is None and rows[4]["method"] is None

    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["ip"] for r in table] == [r["ip"] for r in rows]
    assert table[2]["subscriber"] == "TRUONG THPT NGO QUYEN" and table[2]["method"] == "name"

    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"] == XLSX
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("Dòng", "Địa chỉ IP", "Thời gian ghi nhận")
    assert [v[1] for v in values[1:]] == [r["ip"] for r in rows]

    assert client.get(url, {"format": "pdf"}).status_code == 400
    # A school exports its own rows only.
    client.force_login(make_user(Role.UNIT_IT, units["mn"]))
    rows = json.loads(client.get(url, {"format": "json"}).content)
    assert [r["ip"] for r in rows] == ["2001:db8:ab::5"]


@pytest.mark.django_db
def test_period_page_of_a_school(client, tree, units, make_user):
    do_import()
    client.force_login(make_user(Role.UNIT_IT, units["mn"]))
    body = text_of(client.get(reverse("botnet_period", args=[JULY])))
    assert "Trường Mầm non Hoa Sen" in body
    assert "Ngô Quyền" not in body and "198.51.100" not in body
    assert reverse("botnet_summary", args=[JULY, "pdf"]) not in body
    assert reverse("botnet_unit_notice", args=[JULY, units["mn"].pk, "docx"]) in body
    # A school with nothing on the month's lists does not see the month.
    client.force_login(make_user(Role.UNIT_HEAD, tree.a))
    assert client.get(reverse("botnet_period", args=[JULY])).status_code == 404


@pytest.mark.django_db
def test_unit_page_shows_the_units_months(client, units, dept_officer, make_user):
    do_import()
    do_import(AUGUST_LIST, AUGUST, "ds-08-2025.csv")
    cs = units["cs"]
    client.force_login(make_user(Role.UNIT_IT, cs))
    body = text_of(client.get(reverse("unit_detail", args=[cs.pk])))
    section = body[body.index('id="unit-botnet"') :]
    assert "Tháng 08/2025" in section and "Tháng 07/2025" in section
    assert section.index("Tháng 08/2025") < section.index("Tháng 07/2025")
    assert "Vẫn còn trong danh sách kỳ sau" in section and "Tái nhiễm" in section
    task = Task.objects.get(unit=cs, problem_key="botnet:2025-07")
    assert reverse("task_detail", args=[task.pk]) in section
    assert reverse("botnet_unit_notice", args=[JULY, cs.pk, "docx"]) in section
    mn = units["mn"]
    client.force_login(dept_officer)
    body = text_of(client.get(reverse("unit_detail", args=[mn.pk])))
    section = body[body.index('id="unit-botnet"') :]
    assert "Không còn trong danh sách kỳ sau" in section and "Mozi" in section
    vp = Unit.objects.get(code="SO-VP")
    body = text_of(client.get(reverse("unit_detail", args=[vp.pk])))
    assert "Chưa có địa chỉ IP nào của đơn vị trong các danh sách IP botnet." in body


# --- documents --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notice_and_summary_downloads(client, units, dept_officer):
    import docx

    do_import()
    nq = units["nq"]
    client.force_login(dept_officer)
    response = client.get(reverse("botnet_unit_notice", args=[JULY, nq.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="thong-bao-botnet-2025-07-THPT-NQ.docx"'
    )
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert "203.0.113.77" in text
    response = client.get(reverse("botnet_unit_notice", args=[JULY, nq.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

    response = client.get(reverse("botnet_summary", args=[JULY, "docx"]))
    assert response["Content-Type"] == DOCX
    assert "tong-hop-botnet-2025-07.docx" in response["Content-Disposition"]
    docx.Document(io.BytesIO(response.content))
    response = client.get(reverse("botnet_summary", args=[JULY, "pdf"]))
    assert response.content.startswith(b"%PDF")
    response = client.get(reverse("botnet_summary", args=[JULY, "xlsx"]))
    assert response["Content-Type"] == XLSX
    assert 'filename="tong-hop-botnet-2025-07.xlsx"' in response["Content-Disposition"]
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(response.content)).sheetnames

    assert client.get(reverse("botnet_summary", args=[JULY, "txt"])).status_code == 404
    assert client.get(reverse("botnet_unit_notice", args=[JULY, nq.pk, "xlsx"])).status_code == 404
    assert client.get(reverse("botnet_summary", args=[AUGUST, "pdf"])).status_code == 404
    # A unit with no address on the month's lists has no notice.
    vp = Unit.objects.get(code="SO-VP")
    assert client.get(reverse("botnet_unit_notice", args=[JULY, vp.pk, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_a_school_downloads_only_its_own_notice(client, units, make_user):
    do_import()
    client.force_login(make_user(Role.UNIT_IT, units["mn"]))
    response = client.get(reverse("botnet_unit_notice", args=[JULY, units["mn"].pk, "docx"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    other = reverse("botnet_unit_notice", args=[JULY, units["nq"].pk, "docx"])
    assert client.get(other).status_code == 404
    assert client.get(reverse("botnet_summary", args=[JULY, "xlsx"])).status_code == 403


@pytest.mark.django_db
def test_row_numbers_name_their_sheet_only_when_the_list_has_several(client, units, dept_officer):
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    first.title = "Viettel"
    first.append(["Địa chỉ IP", "Tên mã độc"])
    first.append(["203.0.113.77", "Mirai"])
    second = workbook.create_sheet("VNPT")
    second.append(["Địa chỉ IP", "Tên mã độc"])
    second.append(["2001:db8:ab::9", "Mozi"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    stored = import_botnet_list(
        actor=None, data=buffer.getvalue(), filename="hai-trang.xlsx", period=JULY
    )
    single = do_import(AUGUST_LIST, AUGUST, "mot-trang.csv")
    client.force_login(dept_officer)
    body = text_of(client.get(reverse("botnet_list_detail", args=[stored.pk])))
    assert '<span class="cell-sub">Viettel</span>2' in body
    assert '<span class="cell-sub">VNPT</span>2' in body
    body = text_of(client.get(reverse("botnet_list_detail", args=[single.pk])))
    assert '<td data-label="Dòng" class="num">2</td>' in body
