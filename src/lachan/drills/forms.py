"""Forms of the drill pages. They parse and check input; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lachan.org.models import Unit
from lachan.remediation.forms import Form, apply_service_errors, unit_choices

from .models import FLAG_PARTS, DrillTemplate

__all__ = ["DrillForm", "ReasonForm", "ReportForm", "TemplateForm", "apply_service_errors"]

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label, *, required: bool, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%d/%m/%Y %H:%M"],
        widget=DateTimeLocalInput(),
    )


class DrillForm(Form):
    name = forms.CharField(label=_("Tên đợt diễn tập"), max_length=200)
    template = forms.ModelChoiceField(
        label=_("Mẫu thư"), queryset=DrillTemplate.objects.none(), empty_label=None
    )
    units = forms.MultipleChoiceField(
        label=_("Đơn vị nhận thư"),
        help_text=_("Giữ Ctrl (hoặc ⌘) để chọn nhiều đơn vị."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    include_subunits = forms.BooleanField(
        label=_("Gồm cả các đơn vị cấp dưới"), required=False, initial=True
    )
    follow_up_lesson = forms.ModelChoiceField(
        label=_("Bài học sau diễn tập"),
        queryset=None,
        required=False,
        empty_label=_("— Không —"),
        help_text=_("Người nhận hoàn thành bài kiểm tra của bài này được ghi nhận trong kết quả."),
    )
    starts_at = _datetime_field(_("Bắt đầu gửi lúc"), required=True)
    send_until = _datetime_field(
        _("Ngừng gửi lúc"), required=False, help_text=_("Để trống: gửi đến khi hết người nhận.")
    )
    ends_at = _datetime_field(
        _("Kết thúc diễn tập lúc"),
        required=False,
        help_text=_("Để trống: cán bộ của Sở bấm “Kết thúc” khi muốn."),
    )
    rate_per_minute = forms.IntegerField(
        label=_("Số thư mỗi phút"), min_value=1, max_value=120, initial=20
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from lachan.awareness.models import Lesson

        self.fields["template"].queryset = DrillTemplate.objects.filter(is_active=True)
        self.fields["follow_up_lesson"].queryset = Lesson.objects.filter(is_active=True)
        self.fields["follow_up_lesson"].label_from_instance = lambda lesson: lesson.title
        self._units = {str(u.pk): u for u in units}
        self.fields["units"].choices = unit_choices(units)

    def clean_units(self) -> list[Unit]:
        return [self._units[pk] for pk in self.cleaned_data["units"] if pk in self._units]

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReportForm(Form):
    message = forms.CharField(
        label=_("Nội dung thư hoặc đường link đáng ngờ"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=200_000,
        help_text=_(
            "Mở thư, chọn “Hiển thị bản gốc” (hoặc sao chép toàn bộ nội dung và các đường link) "
            "rồi dán vào đây."
        ),
    )


def part_names() -> dict[str, str]:
    """Names a red flag's part may be written with: its key, or its label in Vietnamese or in
    the language of the page (labels are lazy, so this is built per call)."""
    names = {key: key for key in FLAG_PARTS}
    for language in ("vi", translation.get_language() or "vi"):
        with translation.override(language):
            names |= {str(label).lower(): key for key, label in FLAG_PARTS.items()}
    return names


def flags_to_text(flags: list[dict]) -> str:
    """One red flag a line: ``phần | điều cần để ý | trích dẫn trong thư (tuỳ chọn)``."""
    lines = []
    for f in flags:
        parts = [str(FLAG_PARTS.get(f.get("part", "body"), f.get("part", ""))), f.get("text", "")]
        if f.get("quote"):
            parts.append(f["quote"])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def text_to_flags(text: str) -> list[dict]:
    flags = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 2 or not cells[1]:
            raise ValidationError(_("Dòng %(n)d: cần ít nhất “phần | điều cần để ý”.") % {"n": n})
        part = part_names().get(cells[0].lower())
        if part is None:
            raise ValidationError(
                _("Dòng %(n)d: phần “%(p)s” không có; chỉ dùng: %(parts)s.")
                % {
                    "n": n,
                    "p": cells[0],
                    "parts": ", ".join(str(v) for v in FLAG_PARTS.values()),
                }
            )
        flag = {"part": part, "text": cells[1]}
        if len(cells) > 2 and cells[2]:
            flag["quote"] = " | ".join(cells[2:])
        flags.append(flag)
    return flags


class TemplateForm(Form):
    key = forms.SlugField(label=_("Mã mẫu"), max_length=60)
    name = forms.CharField(label=_("Tên mẫu"), max_length=160)
    sender_name = forms.CharField(label=_("Tên người gửi hiển thị"), max_length=120)
    sender_local_part = forms.CharField(
        label=_("Địa chỉ gửi (phần trước @)"),
        max_length=64,
        help_text=_("Tên miền gửi luôn là tên miền diễn tập do hệ thống quản lý."),
    )
    subject = forms.CharField(label=_("Tiêu đề thư"), max_length=200)
    body_text = forms.CharField(
        label=_("Nội dung thư"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Ô thay thế: {ho_ten}, {don_vi}, {duong_link} (bắt buộc), {ngay}."),
    )
    body_html = forms.CharField(
        label=_("Nội dung HTML (tuỳ chọn)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Để trống: hệ thống tự tạo bản HTML từ nội dung thư."),
    )
    link_label = forms.CharField(label=_("Chữ trên nút bấm"), max_length=80, required=False)
    has_login_form = forms.BooleanField(
        label=_("Trang giả có ô đăng nhập (mật khẩu không bao giờ được gửi đi hay lưu lại)"),
        required=False,
    )
    lure_title = forms.CharField(label=_("Tiêu đề trang giả"), max_length=120, required=False)
    red_flags = forms.CharField(
        label=_("Dấu hiệu nhận biết"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Mỗi dòng một dấu hiệu: phần | điều cần để ý | trích dẫn trong thư (tuỳ chọn). "
            "Phần là một trong: Người gửi, Tiêu đề, Nội dung, Đường link."
        ),
    )
    tips = forms.CharField(
        label=_("Lời khuyên (mỗi dòng một ý)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Đang sử dụng"), required=False, initial=True)

    @classmethod
    def initial_for(cls, template: DrillTemplate) -> dict[str, Any]:
        data = {name: getattr(template, name) for name in cls.base_fields}
        data["red_flags"] = flags_to_text(template.red_flags)
        data["tips"] = "\n".join(template.tips)
        return data

    def clean_red_flags(self) -> list[dict]:
        return text_to_flags(self.cleaned_data["red_flags"])

    def clean_tips(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tips"].splitlines() if t.strip()]
