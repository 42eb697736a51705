from django import template

register = template.Library()


@register.filter
def index_value(value, is_share):
    """An index for display: a share as per cent, a mean with one decimal."""
    if value is None:
        return "–"
    return f"{100 * value:.0f} %" if is_share else f"{value:.1f}".replace(".", ",")
