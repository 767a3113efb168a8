from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScamsConfig(AppConfig):
    name = "lachan.scams"
    label = "scams"
    verbose_name = _("Kiểm tra và báo cáo lừa đảo")
