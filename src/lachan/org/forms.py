"""Forms of the unit and people pages. They parse input; org.services does the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role, Unit, UnitType

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
YES_NO_ALL = [("", _("Tất cả")), ("yes", _("Đang hoạt động")), ("no", _("Ngừng hoạt động"))]


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")},
    )


class UnitChoiceField(forms.ModelChoiceField):
    """A unit select in tree order, indented by depth so the hierarchy reads in a <select>."""

    def label_from_instance(self, obj: Unit) -> str:
        return "\u00a0\u00a0" * getattr(obj, "depth", 0) + f"{obj.name} ({obj.code})"


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class UnitFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tên hoặc mã đơn vị")}),
    )
    type = forms.ChoiceField(
        label=_("Loại đơn vị"), required=False, choices=[("", _("Tất cả")), *UnitType.choices]
    )
    active = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=YES_NO_ALL)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"q": "", "unit_type": "", "active": None}
        return {
            "q": self.cleaned_data["q"].strip(),
            "unit_type": self.cleaned_data["type"],
            "active": yes_no(self.cleaned_data["active"]),
        }


class UnitForm(forms.Form):
    code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=40,
        help_text=_("Mã ổn định, không đổi về sau; ví dụ THPT-LELOI."),
    )
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=120, required=False)
    type = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitType.choices)
    parent = UnitChoiceField(
        label=_("Đơn vị cấp trên"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Không có (đơn vị cấp cao nhất) —"),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
    ward = forms.CharField(label=_("Xã/phường"), max_length=120, required=False)
    province = forms.CharField(label=_("Tỉnh/thành phố"), max_length=120, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=40, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    # Shown under the "Cán bộ phụ trách CNTT" heading of the form, hence the short labels.
    it_officer_name = forms.CharField(label=_("Họ và tên"), max_length=120, required=False)
    it_officer_phone = forms.CharField(label=_("Điện thoại"), max_length=40, required=False)
    it_officer_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    head_name = forms.CharField(label=_("Thủ trưởng đơn vị"), max_length=120, required=False)
    aliases = forms.CharField(
        label=_("Tên gọi khác"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một tên (cách viết mà cơ quan khác dùng để gọi đơn vị này)."),
    )
    valid_from = _date_field(_("Hiệu lực từ"))
    valid_to = _date_field(_("Hiệu lực đến"))
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args, parents=None, instance: Unit | None = None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(instance, f) for f in self.base_fields if hasattr(instance, f)},
                "parent": instance.parent_id,
                "aliases": "\n".join(instance.aliases or []),
            }
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        if instance is not None:
            # The code identifies the unit in imports and reports: it never changes.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Mã đơn vị không thay đổi được.")
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=instance.path
            )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean_aliases(self) -> list[str]:
        raw = self.cleaned_data.get("aliases") or ""
        seen: list[str] = []
        for part in raw.replace(";", "\n").splitlines():
            alias = " ".join(part.split())
            if alias and alias not in seen:
                seen.append(alias)
        return seen

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        code = self.instance.code if self.instance is not None else data.pop("code")
        data.pop("code", None)
        parent = data.pop("parent")
        return {"code": code, "parent": parent, **data}


class UnitRetireForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Ngày hết hiệu lực"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")},
    )
    successor = UnitChoiceField(
        label=_("Đơn vị kế thừa"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Không có —"),
        help_text=_("Đơn vị tiếp nhận sau khi sáp nhập, nếu có."),
    )

    def __init__(self, *args, successors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["successor"].queryset = successors


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách đơn vị"),
        help_text=_("CSV (UTF-8, UTF-16 hoặc Windows-1258) hoặc Excel (.xlsx, .xls)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx", ".xls", ".txt")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .xlsx hoặc .xls."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 10 MB)."))
        return upload


# --- people -----------------------------------------------------------------------------------


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Họ tên hoặc tên đăng nhập")}
        ),
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    role = forms.ChoiceField(
        label=_("Vai trò"), required=False, choices=[("", _("Tất cả")), *Role.choices]
    )
    active = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Tất cả")), ("yes", _("Đang hoạt động")), ("no", _("Đã khoá"))],
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {"q": "", "unit": None, "role": "", "active": None}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return {
            "q": (data.get("q") or "").strip(),
            "unit": data.get("unit"),
            "role": data.get("role") or "",
            "active": yes_no(data.get("active")),
        }


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Tên đăng nhập"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Chữ không dấu, số và . @ + - _ ; ví dụ nguyenvanan.thptleloi"),
        error_messages={
            "invalid": _("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các ký tự . @ + - _")
        },
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự. Người dùng nên đổi mật khẩu ở lần đăng nhập đầu tiên."),
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Chưa phân quyền —"),
    )
    role = forms.ChoiceField(label=_("Vai trò"), required=False, choices=[("", "—"), *Role.choices])

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if bool(data.get("unit")) != bool(data.get("role")):
            self.add_error("role", _("Chọn cả đơn vị và vai trò, hoặc bỏ trống cả hai."))
        return data


class RoleAssignForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), empty_label=_("— Chọn đơn vị —")
    )
    role = forms.ChoiceField(
        label=_("Vai trò"), choices=[("", _("— Chọn vai trò —")), *Role.choices]
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
