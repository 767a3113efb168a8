from django.urls import path

from .views import blocklists, public, reports

urlpatterns = [
    # Public: no login needed (see web.middleware.PUBLIC_PREFIXES).
    path("kiem-tra/", public.scam_check, name="scam_check"),
    path("kiem-tra/bao-cao/", public.scam_report_create, name="scam_report_create"),
    path("kiem-tra/bao-cao/da-gui/", public.scam_report_done, name="scam_report_done"),
    # Review queue.
    path("bao-cao-lua-dao/", reports.scam_report_list, name="scam_report_list"),
    path("bao-cao-lua-dao/<int:pk>/", reports.scam_report_detail, name="scam_report_detail"),
    path(
        "bao-cao-lua-dao/<int:pk>/xac-minh/",
        reports.scam_report_approve,
        name="scam_report_approve",
    ),
    path(
        "bao-cao-lua-dao/<int:pk>/khong-xac-nhan/",
        reports.scam_report_reject,
        name="scam_report_reject",
    ),
    path(
        "bao-cao-lua-dao/<int:pk>/tao-vu-viec/",
        reports.scam_report_start_case,
        name="scam_report_start_case",
    ),
    path("bao-cao-lua-dao/anh/<int:pk>/", reports.scam_report_image, name="scam_report_image"),
    # Blocklists.
    path("danh-sach-chan/", blocklists.blocklist_source_list, name="blocklist_source_list"),
    path("danh-sach-chan/nhap/", blocklists.blocklist_import, name="blocklist_import"),
    path("danh-sach-chan/them-muc/", blocklists.blocklist_entry_add, name="blocklist_entry_add"),
    path(
        "danh-sach-chan/<int:pk>/",
        blocklists.blocklist_source_detail,
        name="blocklist_source_detail",
    ),
    path(
        "danh-sach-chan/<int:pk>/bat-tat/",
        blocklists.blocklist_source_toggle,
        name="blocklist_source_toggle",
    ),
    path(
        "danh-sach-chan/muc/<int:pk>/bat-tat/",
        blocklists.blocklist_entry_toggle,
        name="blocklist_entry_toggle",
    ),
]
