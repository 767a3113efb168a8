"""``{% unit_awareness_section unit %}``: the "Nâng cao nhận thức" section of the unit page (org),
read through ``awareness.selectors`` with the requesting user's scope."""

from __future__ import annotations

from django import template

from lachan.awareness.selectors.campaigns import unit_awareness

register = template.Library()


@register.inclusion_tag("awareness/_unit_awareness_section.html", takes_context=True)
def unit_awareness_section(context, unit):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unit": unit, "rows": unit_awareness(user, unit), "request": request}
