import datetime as dt

from django.urls import path, register_converter

from . import views


class PeriodConverter:
    """A period in a URL: "2026-11" ↔ the first day of the month."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(f"{value}-01")  # ValueError (month 13): no match, a 404

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(PeriodConverter, "period")

urlpatterns = [
    path("botnet/", views.botnet_list_index, name="botnet_list_index"),
    path("botnet/import/", views.botnet_import, name="botnet_import"),
    path("botnet/lists/<int:pk>/", views.botnet_list_detail, name="botnet_list_detail"),
    path("botnet/review/", views.botnet_name_review, name="botnet_name_review"),
    path("botnet/rows/<int:pk>/confirm/", views.botnet_confirm_name, name="botnet_confirm_name"),
    path("botnet/periods/<period:period>/", views.botnet_period, name="botnet_period"),
    path(
        "botnet/periods/<period:period>/export/",
        views.botnet_period_export,
        name="botnet_period_export",
    ),
    path(
        "botnet/periods/<period:period>/units/<int:unit_pk>/notice.<str:fmt>",
        views.botnet_unit_notice,
        name="botnet_unit_notice",
    ),
    path(
        "botnet/periods/<period:period>/summary.<str:fmt>",
        views.botnet_summary,
        name="botnet_summary",
    ),
]
