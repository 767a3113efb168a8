from django.urls import path

from . import views

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/export/", views.unit_export, name="unit_export"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/retire/", views.unit_retire, name="unit_retire"),
    path("people/", views.user_list, name="user_list"),
    path("people/new/", views.user_create, name="user_create"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("people/<int:pk>/roles/", views.role_assign, name="role_assign"),
    path("people/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("people/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("people/<int:pk>/reset-2fa/", views.user_reset_2fa, name="user_reset_2fa"),
    path("people/roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
]
