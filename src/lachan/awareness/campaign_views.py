"""Pages of campaigns, classes, the student join page, "my learning" and certificates.

Reads go through ``selectors.campaigns`` (scoped by unit), writes through
``services.campaigns``. A campaign or class the user may not see is a 404; a Department
action asked by anyone else is a 403. The join page, "my learning" and certificates are
reached by students without an account (see ``web.middleware.PUBLIC_PREFIXES``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lachan.org.selectors import is_department_staff, visible_units
from lachan.web import ratelimit

from . import charts
from .campaign_forms import CampaignForm, ClassGroupForm, ClassSizeForm, JoinForm
from .models import Campaign, CampaignStatus, Certificate, ClassGroup, Lesson
from .selectors import campaigns as sel
from .services import campaigns as svc
from .services.learners import (
    current_learner,
    forget_student,
    remember_student,
    student_from_session,
)

# Failed join-code attempts allowed per browser session and per address, per window.
JOIN_FAILURES_PER_SESSION = 8
JOIN_FAILURES_PER_ADDRESS = 30
JOIN_WINDOW_SECONDS = 15 * 60
STUDENT_SESSION_DAYS = 120


# --- helpers ----------------------------------------------------------------------------------


def _campaign_or_404(user, pk: int) -> Campaign:
    try:
        return sel.get_campaign(user, pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _class_or_404(user, pk: int) -> ClassGroup:
    try:
        return sel.get_class_group(user, pk)
    except ClassGroup.DoesNotExist:
        raise Http404 from None


def _require_department(user) -> None:
    if not is_department_staff(user):
        raise PermissionDenied


def _require_dashboards(user) -> None:
    if not sel.sees_dashboards(user):
        raise PermissionDenied


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def lesson_url(lesson, campaign: Campaign | None = None) -> str:
    """The lesson page (from the lesson library), counting for ``campaign``."""
    try:
        url = reverse("lesson_detail", kwargs={"slug": lesson.slug})
    except NoReverseMatch:  # the lesson pages are not installed
        return "#"
    return f"{url}?campaign={campaign.pk}" if campaign is not None else url


def _lesson_library():
    return Lesson.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "current_version"
    )


# --- campaigns --------------------------------------------------------------------------------


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_dashboards(user)
    campaigns = list(
        sel.visible_campaigns(user).prefetch_related("units").order_by("-starts_on", "-pk")
    )
    for c in campaigns:
        c.lesson_count = c.campaign_lessons.count()
    groups = [
        (CampaignStatus.ACTIVE.label, [c for c in campaigns if c.status == CampaignStatus.ACTIVE]),
        (CampaignStatus.DRAFT.label, [c for c in campaigns if c.status == CampaignStatus.DRAFT]),
        (CampaignStatus.CLOSED.label, [c for c in campaigns if c.status == CampaignStatus.CLOSED]),
    ]
    context = {
        "nav_section": "campaigns",
        "groups": [(label, items) for label, items in groups if items],
        "department": is_department_staff(user),
        "today": timezone.localdate(),
    }
    return render(request, "awareness/campaign_list.html", context)


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> CampaignForm:
    initial = None
    if campaign is not None:
        initial = {
            "title": campaign.title,
            "description": campaign.description,
            "lessons": [cl.lesson_id for cl in campaign.campaign_lessons.all()],
            "units": list(campaign.units.values_list("pk", flat=True)),
            "include_subunits": campaign.include_subunits,
            "audiences": campaign.audiences,
            "starts_on": campaign.starts_on,
            "deadline": campaign.deadline,
            "reminder_days": campaign.reminder_days,
        }
    form = CampaignForm(
        request.POST or None,
        initial=initial,
        units_qs=visible_units(request.user).filter(is_active=True).order_by("path"),
        lessons_qs=_lesson_library(),
    )
    if campaign is not None and not form.is_bound:
        form.lesson_positions = {
            str(cl.lesson_id): str(cl.position) for cl in campaign.campaign_lessons.all()
        }
    return form


def _campaign_editor(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    user = request.user
    _require_department(user)
    if campaign is not None and campaign.status == CampaignStatus.CLOSED:
        messages.error(request, _("Đợt học đã kết thúc; hãy mở lại trước khi sửa."))
        return redirect("awareness_campaign_detail", pk=campaign.pk)
    form = _campaign_form(request, campaign)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.save_campaign(actor=user, campaign=campaign, **form.service_kwargs())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo bản nháp đợt học.") if campaign is None else _("Đã lưu đợt học."),
            )
            return redirect("awareness_campaign_detail", pk=saved.pk)
    lessons = [
        {
            "lesson": lesson,
            "checked": str(lesson.pk) in [str(v) for v in (form["lessons"].value() or [])],
            "position": form.lesson_positions.get(str(lesson.pk), ""),
        }
        for lesson in form.fields["lessons"].queryset
    ]
    context = {
        "nav_section": "campaigns",
        "form": form,
        "campaign": campaign,
        "lesson_rows": lessons,
        "lessons_locked": campaign is not None and campaign.status == CampaignStatus.ACTIVE,
    }
    return render(request, "awareness/campaign_form.html", context)


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _campaign_editor(request, None)


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_department(request.user)
    return _campaign_editor(request, _campaign_or_404(request.user, pk))


TRANSITIONS = {
    "activate": (svc.activate_campaign, _("Đợt học đã bắt đầu triển khai.")),
    "close": (svc.close_campaign, _("Đã kết thúc đợt học.")),
    "reopen": (svc.reopen_campaign, _("Đã mở lại đợt học.")),
}


@require_POST
def campaign_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    _require_department(user)
    campaign = _campaign_or_404(user, pk)
    if action not in TRANSITIONS:
        raise Http404
    func, done = TRANSITIONS[action]
    try:
        func(actor=user, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        response = redirect("awareness_campaign_detail", pk=campaign.pk)
        response.status_code = 303
        return response
    messages.success(request, str(done))
    return redirect("awareness_campaign_detail", pk=campaign.pk)


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_dashboards(user)
    campaign = _campaign_or_404(user, pk)
    report = sel.progress_report(user, campaign)
    can_classes = sel.can_manage_classes(user, campaign)
    context = {
        "nav_section": "campaigns",
        "campaign": campaign,
        "report": report,
        "department": is_department_staff(user),
        "lessons": sel.campaign_lessons(campaign),
        # A school sees its own units in the campaign, never the other schools it names.
        "target_units": campaign.units.order_by("path")
        if is_department_staff(user)
        else sel.units_in_scope(user, campaign),
        "can_classes": can_classes,
        "class_form": ClassGroupForm(units_qs=sel.class_units(user, campaign))
        if can_classes
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "awareness/campaign_detail.html", context)


@require_GET
def campaign_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_dashboards(user)
    campaign = _campaign_or_404(user, pk)
    report = sel.progress_report(user, campaign)
    context = {
        "nav_section": "campaigns",
        "campaign": campaign,
        "report": report,
        "chart": charts.completion_chart(report.units),
        "department": is_department_staff(user),
        "today": timezone.localdate(),
    }
    return render(request, "awareness/campaign_dashboard.html", context)


@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    from .campaign_export import export_filename, progress_workbook

    user = request.user
    _require_dashboards(user)
    campaign = _campaign_or_404(user, pk)
    report = sel.progress_report(user, campaign)
    response = HttpResponse(
        progress_workbook(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(campaign)}"'
    return response


# --- classes ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def class_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_dashboards(user)
    campaign = _campaign_or_404(user, pk)
    units = sel.class_units(user, campaign)
    form = ClassGroupForm(request.POST or None, units_qs=units)
    if request.method == "POST" and form.is_valid():
        try:
            group = svc.create_class_group(
                actor=user,
                campaign=campaign,
                unit=form.cleaned_data["unit"],
                name=form.cleaned_data["name"],
                expected_students=form.cleaned_data.get("expected_students"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã tạo lớp %(name)s, mã tham gia %(code)s.")
                % {"name": group.name, "code": svc.format_join_code(group.join_code)},
            )
            return redirect("awareness_class_detail", pk=group.pk)
    context = {
        "nav_section": "campaigns",
        "campaign": campaign,
        "form": form,
        "can_classes": sel.can_manage_classes(user, campaign),
    }
    return render(request, "awareness/campaign_class_form.html", context)


def join_url(request: HttpRequest, group: ClassGroup) -> str:
    path = f"{reverse('awareness_join')}?ma={svc.format_join_code(group.join_code)}"
    base = settings.LACHAN_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_GET
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    group = _class_or_404(user, pk)
    report = sel.progress_report(user, group.campaign)
    row = next((r for r in report.classes if r.group.pk == group.pk), None)
    learners = [r for r in report.learners if r.learner.class_group_id == group.pk]
    context = {
        "nav_section": "campaigns",
        "group": group,
        "campaign": group.campaign,
        "code": svc.format_join_code(group.join_code),
        "join_url": join_url(request, group),
        "counts": row.counts if row else None,
        "learners": learners,
        "lessons": report.lessons,
        "size_form": ClassSizeForm(initial={"expected_students": group.expected_students}),
    }
    return render(request, "awareness/campaign_class_detail.html", context)


def _class_action(request: HttpRequest, pk: int, func, done: str, **kwargs) -> HttpResponse:
    user = request.user
    group = _class_or_404(user, pk)
    try:
        func(actor=user, class_group=group, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("awareness_class_detail", pk=group.pk)


@require_POST
def class_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    return _class_action(
        request,
        pk,
        svc.regenerate_join_code,
        _("Đã đổi mã tham gia; mã cũ không còn dùng được."),
    )


@require_POST
def class_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    is_open = request.POST.get("open") == "1"
    return _class_action(
        request,
        pk,
        svc.set_class_open,
        _("Lớp đã mở lại để nhận học sinh.") if is_open else _("Lớp đã ngừng nhận học sinh."),
        is_open=is_open,
    )


@require_POST
def class_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    group = _class_or_404(user, pk)
    form = ClassSizeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("awareness_class_detail", pk=group.pk)
    return _class_action(
        request,
        pk,
        svc.update_class_group,
        _("Đã lưu sĩ số của lớp."),
        expected_students=form.cleaned_data.get("expected_students"),
    )


@require_GET
def class_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 sheet: the code, the address and a QR code (inline SVG, made here)."""
    import segno

    group = _class_or_404(request.user, pk)
    url = join_url(request, group)
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=6, border=2, dark="#000", omitsize=False)
    context = {
        "group": group,
        "campaign": group.campaign,
        "code": svc.format_join_code(group.join_code),
        "join_url": url,
        "join_path": request.build_absolute_uri(reverse("awareness_join")),
        "qr_svg": svg,
    }
    return render(request, "awareness/join_sheet.html", context)


