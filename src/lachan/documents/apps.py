from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Registered only so the template engine finds ``documents/official.html``."""

    name = "lachan.documents"
    label = "documents"
    verbose_name = "Văn bản"
