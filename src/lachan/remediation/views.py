"""Pages of the spine: tasks (việc cần xử lý), findings (phát hiện) and the due-date policy.

Views only parse the request, read through ``selectors`` (always scoped to the user's units)
and write through ``services``. An object the user may not see is a 404; an action the
user may not take is a 403; a service's ValidationError is shown on the form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import mimetypes
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.models import DEPARTMENT_ROLES, Role
from lachan.org.selectors import has_role_over, is_department_admin, is_department_staff

from . import selectors, services
from .forms import (
    CloseForm,
    CommentForm,
    DuePolicyForm,
    FindingFilterForm,
    ReturnForm,
    SubmitForm,
    TaskCreateForm,
    TaskFilterForm,
    VerifyForm,
    apply_service_errors,
)
from .models import (
    ACTIVE_STATUSES,
    Finding,
    Severity,
    Task,
    TaskEvidence,
    TaskStatus,
)
from .models.tasks import UNFINISHED_STATUSES
from .services import UNIT_ROLES, TransitionError

PAGE_SIZE = 25
UNIT_MEMBER_ROLES = {Role.UNIT_IT, Role.UNIT_HEAD}


# --- helpers ----------------------------------------------------------------------------------


def _is_partial(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _render_list(request, full: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    is_partial = _is_partial(request)
    response = render(request, partial if is_partial else full, {**context, "partial": is_partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _task_or_404(user, pk: int) -> Task:
    try:
        return selectors.task_for_page(user, pk)
    except Task.DoesNotExist:
        raise Http404 from None


def _task_url(task: Task) -> str:
    return reverse("task_detail", args=[task.pk])


def deadline(task: Task, today: dt.date | None = None) -> dict[str, str]:
    """How a task stands against its due date, as a short Vietnamese phrase and a CSS class."""
    today = today or timezone.localdate()
    days = (task.due_date - today).days
    if task.status in ACTIVE_STATUSES:
        if days < 0:
            return {
                "text": ngettext("Quá hạn %(n)d ngày", "Quá hạn %(n)d ngày", -days) % {"n": -days},
                "css": "overdue",
            }
        if days == 0:
            return {"text": _("Hết hạn hôm nay"), "css": "due-today"}
        return {
            "text": ngettext("Còn %(n)d ngày", "Còn %(n)d ngày", days) % {"n": days},
            "css": "due-soon" if days <= 3 else "muted",
        }
    if task.status == TaskStatus.SUBMITTED:
        return {"text": _("Chờ Sở xác nhận"), "css": "muted"}
    return {"text": "", "css": "muted"}


def _with_deadlines(tasks):
    today = timezone.localdate()
    for t in tasks:
        t.deadline = deadline(t, today)
    return tasks


def abilities(user, task: Task) -> dict[str, bool]:
    """Which workflow forms to show. The services check the same rules again on every POST."""
    unit_side = has_role_over(user, task.unit, UNIT_ROLES)
    department = has_role_over(user, task.unit, DEPARTMENT_ROLES)
    status = task.status
    return {
        "start": unit_side and status in (TaskStatus.OPEN, TaskStatus.RETURNED),
        "submit": unit_side and status in ACTIVE_STATUSES,
        "verify": department and status == TaskStatus.SUBMITTED,
        "return": department and status == TaskStatus.SUBMITTED,
        "close": department and status in (TaskStatus.VERIFIED, *UNFINISHED_STATUSES),
        "comment": unit_side,
        # A Department officer may act for the unit, but those forms stay folded away.
        "for_unit": unit_side and not has_role_over(user, task.unit, UNIT_MEMBER_ROLES),
    }


def _require_role(user, task: Task, roles) -> None:
    """Refuse before looking at the form, so a forbidden POST is a 403, not a form error."""
    if not has_role_over(user, task.unit, roles):
        raise PermissionDenied


# --- timeline ---------------------------------------------------------------------------------


def _label(action: str) -> str:
    labels = {
        "task.create": _("Giao việc"),
        "task.refresh": _("Cập nhật từ phát hiện mới"),
        "task.start": _("Bắt đầu xử lý"),
        "task.submit": _("Gửi báo cáo"),
        "task.verify": _("Xác nhận hoàn thành"),
        "task.return": _("Trả lại"),
        "task.close": _("Đóng việc"),
        "task.comment": _("Trao đổi"),
    }
    return labels.get(action, action)


def _date_text(value: str | None) -> str:
    if not value:
        return ""
    try:
        return formats.date_format(dt.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def _timeline_detail(entry) -> str:
    before, after = entry.before or {}, entry.after or {}
    parts: list[str] = []
    if entry.action == "task.create":
        parts.append(
            _("Mức độ %(sev)s, hạn xử lý %(due)s")
            % {
                "sev": Severity(after["severity"]).label if after.get("severity") else "—",
                "due": _date_text(after.get("due_date")),
            }
        )
    elif entry.action == "task.refresh":
        if before.get("severity") != after.get("severity") and after.get("severity"):
            parts.append(_("Mức độ tăng lên %(sev)s") % {"sev": Severity(after["severity"]).label})
        if before.get("due_date") != after.get("due_date"):
            parts.append(_("hạn mới %(due)s") % {"due": _date_text(after.get("due_date"))})
        if before.get("status") != after.get("status") and after.get("status"):
            parts.append(_("chuyển về “%(st)s”") % {"st": TaskStatus(after["status"]).label})
    elif entry.action == "task.submit":
        files = after.get("evidence") or []
        if files:
            parts.append(_("%(n)d tệp minh chứng") % {"n": len(files)})
    elif entry.action == "task.return":
        parts.append(after.get("return_reason") or "")
    elif entry.action == "task.comment":
        parts.append(after.get("comment") or "")
    # The create record's message only counts findings, which the page lists anyway.
    if entry.message and entry.action not in ("task.comment", "task.create"):
        parts.append(entry.message)
    return " · ".join(p for p in parts if p)


def timeline(task: Task) -> list[dict[str, Any]]:
    rows = []
    for entry in selectors.task_timeline(task):
        actor = entry.actor
        rows.append(
            {
                "at": entry.at,
                "action": entry.action.removeprefix("task."),
                "label": _label(entry.action),
                "actor": (actor.get_full_name() or actor.get_username())
                if actor
                else (entry.actor_label or _("hệ thống")),
                "detail": _timeline_detail(entry),
            }
        )
    return rows


# --- task list and export ---------------------------------------------------------------------


def _task_filters(request) -> tuple[TaskFilterForm, dict[str, Any]]:
    form = TaskFilterForm(request.GET or None, units=selectors.filter_units(request.user))
    kwargs = form.selector_kwargs() if form.is_bound else {"sort": "due"}
    return form, kwargs


SORT_COLUMNS = {"due": ("due", "-due"), "severity": ("-severity", "severity")}


@require_GET
def task_list(request):
    form, kwargs = _task_filters(request)
    qs = selectors.task_list_for(request.user, **kwargs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_deadlines(page.object_list)
    sort = kwargs["sort"]
    # Clicking a column header sorts by it; clicking again reverses.
    sort_links = {
        col: (second if sort == first else first) for col, (first, second) in SORT_COLUMNS.items()
    }
    context = {
        "nav_section": "tasks",
        "form": form,
        "page": page,
        "sort": sort,
        "sort_links": sort_links,
        "can_create": is_department_staff(request.user),
        "can_edit_policy": is_department_admin(request.user),
        "today": timezone.localdate(),
    }
    return _render_list(
        request, "remediation/task_list.html", "remediation/_task_results.html", context
    )


def _export_header() -> list[str]:
    labels = {
        "id": _("Mã việc"),
        "unit_code": _("Mã đơn vị"),
        "unit": _("Đơn vị"),
        "title": _("Tiêu đề"),
        "severity": _("Mức độ"),
        "source": _("Nguồn"),
        "status": _("Trạng thái"),
        "created": _("Ngày giao"),
        "due": _("Hạn xử lý"),
        "overdue_days": _("Số ngày quá hạn"),
        "submitted": _("Ngày báo cáo"),
        "verified": _("Ngày xác nhận"),
    }
    return list(labels.values())


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _export_rows(tasks) -> list[list[Any]]:
    today = timezone.localdate()
    rows = []
    for t in tasks:
        overdue_days = (today - t.due_date).days if t.is_overdue else 0
        rows.append(
            [
                t.pk,
                t.unit.code,
                t.unit.name,
                t.title,
                t.get_severity_display(),
                t.get_source_display(),
                t.get_status_display(),
                _local_date(t.created_at),
                t.due_date,
                overdue_days or None,
                _local_date(t.submitted_at),
                _local_date(t.verified_at),
            ]
        )
    return rows


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_response(header, rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else ("" if v is None else v)
                for v in map(_safe_cell, row)
            ]
        )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(header, rows, filename: str, sheet_title: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for row in rows:
        ws.append([_safe_cell(v) for v in row])
        for i, v in enumerate(row):
            widths[i] = max(widths[i], min(60, len(str(v)) if v is not None else 0))
    for col in ws.iter_cols(min_row=2):
        for cell in col:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, width + 2)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_GET
def task_export(request):
    """The filtered task list as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    _form, kwargs = _task_filters(request)
    tasks = selectors.task_list_for(request.user, **kwargs)
    rows = _export_rows(tasks)
    filename = f"viec-can-xu-ly-{timezone.localdate():%Y%m%d}"
    if request.GET.get("fmt") == "xlsx":
        return _xlsx_response(_export_header(), rows, filename, _("Việc cần xử lý"))
    return _csv_response(_export_header(), rows, filename)


