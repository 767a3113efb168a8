"""The campaign progress workbook (XLSX): by unit, by class, by lesson, learners."""

from __future__ import annotations

import io
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Campaign, LearnerKind
from .services.campaigns import format_join_code

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def slug(text: str) -> str:
    """ASCII file-name part: "Tháng an toàn thông tin 2026" → "thang-an-toan-thong-tin-2026"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "dot-hoc"


def export_filename(campaign: Campaign) -> str:
    return f"tien-do-{slug(campaign.title)}-{timezone.localdate():%Y%m%d}.xlsx"


def _cell(value):
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value  # a typed name never runs as a formula
    return value


def _pct(value):
    return None if value is None else value / 100


def progress_workbook(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets = []

    def sheet(title: str, header: list[str], rows: list[list], percent_cols=()):
        ws = wb.create_sheet(title[:31])
        ws.append(header)
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append([_cell(v) for v in row])
        for col in percent_cols:
            letter = get_column_letter(col)
            for r in range(2, len(rows) + 2):
                ws[f"{letter}{r}"].number_format = "0%"
        for i, title_text in enumerate(header, start=1):
            width = max([len(str(title_text))] + [len(str(r[i - 1] or "")) for r in rows[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        ws.freeze_panes = "A2"
        sheets.append(ws)

    unit_rows = []
    for r in report.units:
        t = r.total
        unit_rows.append(
            [
                r.unit.code,
                r.unit.name,
                r.staff.expected,
                r.staff.completed,
                r.classes,
                r.students.expected,
                r.students.joined,
                r.students.completed,
                t.expected,
                t.started,
                t.completed,
                _pct(t.completion_rate),
                _pct(t.pass_rate),
            ]
        )
    sheet(
        _("Theo đơn vị"),
        [
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Cán bộ cần học"),
            _("Cán bộ hoàn thành"),
            _("Số lớp"),
            _("Học sinh cần học"),
            _("Học sinh đã tham gia"),
            _("Học sinh hoàn thành"),
            _("Tổng cần học"),
            _("Đã bắt đầu"),
            _("Hoàn thành"),
            _("Tỉ lệ hoàn thành"),
            _("Tỉ lệ lượt làm bài đạt"),
        ],
        unit_rows,
        percent_cols=(12, 13),
    )
    sheet(
        _("Theo lớp"),
        [
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Lớp"),
            _("Mã tham gia"),
            _("Sĩ số"),
            _("Đã tham gia"),
            _("Đã bắt đầu"),
            _("Hoàn thành"),
            _("Tỉ lệ hoàn thành"),
            _("Tỉ lệ lượt làm bài đạt"),
        ],
        [
            [
                c.group.unit.code,
                c.group.unit.name,
                c.group.name,
                format_join_code(c.group.join_code),
                c.group.expected_students,
                c.counts.joined,
                c.counts.started,
                c.counts.completed,
                _pct(c.counts.completion_rate),
                _pct(c.counts.pass_rate),
            ]
            for c in report.classes
        ],
        percent_cols=(9, 10),
    )
    sheet(
        _("Theo bài học"),
        [
            _("STT"),
            _("Bài học"),
            _("Đã đọc"),
            _("Đạt"),
            _("Lượt làm bài"),
            _("Tỉ lệ lượt đạt"),
            _("Điểm cao nhất trung bình (%)"),
        ],
        [
            [
                lr.position,
                lr.lesson.title,
                lr.read,
                lr.passed,
                lr.attempts,
                _pct(lr.pass_rate),
                lr.average_best,
            ]
            for lr in report.lesson_rows
        ],
        percent_cols=(6,),
    )
    lesson_headers = [f"{i}. {lesson.title}"[:60] for i, lesson in enumerate(report.lessons, 1)]
    sheet(
        _("Người học"),
        [
            _("Họ và tên"),
            _("Đối tượng"),
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Lớp"),
            _("Số bài đạt"),
            _("Hoàn thành"),
            _("Số chứng nhận"),
            *lesson_headers,
        ],
        [
            [
                lr.learner.name,
                _("Học sinh") if lr.learner.kind == LearnerKind.STUDENT else _("Cán bộ, giáo viên"),
                lr.learner.unit.code,
                lr.learner.unit.name,
                lr.learner.class_group.name if lr.learner.class_group_id else "",
                lr.passed,
                _("Có") if lr.complete else _("Chưa"),
                lr.certificate,
                *[lr.best_scores.get(lesson.pk) for lesson in report.lessons],
            ]
            for lr in report.learners
        ],
    )
    wb.remove(wb.worksheets[0])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
