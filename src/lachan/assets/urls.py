from django.urls import path

from . import views

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/import/", views.network_import, name="network_import"),
    path("networks/export/", views.network_export, name="network_export"),
    path("networks/<int:pk>/edit/", views.network_edit, name="network_edit"),
    path("networks/<int:pk>/delete/", views.network_delete, name="network_delete"),
]
