"""Forms of the lesson library, lesson editing and the question bank (parsing only: the rules
live in ``services.lessons``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .lesson_images import MAX_IMAGE_BYTES
from .models import Audience, QuestionKind, Topic
from .services.lessons import ChoiceData

CHOICE_ROWS = 6


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm bài học"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Ví dụ: mã OTP, học bổng")}
        ),
    )
    audience = forms.ChoiceField(
        label=_("Dành cho"), required=False, choices=[("", _("Mọi đối tượng")), *Audience.choices]
    )
    topic = forms.ChoiceField(
        label=_("Chủ đề"), required=False, choices=[("", _("Mọi chủ đề")), *Topic.choices]
    )

    def value(self, name: str) -> str:
        if self.is_valid():
            return self.cleaned_data.get(name) or ""
        return ""


class ManageFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("active", _("Đang sử dụng")), ("inactive", _("Đang tắt"))],
    )


class LessonForm(forms.Form):
    """A lesson's text and settings; ``slug`` only when creating."""

    slug = forms.CharField(
        label=_("Mã bài học (dùng trong đường dẫn)"),
        max_length=80,
        help_text=_("Chữ thường không dấu, số và dấu gạch ngang, ví dụ: mat-khau-manh."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    summary = forms.CharField(
        label=_("Tóm tắt"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Một câu giới thiệu hiện trong thư viện bài học."),
    )
    topic = forms.ChoiceField(label=_("Chủ đề"), choices=Topic.choices)
    audiences = forms.MultipleChoiceField(
        label=_("Dành cho"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.IntegerField(label=_("Thời lượng (phút)"), min_value=1, max_value=120)
    pass_mark = forms.IntegerField(label=_("Điểm đạt (%)"), min_value=1, max_value=100)
    questions_per_attempt = forms.IntegerField(
        label=_("Số câu mỗi lần làm"),
        min_value=0,
        max_value=100,
        help_text=_("0 = dùng tất cả câu hỏi đang sử dụng."),
    )
    body = forms.CharField(
        label=_("Nội dung (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 22, "class": "lesson-source", "spellcheck": "true"}),
        help_text=_(
            "Tiêu đề mục: ## hoặc ###; danh sách: - hoặc 1.; chữ đậm: **…**; khung ghi nhớ: "
            "dòng bắt đầu bằng >; ảnh: ![mô tả](images/ten-anh.svg). Không dùng HTML."
        ),
    )
    note = forms.CharField(
        label=_("Ghi chú thay đổi"),
        required=False,
        max_length=255,
        help_text=_("Ví dụ: cập nhật số tiền trong câu chuyện, sửa lỗi chính tả."),
    )

    def __init__(self, *args, creating: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]


class ImageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp ảnh"),
        help_text=_("SVG, PNG, JPEG hoặc WebP, tối đa 2 MB. Ảnh trùng tên sẽ thay ảnh cũ."),
    )
    name = forms.CharField(
        label=_("Tên tệp trong bài"),
        required=False,
        max_length=120,
        help_text=_(
            "Để trống để dùng tên tệp tải lên (chữ thường không dấu), ví dụ: tin-nhan-1.svg."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("%(name)s: ảnh lớn hơn 2 MB.") % {"name": upload.name})
        return upload

    def image_name(self) -> str:
        return (self.cleaned_data.get("name") or self.cleaned_data["file"].name).strip().lower()


class QuestionForm(forms.Form):
    """A question with up to ``CHOICE_ROWS`` choices (empty rows are ignored)."""

    key = forms.CharField(
        label=_("Mã câu hỏi"),
        required=False,
        max_length=40,
        help_text=_("Để trống để tự đặt (q01, q02…)."),
    )
    kind = forms.ChoiceField(label=_("Loại câu hỏi"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 3}))
    image_name = forms.ChoiceField(
        label=_("Hình ảnh"),
        required=False,
        help_text=_("Bắt buộc với câu tình huống: ảnh tin nhắn, trang web… của bài học."),
    )
    explanation = forms.CharField(
        label=_("Giải thích"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hiện sau khi trả lời: vì sao đáp án đúng là đúng."),
    )

    def __init__(self, *args, image_names: list[str], creating: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["key"]
        self.fields["image_name"].choices = [("", _("(không có)"))] + [(n, n) for n in image_names]
        for i in range(1, CHOICE_ROWS + 1):
            self.fields[f"choice_{i}"] = forms.CharField(
                label=_("Đáp án %(n)s") % {"n": i}, required=False, max_length=500
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(label=_("Đúng"), required=False)

    @staticmethod
    def initial_for(question) -> dict:
        data = {
            "kind": question.kind,
            "text": question.text,
            "image_name": question.image_name,
            "explanation": question.explanation,
        }
        for i, choice in enumerate(question.choices.all()[:CHOICE_ROWS], start=1):
            data[f"choice_{i}"] = choice.text
            data[f"correct_{i}"] = choice.is_correct
        return data

    def choice_rows(self) -> list[tuple]:
        return [(self[f"choice_{i}"], self[f"correct_{i}"]) for i in range(1, CHOICE_ROWS + 1)]

    def choices(self) -> list[ChoiceData]:
        """The filled choice rows; a "right" tick on an empty row is an error, not dropped."""
        out = []
        for i in range(1, CHOICE_ROWS + 1):
            text = (self.cleaned_data.get(f"choice_{i}") or "").strip()
            correct = bool(self.cleaned_data.get(f"correct_{i}"))
            if text:
                out.append(ChoiceData(text, correct))
            elif correct:
                self.add_error(
                    f"choice_{i}", _("Đáp án được đánh dấu đúng nhưng chưa có nội dung.")
                )
        return out
