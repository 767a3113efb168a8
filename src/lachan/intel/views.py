"""Pages of the botnet IP lists: the lists, import, a list's rows, name matches waiting for
confirmation, a period's results per unit, exports and the official documents.

Reads go through ``intel.selectors`` (a unit's people see only the lists with rows attributed
to their units, and only those rows), writes through ``intel.services``. A list, period or
unit the user may not see is a 404; a Department action asked by anyone else is a 403.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.importing import export_table
from lachan.org.models import Unit
from lachan.org.selectors import get_unit
from lachan.web.importing import EXPORT_TYPES, export_format, export_response, unsupported_format

from . import selectors, services
from .forms import BotnetImportForm, PeriodFilterForm, RowFilterForm
from .models import BotnetList, BotnetListRow

PAGE_SIZE = 100
DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": EXPORT_TYPES["xlsx"],
}
ROW_HEADERS = {  # the XLSX header; CSV and JSON keep the keys of ``lachan botnet matches``
    "row": gettext_lazy("Dòng"),
    "ip": gettext_lazy("Địa chỉ IP"),
    "seen_at": gettext_lazy("Thời gian ghi nhận"),
    "malware": gettext_lazy("Mã độc"),
    "isp": gettext_lazy("Nhà mạng"),
    "subscriber": gettext_lazy("Tên thuê bao"),
    "unit_code": gettext_lazy("Mã đơn vị"),
    "method": gettext_lazy("Cách xác định"),
    "score": gettext_lazy("Điểm"),
    "prefix": gettext_lazy("Dải địa chỉ"),
}


# --- helpers ----------------------------------------------------------------------------------


def _partial(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _require_department(user) -> None:
    if not selectors.sees_every_list(user):
        raise PermissionDenied


def _list_or_404(user, pk: int) -> BotnetList:
    try:
        return selectors.get_list(user, pk)
    except BotnetList.DoesNotExist:
        raise Http404 from None


def _period_or_404(user, period: dt.date) -> dt.date:
    if not selectors.period_is_visible(user, period):
        raise Http404
    return period


def _unit_or_404(user, pk: int) -> Unit:
    try:
        return get_unit(user, pk=pk)
    except Unit.DoesNotExist:
        raise Http404 from None


def _download(data: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_part(text: str) -> str:
    """A unit code as a safe part of a file name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "don-vi"


# --- lists ------------------------------------------------------------------------------------


@require_GET
def botnet_list_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PeriodFilterForm(request.GET or None, periods=selectors.periods(user))
    lists = selectors.visible_lists(user).select_related("imported_by")
    selected = form.selected()
    if selected is not None:
        lists = lists.filter(period=selected)
    lists = list(lists.order_by("-period", "-imported_at", "-pk"))
    summaries = selectors.list_summaries(user, lists)
    for item in lists:
        item.counts = summaries[item.pk]
    groups = [
        {"period": period, "lists": list(items)}
        for period, items in groupby(lists, key=lambda item: item.period)
    ]
    sees_all = selectors.sees_every_list(user)
    context = {
        "nav_section": "botnet",
        "form": form,
        "groups": groups,
        "sees_all": sees_all,
        "pending_names": selectors.name_matches_to_confirm(user).count() if sees_all else 0,
    }
    return render(request, "intel/list_index.html", context)


