"""Forms of the remediation pages. They parse and check input; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Severity, SourceKind, TaskStatus
from .selectors import TASK_SORTS

YES_NO = [("", _("Tất cả")), ("yes", _("Có")), ("no", _("Không"))]
MAX_EVIDENCE_FILES = 10


def _all(choices) -> list[tuple[str, Any]]:
    return [("", _("Tất cả")), *choices]


def unit_choices(units, *, blank: str | None = None) -> list[tuple[str, str]]:
    """Units in tree order, indented so the hierarchy reads in a plain <select>."""
    choices = [("", blank)] if blank is not None else []
    for u in units:
        indent = "\u00a0\u00a0" * getattr(u, "tree_depth", 0)
        choices.append((str(u.pk), f"{indent}{u.display_name}"))
    return choices


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class Form(forms.Form):
    """Labels without a trailing colon: they sit above their fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilterForm(Form):
    """A GET filter form: every field optional; invalid values are ignored field by field."""

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    @staticmethod
    def _yes_no(value: str | None) -> bool | None:
        return {"yes": True, "no": False}.get(value or "")


class TaskFilterForm(FilterForm):
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=_all(TaskStatus.choices)
    )
    severity = forms.ChoiceField(label=_("Mức độ"), required=False, choices=_all(Severity.choices))
    source = forms.ChoiceField(label=_("Nguồn"), required=False, choices=_all(SourceKind.choices))
    overdue = forms.ChoiceField(label=_("Quá hạn"), required=False, choices=YES_NO)
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Tiêu đề, tên hoặc mã đơn vị")}
        ),
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("due", _("Hạn xử lý gần nhất")),
            ("-due", _("Hạn xử lý xa nhất")),
            ("-severity", _("Mức độ cao trước")),
            ("severity", _("Mức độ thấp trước")),
            ("unit", _("Theo đơn vị")),
            ("-created", _("Mới giao gần đây")),
        ],
    )

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units, blank=_("Tất cả đơn vị"))

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.task_list_for``."""
        unit = self.value("unit")
        if self.is_bound and "unit" in self.errors:
            unit = -1  # a unit the user may not see: show nothing rather than everything
        sort = self.value("sort") or "due"
        return {
            "unit_id": int(unit) if unit else None,
            "status": self.value("status") or "",
            "severity": self.value("severity") or "",
            "source": self.value("source") or "",
            "overdue": self._yes_no(self.value("overdue")),
            "q": self.value("q") or "",
            "sort": sort if sort in TASK_SORTS else "due",
        }


class FindingFilterForm(FilterForm):
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    source = forms.ChoiceField(label=_("Nguồn"), required=False, choices=_all(SourceKind.choices))
    severity = forms.ChoiceField(label=_("Mức độ"), required=False, choices=_all(Severity.choices))
    resolved = forms.ChoiceField(
        label=_("Đã khắc phục"),
        required=False,
        choices=[("", _("Tất cả")), ("no", _("Chưa khắc phục")), ("yes", _("Đã khắc phục"))],
    )
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tiêu đề, IP, tên máy")}),
    )

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units, blank=_("Tất cả đơn vị"))

    def selector_kwargs(self) -> dict[str, Any]:
        unit = self.value("unit")
        if self.is_bound and "unit" in self.errors:
            unit = -1
        return {
            "unit_id": int(unit) if unit else None,
            "source": self.value("source") or "",
            "severity": self.value("severity") or "",
            "resolved": self._yes_no(self.value("resolved")),
            "q": self.value("q") or "",
        }


class DateInput(forms.DateInput):
    """A text box in dd/mm/yyyy whatever the browser's language (a native date box is not)."""

    def __init__(self, attrs=None):
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class TaskCreateForm(Form):
    units = forms.MultipleChoiceField(
        label=_("Giao cho đơn vị"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Hãy chọn ít nhất một đơn vị.")},
        help_text=_("Chọn nhiều đơn vị để giao cùng một việc: mỗi đơn vị nhận một việc riêng."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    guidance = forms.CharField(
        label=_("Hướng dẫn xử lý"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Các bước đơn vị cần làm và minh chứng cần gửi."),
    )
    severity = forms.ChoiceField(
        label=_("Mức độ"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    due_date = forms.DateField(
        label=_("Hạn xử lý"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Hãy nhập ngày theo dạng dd/mm/yyyy.")},
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_objects = {str(u.pk): u for u in units}
        self.fields["units"].choices = unit_choices(units)

    def selected_units(self) -> list:
        return [self.unit_objects[pk] for pk in self.cleaned_data["units"]]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class SubmitForm(Form):
    answer_text = forms.CharField(
        label=_("Nội dung báo cáo"),
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": _("Đơn vị đã làm gì, ở máy nào, kết quả ra sao")}
        ),
        error_messages={"required": _("Hãy mô tả những gì đơn vị đã làm.")},
    )
    evidence = MultipleFileField(
        label=_("Tệp minh chứng"),
        required=False,
        help_text=_("Có thể chọn nhiều tệp (ảnh chụp màn hình, biên bản, nhật ký quét)."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "submit-%s")
        super().__init__(*args, **kwargs)

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("Mỗi lần gửi tối đa %(n)d tệp.") % {"n": MAX_EVIDENCE_FILES})
        limit = settings.LACHAN_EVIDENCE_MAX_BYTES
        for f in files:
            if f.size > limit:
                raise ValidationError(
                    _("Tệp “%(name)s” vượt quá dung lượng cho phép (%(limit)s).")
                    % {"name": f.name, "limit": filesizeformat(limit)}
                )
        return files


class VerifyForm(Form):
    note = forms.CharField(
        label=_("Ghi chú (không bắt buộc)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "verify-%s")
        super().__init__(*args, **kwargs)


class ReturnForm(Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Đơn vị cần bổ sung hoặc làm lại điều gì")}
        ),
        error_messages={"required": _("Hãy nêu lý do trả lại.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "return-%s")
        super().__init__(*args, **kwargs)


class CloseForm(Form):
    note = forms.CharField(
        label=_("Ghi chú đóng việc"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "close-%s")
        super().__init__(*args, **kwargs)


class CommentForm(Form):
    body = forms.CharField(
        label=_("Nội dung trao đổi"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Viết trao đổi…")}),
        error_messages={"required": _("Nội dung trao đổi không được để trống.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)


class DuePolicyForm(Form):
    """One number of days per severity, most severe first."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[row["severity"]] = forms.IntegerField(
                label=row["label"],
                min_value=1,
                max_value=365,
                initial=row["days"],
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def days_by_severity(self) -> dict[str, int]:
        return {row["severity"]: self.cleaned_data[row["severity"]] for row in self.rows}
