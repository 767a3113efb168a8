"""Forms of the vulnerability pages. They parse input; ``intel.vulns`` and
``intel.vuln_page_services`` do the writes."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lachan.org.forms import UnitChoiceField

from .models import AdvisorySource, AliasKind, ExposureStatus, VulnDuePolicy

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
CVE_RE = re.compile(r"^CVE-\d{4}-\d{4,}$")
FEED_MAX_MB = 512  # a yearly NVD dump, zipped, fits

SEVERITIES = [
    ("critical", _("Nghiêm trọng")),
    ("high", _("Cao")),
    ("medium", _("Trung bình")),
    ("low", _("Thấp")),
]
PRIORITIES = [
    (1, _("Khẩn cấp")),
    (2, _("Cao")),
    (3, _("Trung bình")),
    (4, _("Thấp")),
]
POLICY_LABELS = {
    "kev": _("Đang bị khai thác (KEV)"),
    "critical": _("Nghiêm trọng"),
    "high": _("Cao"),
    "medium": _("Trung bình"),
    "low": _("Thấp"),
}


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
        ),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")},
        **kwargs,
    )


class Form(forms.Form):
    """Labels above their fields, without a trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilterForm(Form):
    """GET filters: a bad value is ignored field by field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}


# --- search and filters -----------------------------------------------------------------------


class VulnSearchForm(FilterForm):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _(
                    "Mã CVE, nội dung, hãng hoặc sản phẩm (ví dụ: apache http_server)"
                ),
            }
        ),
    )
    kev = forms.ChoiceField(
        label=_("Đang bị khai thác (KEV)"),
        required=False,
        choices=[("", _("Tất cả")), ("yes", _("Chỉ lỗ hổng KEV")), ("no", _("Không thuộc KEV"))],
    )
    severity = forms.ChoiceField(
        label=_("Mức độ nghiêm trọng"), required=False, choices=[("", _("Tất cả")), *SEVERITIES]
    )
    affects = forms.ChoiceField(
        label=_("Ảnh hưởng đến đơn vị"),
        required=False,
        choices=[
            ("", _("Tất cả lỗ hổng")),
            ("yes", _("Chỉ lỗ hổng đang ảnh hưởng")),
        ],
    )

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.values()
        return {
            "q": (data.get("q") or "").strip(),
            "kev": {"yes": True, "no": False}.get(data.get("kev") or ""),
            "severity": data.get("severity") or None,
        }

    def affects_only(self) -> bool:
        return self.values().get("affects") == "yes"


class ExposureFilterForm(FilterForm):
    unit = UnitChoiceField(
        label=_("Đơn vị"), queryset=None, required=False, empty_label=_("Tất cả đơn vị")
    )
    priority = forms.TypedChoiceField(
        label=_("Mức ưu tiên"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *PRIORITIES],
    )
    status = forms.ChoiceField(
        label=_("Kết luận"),
        required=False,
        choices=[("", _("Tất cả")), *ExposureStatus.choices],
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.values()
        return {
            "unit": data.get("unit"),
            "priority": data.get("priority"),
            "status": data.get("status") or None,
        }


# --- a record's Vietnamese summary ------------------------------------------------------------


class SummaryForm(Form):
    summary_vi = forms.CharField(
        label=_("Tóm tắt tiếng Việt"),
        required=False,
        max_length=4000,
        help_text=_(
            "Vài câu dễ hiểu cho cán bộ CNTT của đơn vị: lỗ hổng là gì, ảnh hưởng ra sao, "
            "cần làm gì. Để trống để xoá."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- advisories -------------------------------------------------------------------------------


def parse_cve_ids(text: str) -> list[str]:
    """CVE ids one per line or separated by commas, semicolons or spaces; upper-cased, in
    order, without repeats. Raises ValidationError naming what is not a CVE id."""
    ids: list[str] = []
    bad: list[str] = []
    for token in re.split(r"[\s,;]+", text or ""):
        token = token.strip().upper()
        if not token:
            continue
        if not CVE_RE.match(token):
            bad.append(token)
        elif token not in ids:
            ids.append(token)
    if bad:
        raise forms.ValidationError(
            _("Không phải mã CVE: %(items)s. Mã CVE có dạng CVE-2024-4577.")
            % {"items": ", ".join(bad[:5])}
        )
    return ids


class AdvisoryForm(Form):
    title = forms.CharField(
        label=_("Tiêu đề cảnh báo"),
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("ví dụ: Cảnh báo lỗ hổng nghiêm trọng trong Apache HTTP Server")
            }
        ),
    )
    source = forms.ChoiceField(label=_("Nguồn"), choices=AdvisorySource.choices)
    source_detail = forms.CharField(
        label=_("Cơ quan, đơn vị ban hành"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: Cục An toàn thông tin")}),
    )
    issued_on = _date_field(_("Ngày ban hành"))
    reference_number = forms.CharField(
        label=_("Số, ký hiệu văn bản"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: 1234/CATTT-NCSC")}),
    )
    url = forms.URLField(
        label=_("Đường dẫn"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://khonggianmang.vn/…"}),
        error_messages={
            "invalid": _("Nhập một đường dẫn đầy đủ, ví dụ https://khonggianmang.vn/…")
        },
    )
    cve_ids = forms.CharField(
        label=_("Mã CVE"),
        required=False,
        help_text=_("Mỗi dòng một mã, hoặc cách nhau bằng dấu phẩy. Có thể để trống."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    required_action = forms.CharField(
        label=_("Yêu cầu xử lý"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = _date_field(_("Hạn xử lý"), required=False)

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": instance.title,
                "source": instance.source,
                "source_detail": instance.source_detail,
                "issued_on": instance.issued_on,
                "reference_number": instance.reference_number,
                "url": instance.url,
                "cve_ids": "\n".join(instance.cve_ids or []),
                "required_action": instance.required_action,
                "deadline": instance.deadline,
            }
        super().__init__(*args, **kwargs)

    def clean_cve_ids(self) -> list[str]:
        return parse_cve_ids(self.cleaned_data["cve_ids"])

    def clean(self):
        data = super().clean()
        issued, deadline = data.get("issued_on"), data.get("deadline")
        if issued and deadline and deadline < issued:
            self.add_error("deadline", _("Hạn xử lý phải bằng hoặc sau ngày ban hành."))
        return data


BOUND_KINDS = [("including", _("kể cả")), ("excluding", _("không kể"))]


class AdvisoryProductForm(Form):
    """One affected product: a version range (each end included or not) or exact versions."""

    vendor = forms.CharField(
        label=_("Hãng"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "apache", "spellcheck": "false"}),
    )
    product = forms.CharField(
        label=_("Sản phẩm"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "http_server", "spellcheck": "false"}),
    )
    version_from = forms.CharField(label=_("Từ phiên bản"), max_length=120, required=False)
    from_kind = forms.ChoiceField(
        label=_("Phiên bản đầu"), choices=BOUND_KINDS, initial="including", required=False
    )
    version_to = forms.CharField(label=_("Đến phiên bản"), max_length=120, required=False)
    to_kind = forms.ChoiceField(
        label=_("Phiên bản cuối"), choices=BOUND_KINDS, initial="excluding", required=False
    )
    versions = forms.CharField(
        label=_("Hoặc các phiên bản cụ thể"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("ví dụ: 2.4.49, 2.4.50")}),
    )

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        for key in ("vendor", "product", "version_from", "version_to", "versions"):
            data[key] = (data.get(key) or "").strip()
        if not data.get("product"):
            self.add_error("product", _("Ghi tên sản phẩm bị ảnh hưởng."))
        if not data.get("vendor"):
            self.add_error("vendor", _("Ghi tên hãng phát triển (ví dụ: apache, microsoft)."))
        exact = [v for v in re.split(r"[\s,;]+", data.get("versions", "")) if v]
        ranged = data.get("version_from") or data.get("version_to")
        if exact and ranged:
            self.add_error(
                "versions",
                _("Chọn một trong hai: khoảng phiên bản hoặc các phiên bản cụ thể."),
            )
        data["exact"] = exact
        return data

    def product_dict(self) -> dict[str, Any] | None:
        """The product in ``Advisory.products`` shape, or None for an empty row."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not data.get("product"):
            return None
        item: dict[str, Any] = {
            "vendor": data["vendor"].lower(),
            "product": data["product"].lower(),
            "version_start_including": None,
            "version_start_excluding": None,
            "version_end_including": None,
            "version_end_excluding": None,
            "versions": data.get("exact") or [],
        }
        if data.get("version_from"):
            key = f"version_start_{data.get('from_kind') or 'including'}"
            item[key] = data["version_from"]
        if data.get("version_to"):
            key = f"version_end_{data.get('to_kind') or 'excluding'}"
            item[key] = data["version_to"]
        return item


class BaseProductFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Bỏ sản phẩm này")

    def products(self) -> list[dict[str, Any]]:
        return [p for form in self.forms if (p := form.product_dict()) is not None]


ProductFormSet = forms.formset_factory(
    AdvisoryProductForm, formset=BaseProductFormSet, extra=2, can_delete=True, max_num=50
)


def product_initial(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``Advisory.products`` as the formset's initial rows."""
    rows = []
    for p in products or []:
        row = {
            "vendor": p.get("vendor", ""),
            "product": p.get("product", ""),
            "versions": ", ".join(p.get("versions") or []),
            "from_kind": "including",
            "to_kind": "excluding",
        }
        if p.get("version_start_including"):
            row["version_from"] = p["version_start_including"]
        elif p.get("version_start_excluding"):
            row["version_from"], row["from_kind"] = p["version_start_excluding"], "excluding"
        if p.get("version_end_excluding"):
            row["version_to"] = p["version_end_excluding"]
        elif p.get("version_end_including"):
            row["version_to"], row["to_kind"] = p["version_end_including"], "including"
        rows.append(row)
    return rows


# --- feeds ------------------------------------------------------------------------------------


FEED_KINDS = [
    ("records", _("Bản ghi CVE (NVD JSON, CVE JSON 5)")),
    ("kev", _("Danh mục KEV của CISA (JSON hoặc CSV)")),
    ("epss", _("Điểm EPSS (CSV, có thể nén .gz)")),
]
FEED_SUFFIXES = {
    "records": (".json", ".jsonl", ".ndjson", ".gz", ".zip"),
    "kev": (".json", ".csv"),
    "epss": (".csv", ".csv.gz", ".gz"),
}


class FeedUploadForm(Form):
    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=FEED_KINDS)
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_(
            "Bản ghi CVE: phản hồi NVD CVE API 2.0 (.json, .json.gz), bản ghi CVE JSON 5 "
            "(.json), nhiều bản ghi mỗi dòng một bản (.jsonl, .jsonl.gz) hoặc một tệp .zip "
            "chứa chúng (kể cả cây thư mục cvelistV5). "
            "KEV: known_exploited_vulnerabilities.json hoặc .csv. EPSS: epss_scores-….csv(.gz)."
        ),
    )

    def clean(self):
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload is None or not kind:
            return data
        name = (upload.name or "").lower()
        if not name.endswith(FEED_SUFFIXES[kind]):
            self.add_error(
                "file",
                _("Tệp %(name)s không đúng loại đã chọn: cần %(suffixes)s.")
                % {"name": upload.name, "suffixes": ", ".join(FEED_SUFFIXES[kind])},
            )
        elif upload.size > FEED_MAX_MB * 1024 * 1024:
            self.add_error("file", _("Tệp quá lớn (tối đa %(mb)d MB).") % {"mb": FEED_MAX_MB})
        return data


# --- software-name aliases --------------------------------------------------------------------


class AliasForm(Form):
    kind = forms.ChoiceField(label=_("Loại tên"), choices=AliasKind.choices)
    pattern = forms.CharField(
        label=_("Tên gọi"),
        max_length=300,
        help_text=_(
            "Tên như trên máy, ví dụ “Phần mềm Quản lý trường học VnEdu” hoặc gói “nginx-core”."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    cpe_vendor = forms.CharField(
        label=_("Hãng (theo CPE)"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "apache", "spellcheck": "false"}),
    )
    cpe_product = forms.CharField(
        label=_("Sản phẩm (theo CPE)"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "http_server", "spellcheck": "false"}),
    )
    part = forms.ChoiceField(
        label=_("Loại CPE"),
        choices=[("a", _("Ứng dụng (a)")), ("o", _("Hệ điều hành (o)")), ("h", _("Phần cứng (h)"))],
        initial="a",
    )
    version_pattern = forms.CharField(
        label=_("Mẫu lấy phiên bản"),
        max_length=300,
        required=False,
        help_text=_(
            "Biểu thức chính quy có một nhóm, nếu phiên bản nằm trong tên. Thường để trống."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)

    def clean_version_pattern(self) -> str:
        value = self.cleaned_data["version_pattern"].strip()
        if value:
            try:
                re.compile(value)
            except re.error as exc:
                raise forms.ValidationError(
                    _("Biểu thức không hợp lệ: %(error)s") % {"error": exc}
                ) from None
        return value

    def clean_cpe_vendor(self) -> str:
        return _cpe_name(self.cleaned_data["cpe_vendor"])

    def clean_cpe_product(self) -> str:
        return _cpe_name(self.cleaned_data["cpe_product"])


def _cpe_name(value: str) -> str:
    value = value.strip().lower().replace(" ", "_")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.\-+!~]*", value):
        raise forms.ValidationError(
            _("Chỉ dùng chữ thường không dấu, số và các dấu _ . - (ví dụ: http_server).")
        )
    return value


class AliasTryForm(FilterForm):
    name = forms.CharField(
        label=_("Tên phần mềm"),
        max_length=300,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("ví dụ: Mozilla Firefox (x64 vi), apache2, 7-Zip 23.01 (x64)"),
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
    )
    vendor = forms.CharField(label=_("Hãng (nếu có)"), max_length=200, required=False)
    version = forms.CharField(
        label=_("Phiên bản (nếu có)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2.4.52-1ubuntu4.6", "spellcheck": "false"}),
    )


# --- due policy -------------------------------------------------------------------------------


class VulnPolicyForm(Form):
    def __init__(self, *args, days: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        days = days or {}
        for key in VulnDuePolicy.KEYS:
            self.fields[key] = forms.IntegerField(
                label=POLICY_LABELS[key],
                min_value=1,
                max_value=365,
                initial=days.get(key, VulnDuePolicy.DEFAULT_DAYS[key]),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def days(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in VulnDuePolicy.KEYS}
