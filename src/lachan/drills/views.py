"""Pages of phishing drills for the Department (plan, approve, run, results) and for units
(their own aggregated results once a drill has finished).

Views only parse the request, read through ``selectors`` and write through ``services``.
A drill the user may not see is a 404; an action the user may not take is a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.selectors import is_department_staff, unit_tree

from . import selectors, services
from .charts import funnel_chart, stage_labels
from .forms import DrillForm, ReasonForm, TemplateForm, apply_service_errors
from .models import FLAG_PARTS, FROZEN_STATUSES, Drill, DrillStatus, DrillTemplate
from .rendering import marked_body, render_mail, sample_values, sender_display


def _require_department(request: HttpRequest) -> None:
    if not is_department_staff(request.user):
        raise PermissionDenied


def _managed(request: HttpRequest, pk: int) -> Drill:
    _require_department(request)
    try:
        return selectors.get_managed_drill(request.user, pk)
    except Drill.DoesNotExist:
        raise Http404 from None


def _template_or_404(request: HttpRequest, pk: int) -> DrillTemplate:
    _require_department(request)
    try:
        return selectors.templates_for(request.user).get(pk=pk)
    except DrillTemplate.DoesNotExist:
        raise Http404 from None


def numbered_flags(template: DrillTemplate) -> list[dict[str, Any]]:
    return [
        {**f, "n": i, "part_label": FLAG_PARTS.get(f.get("part", "body"), "")}
        for i, f in enumerate(template.red_flags, start=1)
    ]


def preview_context(template: DrillTemplate, *, when: dt.datetime | None = None) -> dict:
    """The template rendered for a sample recipient, with its red flags marked."""
    when = when or timezone.now()
    link = services.base_url() + "/dt/c/vi-du-ma-rieng-cua-nguoi-nhan/"
    values = sample_values(link=link, date_text=f"{timezone.localtime(when):%d/%m/%Y}")
    mail = render_mail(template, values)
    flags = numbered_flags(template)
    return {
        "mail": mail,
        "sender": sender_display(template),
        "marked": marked_body(template, values, flags),
        "flags": flags,
        "sender_flags": [f["n"] for f in flags if f["part"] == "sender"],
        "subject_flags": [f["n"] for f in flags if f["part"] == "subject"],
    }


# --- list, create, edit -----------------------------------------------------------------------


@require_GET
def drill_list(request: HttpRequest) -> HttpResponse:
    department = is_department_staff(request.user)
    drills = list(selectors.drills_for(request.user)[:200])
    counts = selectors.drill_counts([d.pk for d in drills]) if department else {}
    for d in drills:
        d.counts = counts.get(d.pk, {})
    return render(
        request,
        "drills/drill_list.html",
        {"nav_section": "drills", "drills": drills, "department": department},
    )


def _drill_form(request: HttpRequest, data=None, initial=None) -> DrillForm:
    return DrillForm(data, initial=initial, units=unit_tree(request.user))


@require_http_methods(["GET", "POST"])
def drill_create(request: HttpRequest) -> HttpResponse:
    _require_department(request)
    services.ensure_builtin_templates()
    if request.method == "POST":
        form = _drill_form(request, request.POST)
        if form.is_valid():
            try:
                drill = services.create_drill(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã tạo bản nháp đợt diễn tập."))
                return redirect("drill_detail", pk=drill.pk)
    else:
        start = timezone.localtime() + dt.timedelta(days=1)
        form = _drill_form(
            request,
            initial={
                "starts_at": start.replace(hour=8, minute=0, second=0, microsecond=0),
                "rate_per_minute": 20,
                "include_subunits": True,
            },
        )
    return _form_page(request, form, None)


def _form_page(request: HttpRequest, form: DrillForm, drill: Drill | None) -> HttpResponse:
    template = None
    try:
        pk = form["template"].value()
        if pk:
            template = DrillTemplate.objects.filter(pk=pk).first()
    except (TypeError, ValueError):
        template = None
    template = template or DrillTemplate.objects.filter(is_active=True).first()
    return render(
        request,
        "drills/drill_form.html",
        {
            "nav_section": "drills",
            "form": form,
            "drill": drill,
            "preview": preview_context(template) if template else None,
            "preview_template": template,
        },
    )


@require_GET
def template_preview(request: HttpRequest) -> HttpResponse:
    """The preview fragment of one template (HTMX, when the form's template changes)."""
    _require_department(request)
    try:
        template = selectors.templates_for(request.user).get(pk=int(request.GET.get("template", 0)))
    except (DrillTemplate.DoesNotExist, ValueError):
        template = None  # nothing (or no longer anything) to preview
    return render(
        request,
        "drills/_mail_preview.html",
        {"preview": preview_context(template) if template else None, "preview_template": template},
    )


@require_http_methods(["GET", "POST"])
def drill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _managed(request, pk)
    if drill.status != DrillStatus.DRAFT:
        messages.error(request, _("Chỉ sửa được đợt diễn tập ở trạng thái bản nháp."))
        return redirect("drill_detail", pk=drill.pk)
    if request.method == "POST":
        form = _drill_form(request, request.POST)
        if form.is_valid():
            data = form.service_kwargs()
            units = data.pop("units")
            try:
                services.update_drill(actor=request.user, drill=drill, units=units, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("drill_detail", pk=drill.pk)
    else:
        form = _drill_form(
            request,
            initial={
                "name": drill.name,
                "template": drill.template_id,
                "units": [str(pk) for pk in drill.units.values_list("pk", flat=True)],
                "include_subunits": drill.include_subunits,
                "follow_up_lesson": drill.follow_up_lesson_id,
                "starts_at": timezone.localtime(drill.starts_at),
                "send_until": drill.send_until and timezone.localtime(drill.send_until),
                "ends_at": drill.ends_at and timezone.localtime(drill.ends_at),
                "rate_per_minute": drill.rate_per_minute,
            },
        )
    return _form_page(request, form, drill)


# --- one drill (Department) -------------------------------------------------------------------


def abilities(user, drill: Drill) -> dict[str, bool]:
    """Which actions to show; the services check the same rules on every POST."""
    status = drill.status
    return {
        "edit": status == DrillStatus.DRAFT,
        "submit": status == DrillStatus.DRAFT,
        "approve": status == DrillStatus.AWAITING_APPROVAL and drill.created_by_id != user.pk,
        "own_drill": status == DrillStatus.AWAITING_APPROVAL and drill.created_by_id == user.pk,
        "return": status == DrillStatus.AWAITING_APPROVAL,
        "start": status == DrillStatus.APPROVED,
        "finish": status == DrillStatus.SENDING,
        "cancel": status
        in (
            DrillStatus.DRAFT,
            DrillStatus.AWAITING_APPROVAL,
            DrillStatus.APPROVED,
            DrillStatus.SENDING,
        ),
    }


@require_GET
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _managed(request, pk)
    frozen = drill.status in FROZEN_STATUSES
    plan = None if frozen else services.plan_for(drill)
    total = selectors.results_total(request.user, drill) if frozen else None
    return render(
        request,
        "drills/drill_detail.html",
        {
            "nav_section": "drills",
            "drill": drill,
            "units": selectors.units_of(drill),
            "can": abilities(request.user, drill),
            "plan": plan,
            "plan_units": plan.counts_by_unit() if plan else [],
            "total": total,
            "chart": funnel_chart(
                total,
                with_submitted=drill.template.has_login_form,
                with_lesson=drill.follow_up_lesson_id is not None,
            )
            if total
            else None,
            "preview": preview_context(drill.template, when=drill.starts_at),
            "preview_template": drill.template,
            "reason_form": ReasonForm(),
        },
    )


@require_GET
def drill_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    """Before approval: who would receive it, per unit, and who is refused and why.
    After: the frozen list, person by person, with what each did."""
    drill = _managed(request, pk)
    frozen = drill.status in FROZEN_STATUSES
    plan = None if frozen else services.plan_for(drill)
    return render(
        request,
        "drills/drill_recipients.html",
        {
            "nav_section": "drills",
            "drill": drill,
            "frozen": frozen,
            "plan": plan,
            "plan_units": plan.counts_by_unit() if plan else [],
            "recipients": selectors.recipients_of(request.user, drill) if frozen else [],
        },
    )


def _action(request: HttpRequest, pk: int, run, done: str, *, reason: bool = False):
    drill = _managed(request, pk)
    kwargs: dict[str, Any] = {}
    if reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Hãy nêu lý do."))
            return redirect("drill_detail", pk=drill.pk)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        run(actor=request.user, drill=drill, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("drill_detail", pk=drill.pk)


@require_POST
def drill_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request, pk, services.submit_drill, _("Đã trình một cán bộ khác của Sở phê duyệt.")
    )


@require_POST
def drill_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        services.approve_drill,
        _("Đã phê duyệt. Danh sách người nhận đã được chốt; thư sẽ gửi từ giờ bắt đầu."),
    )


@require_POST
def drill_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, services.return_drill, _("Đã trả lại để sửa."), reason=True)


