from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lachan.api"
    label = "api"
    verbose_name = "API"
