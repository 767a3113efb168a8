"""``{% unit_botnet_history unit %}``: the "Danh sách IP botnet" section of the unit page (org),
read through ``intel.selectors`` with the requesting user's scope."""

from __future__ import annotations

from django import template

from lachan.intel import selectors

register = template.Library()


@register.inclusion_tag("intel/_unit_botnet_section.html", takes_context=True)
def unit_botnet_history(context, unit):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unit": unit, "months": selectors.unit_history(user, unit), "request": request}