# --- students ---------------------------------------------------------------------------------


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


def _join_keys(request: HttpRequest) -> list[tuple[str, int]]:
    if not request.session.session_key:
        request.session.save()
    session = hashlib.sha256((request.session.session_key or "").encode()).hexdigest()[:24]
    address = hashlib.sha256(_client_address(request).encode()).hexdigest()[:24]
    return [
        (f"awareness:join-fail:s:{session}", JOIN_FAILURES_PER_SESSION),
        (f"awareness:join-fail:a:{address}", JOIN_FAILURES_PER_ADDRESS),
    ]


def _join_blocked(keys: list[tuple[str, int]]) -> bool:
    return any(ratelimit.count(key) >= limit for key, limit in keys)


def _join_failed(keys: list[tuple[str, int]]) -> None:
    for key, _limit in keys:
        ratelimit.hit(key, JOIN_WINDOW_SECONDS)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """A student joins a class with its code and their name; no account, no other data."""
    student = student_from_session(request)
    staff = request.user.is_authenticated
    initial = {"code": request.GET.get("ma", "")[:20]}
    form = JoinForm(request.POST or None, initial=initial)
    blocked = False
    if request.method == "POST" and staff:
        form.add_error(
            None,
            _(
                "Bạn đang đăng nhập bằng tài khoản cán bộ; mã lớp dành cho học sinh. "
                "Hãy đăng xuất hoặc dùng trình duyệt khác để thử."
            ),
        )
    elif request.method == "POST":
        keys = _join_keys(request)
        blocked = _join_blocked(keys)
        if blocked:
            form.add_error(
                "code",
                _("Em đã nhập sai mã quá nhiều lần. Hãy đợi khoảng 15 phút rồi thử lại."),
            )
        elif form.is_valid():
            try:
                learner, secret = svc.join_class(
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    returning=student,
                )
            except ValidationError as exc:
                if "code" in getattr(exc, "error_dict", {}):
                    _join_failed(keys)
                _add_errors(form, exc)
            else:
                if secret is not None:
                    remember_student(request, learner, secret)
                request.session.set_expiry(STUDENT_SESSION_DAYS * 24 * 3600)
                messages.success(
                    request,
                    _("Chào %(name)s! Em đã vào lớp %(cls)s.")
                    % {"name": learner.name, "cls": learner.class_group.name},
                )
                return redirect("awareness_my_learning")
    context = {
        "form": form,
        "student": student,
        "staff": staff,
        "blocked": blocked,
    }
    status = 429 if blocked else 200
    return render(request, "awareness/join.html", context, status=status)


@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """A staff account's campaigns, or the session student's class campaign."""
    user = request.user
    if not user.is_authenticated and student_from_session(request) is None:
        return redirect("awareness_join")
    learner = current_learner(request)
    cards = sel.learning_for(learner)
    for card in cards:
        for row in card.lessons:
            row.url = lesson_url(row.lesson, card.campaign)
    context = {
        "nav_section": "learning",
        "learner": learner,
        "cards": cards,
        "student": learner is not None and learner.kind == "student",
        "today": timezone.localdate(),
    }
    return render(request, "awareness/learning_home.html", context)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """ "Thoát": this browser forgets the student (the record and results stay)."""
    forget_student(request)
    messages.success(request, _("Em đã thoát. Lần sau hãy nhập lại mã lớp và họ tên để học tiếp."))
    return redirect("awareness_join")


# --- certificates -----------------------------------------------------------------------------


@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    from lachan.documents.certificate import certificate_filename, render_certificate_pdf

    user = request.user
    learner = student_from_session(request) if not user.is_authenticated else None
    if not user.is_authenticated and learner is None:
        return redirect_to_login(request.get_full_path())
    try:
        cert = sel.certificate_for_request(user, learner, pk)
    except Certificate.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(render_certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(cert)}"'
    return response
