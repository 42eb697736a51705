from django import template

from trygg.core import formats

register = template.Library()


@register.filter
def index_value(value, is_share):
    """An index for display: a share as per cent, a mean with one decimal."""
    if value is None:
        return "–"
    return formats.share(value) if is_share else formats.number(value, 1)
