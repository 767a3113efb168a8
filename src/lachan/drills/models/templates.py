"""E-mail templates of phishing drills: the lure, and what the landing page teaches about it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Where a red flag points in the e-mail shown again on the teaching page.
FLAG_PARTS = {
    "sender": _("Người gửi"),
    "subject": _("Tiêu đề"),
    "body": _("Nội dung"),
    "link": _("Đường link"),
}


class DrillTemplate(models.Model):
    """A simulated phishing e-mail.

    ``subject``, ``body_text`` and ``body_html`` may use the placeholders {ho_ten}, {don_vi},
    {duong_link} and {ngay}. ``red_flags`` is a list of ``{"part": sender|subject|body|link,
    "text": what to notice, "quote": the words of the e-mail it points at (optional)}``.
    """

    key = models.SlugField(_("mã mẫu"), max_length=60, unique=True)
    name = models.CharField(_("tên mẫu"), max_length=160)
    subject = models.CharField(_("tiêu đề thư"), max_length=200)
    sender_name = models.CharField(_("tên người gửi hiển thị"), max_length=120)
    sender_local_part = models.CharField(
        _("địa chỉ gửi (phần trước @)"),
        max_length=64,
        help_text=_("Tên miền gửi luôn là tên miền diễn tập do hệ thống quản lý."),
    )
    body_text = models.TextField(_("nội dung thư (văn bản thuần)"))
    body_html = models.TextField(_("nội dung thư (HTML)"), blank=True)
    link_label = models.CharField(_("chữ trên nút/đường link"), max_length=80, blank=True)
    has_login_form = models.BooleanField(
        _("trang giả có ô đăng nhập"),
        default=False,
        help_text=_("Mật khẩu gõ vào không bao giờ được gửi đi hay lưu lại."),
    )
    lure_title = models.CharField(_("tiêu đề trang giả"), max_length=120, blank=True)
    red_flags = models.JSONField(_("dấu hiệu nhận biết"), default=list, blank=True)
    tips = models.JSONField(_("lời khuyên"), default=list, blank=True)
    builtin = models.BooleanField(_("mẫu có sẵn"), default=False)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu thư diễn tập")
        verbose_name_plural = _("mẫu thư diễn tập")
        ordering = ["-builtin", "name"]

    def __str__(self) -> str:
        return self.name
