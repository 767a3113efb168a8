"""Tags of the vulnerability pages: priority and severity badges, EPSS as a percentage, and
``{% unit_vulnerabilities unit %}``, the "Lỗ hổng bảo mật" section of the unit page (org),
read through ``intel.vuln_selectors`` with the requesting user's scope."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lachan.intel.vuln_charts import priority_label

register = template.Library()

PRIORITY_CLASSES = {1: "sev-critical", 2: "sev-high", 3: "sev-medium", 4: "sev-low"}
SEVERITY_CLASSES = {
    "critical": "sev-critical",
    "high": "sev-high",
    "medium": "sev-medium",
    "low": "sev-low",
}


def severity_label(severity: str) -> str:
    return {
        "critical": _("Nghiêm trọng"),
        "high": _("Cao"),
        "medium": _("Trung bình"),
        "low": _("Thấp"),
        "none": _("Không đáng kể"),
    }.get((severity or "").lower(), severity or "—")


@register.simple_tag
def priority_badge(priority) -> str:
    """A badge "Ưu tiên 1 · Khẩn cấp"-like, short enough for a table cell."""
    if priority in (None, ""):
        return format_html('<span class="muted">—</span>')
    p = int(priority)
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        PRIORITY_CLASSES.get(p, "badge-muted"),
        _("Mức ưu tiên %(p)d (1 là cao nhất)") % {"p": p},
        priority_label(p),
    )


@register.simple_tag
def severity_badge(severity, score=None) -> str:
    key = (severity or "").lower()
    if not key and score is None:
        return format_html('<span class="muted">{}</span>', _("Chưa chấm điểm"))
    text = severity_label(key)
    if score is not None:
        text = f"{floatformat(score, 1)} · {text}"
    return format_html(
        '<span class="badge {}">{}</span>', SEVERITY_CLASSES.get(key, "badge-muted"), text
    )


@register.filter
def severity_name(severity) -> str:
    return severity_label(severity)


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.9731 → "97,3%" (localised decimal separator)."""
    if value in (None, ""):
        return "—"
    return f"{floatformat(float(value) * 100, digits)}%"


@register.inclusion_tag("intel/vuln/_unit_section.html", takes_context=True)
def unit_vulnerabilities(context, unit):
    from lachan.intel.vuln_views import unit_section_context

    request = context.get("request")
    user = getattr(request, "user", None)
    return {**unit_section_context(user, unit), "request": request}
