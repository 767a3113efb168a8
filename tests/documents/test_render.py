"""The one document renderer: DOCX and PDF from the same OfficialDocument, Decree 30 layout."""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib

import pytest
from docx import Document
from docx.shared import Mm

from lachan.documents.model import (
    Heading,
    IssuingBody,
    OfficialDocument,
    Paragraph,
    Signature,
    Steps,
    Table,
    vietnamese_date,
)
from lachan.documents.render import render_docx, render_html, render_pdf

SUBJECT = "rà soát, xử lý địa chỉ IP nghi nhiễm mã độc"


def sample_notice(addressees: tuple[str, ...] = ("Trường THPT Lê Lợi",)) -> OfficialDocument:
    """A botnet notice to one school: 3 addresses, 4 steps."""
    return OfficialDocument(
        issuer=IssuingBody(parent="UBND tỉnh Lạc Hồng", unit="Sở Giáo dục và Đào tạo"),
        number="123",
        symbol="SGDĐT-VP",
        place="Lạc Hồng",
        issued_on=dt.date(2026, 11, 28),
        subject=SUBJECT,
        addressees=addressees,
        body=(
            Paragraph(
                "Căn cứ danh sách địa chỉ IP nghi nhiễm mã độc tháng 10/2026 do Sở Khoa học và "
                "Công nghệ cung cấp, Sở Giáo dục và Đào tạo ghi nhận các địa chỉ IP đăng ký cho "
                "đơn vị đã kết nối tới máy chủ điều khiển mạng máy tính ma (botnet), cụ thể:"
            ),
            Table(
                header=("STT", "Địa chỉ IP", "Thời điểm ghi nhận", "Mã độc", "Nhà mạng"),
                rows=(
                    ("1", "14.160.23.45", "03/10/2026 08:15", "Mirai", "VNPT"),
                    ("2", "14.160.23.46", "12/10/2026 14:02", "Mozi", "VNPT"),
                    ("3", "2001:ee0:4f1c::1a", "21/10/2026 21:47", "Gafgyt", "Viettel"),
                ),
                widths=(0.8, 2.6, 2.4, 1.6, 1.4),
                centered=(0, 2),
            ),
            Paragraph("Để xử lý dứt điểm, đề nghị đơn vị thực hiện các bước sau:"),
            Steps(
                (
                    "Cô lập các thiết bị sử dụng địa chỉ IP nêu trên khỏi mạng (máy tính, camera, "
                    "bộ định tuyến, đầu ghi hình).",
                    "Quét mã độc trên máy tính Windows bằng phần mềm diệt virus đã cập nhật; "
                    "khôi phục cấu hình gốc cho camera và bộ định tuyến nghi nhiễm.",
                    "Cập nhật bản vá hệ điều hành và firmware; đổi toàn bộ mật khẩu mặc định.",
                    "Báo cáo kết quả về Sở (qua Văn phòng Sở) trước ngày 12/12/2026.",
                )
            ),
            Heading("Đầu mối liên hệ"),
            Paragraph("Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ Văn phòng Sở."),
        ),
        recipients=("Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, VP"),
        signature=Signature(
            authority="KT. GIÁM ĐỐC", position="PHÓ GIÁM ĐỐC", name="Nguyễn Thị Hương"
        ),
    )


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(parts)


