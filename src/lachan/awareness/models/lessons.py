"""Lessons (versioned Markdown), their images and their question banks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    STAFF = "staff", _("Cán bộ, giáo viên, nhân viên")
    STUDENTS = "students", _("Học sinh, học viên")
    PARENTS = "parents", _("Cha mẹ học sinh")


class Topic(models.TextChoices):
    SCAM = "scam", _("Thủ đoạn lừa đảo")
    ACCOUNT = "account", _("Mật khẩu và tài khoản")
    PHISHING = "phishing", _("Thư điện tử lừa đảo")
    FAKE_NEWS = "fake_news", _("Tin giả, thông tin xấu độc")
    DEVICE = "device", _("Thiết bị và tài khoản của nhà trường")
    PRIVACY = "privacy", _("Dữ liệu cá nhân")
    AFTER_SCAM = "after_scam", _("Khi đã bị lừa")


class Lesson(models.Model):
    """A lesson; its text lives in versions, the newest published one is ``current_version``.

    Built-in lessons are loaded from ``awareness/content/lessons/<slug>/`` (``builtin``);
    an officer can edit them or add new ones in the UI — every save is a new version.
    """

    slug = models.SlugField(_("mã bài học"), max_length=80, unique=True)
    topic = models.CharField(_("chủ đề"), max_length=20, choices=Topic.choices)
    audiences = models.JSONField(_("đối tượng"), default=list, blank=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=80)
    # How many questions one attempt draws from the bank (0 = all of them).
    questions_per_attempt = models.PositiveSmallIntegerField(_("số câu mỗi lần làm"), default=0)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    builtin = models.BooleanField(_("bài có sẵn"), default=False)
    # When an officer last changed a built-in lesson's content (text, questions, images): the
    # loader then keeps the officer's content instead of the file's.
    edited_locally_at = models.DateTimeField(_("sửa trên hệ thống lúc"), null=True, blank=True)
    current_version = models.ForeignKey(
        "LessonVersion",
        verbose_name=_("phiên bản hiện hành"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version_id else self.slug


class LessonVersion(models.Model):
    """One saved text of a lesson. Versions are never edited, only added."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    summary = models.CharField(_("tóm tắt"), max_length=500, blank=True)
    body = models.TextField(_("nội dung (Markdown)"))
    minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), default=5)
    note = models.CharField(_("ghi chú thay đổi"), max_length=255, blank=True)
    # SHA-256 of the content file it was loaded from (built-in lessons), to reload only changes.
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản bài học")
        verbose_name_plural = _("phiên bản bài học")
        ordering = ["lesson", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "number"],
                name="awareness_version_unique_number",
                violation_error_message=_("Bài học đã có phiên bản số này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class LessonImage(models.Model):
    """An image of a lesson, referenced from its Markdown and questions by ``name``."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="images")
    name = models.CharField(_("tên tệp"), max_length=120)
    file = models.FileField(_("tệp"), upload_to="awareness/lessons/%Y/")
    content_type = models.CharField(max_length=80, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hình ảnh bài học")
        verbose_name_plural = _("hình ảnh bài học")
        ordering = ["lesson", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "name"],
                name="awareness_image_unique_name",
                violation_error_message=_("Bài học đã có hình ảnh trùng tên."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Chọn một đáp án")
    MULTIPLE = "multiple", _("Chọn nhiều đáp án")
    SCENARIO = "scenario", _("Tình huống (kèm ảnh tin nhắn)")


class Question(models.Model):
    """A question of a lesson's bank. Scenario questions show an image of a message."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("mã câu hỏi"), max_length=40)
    kind = models.CharField(
        _("loại câu hỏi"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("câu hỏi"))
    # Name of a LessonImage of the same lesson (scenario questions).
    image_name = models.CharField(_("hình ảnh"), max_length=120, blank=True)
    explanation = models.TextField(_("giải thích"), blank=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["lesson", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "key"],
                name="awareness_question_unique_key",
                violation_error_message=_("Bài học đã có câu hỏi trùng mã."),
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("đáp án"), max_length=500)
    is_correct = models.BooleanField(_("đúng"), default=False)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("đáp án")
        verbose_name_plural = _("đáp án")
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
