from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "lachan.drills"
    label = "drills"
    verbose_name = _("Diễn tập thư lừa đảo")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from lachan.awareness.signals import lesson_passed
        from lachan.notifications.selectors import register_listing_exclusion

        from . import services
        from .selectors import hide_unfinished_drill_mail

        lesson_passed.connect(services.on_lesson_passed, dispatch_uid="drills.lesson_passed")
        register_listing_exclusion(hide_unfinished_drill_mail)
        post_migrate.connect(_builtin_templates, sender=self, dispatch_uid="drills.builtin")


def _builtin_templates(sender, **kwargs) -> None:
    from .services import ensure_builtin_templates

    using = kwargs.get("using")
    if using not in (None, "default"):
        return
    ensure_builtin_templates()
