"""The review queue of scam reports (``/bao-cao-lua-dao/``).

Department officers see every report and act on it (approve with the indicators they
confirm, reject with a reason, start a case); a unit's IT officer and head see the reports
of their units, read-only. A report the user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lachan.org.selectors import is_department_staff, roles_of
from lachan.org.selectors import visible_units as org_visible_units

from .. import checking, selectors, services
from ..forms import CaseForm, IndicatorFormSet, RejectForm, ReportFilterForm
from ..models import IndicatorKind, ReportStatus, ScamReport, ScamReportImage
from ..presentation import account_digits, result_context, stored_result_context
from ..selectors import UNIT_READER_ROLES
from ..services.reports import department_unit
from ..uploads import EXTENSIONS

PAGE_SIZE = 50


def _require_reader(user) -> None:
    if not (is_department_staff(user) or roles_of(user) & set(UNIT_READER_ROLES)):
        raise PermissionDenied


def _report_or_404(user, pk: int) -> ScamReport:
    try:
        return selectors.get_report(user, pk)
    except ScamReport.DoesNotExist:
        raise Http404 from None


@require_GET
def scam_report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_reader(user)
    form = ReportFilterForm(request.GET or None)
    reports = selectors.search_reports(user, **form.filters())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav_section": "scam_reports",
        "form": form,
        "page": page,
        "counts": selectors.status_counts(user),
        "is_department": is_department_staff(user),
    }
    return render(request, "scams/report_list.html", context)


def _initial_indicators(report: ScamReport) -> list[dict]:
    rows = [{"use": True, "kind": "phone", "value": v} for v in report.phones]
    rows += [{"use": True, "kind": "account", "value": account_digits(v)} for v in report.accounts]
    rows += [{"use": True, "kind": "url", "value": v} for v in report.links]
    return rows


def _case_units(user):
    return org_visible_units(user).filter(is_active=True).order_by("path")


def _detail_context(request, report: ScamReport, **forms) -> dict:
    user = request.user
    department = is_department_staff(user)
    subject = report.checked_text or "\n".join(
        [report.description, *report.phones, *report.accounts, *report.links]
    )
    context = {
        "nav_section": "scam_reports",
        "report": report,
        "images": list(report.images.all()),
        "stored": stored_result_context(report.check_result),
        "fresh": result_context(subject, checking.check(subject[:5000])),
        "is_department": department,
        "approved": [
            (
                IndicatorKind(item["kind"]).label
                if item.get("kind") in IndicatorKind.values
                else item.get("kind"),
                item.get("value"),
            )
            for item in report.approved_indicators or []
        ],
    }
    if department and report.status == ReportStatus.NEW:
        context["formset"] = forms.get("formset") or IndicatorFormSet(
            prefix="ind", initial=_initial_indicators(report)
        )
        context["reject_form"] = forms.get("reject_form") or RejectForm()
    if department and report.status != ReportStatus.REJECTED and report.task_id is None:
        default = report.unit if report.unit_id else department_unit()
        context["case_form"] = forms.get("case_form") or CaseForm(
            units=_case_units(user), initial={"unit": default.pk if default else None}
        )
    return context


@require_GET
def scam_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request.user, pk)
    return render(request, "scams/report_detail.html", _detail_context(request, report))


def _department_report(request, pk: int) -> ScamReport:
    report = _report_or_404(request.user, pk)
    if not is_department_staff(request.user):
        raise PermissionDenied
    return report


@require_POST
def scam_report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = _department_report(request, pk)
    formset = IndicatorFormSet(request.POST, prefix="ind")
    if formset.is_valid():
        chosen = [
            (f.cleaned_data["kind"], f.cleaned_data["value"])
            for f in formset.forms
            if f.cleaned_data.get("use") and (f.cleaned_data.get("value") or "").strip()
        ]
        try:
            services.approve_report(
                actor=request.user,
                report=report,
                indicators=chosen,
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            context = _detail_context(request, report, formset=formset)
            return render(request, "scams/report_detail.html", context, status=422)
        messages.success(
            request,
            _("Đã xác minh báo cáo %(ref)s; %(n)d dấu hiệu được đưa vào danh sách chặn.")
            % {"ref": report.reference, "n": len(chosen)},
        )
        return redirect("scam_report_detail", pk=report.pk)
    context = _detail_context(request, report, formset=formset)
    return render(request, "scams/report_detail.html", context, status=422)


@require_POST
def scam_report_reject(request: HttpRequest, pk: int) -> HttpResponse:
    report = _department_report(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject_report(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Đã ghi nhận: không xác nhận báo cáo %(ref)s.") % {"ref": report.reference},
            )
        return redirect("scam_report_detail", pk=report.pk)
    context = _detail_context(request, report, reject_form=form)
    return render(request, "scams/report_detail.html", context, status=422)


@require_POST
def scam_report_start_case(request: HttpRequest, pk: int) -> HttpResponse:
    report = _department_report(request, pk)
    form = CaseForm(request.POST, units=_case_units(request.user))
    if form.is_valid():
        try:
            report = services.start_case(
                actor=request.user, report=report, unit=form.cleaned_data["unit"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Đã tạo vụ việc: giao việc xử lý cho %(unit)s.") % {"unit": report.task.unit},
            )
        return redirect("scam_report_detail", pk=report.pk)
    context = _detail_context(request, report, case_form=form)
    return render(request, "scams/report_detail.html", context, status=422)


@require_GET
def scam_report_image(request: HttpRequest, pk: int) -> HttpResponse:
    """One screenshot, only for someone who may see its report; never from MEDIA_URL."""
    try:
        image = selectors.get_image(request.user, pk)
    except ScamReportImage.DoesNotExist:
        raise Http404 from None
    try:
        handle = image.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=image.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{image.sha256[:16]}.{EXTENSIONS.get(image.content_type, "bin")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
