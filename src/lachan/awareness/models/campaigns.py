"""Campaigns, class groups with join codes, learners, attempts, progress and certificates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .lessons import Lesson, LessonVersion


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    ACTIVE = "active", _("Đang triển khai")
    CLOSED = "closed", _("Đã kết thúc")


class Campaign(models.Model):
    """The Department assigns lessons to units (and their sub-units) and audiences, by a deadline."""

    title = models.CharField(_("tên đợt học"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    # Audience values (``Audience``): staff accounts and/or students joining by class code.
    audiences = models.JSONField(_("đối tượng"), default=list, blank=True)
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("đơn vị tham gia"), related_name="awareness_campaigns"
    )
    include_subunits = models.BooleanField(_("gồm cả đơn vị cấp dưới"), default=True)
    lessons = models.ManyToManyField(
        Lesson, through="CampaignLesson", verbose_name=_("bài học"), related_name="campaigns"
    )
    starts_on = models.DateField(_("ngày bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Reminders go this many days before the deadline (and once on the day before).
    reminder_days = models.PositiveSmallIntegerField(_("nhắc trước hạn (ngày)"), default=3)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đợt học")
        verbose_name_plural = _("đợt học")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class CampaignLesson(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_lessons"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "lesson"],
                name="awareness_campaign_lesson_unique",
                violation_error_message=_("Bài học đã có trong đợt học."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.lesson_id}"


class ClassGroup(models.Model):
    """A class of a unit in a campaign; students join it with ``join_code``, no account needed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="class_groups")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("lớp"), max_length=40)
    join_code = models.CharField(_("mã tham gia"), max_length=16, unique=True)
    is_open = models.BooleanField(_("đang nhận học sinh"), default=True)
    # Class size as the unit states it: the denominator of the class's completion rate.
    expected_students = models.PositiveSmallIntegerField(_("sĩ số"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lớp học")
        verbose_name_plural = _("lớp học")
        ordering = ["campaign", "unit", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "name"],
                name="awareness_class_unique_name",
                violation_error_message=_("Đơn vị đã có lớp này trong đợt học."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class LearnerKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ, giáo viên")
    STUDENT = "student", _("Học sinh")


class Learner(models.Model):
    """Someone who takes lessons: a staff account, or a student who joined a class by code.

    A student is known only by the name and class they typed (no other personal data); the
    browser keeps ``session_key_hash``'s secret in its session so they can come back.
    """

    kind = models.CharField(_("loại"), max_length=10, choices=LearnerKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="awareness_learners",
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    class_group = models.ForeignKey(
        ClassGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="learners"
    )
    name = models.CharField(_("họ và tên"), max_length=120)
    # SHA-256 of the secret a student's browser holds (students only).
    secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người học")
        verbose_name_plural = _("người học")
        ordering = ["unit", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(user__isnull=False),
                name="awareness_learner_one_per_user",
            ),
            models.CheckConstraint(
                condition=Q(kind="staff", user__isnull=False)
                | Q(kind="student", user__isnull=True, class_group__isnull=False),
                name="awareness_learner_kind_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Attempt(models.Model):
    """One go at a lesson's quiz: the questions drawn (in their shuffled order) and the answers."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="attempts")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    version = models.ForeignKey(LessonVersion, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    # [question_id, ...] in the order shown; {question_id: [choice_id, ...]} in the order shown.
    question_order = models.JSONField(default=list)
    choice_order = models.JSONField(default=dict)
    # {question_id: [chosen choice_id, ...]} and a snapshot {question_id: {"correct": bool, ...}}.
    answers = models.JSONField(default=dict, blank=True)
    results = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("điểm (%)"), default=0)
    passed = models.BooleanField(_("đạt"), default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt làm bài")
        verbose_name_plural = _("lượt làm bài")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.learner_id}:{self.lesson_id} {self.score}%"


class Progress(models.Model):
    """Where a learner stands on one lesson of one campaign (or outside any campaign)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="progress")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    passed_at = models.DateTimeField(_("đạt lúc"), null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(_("điểm cao nhất (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("số lần làm bài"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tiến độ học")
        verbose_name_plural = _("tiến độ học")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "campaign", "lesson"],
                condition=Q(campaign__isnull=False),
                name="awareness_progress_unique_in_campaign",
            ),
            models.UniqueConstraint(
                fields=["learner", "lesson"],
                condition=Q(campaign__isnull=True),
                name="awareness_progress_unique_free",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}:{self.lesson_id}"


class Certificate(models.Model):
    """Issued when a learner has passed every lesson of a campaign."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="certificates")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="certificates")
    number = models.CharField(_("số chứng nhận"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("ngày cấp"), auto_now_add=True)

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "campaign"], name="awareness_certificate_one_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return self.number
