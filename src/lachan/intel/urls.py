import datetime as dt

from django.urls import path, register_converter

from . import views, vuln_views


class PeriodConverter:
    """A period in a URL: "2026-11" ↔ the first day of the month."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(f"{value}-01")  # ValueError (month 13): no match, a 404

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(PeriodConverter, "period")


class RecordIdConverter:
    """A vulnerability record id: "CVE-2021-41773", "ADV-12" (always a dash, so the fixed
    pages beside it — "exposure", "feeds", "policy" — never read as one)."""

    regex = r"[A-Za-z]+-[0-9A-Za-z._-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordIdConverter, "record_id")

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
    # --- vulnerabilities ---------------------------------------------------------------------
    path("vulnerabilities/", vuln_views.vuln_list, name="vuln_list"),
    path(
        "vulnerabilities/exposure/",
        vuln_views.vuln_exposure_dashboard,
        name="vuln_exposure_dashboard",
    ),
    path(
        "vulnerabilities/exposure/export/",
        vuln_views.vuln_exposure_export,
        name="vuln_exposure_export",
    ),
    path("vulnerabilities/feeds/", vuln_views.vuln_feeds, name="vuln_feeds"),
    path("vulnerabilities/feeds/rematch/", vuln_views.vuln_rematch, name="vuln_rematch"),
    path("vulnerabilities/policy/", vuln_views.vuln_policy, name="vuln_policy"),
    path("vulnerabilities/<record_id:record_id>/", vuln_views.vuln_detail, name="vuln_detail"),
    path(
        "vulnerabilities/<record_id:record_id>/summary/",
        vuln_views.vuln_summary_edit,
        name="vuln_summary_edit",
    ),
    path(
        "units/<int:pk>/vulnerabilities/",
        vuln_views.vuln_unit_exposure,
        name="vuln_unit_exposure",
    ),
    path("advisories/", vuln_views.advisory_list, name="advisory_list"),
    path("advisories/new/", vuln_views.advisory_create, name="advisory_create"),
    path("advisories/<int:pk>/", vuln_views.advisory_detail, name="advisory_detail"),
    path("advisories/<int:pk>/edit/", vuln_views.advisory_edit, name="advisory_edit"),
    path("software-aliases/", vuln_views.software_alias_list, name="software_alias_list"),
    path("software-aliases/new/", vuln_views.software_alias_create, name="software_alias_create"),
    path("software-aliases/try/", vuln_views.software_alias_try, name="software_alias_try"),
    path(
        "software-aliases/<int:pk>/delete/",
        vuln_views.software_alias_delete,
        name="software_alias_delete",
    ),
]
