"""The botnet workflow's documents: the notice to a unit, the province summary (DOCX/PDF
through the one renderer) and its workbook, and the CLI commands that write them."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner
from django.utils import timezone
from docx import Document

from lachan.assets.services import save_network
from lachan.cli import _load_commands, cli
from lachan.documents.model import Heading, Paragraph, Steps, Table
from lachan.documents.render import render_docx, render_pdf
from lachan.intel import reports
from lachan.intel.models import BotnetListRow
from lachan.intel.services import import_botnet_list
from lachan.org.models import Unit
from lachan.org.services import save_unit
from lachan.remediation.models import Task, TaskStatus

_load_commands()

JUNE = dt.date(2025, 6, 1)
JULY = dt.date(2025, 7, 1)
ISSUED = dt.date(2025, 8, 5)
HEADER = "STT,Địa chỉ IP,Thời gian ghi nhận,Tên mã độc,Nhà mạng,Cổng,Tên thuê bao\r\n"
JUNE_LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC THÁNG 6/2025\r\n"
    + HEADER
    + "1,203.0.113.5,10/06/2025 09:00,Mirai,VNPT,23,\r\n"  # school A
    + "2,203.0.113.20,11/06/2025 14:00,Emotet,Viettel,443,\r\n"  # school B
)
JULY_LIST = (
    "DANH SÁCH ĐỊA CHỈ IP NGHI NHIỄM MÃ ĐỘC THÁNG 7/2025\r\n"
    + HEADER
    + "1,203.0.113.5,05/07/2025 08:30,Mirai,VNPT,23,\r\n"  # A again: re-infected
    + "2,203.0.113.6,20/07/2025 10:00,Mozi,VNPT,37215,\r\n"  # A
    + "3,203.0.113.5,21/07/2025 09:00,Mirai,VNPT,,\r\n"  # A, seen a second time
    + "4,2001:db8:c::9,2025-07-03T01:00:00Z,Emotet,FPT,443,\r\n"  # C (08:00 local time)
    + "5,198.51.100.9,,Gafgyt,Viettel,,TRƯỜNG THPT NGUYỄN TRÃI\r\n"  # B by name: waiting
    + "6,198.51.100.10,,Emotet,VNPT,,Công ty ABC\r\n"  # nobody's
    + "7,192.168.1.10,05/07/2025 08:30,Mirai,VNPT,,\r\n"  # rejected: private
    + "8,203.0.113.5,05/07/2025 08:30,Mirai,VNPT,23,\r\n"  # duplicate of row 1
)


@pytest.fixture(autouse=True)
def _documentation_ips(settings):
    settings.LACHAN_ALLOW_DOCUMENTATION_IPS = True


def load(text: str, period: dt.date):
    return import_botnet_list(
        actor=None,
        data=text.encode("utf-8"),
        filename=f"ds-{period:%Y-%m}.csv",
        period=period,
        source="Sở KH&CN",
    )


@pytest.fixture
def world(tree):
    """The Department of "Tỉnh Lạc Hồng", three schools with registered prefixes, the June
    and July lists. In July school A is re-infected, school C appears for the first time and
    school B has only a name match waiting for confirmation (so it left the list)."""
    save_unit(
        actor=None,
        code="SO",
        name="Sở Giáo dục và Đào tạo",
        short_name="Sở GDĐT",
        type="so",
        email="so@example.edu.vn",
        province="Tỉnh Lạc Hồng",
        phone="0200 3800 000",
    )
    save_unit(
        actor=None,
        code="SO-VP",
        name="Văn phòng Sở",
        type="phong",
        parent=tree.so,
        phone="0200 3800 111",
        email="vp@example.edu.vn",
    )
    save_network(actor=None, unit=tree.a, prefix="203.0.113.0/28", isp="VNPT")
    save_network(actor=None, unit=tree.b, prefix="203.0.113.16/28", isp="Viettel")
    save_network(actor=None, unit=tree.c, prefix="2001:db8:c::/48", isp="FPT")
    load(JUNE_LIST, JUNE)
    load(JULY_LIST, JULY)
    # The import flags re-infection itself; setting it here keeps these tests about the
    # documents, whatever the import's exact rule.
    BotnetListRow.objects.filter(botnet_list__period=JULY, unit=tree.a).update(reinfected=True)
    tree.so.refresh_from_db()
    return tree


def texts(doc) -> list[str]:
    out = []
    for block in doc.body:
        if isinstance(block, Paragraph | Heading):
            out.append(block.text)
        elif isinstance(block, Steps):
            out.extend(block.items)
    return out


def tables(doc) -> list[Table]:
    return [b for b in doc.body if isinstance(b, Table)]


def steps(doc) -> tuple[str, ...]:
    return next(b for b in doc.body if isinstance(b, Steps)).items


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


# --------------------------------------------------------------------------- the notice


@pytest.mark.django_db
def test_notice_to_a_reinfected_school(world):
    doc = reports.unit_notice(unit=world.a, period=JULY, issued_on=ISSUED, number="45")
    assert doc.issuer.lines == ("UBND TỈNH LẠC HỒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert doc.number_line == "Số: 45/SGDĐT-VP"
    assert doc.place_and_date == "Lạc Hồng, ngày 05 tháng 8 năm 2025"
    assert doc.subject_line == "V/v rà soát, xử lý địa chỉ IP nghi nhiễm mã độc"
    assert doc.addressee_lines == ("Kính gửi: Hiệu trưởng Trường THPT Lê Lợi.",)
    assert doc.signature.authority == "KT. GIÁM ĐỐC"
    assert doc.signature.position == "PHÓ GIÁM ĐỐC"
    assert doc.recipient_lines == ("- Như trên;", "- Giám đốc Sở (để b/c);", "- Lưu: VT, VP.")

    (table,) = tables(doc)
    assert table.header == (
        "STT",
        "Địa chỉ IP",
        "Thời gian ghi nhận",
        "Mã độc",
        "Nhà mạng",
        "Cổng",
    )
    assert table.rows == (
        ("1", "203.0.113.5", "05/07/2025 08:30", "Mirai", "VNPT", "23"),
        ("2", "203.0.113.6", "20/07/2025 10:00", "Mozi", "VNPT", "37215"),
        ("3", "203.0.113.5", "21/07/2025 09:00", "Mirai", "VNPT", "-"),
    )
    body = "\n".join(texts(doc))
    assert "danh sách địa chỉ IP nghi nhiễm mã độc tháng 07/2025" in body
    assert "Sở Khoa học và Công nghệ tỉnh Lạc Hồng" in body
    assert "Trung tâm Giám sát an toàn không gian mạng quốc gia" in body
    assert "2 địa chỉ IP (3 lượt ghi nhận) của Trường THPT Lê Lợi" in body
    # Re-infected: on June's list already.
    assert "Đơn vị đã có địa chỉ IP trong danh sách tháng 06/2025" in body
    # Mirai and Mozi infect the same devices: one line for both.
    assert "- Mirai, Mozi: camera IP, đầu ghi hình (DVR/NVR), router/modem" in body

    items = steps(doc)
    assert items[0].startswith("Xác định thiết bị: tra nhật ký NAT/DHCP")
    assert items[1].startswith("Cách ly thiết bị")
    assert any("mật khẩu mặc định" in s for s in items)
    assert any("firmware" in s for s in items)
    assert not any("bản vá Windows" in s for s in items)
    assert items[-1].startswith("Báo cáo kết quả trên Lá Chắn")

    task = Task.objects.filter(unit=world.a).order_by("-created_at", "-pk").first()
    assert f"trước ngày {task.due_date:%d/%m/%Y}" in body
    assert f"tại việc “{task.title}”" in body
    assert "(điện thoại: 0200 3800 111, thư điện tử: vp@example.edu.vn)" in body


@pytest.mark.django_db
def test_notice_to_a_windows_infection(world):
    doc = reports.unit_notice(unit=world.c, period=JULY, issued_on=ISSUED)
    assert doc.addressees == ("Hiệu trưởng Trường THCS Hòa Bình",)
    assert doc.number_line.endswith("/SGDĐT-VP") and doc.number_line.startswith("Số: \u00a0")
    (table,) = tables(doc)
    # 01:00 UTC is 08:00 in Asia/Ho_Chi_Minh.
    assert table.rows == (("1", "2001:db8:c::9", "03/07/2025 08:00", "Emotet", "FPT", "443"),)
    body = "\n".join(texts(doc))
    assert "tái nhiễm" not in body and "danh sách tháng 06/2025" not in body
    assert "- Emotet: máy tính Windows" in body
    items = steps(doc)
    assert any(s.startswith("Quét toàn bộ máy") for s in items)
    assert any("bản vá Windows" in s for s in items)
    assert not any("firmware" in s for s in items)


@pytest.mark.django_db
def test_a_past_due_date_is_said_plainly(world):
    Task.objects.filter(unit=world.c).update(due_date=ISSUED - dt.timedelta(days=1))
    body = "\n".join(texts(reports.unit_notice(unit=world.c, period=JULY, issued_on=ISSUED)))
    assert "Việc xử lý đã quá hạn (hạn ngày 04/08/2025)" in body


@pytest.mark.django_db
def test_no_notice_without_an_address_or_a_list(world):
    with pytest.raises(reports.NothingToReport, match="chờ Sở xác nhận"):
        reports.unit_notice(unit=world.b, period=JULY)  # only a name match, not confirmed
    with pytest.raises(reports.NothingToReport, match="không có địa chỉ IP nào"):
        reports.unit_notice(unit=world.vp, period=JULY)
    with pytest.raises(reports.NothingToReport, match="kỳ 08/2025"):
        reports.unit_notice(unit=world.a, period=dt.date(2025, 8, 1))


@pytest.mark.django_db
def test_notice_renders_to_docx_and_pdf(world):
    doc = reports.unit_notice(unit=world.a, period=JULY, issued_on=ISSUED)
    text = docx_text(render_docx(doc))
    for expected in (
        "UBND TỈNH LẠC HỒNG",
        "Kính gửi: Hiệu trưởng Trường THPT Lê Lợi.",
        "203.0.113.5",
        "203.0.113.6",
        "05/07/2025 08:30",
        "KT. GIÁM ĐỐC",
    ):
        assert expected in text, expected
    assert render_pdf(doc).startswith(b"%PDF")


def test_addressee_follows_the_kind_of_unit():
    def unit(name, type_="khac"):
        return Unit(code="X", name=name, type=type_)

    assert reports.addressee_of(unit("Trường Mầm non Hoa Sen", "mn")) == (
        "Hiệu trưởng Trường Mầm non Hoa Sen"
    )
    assert reports.addressee_of(unit("Trung tâm GDNN-GDTX khu vực 1", "gdnn_gdtx")) == (
        "Giám đốc Trung tâm GDNN-GDTX khu vực 1"
    )
    assert reports.addressee_of(unit("Văn phòng Sở", "phong")) == "Chánh Văn phòng Sở"
    assert reports.addressee_of(unit("Phòng Giáo dục trung học", "phong")) == (
        "Trưởng phòng Giáo dục trung học"
    )
    assert reports.addressee_of(unit("Cụm trường phường Hòa Bình")) == (
        "Cụm trường phường Hòa Bình"
    )


@pytest.mark.django_db
def test_issuer_without_a_province_field(tree):
    # The test tree's Department names no province: no governing body line, no place.
    dept = reports.department()
    assert dept.issuer.lines == ("", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert dept.abbreviation == "SGDĐT"
    # A province in the Department's own name is found there.
    save_unit(actor=None, code="SO", name="Sở Giáo dục và Đào tạo thành phố Hải Phòng", type="so")
    dept = reports.department()
    assert dept.issuer.lines == ("UBND THÀNH PHỐ HẢI PHÒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert dept.place == "Hải Phòng"
    assert dept.of_province("Sở Khoa học và Công nghệ") == (
        "Sở Khoa học và Công nghệ thành phố Hải Phòng"
    )


# --------------------------------------------------------------------------- the summary


@pytest.mark.django_db
def test_province_summary(world):
    doc = reports.province_summary(period=JULY, issued_on=ISSUED, number="7")
    assert doc.addressee_lines == (
        "- Ủy ban nhân dân tỉnh Lạc Hồng;",
        "- Sở Khoa học và Công nghệ tỉnh Lạc Hồng.",
    )
    assert doc.subject == (
        "báo cáo kết quả rà soát, xử lý địa chỉ IP nghi nhiễm mã độc tháng 07/2025"
    )
    assert doc.number_line == "Số: 7/SGDĐT-VP"
    totals, by_unit, by_isp, by_family, statuses = tables(doc)

    values = {row[1]: row[2] for row in totals.rows}
    assert values["Số dòng trong danh sách"] == "8"
    assert values["Số dòng bị loại (địa chỉ không hợp lệ hoặc không phải địa chỉ công cộng)"] == (
        "1"
    )
    assert values["Số dòng trùng lặp"] == "1"
    assert values["Xác định được đơn vị theo dải địa chỉ IP đã đăng ký"] == "4"
    assert values["Xác định theo tên thuê bao"] == "1"
    assert values["- Trong đó: đang chờ Sở xác nhận"] == "1"
    assert values["Chưa xác định được đơn vị"] == "1"
    assert values["Số đơn vị có địa chỉ IP nghi nhiễm"] == "2"
    assert values["Số địa chỉ IP của các đơn vị"] == "3"
    assert values["Số đơn vị tái nhiễm"] == "1"
    assert values["Số đơn vị không còn trong danh sách so với tháng 06/2025"] == "1"

    assert by_unit.header == (
        "STT",
        "Đơn vị",
        "Số địa chỉ",
        "Mã độc",
        "Nhà mạng",
        "Tái nhiễm",
        "Trạng thái xử lý",
    )
    assert [row[:6] for row in by_unit.rows] == [
        ("1", "Trường THPT Lê Lợi", "2", "Mirai, Mozi", "VNPT", "Có"),
        ("2", "Trường THCS Hòa Bình", "1", "Emotet", "FPT", ""),
    ]
    assert by_unit.rows[1][6] == "Mới giao"

    isp = {row[1]: row[2:] for row in by_isp.rows}
    assert isp["VNPT"] == ("4", "3", "1", "1")  # rows, addresses, units, not attributed
    assert isp["FPT"] == ("1", "1", "1", "0")
    assert isp["Viettel"] == ("1", "1", "0", "1")
    family = {row[1]: row[2:] for row in by_family.rows}
    assert family["Mirai"] == ("2", "1", "1", "0")
    assert family["Emotet"] == ("2", "2", "1", "1")
    assert family["Gafgyt (Bashlite)"] == ("1", "1", "0", "1")

    counts = {row[1]: row[2] for row in statuses.rows}
    assert sum(int(v) for v in counts.values()) == 2

    body = "\n".join(texts(doc))
    assert "Có 1 đơn vị tái nhiễm (đã có tên trong danh sách kỳ trước): Trường THPT Lê Lợi." in body
    assert (
        "Có 1 đơn vị có tên trong danh sách tháng 06/2025 nhưng không còn xuất hiện trong "
        "danh sách tháng 07/2025: Trường THPT Nguyễn Trãi." in body
    )
    assert "Còn 1 dòng chưa xác định được đơn vị sử dụng và 1 dòng đối chiếu theo tên" in body
    assert "Chưa có đơn vị nào quá hạn xử lý." in body

    text = docx_text(render_docx(doc))
    assert "Trường THCS Hòa Bình" in text and "Ủy ban nhân dân tỉnh Lạc Hồng;" in text
    assert render_pdf(doc).startswith(b"%PDF")


@pytest.mark.django_db
def test_summary_counts_overdue_units(world):
    past = timezone.localdate() - dt.timedelta(days=3)
    Task.objects.filter(unit=world.c).update(due_date=past, status=TaskStatus.IN_PROGRESS)
    doc = reports.province_summary(period=JULY)
    by_unit = tables(doc)[1]
    assert by_unit.rows[1][6] == f"Quá hạn (hạn {past:%d/%m/%Y})"
    body = "\n".join(texts(doc))
    assert "Có 1 đơn vị quá hạn xử lý: Trường THCS Hòa Bình." in body


@pytest.mark.django_db
def test_first_period_has_nothing_to_compare(world):
    body = "\n".join(texts(reports.province_summary(period=JUNE)))
    assert "chưa có số liệu so sánh với kỳ trước" in body
    with pytest.raises(reports.NothingToReport, match="kỳ 05/2025"):
        reports.province_summary(period=dt.date(2025, 5, 1))


@pytest.mark.django_db
def test_summary_workbook(world):
    workbook = openpyxl.load_workbook(io.BytesIO(reports.province_summary_xlsx(period=JULY)))
    assert workbook.sheetnames == [
        "Tổng hợp",
        "Theo đơn vị",
        "Theo nhà mạng",
        "Theo mã độc",
        "Chi tiết",
    ]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width > 0

    summary = workbook["Tổng hợp"]
    assert summary["B2"].value == dt.datetime(2025, 7, 1)
    assert summary["B2"].is_date
    totals = {row[0].strip(): row[1] for row in summary.iter_rows(min_row=4, values_only=True)}
    assert totals["Số dòng trong danh sách"] == 8
    assert totals["Chưa xác định được đơn vị"] == 1
    assert totals["Số đơn vị có địa chỉ IP nghi nhiễm"] == 2

    units = list(workbook["Theo đơn vị"].iter_rows(min_row=2, values_only=True))
    assert [(u[1], u[3], u[4], u[10]) for u in units] == [
        ("THPT-A", 3, 2, "Có"),
        ("THCS-C", 1, 1, None),
    ]
    first_seen = workbook["Theo đơn vị"]["I2"]
    assert first_seen.value == dt.datetime(2025, 7, 5, 8, 30)
    assert first_seen.number_format.startswith("dd/mm/yyyy")
    due = workbook["Theo đơn vị"]["M2"]
    assert due.is_date and due.number_format == "dd/mm/yyyy"

    isps = {r[1]: r[2:] for r in workbook["Theo nhà mạng"].iter_rows(min_row=2, values_only=True)}
    assert isps["VNPT"] == (4, 3, 1, 1)
    families = list(workbook["Theo mã độc"].iter_rows(min_row=2, values_only=True))
    assert sum(f[2] for f in families) == 6

    detail = workbook["Chi tiết"]
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    assert len(rows) == BotnetListRow.objects.filter(botnet_list__period=JULY).count() == 6
    header = [c.value for c in detail[1]]
    col = {name: header.index(name) for name in header}
    by_ip = {(r[col["Địa chỉ IP"]], r[col["Dòng"]]): r for r in rows}
    c_row = by_ip[("2001:db8:c::9", 6)]
    assert c_row[col["Thời gian ghi nhận"]] == dt.datetime(2025, 7, 3, 8, 0)
    assert c_row[col["Mã đơn vị"]] == "THCS-C"
    assert c_row[col["Cách xác định"]] == "Theo dải địa chỉ"
    assert c_row[col["Trạng thái xử lý"]] == "Mới giao"
    waiting = by_ip[("198.51.100.9", 7)]
    assert waiting[col["Cách xác định"]] == "Theo tên thuê bao"
    assert waiting[col["Đã xác nhận"]] == "Chưa"
    assert waiting[col["Trạng thái xử lý"]] is None
    assert by_ip[("198.51.100.10", 8)][col["Cách xác định"]] == "Chưa xác định"
    assert detail.cell(row=2, column=col["Thời gian ghi nhận"] + 1).number_format == (
        "dd/mm/yyyy hh:mm"
    )


@pytest.mark.django_db
def test_workbook_keeps_formula_like_text_as_text(world):
    row = BotnetListRow.objects.filter(botnet_list__period=JULY, unit__isnull=True).first()
    row.subscriber = "=HYPERLINK(1)"
    row.save(update_fields=["subscriber"])
    workbook = openpyxl.load_workbook(io.BytesIO(reports.province_summary_xlsx(period=JULY)))
    cells = [c for r in workbook["Chi tiết"].iter_rows() for c in r if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def invoke():
    runner = CliRunner()

    def _invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _invoke


@pytest.mark.django_db
def test_cli_notice_for_one_unit_and_for_all(world, invoke, tmp_path):
    out = tmp_path / "le-loi.docx"
    result = invoke(
        "botnet", "notice", "--period", "2025-07", "--unit", "THPT-A", "--format", "docx",
        "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "203.0.113.6" in docx_text(out.read_bytes())

    folder = tmp_path / "cong-van"
    result = invoke(
        "botnet", "notice", "--period", "2025-07", "--all", "--format", "pdf", "--output", folder
    )
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        "cong-van-botnet-2025-07-THCS-C.pdf",
        "cong-van-botnet-2025-07-THPT-A.pdf",
    ]
    assert all((folder / name).read_bytes().startswith(b"%PDF") for name in files)
    assert "Đã ghi 2 công văn" in result.stderr


@pytest.mark.django_db
def test_cli_summary_in_three_formats(world, invoke, tmp_path):
    for fmt in ("docx", "pdf", "xlsx"):
        out = tmp_path / f"bao-cao.{fmt}"
        result = invoke("botnet", "summary", "--period", "2025-07", "--format", fmt, "-o", out)
        assert result.exit_code == 0, result.stderr
        assert out.stat().st_size > 1000
    assert (tmp_path / "bao-cao.pdf").read_bytes().startswith(b"%PDF")
    assert "Trường THPT Lê Lợi" in docx_text((tmp_path / "bao-cao.docx").read_bytes())
    workbook = openpyxl.load_workbook(tmp_path / "bao-cao.xlsx")
    assert workbook["Theo đơn vị"].max_row == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("notice", "--period", "2025-07", "--unit", "KHONG-CO"), "Không có đơn vị mã “KHONG-CO”"),
        (("notice", "--period", "2025-07", "--unit", "THPT-B"), "chờ Sở xác nhận"),
        (("notice", "--period", "2025-09", "--unit", "THPT-A"), "kỳ 09/2025"),
        (("notice", "--period", "2025-09", "--all"), "kỳ 09/2025"),
        (("notice", "--period", "2025-07"), "--unit MÃ hoặc --all"),
        (("notice", "--period", "2025-07", "--all", "--unit", "THPT-A"), "--unit MÃ hoặc --all"),
        (("summary", "--period", "2025-09"), "Chưa có danh sách IP Botnet nào cho kỳ 09/2025"),
        (("summary", "--period", "2025-13"), ""),
    ],
)
def test_cli_errors_are_one_line(world, invoke, tmp_path, args, message):
    result = invoke("botnet", *args, "--output", tmp_path / "x")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: ")
    assert message in lines[0]
    assert not (tmp_path / "x").exists()


def test_times_are_local():
    moment = dt.datetime(2025, 7, 3, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert reports._when(moment) == "03/07/2025 08:00"
    assert reports._when(None) == "Không rõ"