# --- task detail and workflow -----------------------------------------------------------------


def _detail_context(request, task: Task, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    can = abilities(request.user, task)
    forms = forms or {}
    findings = list(selectors.task_findings(task))
    for f in findings:
        f.evidence_summary = evidence_summary(f.evidence)
    task.deadline = deadline(task)
    return {
        "nav_section": "tasks",
        "task": task,
        "can": can,
        "findings": findings,
        "evidence_files": selectors.task_evidence(task),
        "comments": selectors.task_comments(task),
        "timeline": timeline(task),
        "submit_form": forms.get("submit") or SubmitForm(),
        "verify_form": forms.get("verify") or VerifyForm(),
        "return_form": forms.get("return") or ReturnForm(),
        "close_form": forms.get("close") or CloseForm(),
        "comment_form": forms.get("comment") or CommentForm(),
        "open_form": next(iter(forms), ""),
    }


def _render_detail(request, task: Task, forms: dict[str, Any] | None = None, status: int = 200):
    return render(
        request,
        "remediation/task_detail.html",
        _detail_context(request, task, forms),
        status=status,
    )


@require_GET
def task_detail(request, pk: int):
    task = _task_or_404(request.user, pk)
    return _render_detail(request, task)


def _transition_failed(request, task: Task, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))
    return redirect(_task_url(task))


