"""Forms of the network pages. They parse input; ``assets.services`` does the writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lachan.org.forms import UnitChoiceField, UnitImportForm

from .models import LineType, Network, PrefixError, parse_prefix
from .models.networks import special_prefix_warning
from .selectors import is_address_query

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
        ),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")},
        **kwargs,
    )


class NetworkFilterForm(forms.Form):
    """GET filters of the network list; a bad value is ignored field by field."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Dải IP, thuê bao, nhà mạng, đơn vị")}
        ),
    )
    address = forms.CharField(
        label=_("Chứa địa chỉ"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ 203.0.113.25")}),
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"),
        queryset=None,
        required=False,
        empty_label=_("Tất cả đơn vị"),
    )
    isp = forms.ChoiceField(label=_("Nhà mạng"), required=False)
    line_type = forms.ChoiceField(
        label=_("Loại đường truyền"),
        required=False,
        choices=[("", _("Tất cả")), *LineType.choices],
    )
    active_on = _date_field(_("Hiệu lực vào ngày"))

    def __init__(self, *args, units=None, isps=(), **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["isp"].choices = [("", _("Tất cả")), *((n, n) for n in isps)]

    def clean_address(self) -> str:
        value = self.cleaned_data["address"].strip()
        if value and not is_address_query(value):
            raise forms.ValidationError(_("Không phải địa chỉ IP hay dải IP."))
        return value

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.networks_for``; a field with a bad value is left
        out, except an address or unit that is not valid: that shows nothing, not everything."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        kwargs: dict[str, Any] = {
            "q": (data.get("q") or "").strip(),
            "isp": data.get("isp") or "",
            "line_type": data.get("line_type") or "",
            "active_on": data.get("active_on"),
            "address": data.get("address") or "",
        }
        if data.get("unit") is not None:
            kwargs["unit_id"] = data["unit"].pk
        if "unit" in self.errors or "address" in self.errors:
            kwargs["unit_id"] = -1
        return kwargs


class NetworkForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị"), queryset=None, empty_label=_("— Chọn đơn vị —"))
    prefix = forms.CharField(
        label=_("Dải địa chỉ IP"),
        max_length=64,
        help_text=_(
            "Dạng CIDR, ví dụ 203.0.113.0/24 hoặc 2001:db8:1::/48. Một địa chỉ đơn lẻ ghi "
            "203.0.113.5 (tức /32)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    isp = forms.CharField(label=_("Nhà mạng"), max_length=120, required=False)
    subscriber = forms.CharField(
        label=_("Tên thuê bao"),
        max_length=255,
        required=False,
        help_text=_("Tên trên hợp đồng với nhà mạng; danh sách botnet thường ghi tên này."),
    )
    line_type = forms.ChoiceField(label=_("Loại đường truyền"), choices=LineType.choices)
    is_static = forms.BooleanField(
        label=_("IP tĩnh"),
        required=False,
        initial=True,
        help_text=_("Bỏ chọn nếu nhà mạng cấp IP động; khi đó hãy ghi rõ thời gian hiệu lực."),
    )
    valid_from = _date_field(_("Từ ngày"), help_text=_("Để trống nếu không rõ ngày bắt đầu."))
    valid_to = _date_field(_("Đến ngày"), help_text=_("Để trống nếu vẫn đang dùng."))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units=None, instance: Network | None = None, **kwargs):
        self.instance = instance
        kwargs.setdefault("label_suffix", "")
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "unit": instance.unit_id,
                **{f: getattr(instance, f) for f in self.base_fields if f != "unit"},
            }
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.special_warning = ""

    def clean_prefix(self) -> str:
        try:
            parsed = parse_prefix(self.cleaned_data["prefix"])
        except PrefixError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.special_warning = special_prefix_warning(parsed)
        return parsed.text

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("valid_to", _("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {"unit": data.pop("unit"), **data}


class NetworkImportForm(UnitImportForm):
    """The same upload rules as the unit import (CSV/XLSX/XLS, at most 10 MB)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Tệp danh sách mạng")


# --- software inventory -----------------------------------------------------------------------


class HostFilterForm(forms.Form):
    """GET filters of the host list; a bad value is ignored field by field (a unit or system
    the user may not see shows nothing, not everything)."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Tên máy, địa chỉ IP, phần mềm")}
        ),
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"), queryset=None, required=False, empty_label=_("Tất cả đơn vị")
    )
    os = forms.ChoiceField(label=_("Hệ điều hành"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), required=False)
    system = forms.ChoiceField(label=_("Hệ thống thông tin"), required=False)
    exposed = forms.ChoiceField(
        label=_("Có lỗ hổng"),
        required=False,
        choices=[("", _("Tất cả")), ("yes", _("Có lỗ hổng chưa khắc phục")), ("no", _("Không có"))],
    )

    def __init__(self, *args, units=None, systems=(), os_names=(), **kwargs):
        from .models import HostRole

        kwargs.setdefault("auto_id", "f-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["role"].choices = [("", _("Tất cả")), *HostRole.choices]
        self.fields["os"].choices = [("", _("Tất cả")), *((n, n) for n in os_names)]
        self.fields["system"].choices = [
            ("", _("Tất cả")),
            *((str(s.pk), f"{s.name} — {s.unit.code}") for s in systems),
        ]

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        if "unit" in self.errors:
            data["unit"] = False  # a unit not visible: nothing
        if "system" in self.errors:
            data["system"] = False
        return data


class InventoryImportForm(UnitImportForm):
    """The same upload rules as the unit import (CSV/XLSX/XLS, at most 10 MB)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Tệp danh mục phần mềm")
