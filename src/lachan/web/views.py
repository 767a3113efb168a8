"""The web shell: sign-in and two-factor, the user's own account, the dashboard, health check."""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachan.audit.services import record
from lachan.org import selectors as org_selectors
from lachan.org import services as org_services
from lachan.org.models import DATA_ROLES, ApiToken
from lachan.remediation import selectors as task_selectors
from lachan.remediation.models import ACTIVE_STATUSES, TaskStatus

from .forms import ApiTokenForm, LoginForm, OtpCodeForm, PasswordChangeForm

# --- helpers --------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, default: str = "dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def form_errors_from(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _throttle_message(device: TOTPDevice) -> str:
    """Empty when the device may check a code now; otherwise how long to wait."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return ""
    message = _("Nhập sai mã quá nhiều lần.")
    locked_until = (info or {}).get("locked_until")
    if locked_until:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        message += " " + _("Vui lòng thử lại sau %(s)d giây.") % {"s": seconds}
    return message


def _verify_code(user, code: str) -> tuple[TOTPDevice | None, str]:
    """Check a code against the user's confirmed devices, honouring django-otp's throttling."""
    throttled = ""
    for device in devices_for_user(user, confirmed=True):
        wait = _throttle_message(device)
        if wait:
            throttled = wait
            continue
        if device.verify_token(code):
            return device, ""
    return None, throttled


# --- sign in / out --------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(
            request=request, username=username, password=form.cleaned_data["password"]
        )
        if user is None:
            record(
                actor=None,
                action="auth.login_failed",
                object_type="auth.user",
                object_repr=username,
                message=_("Đăng nhập không thành công từ địa chỉ %(ip)s")
                % {"ip": _client_ip(request)},
            )
            # When axes has just locked this username + address, its middleware replaces
            # this response with the lockout page.
            form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
        else:
            auth_login(request, user)
            if user_has_device(user, confirmed=True):
                verify_url = reverse("two_factor_verify")
                nxt = _safe_next(request)
                return redirect(f"{verify_url}?next={nxt}")
            record(
                actor=user,
                action="auth.login",
                obj=user,
                message=_("Đăng nhập bằng mật khẩu từ %(ip)s") % {"ip": _client_ip(request)},
            )
            return redirect(_safe_next(request))
    return render(
        request,
        "web/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(actor=request.user, action="auth.logout", obj=request.user)
    auth_logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("login")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect("two_factor_setup")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = _verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            record(
                actor=user,
                action="auth.login",
                obj=user,
                message=_("Đăng nhập bằng mật khẩu và mã xác thực hai lớp từ %(ip)s")
                % {"ip": _client_ip(request)},
            )
            return redirect(_safe_next(request))
        record(
            actor=user,
            action="auth.2fa_failed",
            obj=user,
            message=_("Mã xác thực hai lớp không đúng, từ %(ip)s") % {"ip": _client_ip(request)},
        )
        form.add_error("code", throttled or _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(
        request,
        "web/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _qr_svg(device: TOTPDevice) -> str:
    import segno

    # Dark modules on white, scaled for a phone camera; segno escapes the URL itself.
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#111827", light="#ffffff", border=2, omitsize=False
    )


def _grouped_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    has_device = user_has_device(user, confirmed=True)
    # Someone holding only the password must not enrol a second device to get past 2FA.
    if has_device and not user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_setup')}")
    if has_device:
        return render(
            request,
            "web/two_factor_setup.html",
            {"enabled": True, "remove_form": OtpCodeForm(), "nav_section": "account"},
        )
    device = org_services.pending_totp_device(user=user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = _throttle_message(device)
        if not wait and device.verify_token(form.cleaned_data["code"]):
            org_services.confirm_totp_device(actor=user, device=device)
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return redirect(_safe_next(request, default="account"))
        form.add_error(
            "code",
            wait or _("Mã chưa đúng. Kiểm tra giờ trên điện thoại và nhập mã đang hiển thị."),
        )
    required = settings.LACHAN_REQUIRE_2FA_DEPARTMENT and org_selectors.is_department_staff(user)
    return render(
        request,
        "web/two_factor_setup.html",
        {
            "enabled": False,
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _grouped_secret(device),
            "required": required,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "nav_section": "account",
        },
    )


@sensitive_post_parameters("code")
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user_has_device(user, confirmed=True) or not user.is_verified():
        return redirect("two_factor_setup")
    form = OtpCodeForm(request.POST)
    if form.is_valid():
        device, throttled = _verify_code(user, form.cleaned_data["code"])
        if device is not None:
            org_services.remove_two_factor(actor=user, user=user)
            messages.success(
                request,
                _("Đã tắt xác thực hai lớp. Bạn có thể đăng ký lại với điện thoại mới."),
            )
            return redirect("account")
        form.add_error("code", throttled or _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(
        request,
        "web/two_factor_setup.html",
        {"enabled": True, "remove_form": form, "nav_section": "account"},
        status=400,
    )


# --- the user's own account -----------------------------------------------------------------------


def _account_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    context = {
        "nav_section": "account",
        "roles": org_selectors.assignments_of(user, user),
        "has_2fa": user_has_device(user, confirmed=True),
        "require_2fa": settings.LACHAN_REQUIRE_2FA_DEPARTMENT
        and org_selectors.is_department_staff(user),
        "tokens": org_selectors.api_tokens_of(user),
        "password_form": PasswordChangeForm(user=user),
        "token_form": ApiTokenForm(),
        "now": timezone.now(),
    }
    context.update(extra)
    return context


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account.html", _account_context(request))


@sensitive_post_parameters("current_password", "new_password", "new_password2")
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST, user=user)
    if form.is_valid():
        try:
            org_services.set_password(
                actor=user, user=user, password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            form.add_error("new_password", exc.messages)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("account")
    return render(
        request, "web/account.html", _account_context(request, password_form=form), status=400
    )


@require_POST
def api_token_issue(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(
            request, "web/account.html", _account_context(request, token_form=form), status=400
        )
    days = form.cleaned_data.get("expires_in")
    expires_at = timezone.now() + dt.timedelta(days=int(days)) if days else None
    token, key = org_services.issue_api_token(
        actor=user, user=user, name=form.cleaned_data["name"], expires_at=expires_at
    )
    # The secret is shown in this response only: never put in a message, session or log.
    response = render(
        request, "web/account.html", _account_context(request, new_token=token, new_key=key)
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = org_selectors.api_tokens_of(request.user).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    if token.revoked_at is None:
        org_services.revoke_api_token(actor=request.user, token=token)
        messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    return redirect("account")


# --- dashboard ------------------------------------------------------------------------------------

CHART_ROW_HEIGHT = 40
CHART_MAX_BAR = 100.0  # percent of the width (the numbers sit on the label line)


def unit_bar_chart(rows: list[dict], *, limit: int = 10) -> dict | None:
    """Geometry of a horizontal bar chart of the units with the most unfinished tasks.

    Each bar is split into the overdue part and the rest; widths are percentages so the SVG
    keeps readable text at any screen width (label and numbers sit on a line above the bar).
    """
    items = sorted(
        (r for r in rows if r["open_count"]),
        key=lambda r: (-r["overdue_count"], -r["open_count"], r["name"]),
    )[:limit]
    if not items:
        return None
    top = max(r["open_count"] for r in items)
    bars = []
    for i, r in enumerate(items):
        open_w = CHART_MAX_BAR * r["open_count"] / top
        overdue_w = CHART_MAX_BAR * r["overdue_count"] / top
        y = 4 + i * CHART_ROW_HEIGHT
        label = r["short_name"] or r["name"]
        bars.append(
            {
                "pk": r["pk"],
                "label": label if len(label) <= 40 else label[:39] + "…",
                "full_name": r["name"],
                "open": r["open_count"],
                "overdue": r["overdue_count"],
                "on_time": r["open_count"] - r["overdue_count"],
                "label_y": y + 12,
                "bar_y": y + 17,
                "open_w": f"{open_w:.2f}",
                "overdue_w": f"{overdue_w:.2f}",
                "rest_x": f"{overdue_w:.2f}",
                "rest_w": f"{open_w - overdue_w:.2f}",
            }
        )
    return {"bars": bars, "height": 4 + len(bars) * CHART_ROW_HEIGHT + 4}


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = org_selectors.roles_of(user)
    data_user = user.is_superuser or bool(roles & DATA_ROLES)
    if not data_user:
        return render(request, "web/dashboard_learner.html", {"nav_section": "dashboard"})

    department = org_selectors.is_department_staff(user)
    totals = task_selectors.task_status_totals(user)
    unfinished = (
        totals[TaskStatus.OPEN]
        + totals[TaskStatus.IN_PROGRESS]
        + totals[TaskStatus.RETURNED]
        + totals[TaskStatus.SUBMITTED]
    )
    rows = task_selectors.task_counts_by_unit(user)
    unit_rows = [r for r in rows if r["open_count"] or r["done_count"]]
    context = {
        "nav_section": "dashboard",
        "department": department,
        "totals": totals,
        "unfinished": unfinished,
        "status_cards": [
            (TaskStatus.OPEN, TaskStatus.OPEN.label, totals[TaskStatus.OPEN]),
            (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label, totals[TaskStatus.IN_PROGRESS]),
            (TaskStatus.RETURNED, TaskStatus.RETURNED.label, totals[TaskStatus.RETURNED]),
            (TaskStatus.SUBMITTED, TaskStatus.SUBMITTED.label, totals[TaskStatus.SUBMITTED]),
            (TaskStatus.VERIFIED, TaskStatus.VERIFIED.label, totals[TaskStatus.VERIFIED]),
            (TaskStatus.CLOSED, TaskStatus.CLOSED.label, totals[TaskStatus.CLOSED]),
        ],
        "unit_rows": unit_rows,
        "units_total": len(rows),
        "units_with_overdue": sum(1 for r in rows if r["overdue_count"]),
        "chart": unit_bar_chart(rows),
        "primary_unit": org_selectors.primary_unit(user),
    }
    if not department:
        todo = list(
            task_selectors.tasks_for(user)
            .filter(status__in=ACTIVE_STATUSES)
            .order_by("due_date", "id")[:10]
        )
        for task in todo:
            task.days_late = max(0, -task.days_left)
        context["todo"] = todo
        context["todo_total"] = (
            totals[TaskStatus.OPEN] + totals[TaskStatus.IN_PROGRESS] + totals[TaskStatus.RETURNED]
        )
    context.update(anti_fraud_overview(user))
    return render(request, "web/dashboard.html", context)


def anti_fraud_overview(user) -> dict:
    """Directive item a at a glance: active campaigns, scam reports to review, the last drill."""
    from lachan.awareness.selectors.campaigns import active_campaigns_at_a_glance
    from lachan.drills.selectors import drills_for
    from lachan.scams.models import ReportStatus
    from lachan.scams.selectors import status_counts

    return {
        "campaigns_glance": active_campaigns_at_a_glance(user),
        "scam_reports_new": status_counts(user)[ReportStatus.NEW],
        "last_drill": drills_for(user).order_by("-created_at", "-pk").first(),
    }


# --- health ---------------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and monitoring: no login, plain text."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
