from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "lachan.web"
    label = "web"
    verbose_name = _("Giao diện")

    def ready(self) -> None:
        from lachan.celery import app  # noqa: F401 - make shared_task bind to our app
