"""``{% if principal|may:"create" %}``: show a link or a button only to those whose role
allows what it leads to (core.roles.Permission names)."""

from django import template

from trygg.core.permissions import Principal
from trygg.core.roles import Permission

register = template.Library()


@register.filter
def may(principal: Principal | None, permission: str) -> bool:
    if principal is None:
        return False
    return principal.has(Permission(permission))
