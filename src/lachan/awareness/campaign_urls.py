"""Pages of campaigns, classes, the student join page, "my learning" and certificates."""

from django.urls import path

from . import campaign_views as views

urlpatterns = [
    path("dot-hoc/", views.campaign_list, name="awareness_campaign_list"),
    path("dot-hoc/moi/", views.campaign_create, name="awareness_campaign_create"),
    path("dot-hoc/<int:pk>/", views.campaign_detail, name="awareness_campaign_detail"),
    path("dot-hoc/<int:pk>/sua/", views.campaign_edit, name="awareness_campaign_edit"),
    path(
        "dot-hoc/<int:pk>/trang-thai/<str:action>/",
        views.campaign_transition,
        name="awareness_campaign_transition",
    ),
    path(
        "dot-hoc/<int:pk>/tong-hop/", views.campaign_dashboard, name="awareness_campaign_dashboard"
    ),
    path(
        "dot-hoc/<int:pk>/tong-hop.xlsx",
        views.campaign_export,
        name="awareness_campaign_export",
    ),
    path("dot-hoc/<int:pk>/lop/moi/", views.class_create, name="awareness_class_create"),
    path("lop-hoc/<int:pk>/", views.class_detail, name="awareness_class_detail"),
    path("lop-hoc/<int:pk>/doi-ma/", views.class_regenerate, name="awareness_class_regenerate"),
    path("lop-hoc/<int:pk>/dong-mo/", views.class_toggle, name="awareness_class_toggle"),
    path("lop-hoc/<int:pk>/si-so/", views.class_update, name="awareness_class_update"),
    path("lop-hoc/<int:pk>/phieu/", views.class_sheet, name="awareness_class_sheet"),
    path("tham-gia/", views.join, name="awareness_join"),
    path("hoc/", views.my_learning, name="awareness_my_learning"),
    path("hoc/thoat/", views.leave, name="awareness_leave"),
    path("chung-nhan/<int:pk>/", views.certificate, name="awareness_certificate"),
]