@require_http_methods(["GET", "POST"])
def botnet_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department(user)
    form = BotnetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.import_botnet_list(actor=user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(request, _import_message(stored))
            return redirect("botnet_list_detail", pk=stored.pk)
    return render(request, "intel/import.html", {"nav_section": "botnet", "form": form})


def _import_message(stored: BotnetList) -> str:
    return _(
        "Đã nhập danh sách %(file)s (kỳ tháng %(period)s): %(read)d dòng đã đọc, "
        "%(prefix)d xác định theo dải địa chỉ, %(name)d theo tên thuê bao (chờ xác nhận), "
        "%(unmatched)d chưa xác định được đơn vị, %(rejected)d dòng bị loại."
    ) % {
        "file": stored.filename,
        "period": f"{stored.period:%m/%Y}",
        "read": stored.rows_read,
        "prefix": stored.matched_prefix,
        "name": stored.matched_name,
        "unmatched": stored.unmatched,
        "rejected": stored.rows_rejected,
    }


@require_GET
def botnet_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    botnet_list = _list_or_404(user, pk)
    sees_all = selectors.sees_every_list(user)
    tab = request.GET.get("tab", "rows")
    if tab not in ("rows", "units", "rejected") or (tab == "rejected" and not sees_all):
        tab = "rows"
    context = {
        "nav_section": "botnet",
        "botnet_list": botnet_list,
        "counts": selectors.list_summaries(user, [botnet_list])[botnet_list.pk],
        "sees_all": sees_all,
        "tab": tab,
        "many_sheets": selectors.list_has_sheets(botnet_list),
        "pending_names": (
            selectors.name_matches_to_confirm(user).filter(botnet_list=botnet_list).count()
        ),
    }
    if tab == "rows":
        form = RowFilterForm(request.GET or None, unmatched=sees_all)
        rows = selectors.list_rows(user, botnet_list, **form.selector_kwargs())
        context["form"] = form
        context["page"] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        if _partial(request):
            response = render(request, "intel/_row_results.html", context)
            patch_vary_headers(response, ("HX-Request",))
            return response
    elif tab == "rejected":
        rejections = selectors.rejections_of_list(user, botnet_list)
        context["page"] = Paginator(rejections, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        context["months"] = selectors.units_for_period(user, botnet_list.period)
        context["period"] = botnet_list.period
    response = render(request, "intel/list_detail.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- name matches -----------------------------------------------------------------------------


@require_GET
def botnet_name_review(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_department(user)
    rows = selectors.name_matches_to_confirm(user).order_by(
        "-botnet_list__period", "botnet_list_id", "sheet", "row", "pk"
    )
    context = {
        "nav_section": "botnet",
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "intel/name_review.html", context)


@require_POST
def botnet_confirm_name(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_department(user)
    try:
        row = selectors.get_row(user, pk)
    except BotnetListRow.DoesNotExist:
        raise Http404 from None
    error = ""
    try:
        row = services.confirm_name_match(actor=user, row=row)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if _partial(request):
        context = {"r": row, "error": error, "task": selectors.task_of_row(user, row)}
        return render(request, "intel/_name_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _confirmed_message(row))
    return redirect("botnet_name_review")


def _confirmed_message(row: BotnetListRow) -> str:
    return _(
        "Đã xác nhận địa chỉ %(ip)s thuộc %(unit)s; tên “%(name)s” được thêm vào tên gọi khác "
        "của đơn vị."
    ) % {"ip": row.ip, "unit": row.unit.display_name, "name": row.subscriber}


# --- periods ----------------------------------------------------------------------------------


@require_GET
def botnet_period(request: HttpRequest, period: dt.date) -> HttpResponse:
    user = request.user
    _period_or_404(user, period)
    lists = list(selectors.lists_for_period(user, period).order_by("imported_at", "pk"))
    summaries = selectors.list_summaries(user, lists)
    for item in lists:
        item.counts = summaries[item.pk]
    visible = selectors.periods(user)
    older = [p for p in visible if p < period]
    newer = [p for p in visible if p > period]
    context = {
        "nav_section": "botnet",
        "period": period,
        "summary": selectors.summary_for_period(user, period),
        "lists": lists,
        "months": selectors.units_for_period(user, period),
        "sees_all": selectors.sees_every_list(user),
        "previous": older[0] if older else None,
        "next": newer[-1] if newer else None,
    }
    return render(request, "intel/period.html", context)


@require_GET
def botnet_period_export(request: HttpRequest, period: dt.date) -> HttpResponse:
    """The period's rows the user may see, as ``lachan botnet matches`` writes them."""
    user = request.user
    _period_or_404(user, period)
    fmt = export_format(request)
    if fmt is None:
        return unsupported_format()
    rows = selectors.matches_for_period(user, period)
    columns = list(selectors.ROW_KEYS)
    headers = [str(ROW_HEADERS[c]) for c in columns] if fmt == "xlsx" else None
    data = export_table(rows, columns, fmt, headers=headers, sheet_title=_("Kết quả đối chiếu"))
    return export_response(data, fmt=fmt, basename=f"ket-qua-botnet-{period:%Y-%m}")


def _document(request: HttpRequest, period: dt.date, build, *, fmt: str, filename: str):
    """Render an official document (or the summary workbook); nothing to report (no root
    unit, no address of the unit) is a message on the period's page, not an error page."""
    from lachan.documents.render import render_docx, render_pdf
    from lachan.intel.reports import NothingToReport

    try:
        made = build()
        if fmt == "docx":
            made = render_docx(made)
        elif fmt == "pdf":
            made = render_pdf(made)
    except NothingToReport as exc:
        messages.error(request, str(exc))
        return redirect("botnet_period", period=period)
    return _download(made, fmt=fmt, filename=filename)


@require_GET
def botnet_unit_notice(request: HttpRequest, period: dt.date, unit_pk: int, fmt: str):
    """The notice to one unit: the Department for any unit, a unit's people for theirs."""
    user = request.user
    if fmt not in ("docx", "pdf"):
        raise Http404
    unit = _unit_or_404(user, unit_pk)
    if selectors.unit_month(user, unit, period) is None:
        raise Http404
    from lachan.intel import reports

    return _document(
        request,
        period,
        partial(reports.unit_notice, unit=unit, period=period),
        fmt=fmt,
        filename=f"thong-bao-botnet-{period:%Y-%m}-{_file_part(unit.code)}.{fmt}",
    )


@require_GET
def botnet_summary(request: HttpRequest, period: dt.date, fmt: str) -> HttpResponse:
    """The province summary of the period (Department only): DOCX, PDF or its workbook."""
    user = request.user
    if fmt not in DOCUMENT_TYPES:
        raise Http404
    _require_department(user)
    _period_or_404(user, period)
    from lachan.intel import reports

    make = reports.province_summary_xlsx if fmt == "xlsx" else reports.province_summary
    return _document(
        request,
        period,
        partial(make, period=period),
        fmt=fmt,
        filename=f"tong-hop-botnet-{period:%Y-%m}.{fmt}",
    )
