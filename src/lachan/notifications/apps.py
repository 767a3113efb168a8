from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "lachan.notifications"
    label = "notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # Make the one Celery app the current app in every process (web, CLI, tests), so that
        # ``deliver_notifications.delay`` uses its broker and not Celery's default one.
        import lachan.celery  # noqa: F401