@require_POST
def task_start(request, pk: int):
    task = _task_or_404(request.user, pk)
    _require_role(request.user, task, UNIT_ROLES)
    try:
        services.start_task(actor=request.user, task=task)
    except TransitionError as exc:
        return _transition_failed(request, task, exc)
    messages.success(request, _("Đã bắt đầu xử lý việc này."))
    return redirect(_task_url(task))


@require_POST
def task_submit(request, pk: int):
    task = _task_or_404(request.user, pk)
    _require_role(request.user, task, UNIT_ROLES)
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_task(
                actor=request.user,
                task=task,
                answer_text=form.cleaned_data["answer_text"],
                files=request.FILES.getlist("evidence"),
            )
        except TransitionError as exc:
            return _transition_failed(request, task, exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi báo cáo. Sở sẽ xem xét và xác nhận."))
            return redirect(_task_url(task))
    messages.error(request, _("Chưa gửi được báo cáo: hãy xem lại các mục được đánh dấu."))
    return _render_detail(request, task, {"submit": form}, status=400)


def _department_action(request, pk: int, *, form_class, form_key: str, run, done: str):
    """One Department decision on a task (verify, return, close): check the right before
    reading the form, call the service, show its refusal or redirect with ``done``."""
    task = _task_or_404(request.user, pk)
    _require_role(request.user, task, DEPARTMENT_ROLES)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(task, form.cleaned_data)
        except TransitionError as exc:
            return _transition_failed(request, task, exc)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_task_url(task))
    return _render_detail(request, task, {form_key: form}, status=400)


