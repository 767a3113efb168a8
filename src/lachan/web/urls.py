from django.contrib import admin
from django.urls import include, path

from lachan.api.urls import api

urlpatterns = [
    path("", include("lachan.web.site_urls")),
    path("", include("lachan.org.urls")),
    path("", include("lachan.remediation.urls")),
    path("", include("lachan.assets.urls")),
    path("", include("lachan.intel.urls")),
    path("", include("lachan.audit.urls")),
    path("", include("lachan.awareness.urls")),
    path("", include("lachan.scams.urls")),
    path("", include("lachan.drills.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
