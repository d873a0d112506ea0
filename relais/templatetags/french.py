"""Loaded in every template (settings.TEMPLATES builtins): Django's ``pluralize`` with the French rule."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter(is_safe=False)
def pluralize(value, arg="s"):
    """« 0 personne », « 1 personne », « 1,5 heure », « 2 personnes »: the plural starts at 2 in French.

    Same arguments as Django's filter: ``"s"``, ``"x"`` or ``"singular,plural"``; a list counts its items.
    """
    singular, plural = ("", arg) if "," not in arg else arg.split(",", 1)
    if "," in plural:
        return ""
    try:
        count = abs(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        try:
            count = len(value)
        except TypeError:
            return ""
    return plural if count >= 2 else singular