@require_POST
def drill_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, services.start_drill, _("Đã bắt đầu gửi thư diễn tập."))


@require_POST
def drill_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _managed(request, pk)
    try:
        services.cancel_drill(
            actor=request.user, drill=drill, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã huỷ đợt diễn tập."))
    return redirect("drill_detail", pk=drill.pk)


@require_POST
def drill_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        services.finish_drill,
        _("Đã kết thúc đợt diễn tập. Các đơn vị đã xem được kết quả của mình."),
    )


# --- results (Department, and units once finished) --------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Drill:
    try:
        return selectors.get_drill(request.user, pk)
    except Drill.DoesNotExist:
        raise Http404 from None


@require_GET
def drill_results(request: HttpRequest, pk: int) -> HttpResponse:
    drill = _visible(request, pk)
    department = is_department_staff(request.user)
    total = selectors.results_total(request.user, drill)
    return render(
        request,
        "drills/drill_results.html",
        {
            "nav_section": "drills",
            "drill": drill,
            "department": department,
            "rows": selectors.results_by_unit(request.user, drill),
            "total": total,
            "chart": funnel_chart(
                total,
                with_submitted=drill.template.has_login_form,
                with_lesson=drill.follow_up_lesson_id is not None,
            ),
            "labels": stage_labels(),
            "with_submitted": drill.template.has_login_form,
            "with_lesson": drill.follow_up_lesson_id is not None,
        },
    )


