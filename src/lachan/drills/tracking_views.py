"""Public routes of a drill e-mail (no login; the recipient's token is the only key), and the
logged-in "report a suspicious e-mail" page.

- ``/dt/o/<token>.gif``: the open-tracking pixel (1×1 GIF, never cached);
- ``/dt/c/<token>/``: the link in the e-mail — the lure page (a plain login imitation for
  templates with a form) or straight to the teaching page;
- ``/dt/l/<token>/``: the teaching page, with a "Tôi đã hiểu" button.

An unknown token is a 404. Every event keeps its first time. The lure form sends no field
that could hold a password (its inputs have no ``name``), and its view never reads the
request body at all: whatever a browser or a script sends is discarded unread, so it can be
neither stored nor logged (``sensitive_post_parameters`` also hides it from error reports).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .forms import ReportForm
from .models import DrillRecipient
from .rendering import fill, marked_body, sample_values, sender_display
from .views import numbered_flags

# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _recipient(token: str) -> DrillRecipient:
    try:
        return services.recipient_by_token(token)
    except DrillRecipient.DoesNotExist:
        raise Http404 from None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    # The token must not travel further in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def drill_open(request: HttpRequest, token: str) -> HttpResponse:
    recipient = _recipient(token)
    services.record_open(recipient=recipient)
    return _no_store(HttpResponse(PIXEL, content_type="image/gif"))


@csrf_exempt  # the token is the only credential; the body is never read (see module doc)
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def drill_click(request: HttpRequest, token: str) -> HttpResponse:
    recipient = _recipient(token)
    if request.method == "POST":
        # Deliberately not touching request.POST / request.body: nothing typed is kept.
        services.record_would_submit(recipient=recipient)
        return _no_store(redirect("drill_learn", token=token))
    services.record_click(recipient=recipient)
    template = recipient.drill.template
    if not template.has_login_form:
        return _no_store(redirect("drill_learn", token=token))
    return _no_store(
        render(
            request,
            "drills/lure_login.html",
            {"token": token, "title": template.lure_title or _("Đăng nhập hộp thư")},
        )
    )


def lesson_link(lesson) -> str:
    """The follow-up lesson's page."""
    if lesson is None:
        return ""
    return reverse("lesson_detail", kwargs={"slug": lesson.slug})


@csrf_exempt  # "Tôi đã hiểu" only sets a timestamp for the token's owner
@require_http_methods(["GET", "POST"])
def drill_learn(request: HttpRequest, token: str) -> HttpResponse:
    recipient = _recipient(token)
    acknowledged = False
    if request.method == "POST":
        services.record_acknowledged(recipient=recipient)
        acknowledged = True
    drill = recipient.drill
    template = drill.template
    flags = numbered_flags(template)
    sent = recipient.sent_at or recipient.queued_at or timezone.now()
    # The e-mail is shown again with neutral placeholders: the link may have been forwarded,
    # and this page needs no one's name.
    values = sample_values(
        link=services.tracking_urls(token)["link"],
        date_text=f"{timezone.localtime(sent):%d/%m/%Y}",
    )
    values["ho_ten"] = _("thầy/cô")
    values["don_vi"] = _("đơn vị của thầy/cô")
    lesson = drill.follow_up_lesson
    return _no_store(
        render(
            request,
            "drills/learn.html",
            {
                "token": token,
                "template": template,
                "subject": fill(template.subject, values),
                "sender": sender_display(template),
                "marked": marked_body(template, values, flags),
                "flags": flags,
                "sender_flags": [f["n"] for f in flags if f["part"] == "sender"],
                "subject_flags": [f["n"] for f in flags if f["part"] == "subject"],
                "submitted": recipient.submitted_at is not None,
                "lesson": lesson,
                "lesson_url": lesson_link(lesson),
                "acknowledged": acknowledged or recipient.acknowledged_at is not None,
                "just_acknowledged": acknowledged,
            },
        )
    )


@require_http_methods(["GET", "POST"])
def drill_report(request: HttpRequest) -> HttpResponse:
    """Staff paste a suspicious e-mail; a drill e-mail sent to them counts as reported."""
    outcome = None
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.report_message(actor=request.user, text=form.cleaned_data["message"])
        form = ReportForm()
    try:
        scam_report_url = reverse("scam_report_create")
    except NoReverseMatch:
        scam_report_url = ""
    return render(
        request,
        "drills/report.html",
        {
            "nav_section": "drill_report",
            "form": form,
            "outcome": outcome,
            "scam_report_url": scam_report_url,
        },
    )
