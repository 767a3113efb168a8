"""Forms of the botnet list pages. They parse input; ``intel.services`` does the writes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lachan.engine.botnet import parse_period

UPLOAD_MAX_MB = 50  # a national list of a few hundred thousand rows fits


def previous_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before ``today``: the period a list usually covers."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class BotnetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách IP botnet"),
        help_text=_(
            "CSV (UTF-8, UTF-16 hoặc Windows-1258) hoặc Excel (.xlsx, .xls), đúng như tệp nhận "
            "được: hệ thống tự tìm dòng tiêu đề và cột địa chỉ IP."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,.txt"}),
    )
    period = forms.CharField(
        label=_("Kỳ (tháng) của danh sách"),
        max_length=20,
        help_text=_("Tháng mà danh sách ghi nhận, dạng mm/yyyy, ví dụ 10/2026."),
        widget=forms.TextInput(attrs={"placeholder": "mm/yyyy", "autocomplete": "off"}),
    )
    source = forms.CharField(
        label=_("Nguồn danh sách"),
        max_length=255,
        required=False,
        help_text=_("Cơ quan gửi danh sách và số văn bản kèm theo, nếu có."),
        widget=forms.TextInput(
            attrs={"placeholder": _("ví dụ: Cục An toàn thông tin, công văn số …")}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", {"period": f"{previous_month():%m/%Y}"})
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx", ".xls", ".txt")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .xlsx hoặc .xls."))
        if upload.size > UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(mb)d MB).") % {"mb": UPLOAD_MAX_MB}
            )
        return upload

    def clean_period(self) -> dt.date:
        text = self.cleaned_data["period"]
        try:
            start, _end = parse_period(text)
        except ValueError:
            raise forms.ValidationError(
                _("Ghi kỳ theo dạng mm/yyyy, ví dụ 10/2026."), code="invalid"
            ) from None
        return start.date()

    def service_kwargs(self) -> dict:
        upload = self.cleaned_data["file"]
        return {
            "data": upload.read(),
            "filename": upload.name,
            "period": self.cleaned_data["period"],
            "source": self.cleaned_data["source"].strip(),
        }


class PeriodFilterForm(forms.Form):
    """The period filter of the list index; an unknown period shows every period."""

    period = forms.ChoiceField(label=_("Kỳ"), required=False)

    def __init__(self, *args, periods=(), **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            ("", _("Tất cả các kỳ")),
            *((f"{p:%Y-%m}", _("Tháng %(month)s") % {"month": f"{p:%m/%Y}"}) for p in periods),
        ]

    def selected(self) -> dt.date | None:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["period"]:
            return None
        return dt.date.fromisoformat(self.cleaned_data["period"] + "-01")


class RowFilterForm(forms.Form):
    """GET filters of a list's rows; a bad value is ignored."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Địa chỉ IP, tên thuê bao, đơn vị")}
        ),
    )
    method = forms.ChoiceField(
        label=_("Cách xác định đơn vị"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("prefix", _("Theo dải địa chỉ")),
            ("name", _("Theo tên thuê bao")),
            ("unmatched", _("Chưa xác định được")),
        ],
    )

    def __init__(self, *args, unmatched: bool = True, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not unmatched:  # a unit never sees unattributed rows
            self.fields["method"].choices = self.fields["method"].choices[:3]

    def selector_kwargs(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return {"q": (data.get("q") or "").strip(), "method": data.get("method") or ""}
