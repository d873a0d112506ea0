"""Dates as the contract writes them (the carnet's section is in ``pathway.carnet_sections``)."""

from django import template

register = template.Library()

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@register.filter
def long_date(value):
    """« 1er janvier 2027 », « 17 mars 2027 »: a date as a letter to the person writes it."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"
