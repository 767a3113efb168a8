from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediationConfig(AppConfig):
    name = "lachan.remediation"
    label = "remediation"
    verbose_name = _("Phát hiện và việc cần xử lý")