def _dt(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _sheet(wb, title: str, header: list[str], rows: list[list[Any]], *, first: bool = False):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        # A text cell starting like a formula is written as text (no formula injection).
        safe = ["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]
        ws.append(safe)
        for i, v in enumerate(row):
            widths[i] = max(widths[i], min(50, len(str(v))))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, width + 2)
    ws.freeze_panes = "A2"
    return ws


STAGE_ORDER = ("sent", "opened", "clicked", "submitted", "reported", "completed")


@require_GET
def drill_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Results per unit as XLSX; for the Department, the per-recipient list on a second sheet."""
    from io import BytesIO

    from openpyxl import Workbook

    drill = _visible(request, pk)
    labels = stage_labels()
    wb = Workbook()
    _sheet(
        wb,
        _("Kết quả theo đơn vị"),
        [
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Người nhận"),
            *[labels[s] for s in STAGE_ORDER],
            _("Tỉ lệ nhấp link (%)"),
            _("Tỉ lệ báo cáo (%)"),
        ],
        [
            [
                r["unit__code"],
                r["unit__name"],
                r["recipients"],
                *[r[s] for s in STAGE_ORDER],
                r["rates"]["clicked"],
                r["rates"]["reported"],
            ]
            for r in selectors.results_by_unit(request.user, drill)
        ],
        first=True,
    )
    if is_department_staff(request.user):
        _sheet(
            wb,
            _("Người nhận"),
            [
                _("Đơn vị"),
                _("Họ và tên"),
                _("Thư điện tử"),
                *[labels[s] for s in STAGE_ORDER],
            ],
            [
                [
                    r.unit.name,
                    r.user.get_full_name() or r.user.get_username(),
                    r.email,
                    _dt(r.sent_at),
                    _dt(r.opened_at),
                    _dt(r.clicked_at),
                    _dt(r.submitted_at),
                    _dt(r.reported_at),
                    _dt(r.lesson_completed_at),
                ]
                for r in selectors.recipients_of(request.user, drill)
            ],
        )
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"ket-qua-dien-tap-{drill.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- templates --------------------------------------------------------------------------------


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _require_department(request)
    services.ensure_builtin_templates()
    return render(
        request,
        "drills/template_list.html",
        {"nav_section": "drills", "templates": selectors.templates_for(request.user)},
    )


@require_GET
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(request, pk)
    return render(
        request,
        "drills/template_detail.html",
        {
            "nav_section": "drills",
            "template": template,
            "preview": preview_context(template),
            "preview_template": template,
        },
    )


def _template_form_page(request, form, template) -> HttpResponse:
    return render(
        request,
        "drills/template_form.html",
        {"nav_section": "drills", "form": form, "template": template},
    )


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    _require_department(request)
    form = TemplateForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            template = services.save_template(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm mẫu thư."))
            return redirect("drill_template_detail", pk=template.pk)
    return _template_form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(request, pk)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.save_template(actor=request.user, template=template, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu mẫu thư."))
                return redirect("drill_template_detail", pk=template.pk)
    else:
        form = TemplateForm(initial=TemplateForm.initial_for(template))
    return _template_form_page(request, form, template)


def drill_url(drill: Drill) -> str:
    return reverse("drill_detail", args=[drill.pk])
