"""The public scam checker (``/kiem-tra/``) and report form (``/kiem-tra/bao-cao/``).

No login needed. What people paste is checked in memory and not stored — unless they choose
to report it. Both pages are rate-limited (``scams.ratelimit``); the report form also has a
honeypot field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import checking, ratelimit, services
from ..forms import KIND_CHOICES, CheckForm, ReportForm
from ..presentation import prefill_for, result_context

SESSION_DONE = "scams_report_done"


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@require_http_methods(["GET", "POST"])
def scam_check(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None)
    context: dict = {"form": form, "nav_section": "scam_check", "kinds": KIND_CHOICES}
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(request, "check"):
            context["rate_limited"] = True
            status = 429
        elif form.is_valid():
            text, kind = form.cleaned_data["text"], form.cleaned_data["kind"]
            context["result"] = result_context(text, checking.check(text, kind))
    if _partial(request) and request.method == "POST":
        # htmx swaps only 2xx answers: the "too many checks" notice comes back as 200 here.
        return render(request, "scams/_check_result.html", context)
    return render(request, "scams/check.html", context, status=status)


@require_http_methods(["GET", "POST"])
def scam_report_create(request: HttpRequest) -> HttpResponse:
    context: dict = {"nav_section": "scam_check"}
    status = 200
    if request.method == "POST" and request.POST.get("prefill"):
        # From the checker's "Báo cáo lừa đảo" button: fill the form, store nothing yet.
        text = (request.POST.get("text") or "")[:5000]
        kind = request.POST.get("kind") or "auto"
        form = ReportForm(initial=prefill_for(text, kind))
    elif request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if not ratelimit.allow(request, "report"):
            context["rate_limited"] = True
            status = 429
        elif form.is_bot():
            form.add_error(None, _("Không gửi được: ô “Để trống ô này” phải để trống."))
            status = 400
        elif form.is_valid():
            try:
                report = services.create_report(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                request.session[SESSION_DONE] = report.reference
                return redirect("scam_report_done")
    else:
        form = ReportForm()
    context["form"] = form
    return render(request, "scams/report_form.html", context, status=status)


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@require_GET
def scam_report_done(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SESSION_DONE)
    if not reference:
        return redirect("scam_check")
    return render(
        request, "scams/report_done.html", {"reference": reference, "nav_section": "scam_check"}
    )