def pdf_streams(data: bytes) -> list[bytes]:
    """Every stream in the PDF, inflated where it is Flate-compressed."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def pdf_characters(data: bytes) -> set[str]:
    """Characters the embedded fonts map to (their ToUnicode CMaps)."""
    chars: set[str] = set()
    for stream in pdf_streams(data):
        if b"beginbfchar" not in stream and b"beginbfrange" not in stream:
            continue
        for hexes in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", stream):
            try:
                chars.update(bytes.fromhex(hexes.decode()).decode("utf-16-be"))
            except (ValueError, UnicodeDecodeError):
                pass
    return chars


def test_vietnamese_date_pads_day_and_early_months():
    assert (
        vietnamese_date("Lạc Hồng", dt.date(2026, 11, 28)) == "Lạc Hồng, ngày 28 tháng 11 năm 2026"
    )
    assert vietnamese_date("Lạc Hồng", dt.date(2026, 2, 5)) == "Lạc Hồng, ngày 05 tháng 02 năm 2026"
    assert vietnamese_date("Lạc Hồng", dt.date(2026, 3, 9)) == "Lạc Hồng, ngày 09 tháng 3 năm 2026"


def test_model_lines():
    doc = sample_notice()
    assert doc.number_line == "Số: 123/SGDĐT-VP"
    assert doc.subject_line == f"V/v {SUBJECT}"
    assert doc.addressee_lines == ("Kính gửi: Trường THPT Lê Lợi.",)
    assert doc.recipient_lines == ("- Như trên;", "- Giám đốc Sở (để b/c);", "- Lưu: VT, VP.")
    assert doc.issuer.lines == ("UBND TỈNH LẠC HỒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert doc.legal_basis == "Nghị định 30/2020/NĐ-CP"
    many = sample_notice(("Trường THPT Lê Lợi", "Trường THCS Hòa Bình"))
    assert many.addressee_lines == ("- Trường THPT Lê Lợi;", "- Trường THCS Hòa Bình.")


def test_table_rows_must_match_header():
    with pytest.raises(ValueError):
        Table(header=("a", "b"), rows=(("1",),))


def test_docx_content():
    data = render_docx(sample_notice())
    text = docx_text(data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH LẠC HỒNG",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Số: 123/SGDĐT-VP",
        "Lạc Hồng, ngày 28 tháng 11 năm 2026",
        f"V/v {SUBJECT}",
        "Kính gửi: Trường THPT Lê Lợi.",
        "Địa chỉ IP",
        "14.160.23.45",
        "2001:ee0:4f1c::1a",
        "Gafgyt",
        "4. Báo cáo kết quả",
        "Nơi nhận:",
        "- Lưu: VT, VP.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Thị Hương",
    ):
        assert expected in text, expected
    document = Document(io.BytesIO(data))
    assert document.core_properties.keywords == "Nghị định 30/2020/NĐ-CP"


def test_docx_page_and_fonts():
    document = Document(io.BytesIO(render_docx(sample_notice())))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    # Word stores margins in twentieths of a point, so 15 mm comes back a hair under 15 mm.
    slack = Mm(0.1)
    assert Mm(20) - slack <= section.top_margin <= Mm(25) + slack
    assert Mm(20) - slack <= section.bottom_margin <= Mm(25) + slack
    assert Mm(30) - slack <= section.left_margin <= Mm(35) + slack
    assert Mm(15) - slack <= section.right_margin <= Mm(20) + slack
    assert document.styles["Normal"].font.name == "Times New Roman"

    runs = [r for p in document.paragraphs for r in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(r for p in cell.paragraphs for r in p.runs)
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}

    by_text = {r.text: r for r in runs}
    motto = by_text["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert motto.bold and 12 <= motto.font.size.pt <= 13
    assert by_text["Độc lập - Tự do - Hạnh phúc"].bold
    assert 13 <= by_text["Độc lập - Tự do - Hạnh phúc"].font.size.pt <= 14
    assert by_text["SỞ GIÁO DỤC VÀ ĐÀO TẠO"].bold
    assert by_text["Lạc Hồng, ngày 28 tháng 11 năm 2026"].italic
    assert 12 <= by_text[f"V/v {SUBJECT}"].font.size.pt <= 13
    where = by_text["Nơi nhận:"]
    assert where.bold and where.italic and where.font.size.pt == 12
    assert by_text["- Như trên;"].font.size.pt == 11
    assert by_text["KT. GIÁM ĐỐC"].bold
    assert by_text["Đầu mối liên hệ"].bold

    body = next(p for p in document.paragraphs if p.text.startswith("Căn cứ"))
    assert body.alignment == 3  # justified
    assert body.paragraph_format.first_line_indent > 0
    assert 13 <= body.runs[0].font.size.pt <= 14


def test_docx_several_addressees():
    text = docx_text(render_docx(sample_notice(("Trường THPT Lê Lợi", "Trường THCS Hòa Bình"))))
    assert "Kính gửi:" in text
    assert "- Trường THCS Hòa Bình." in text


def test_html_is_the_pdf_source():
    html = render_html(sample_notice())
    assert "size: A4" in html
    assert "margin: 20mm 15mm 20mm 30mm" in html
    assert "Times New Roman" in html
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Số: 123/SGDĐT-VP" in html
    assert "Kính gửi: Trường THPT Lê Lợi." in html
    assert "2001:ee0:4f1c::1a" in html
    assert "Nguyễn Thị Hương" in html
    assert '<td class="c">1</td>' in html


def test_pdf():
    data = render_pdf(sample_notice())
    assert data.startswith(b"%PDF")
    streams = b"\n".join([data, *pdf_streams(data)])
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", streams)
    assert 1 <= len(pages) <= 3
    # A4 in points is 595.28 x 841.89.
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", streams)
    # The embedded fonts carry Vietnamese letters with their diacritics.
    chars = pdf_characters(data)
    assert set("ỘÒẠỞỤĐườịệỉốộễ") <= chars
