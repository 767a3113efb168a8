"""The web side of the one importer framework: the two-step upload page (check, then confirm
exactly the file that was checked) and export downloads, shared by every object type."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

CONFIRM_MAX_AGE = 3600  # seconds a checked file stays confirmable
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def two_step_import(
    request: HttpRequest,
    *,
    run: Callable[..., Any],
    form_class: type[forms.Form],
    template: str,
    context: dict[str, Any],
    salt: str,
    page_url: str,
    done_url: str,
    done_message: Callable[[Any], str],
) -> HttpResponse:
    """Step 1: a dry run that stores nothing and shows the report (errors per row) and, when the
    file is valid, a signed confirmation holding the file. Step 2: import exactly that file."""
    user = request.user
    form = form_class()
    if request.method == "POST" and "payload" in request.POST:
        try:
            payload = signing.loads(request.POST["payload"], salt=salt, max_age=CONFIRM_MAX_AGE)
        except signing.SignatureExpired:
            messages.error(request, _("Phiên kiểm tra tệp đã hết hạn, vui lòng tải tệp lên lại."))
            return redirect(page_url)
        except signing.BadSignature:
            return HttpResponseBadRequest(_("Dữ liệu xác nhận không hợp lệ."))
        if payload.get("user") != user.pk:
            raise PermissionDenied
        data = base64.b64decode(payload["data"])
        try:
            report = run(actor=user, data=data, filename=payload["name"], dry_run=False)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if report.ok:
                messages.success(request, done_message(report))
                for warning in report.warnings:
                    messages.warning(request, warning)
                return redirect(done_url)
            context["report"] = report
    elif request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                report = run(actor=user, data=data, filename=upload.name, dry_run=True)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                context["report"] = report
                if report.ok:
                    context["payload"] = signing.dumps(
                        {
                            "user": user.pk,
                            "name": upload.name,
                            "data": base64.b64encode(data).decode("ascii"),
                        },
                        salt=salt,
                        compress=True,
                    )
    context["form"] = form
    return render(request, template, context)


def export_format(request: HttpRequest) -> str | None:
    """The requested export format, or None when unsupported."""
    fmt = request.GET.get("format", "csv").lower()
    return fmt if fmt in EXPORT_TYPES else None


def unsupported_format() -> HttpResponse:
    return HttpResponseBadRequest(_("Định dạng không hỗ trợ: chọn csv, xlsx hoặc json."))


def export_response(data: bytes, *, fmt: str, basename: str) -> HttpResponse:
    """A download named ``<basename>-<yyyymmdd>.<fmt>``."""
    response = HttpResponse(data, content_type=EXPORT_TYPES[fmt])
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    return response