@require_POST
def task_verify(request, pk: int):
    return _department_action(
        request,
        pk,
        form_class=VerifyForm,
        form_key="verify",
        done=_("Đã xác nhận hoàn thành."),
        run=lambda task, data: services.verify_task(
            actor=request.user, task=task, note=data["note"]
        ),
    )


@require_POST
def task_return(request, pk: int):
    return _department_action(
        request,
        pk,
        form_class=ReturnForm,
        form_key="return",
        done=_("Đã trả lại việc cho đơn vị."),
        run=lambda task, data: services.return_task(
            actor=request.user, task=task, reason=data["reason"]
        ),
    )


@require_POST
def task_close(request, pk: int):
    return _department_action(
        request,
        pk,
        form_class=CloseForm,
        form_key="close",
        done=_("Đã đóng việc."),
        run=lambda task, data: services.close_task(
            actor=request.user, task=task, note=data["note"]
        ),
    )


@require_POST
def task_comment(request, pk: int):
    task = _task_or_404(request.user, pk)
    _require_role(request.user, task, UNIT_ROLES)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(actor=request.user, task=task, body=form.cleaned_data["body"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            form = None
    if _is_partial(request):
        context = _detail_context(request, task, {"comment": form} if form else None)
        return render(request, "remediation/_comments_response.html", context)
    if form is not None:
        return _render_detail(request, task, {"comment": form}, status=400)
    messages.success(request, _("Đã gửi trao đổi."))
    return redirect(_task_url(task) + "#task-comments")


# Types a browser may open from an attachment without running anything; the rest are bytes.
SAFE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
def evidence_download(request, pk: int):
    """Stream one evidence file, only when its task is visible to the user."""
    try:
        evidence = selectors.get_evidence(request.user, pk)
    except TaskEvidence.DoesNotExist:
        raise Http404 from None
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    guessed, _encoding = mimetypes.guess_type(evidence.original_name)
    content_type = guessed if guessed in SAFE_TYPES else "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- task creation ----------------------------------------------------------------------------


def _policy_defaults() -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = selectors.due_policy_table()
    for row in rows:
        row["date"] = today + dt.timedelta(days=row["days"])
    return rows


@require_http_methods(["GET", "POST"])
def task_create(request):
    if not is_department_staff(request.user):
        raise PermissionDenied
    units = selectors.filter_units(request.user, DEPARTMENT_ROLES)
    form = TaskCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            tasks = services.create_tasks(
                actor=request.user,
                units=form.selected_units(),
                title=form.cleaned_data["title"],
                guidance=form.cleaned_data["guidance"],
                severity=form.cleaned_data["severity"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if len(tasks) == 1:
                messages.success(request, _("Đã giao việc cho %(unit)s.") % {"unit": tasks[0].unit})
                return redirect(_task_url(tasks[0]))
            messages.success(request, _("Đã giao việc cho %(n)d đơn vị.") % {"n": len(tasks)})
            return redirect(f"{reverse('task_list')}?sort=-created")
    policy = _policy_defaults()
    context = {
        "nav_section": "tasks",
        "form": form,
        "policy": policy,
        "can_edit_policy": is_department_admin(request.user),
        "policy_json": json.dumps(
            {
                row["severity"]: formats.date_format(row["date"], "SHORT_DATE_FORMAT")
                for row in policy
            }
        ),
    }
    return render(
        request, "remediation/task_create.html", context, status=400 if form.errors else 200
    )


# --- findings ---------------------------------------------------------------------------------

# Readable names for keys that importers commonly put in a finding's evidence.
EVIDENCE_LABELS = {
    "ip": gettext_noop("Địa chỉ IP"),
    "port": gettext_noop("Cổng"),
    "asn": gettext_noop("ASN"),
    "isp": gettext_noop("Nhà mạng"),
    "malware": gettext_noop("Mã độc"),
    "family": gettext_noop("Họ mã độc"),
    "hostname": gettext_noop("Tên máy"),
    "host": gettext_noop("Máy"),
    "cve": gettext_noop("Mã CVE"),
    "cvss": gettext_noop("Điểm CVSS"),
    "product": gettext_noop("Sản phẩm"),
    "version": gettext_noop("Phiên bản"),
    "list": gettext_noop("Danh sách"),
    "month": gettext_noop("Tháng"),
    "timestamp": gettext_noop("Thời điểm"),
    "first_seen": gettext_noop("Lần đầu ghi nhận"),
    "last_seen": gettext_noop("Lần cuối ghi nhận"),
    "source": gettext_noop("Nguồn"),
    "note": gettext_noop("Ghi chú"),
}


def _evidence_label(key: str) -> str:
    label = EVIDENCE_LABELS.get(key.lower())
    return _(label) if label else key


def _iso_to_local_text(value: str) -> str | None:
    """ISO dates and times that importers store as text, shown dd/mm/yyyy [HH:MM]."""
    if len(value) < 10 or value[4:5] != "-" or value[7:8] != "-":
        return None
    try:
        if len(value) == 10:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def _evidence_value(value: Any) -> str:
    if isinstance(value, str):
        return _iso_to_local_text(value) or value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_evidence_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_evidence_value(v) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)


def evidence_rows(evidence: Any) -> list[tuple[str, str]]:
    """A finding's JSON evidence as (label, readable value) rows."""
    if not isinstance(evidence, dict):
        return [(_("Giá trị"), _evidence_value(evidence))] if evidence else []
    return [(_evidence_label(str(k)), _evidence_value(v)) for k, v in evidence.items()]


def evidence_summary(evidence: Any, limit: int = 3) -> str:
    rows = evidence_rows(evidence)
    text = " · ".join(f"{k}: {v}" for k, v in rows[:limit])
    return text + (" …" if len(rows) > limit else "")


def _finding_or_404(user, pk: int) -> Finding:
    try:
        return selectors.get_finding(user, pk)
    except Finding.DoesNotExist:
        raise Http404 from None


@require_GET
def finding_list(request):
    form = FindingFilterForm(request.GET or None, units=selectors.filter_units(request.user))
    kwargs = form.selector_kwargs() if form.is_bound else {}
    page = Paginator(selectors.finding_list_for(request.user, **kwargs), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for f in page.object_list:
        f.evidence_summary = evidence_summary(f.evidence)
    context = {"nav_section": "findings", "form": form, "page": page}
    return _render_list(
        request, "remediation/finding_list.html", "remediation/_finding_results.html", context
    )


@require_GET
def finding_detail(request, pk: int):
    finding = _finding_or_404(request.user, pk)
    tasks = _with_deadlines(list(selectors.finding_tasks(request.user, finding)))
    context = {
        "nav_section": "findings",
        "finding": finding,
        "evidence_rows": evidence_rows(finding.evidence),
        "evidence_json": json.dumps(finding.evidence, ensure_ascii=False, indent=2),
        "tasks": tasks,
        "open_task": selectors.unfinished_task_for_finding(finding),
        "can_open_task": has_role_over(request.user, finding.unit, DEPARTMENT_ROLES),
    }
    return render(request, "remediation/finding_detail.html", context)


@require_POST
def finding_open_task(request, pk: int):
    finding = _finding_or_404(request.user, pk)
    if not has_role_over(request.user, finding.unit, DEPARTMENT_ROLES):
        raise PermissionDenied
    existing = selectors.unfinished_task_for_finding(finding)
    try:
        (task,) = services.open_tasks_from_findings(actor=request.user, findings=[finding])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("finding_detail", pk=finding.pk)
    if existing is not None and existing.pk == task.pk:
        messages.info(request, _("Phát hiện đã có việc đang mở; việc đó đã được cập nhật."))
    else:
        messages.success(request, _("Đã tạo việc từ phát hiện."))
    return redirect(_task_url(task))


# --- due-date policy --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def due_policy(request):
    if not is_department_admin(request.user):
        raise PermissionDenied
    rows = selectors.due_policy_table()
    form = DuePolicyForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.set_due_policies(
                actor=request.user, days_by_severity=form.days_by_severity()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("Đã lưu thời hạn xử lý."))
            else:
                messages.info(request, _("Không có thay đổi nào."))
            return redirect("due_policy")
    context = {
        "nav_section": "tasks",
        "form": form,
        "fields": [(form[row["severity"]], row) for row in rows],
    }
    return render(
        request, "remediation/due_policy.html", context, status=400 if form.errors else 200
    )
