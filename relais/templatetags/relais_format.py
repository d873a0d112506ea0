from django import template

from relais.phone import format_phone

register = template.Library()


@register.filter
def phone(value):
    """« +33123456789 » → « 01 23 45 67 89 »."""
    return format_phone(value)
