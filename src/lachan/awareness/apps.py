from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwarenessConfig(AppConfig):
    name = "lachan.awareness"
    label = "awareness"
    verbose_name = _("Nâng cao nhận thức")

    def ready(self) -> None:
        from .services.campaigns import on_lesson_passed
        from .signals import lesson_passed

        # Campaigns: a certificate once every lesson of the campaign is passed.
        lesson_passed.connect(on_lesson_passed, dispatch_uid="awareness.campaign_certificate")
