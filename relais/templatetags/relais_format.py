from django import template

from relais.phone import format_phone

register = template.Library()


@register.filter
def phone(value):
    """« +33123456789 » → « 01 23 45 67 89 »."""
    return format_phone(value)


@register.filter
def accord(person, word):
    """« orienté » agreed with the person's sex when it is known: orientée, orienté, orienté(e)."""
    sex = getattr(person, "sex", "")
    return f"{word}e" if sex == "F" else word if sex == "M" else f"{word}(e)"
