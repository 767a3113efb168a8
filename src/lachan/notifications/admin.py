from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, NotificationStatus
from .services import deliver


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only; failed rows can be sent again."""

    list_display = [
        "created_at",
        "event",
        "channel",
        "recipient",
        "subject",
        "unit",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient", "subject", "object_id"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại các thông báo chưa gửi được"))
    def send_again(self, request, queryset):
        rows = list(queryset.exclude(status=NotificationStatus.SENT))
        sent = sum(deliver(n) for n in rows)
        self.message_user(
            request,
            ngettext(
                "Đã gửi lại %(sent)d/%(total)d thông báo.",
                "Đã gửi lại %(sent)d/%(total)d thông báo.",
                len(rows),
            )
            % {"sent": sent, "total": len(rows)},
            messages.SUCCESS if sent == len(rows) else messages.WARNING,
        )
