"""``{% unit_networks unit %}``: the "Mạng của đơn vị" section of the unit page (org), read
through ``assets.selectors`` with the requesting user's scope."""

from __future__ import annotations

from django import template

from lachan.assets import selectors

register = template.Library()


@register.inclusion_tag("assets/_unit_networks_section.html", takes_context=True)
def unit_networks(context, unit):
    request = context.get("request")
    user = getattr(request, "user", None)
    networks = list(
        selectors.networks_of_unit(user, unit).order_by("version", "range_start", "valid_from")
    )
    return {
        "unit": unit,
        "networks": networks,
        "can_manage": user is not None and selectors.can_manage_networks(user, unit),
        "request": request,
    }
