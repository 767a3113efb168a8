from django.urls import path

from . import inventory_views, views

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/import/", views.network_import, name="network_import"),
    path("networks/export/", views.network_export, name="network_export"),
    path("networks/<int:pk>/edit/", views.network_edit, name="network_edit"),
    path("networks/<int:pk>/delete/", views.network_delete, name="network_delete"),
    # --- software inventory ----------------------------------------------------------------------
    path("hosts/", inventory_views.host_list, name="host_list"),
    path("hosts/<int:pk>/", inventory_views.host_detail, name="host_detail"),
    path("systems/", inventory_views.system_list, name="system_list"),
    path("inventory/import/", inventory_views.inventory_import, name="inventory_import"),
    path("inventory/export/", inventory_views.inventory_export, name="inventory_export"),
]
