"""Form pieces every app shares."""

import html

from django import forms
from django.utils.formats import localize
from django.utils.safestring import SafeData


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as yyyy-mm-dd and shows as the user's locale (dd/mm/yyyy)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Widgets written in Python. Django renders each widget, and each option of a list, through a template of its own:
# on the long forms (the diagnostic's answers, a service's description, the commune lists) that was most of a
# page's time. The markup is that of Django's templates (``django/forms/widgets/``), escaped the same way.


def escaped(value):
    """``{{ value|stringformat:'s' }}`` in a template: escaped unless already marked safe."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def shown(value):
    """``{{ value }}`` in a template: a number or a date in the French format, then escaped."""
    return escaped(localize(value))


def attributes(attrs):
    """As Django's ``attrs.html`` writes them: in their order, a true one by its name alone, a false one not at all."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {escaped(name)}")
        elif value is not False:
            parts.append(f' {escaped(name)}="{escaped(value)}"')
    return "".join(parts)


def input_markup(widget):
    """``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
    name, attrs = escaped(widget["name"]), attributes(widget["attrs"])
    return f'<input type="{escaped(widget["type"])}" name="{name}"{value}{attrs}>'


def textarea_markup(widget):
    """``django/forms/widgets/textarea.html``."""
    value = shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escaped(widget["name"])}"{attributes(widget["attrs"])}>\n{value}</textarea>'


SELECT_OPTION = "django/forms/widgets/select_option.html"


def options_markup(optgroups):
    parts = []
    for group_name, options, _ in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{escaped(option["value"])}"{attributes(option["attrs"])}>'
                f"{shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def select_markup(widget):
    """The project's ``django/forms/widgets/select.html``; None when an option has a template of its own."""
    if any(option["template_name"] != SELECT_OPTION for _, options, _ in widget["optgroups"] for option in options):
        return None
    name, attrs = escaped(widget["name"]), attributes(widget["attrs"])
    return f'<select name="{name}"{attrs}>{options_markup(widget["optgroups"])}\n</select>'


INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "number", "email", "url", "password", "hidden", "date", "search", "tel", "time", "checkbox")
}


def widget_markup(template_name, context):
    """The markup of a widget whose template is one of Django's plain ones, written here (without the spaces around
    it, which the renderer strips from a template's output); None for any other."""
    widget = context.get("widget")
    if widget is None:
        return None
    if template_name in INPUT_TEMPLATES:
        return input_markup(widget)
    if template_name == "django/forms/widgets/textarea.html":
        return textarea_markup(widget)
    if template_name == "django/forms/widgets/select.html":
        return select_markup(widget)
    return None
