"""Selects rendered in Python. Django renders each option through its own template: for the territory's 194
communes or the 69 thématiques of the search form, that is most of the page's time. Same markup, same attributes
(the design system's classes, ``aria-invalid`` and ``aria-describedby`` on an error)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SELECTED = mark_safe(" selected")


def _options(optgroups):
    parts = []
    for group_name, options, _ in optgroups:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        for option in options:
            value = "" if option["value"] is None else option["value"]
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>', value, SELECTED if option["selected"] else "", option["label"]
                )
            )
        if group_name:
            parts.append("</optgroup>")
    return parts


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        parts += _options(widget["optgroups"])
        parts.append("</select>")
        return mark_safe("".join(parts))


class FastSelectMultiple(forms.SelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        attributes = {**widget["attrs"], "multiple": True}
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(attributes))]
        parts += _options(widget["optgroups"])
        parts.append("</select>")
        return mark_safe("".join(parts))
