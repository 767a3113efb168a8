"""Forms of the web shell: login, two-factor codes, password change, API tokens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác thực (6 chữ số)"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Mã xác thực gồm đúng 6 chữ số.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "maxlength": "7",
                "autofocus": True,
                "class": "otp-input",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        help_text=_("Ít nhất 10 ký tự, không quá phổ biến, không chỉ gồm chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if self.user is None or not self.user.check_password(value):
            raise forms.ValidationError(_("Mật khẩu hiện tại không đúng."))
        return value

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp nhau."))
        return data


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [
        ("30", _("30 ngày")),
        ("90", _("90 ngày")),
        ("365", _("1 năm")),
        ("", _("Không hết hạn")),
    ]

    name = forms.CharField(
        label=_("Tên gợi nhớ"),
        max_length=120,
        help_text=_("Ví dụ: “Tác tử máy chủ phòng tin học”."),
    )
    expires_in = forms.ChoiceField(
        label=_("Thời hạn"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )
