"""Forms of campaigns, classes and the student join page. They parse; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lachan.org.models import Unit

from .models import Audience, Lesson
from .services.campaigns import CAMPAIGN_AUDIENCES, NAME_MAX

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "invalid": _("Hãy nhập ngày theo dạng dd/mm/yyyy."),
            "required": _("Hãy nhập ngày."),
        },
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
        ),
    )


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return ("— " * max(0, obj.depth - 1)) + obj.name


class LessonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Lesson) -> str:
        return obj.title


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Tên đợt học"), max_length=200)
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lessons = LessonChoiceField(
        label=_("Bài học"),
        queryset=Lesson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Thứ tự học theo thứ tự đánh số ở ô bên cạnh (để trống: theo thứ tự thư viện)."
        ),
    )
    lesson_order = forms.CharField(required=False, widget=forms.HiddenInput)
    units = UnitChoiceField(
        label=_("Đơn vị tham gia"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Giữ phím Ctrl (hoặc Cmd) để chọn nhiều đơn vị."),
    )
    include_subunits = forms.BooleanField(
        label=_("Gồm cả các đơn vị cấp dưới của đơn vị đã chọn"), required=False, initial=True
    )
    audiences = forms.MultipleChoiceField(
        label=_("Đối tượng"),
        choices=[(a.value, a.label) for a in CAMPAIGN_AUDIENCES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Audience.STAFF, Audience.STUDENTS],
    )
    starts_on = _date_field(_("Ngày bắt đầu"))
    deadline = _date_field(_("Hạn hoàn thành"))
    reminder_days = forms.IntegerField(
        label=_("Nhắc trước hạn (ngày)"),
        min_value=0,
        max_value=60,
        initial=3,
        help_text=_("Thư nhắc gửi mỗi ngày trong khoảng này trước hạn, cho người chưa hoàn thành."),
        error_messages={
            "min_value": _("Số ngày nhắc trước hạn phải từ 0 đến 60."),
            "max_value": _("Số ngày nhắc trước hạn phải từ 0 đến 60."),
            "invalid": _("Hãy nhập một số nguyên."),
        },
    )

    def __init__(self, *args, units_qs, lessons_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units_qs
        self.fields["lessons"].queryset = lessons_qs
        self.lesson_positions = self._positions()

    def _positions(self) -> dict[str, str]:
        data = self.data if self.is_bound else {}
        return {
            str(lesson.pk): data.get(f"pos_{lesson.pk}", "")
            for lesson in self.fields["lessons"].queryset
        }

    def ordered_lessons(self) -> list[Lesson]:
        """The chosen lessons, in the order of their position boxes (then library order)."""
        chosen = list(self.cleaned_data.get("lessons") or [])
        library = {lesson.pk: i for i, lesson in enumerate(self.fields["lessons"].queryset)}

        def key(lesson):
            raw = (self.data.get(f"pos_{lesson.pk}") or "").strip()
            number = int(raw) if raw.isdigit() else 10_000
            return (number, library.get(lesson.pk, 0))

        return sorted(chosen, key=key)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "description": d.get("description", ""),
            "lessons": self.ordered_lessons(),
            "units": list(d.get("units") or []),
            "include_subunits": bool(d.get("include_subunits")),
            "audiences": list(d.get("audiences") or []),
            "starts_on": d["starts_on"],
            "deadline": d["deadline"],
            "reminder_days": d["reminder_days"],
        }


class ClassGroupForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Hãy chọn một đơn vị của bạn trong đợt học.")},
    )
    name = forms.CharField(
        label=_("Tên lớp"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "10A1"}),
        error_messages={"required": _("Hãy nhập tên lớp, ví dụ 10A1.")},
    )
    expected_students = forms.IntegerField(
        label=_("Sĩ số (không bắt buộc)"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("Để tính tỉ lệ hoàn thành của lớp; để trống thì tính theo số em đã tham gia."),
        error_messages={
            "min_value": _("Sĩ số phải từ 1 đến 200."),
            "max_value": _("Sĩ số phải từ 1 đến 200."),
            "invalid": _("Hãy nhập một số nguyên."),
        },
    )

    def __init__(self, *args, units_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_qs
        self.fields["unit"].label_from_instance = lambda u: u.name


class ClassSizeForm(forms.Form):
    expected_students = ClassGroupForm.base_fields["expected_students"]


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tham gia"),
        max_length=20,
        error_messages={"required": _("Hãy nhập mã tham gia thầy cô đã cho.")},
        widget=forms.TextInput(
            attrs={
                "placeholder": "K7QM-4RTX",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "join-code-input",
            }
        ),
    )
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=NAME_MAX + 40,
        strip=True,
        error_messages={"required": _("Hãy nhập họ và tên của em.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": str(NAME_MAX)}),
    )
