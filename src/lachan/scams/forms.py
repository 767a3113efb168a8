"""Forms of the scams pages. They parse input; ``scams.services`` does the writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lachan.remediation.forms import DateInput, MultipleFileField, MultipleFileInput

from .models import Channel, IndicatorKind, ReportStatus
from .uploads import MAX_IMAGE_BYTES, MAX_IMAGES

TEXT_MAX = 5000

KIND_CHOICES = [
    ("auto", _("Tự nhận biết")),
    ("url", _("Đường link")),
    ("phone", _("Số điện thoại")),
    ("account", _("Số tài khoản")),
    ("text", _("Tin nhắn")),
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("Dán đường link, số điện thoại, số tài khoản hoặc cả tin nhắn"),
        max_length=TEXT_MAX,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": _(
                    "Ví dụ: “Con anh chị đang cấp cứu, chuyển ngay 30 triệu vào tài khoản …” "
                    "hoặc https://…"
                ),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": _("Hãy dán nội dung cần kiểm tra."),
            "max_length": _("Nội dung quá dài (tối đa %(limit_value)d ký tự)."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Loại nội dung"),
        choices=KIND_CHOICES,
        initial="auto",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or "auto"


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("Chuyện gì đã xảy ra?"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "placeholder": _(
                    "Ai liên hệ, tự xưng là ai, nói gì, yêu cầu bạn làm gì (chuyển tiền, "
                    "gửi mã OTP, bấm vào đường link…)"
                ),
            }
        ),
        error_messages={"required": _("Hãy kể lại sự việc: ai liên hệ, nói gì, yêu cầu gì.")},
    )
    channel = forms.ChoiceField(label=_("Qua kênh nào?"), choices=Channel.choices)
    happened_on = forms.DateField(
        label=_("Ngày xảy ra"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Hãy nhập ngày theo dạng dd/mm/yyyy.")},
    )
    phones = forms.CharField(
        label=_("Số điện thoại của kẻ gian"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "0912 345 678", "class": "list-input"}
        ),
        help_text=_("Mỗi dòng một số."),
    )
    accounts = forms.CharField(
        label=_("Số tài khoản nhận tiền"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "list-input"}),
        help_text=_("Mỗi dòng một tài khoản; ghi kèm tên ngân hàng nếu biết."),
    )
    links = forms.CharField(
        label=_("Đường link"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://…", "class": "list-input"}),
        help_text=_("Mỗi dòng một đường link."),
    )
    amount_lost = forms.IntegerField(
        label=_("Số tiền đã mất (đồng)"),
        required=False,
        min_value=0,
        max_value=10**15,
        help_text=_("Để trống nếu chưa mất tiền."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1000"}),
        error_messages={"invalid": _("Hãy nhập số tiền bằng chữ số, ví dụ 30000000.")},
    )
    images = MultipleFileField(
        label=_("Ảnh chụp màn hình"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("Tối đa %(n)d ảnh PNG, JPEG hoặc WebP, mỗi ảnh không quá %(mb)d MB.")
        % {"n": MAX_IMAGES, "mb": MAX_IMAGE_BYTES // 2**20},
    )
    reporter_contact = forms.CharField(
        label=_("Cách liên hệ với bạn (không bắt buộc)"),
        required=False,
        max_length=255,
        help_text=_("Số điện thoại hoặc thư điện tử, nếu bạn muốn cán bộ liên hệ lại."),
    )
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý gửi các thông tin trên cho Sở Giáo dục và Đào tạo để xác minh và cảnh báo "
            "người khác."
        ),
        error_messages={"required": _("Hãy đánh dấu đồng ý để gửi báo cáo.")},
    )
    checked_text = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.HiddenInput)
    # A field people never see: bots fill it in.
    website = forms.CharField(
        label=_("Để trống ô này"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_images(self):
        files = self.cleaned_data.get("images") or []
        if len(files) > MAX_IMAGES:
            raise ValidationError(
                _("Chỉ gửi được tối đa %(n)d ảnh.") % {"n": MAX_IMAGES}, code="too_many"
            )
        return files

    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "channel": data["channel"],
            "happened_on": data["happened_on"],
            "phones": _lines(data["phones"]),
            "accounts": _lines(data["accounts"]),
            "links": _lines(data["links"]),
            "amount_lost": data["amount_lost"],
            "reporter_contact": data["reporter_contact"],
            "checked_text": data["checked_text"],
            "images": data["images"],
        }


class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + ReportStatus.choices
    )
    channel = forms.ChoiceField(
        label=_("Kênh"), required=False, choices=[("", _("Tất cả"))] + Channel.choices
    )
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Hãy nhập ngày theo dạng dd/mm/yyyy.")},
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=DateInput(),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Hãy nhập ngày theo dạng dd/mm/yyyy.")},
    )
    q = forms.CharField(label=_("Tìm"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class IndicatorForm(forms.Form):
    use = forms.BooleanField(label=_("Đưa vào danh sách chặn"), required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Giá trị"), required=False, max_length=2048)

    def clean(self):
        data = super().clean()
        if data.get("use") and not (data.get("value") or "").strip():
            self.add_error("value", _("Hãy nhập giá trị hoặc bỏ chọn dòng này."))
        return data


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2, max_num=100, absolute_max=150)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không xác nhận"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do không xác nhận báo cáo.")},
    )


class CaseForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Giao việc cho đơn vị"),
        queryset=None,
        error_messages={
            "required": _("Hãy chọn đơn vị."),
            "invalid_choice": _("Đơn vị không hợp lệ."),
        },
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: "\u00a0\u00a0" * u.depth + u.name


FORMAT_CHOICES = [
    ("auto", _("Tự nhận biết")),
    ("urlhaus", _("URLhaus (||tên-miền^, đường link, chú thích “!”)")),
    ("hosts", _("Tệp hosts (0.0.0.0 tên-miền)")),
    ("maltrail", _("maltrail CSV (indicator,type,…)")),
    ("plain", _("Danh sách thường (mỗi dòng một mục, chú thích “#”)")),
    ("csv", _("CSV (kind,value,label)")),
]


class BlocklistImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách"),
        help_text=_("Tệp văn bản hoặc CSV (UTF-8), tối đa 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,.hosts,.list,text/plain"}),
    )
    name = forms.CharField(
        label=_("Tên danh sách"),
        max_length=200,
        help_text=_(
            "Nhập lại tệp với cùng tên sẽ thay toàn bộ mục của danh sách đó (hệ thống báo số "
            "mục thêm, bỏ)."
        ),
    )
    format = forms.ChoiceField(label=_("Định dạng"), choices=FORMAT_CHOICES, initial="auto")
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nguồn, ngày tải, giấy phép của danh sách…"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Giá trị"), max_length=2048)
    label = forms.CharField(label=_("Nhãn, ghi chú"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EntryFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả"))] + IndicatorKind.choices
    )
    active = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("1", _("Đang dùng")), ("0", _("Đã tắt"))],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data.get("active") or "")
        return {"q": data.get("q") or "", "kind": data.get("kind") or "", "active": active}
