"""Pages of phishing drills (Department and units) and the recipients' public routes."""

from django.urls import path, register_converter

from . import tracking_views, views


class TokenConverter:
    """A recipient's token: URL-safe base64, 20–64 characters."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "drilltoken")

urlpatterns = [
    path("dien-tap/", views.drill_list, name="drill_list"),
    path("dien-tap/moi/", views.drill_create, name="drill_create"),
    path("dien-tap/xem-truoc-mau/", views.template_preview, name="drill_template_preview"),
    path("dien-tap/<int:pk>/", views.drill_detail, name="drill_detail"),
    path("dien-tap/<int:pk>/sua/", views.drill_edit, name="drill_edit"),
    path("dien-tap/<int:pk>/nguoi-nhan/", views.drill_recipients, name="drill_recipients"),
    path("dien-tap/<int:pk>/trinh-duyet/", views.drill_submit, name="drill_submit"),
    path("dien-tap/<int:pk>/phe-duyet/", views.drill_approve, name="drill_approve"),
    path("dien-tap/<int:pk>/tra-lai/", views.drill_return, name="drill_return"),
    path("dien-tap/<int:pk>/bat-dau/", views.drill_start, name="drill_start"),
    path("dien-tap/<int:pk>/huy/", views.drill_cancel, name="drill_cancel"),
    path("dien-tap/<int:pk>/ket-thuc/", views.drill_finish, name="drill_finish"),
    path("dien-tap/<int:pk>/ket-qua/", views.drill_results, name="drill_results"),
    path("dien-tap/<int:pk>/ket-qua.xlsx", views.drill_export, name="drill_export"),
    path("dien-tap/mau-thu/", views.template_list, name="drill_template_list"),
    path("dien-tap/mau-thu/moi/", views.template_create, name="drill_template_create"),
    path("dien-tap/mau-thu/<int:pk>/", views.template_detail, name="drill_template_detail"),
    path("dien-tap/mau-thu/<int:pk>/sua/", views.template_edit, name="drill_template_edit"),
    # Public, by token (see tracking_views).
    path("dt/o/<drilltoken:token>.gif", tracking_views.drill_open, name="drill_open"),
    path("dt/c/<drilltoken:token>/", tracking_views.drill_click, name="drill_click"),
    path("dt/l/<drilltoken:token>/", tracking_views.drill_learn, name="drill_learn"),
    # Logged in: any staff member.
    path("dt/bao-cao/", tracking_views.drill_report, name="drill_report"),
]
