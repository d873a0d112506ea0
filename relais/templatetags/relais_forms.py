"""Forms after a failed submit: the page title says « Erreur : » and a summary at the top links to each field; the
options of a group of radios or checkboxes written in place."""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.forms.utils import ErrorDict
from django.utils.safestring import mark_safe

from relais.forms import attributes, escaped

register = template.Library()


def _validated_forms(context):
    """The forms and formsets of the page that were submitted and checked (never validates one itself)."""
    for value in context.flatten().values():
        if isinstance(value, (BaseForm, BaseFormSet)) and value.is_bound and value._errors is not None:
            yield value


def _field_anchor(bound_field):
    # A group of radio buttons or checkboxes has no single label target: link to its first option.
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


def _form_errors(form):
    errors = []
    for name, messages in (form.errors if isinstance(form.errors, ErrorDict) else {}).items():
        if name == "__all__" or name not in form.fields:
            errors.extend({"label": "", "message": message, "anchor": ""} for message in messages)
            continue
        bound_field = form[name]
        anchor = "" if bound_field.is_hidden else _field_anchor(bound_field)
        errors.append({"label": bound_field.label, "message": messages[0], "anchor": anchor})
    return errors


def page_errors(context):
    """[{label, message, anchor}] of every error of the page's checked forms, fields in the order of the form."""
    errors = []
    for form in _validated_forms(context):
        if isinstance(form, BaseFormSet):
            errors.extend({"label": "", "message": message, "anchor": ""} for message in form.non_form_errors())
            for member in form.forms:
                errors.extend(_form_errors(member))
        else:
            errors.extend(_form_errors(form))
    return errors


@register.simple_tag(takes_context=True)
def form_errors_of_page(context):
    return page_errors(context)


@register.simple_tag
def form_errors_of(form):
    """The errors of one submitted form of the page, for a summary of its own (a form among several, each in its
    box)."""
    return _form_errors(form) if form.is_bound else []


@register.inclusion_tag("includes/error_summary.html")
def error_summary(errors, title=""):
    """The DSFR error summary: takes focus when the page loads, one link per field in error. A page may say what
    was not done (``title``, « Le service n'est pas enregistré ») by overriding the ``error_summary`` block of
    ``base.html``: one summary per page, never a second one beside it."""
    return {"errors": errors, "title": title}


# The design system's templates for one radio or checkbox of a group: the class of the <div> around it, and whether
# it is written only when the option asks for it (``attrs.dsfr``), as the checkbox's template does.
_OPTION_GROUPS = {
    "django/forms/widgets/radio_option.html": ("fr-radio-group", False),
    "django/forms/widgets/checkbox_option.html": ("fr-checkbox-group", True),
}


@register.filter
def in_place(subwidget):
    """One radio or checkbox of a group, written here with the markup of the design system's option template.

    Each option rendered through a template of its own made the long forms (the diagnostic's answers, the offer's
    69 thématiques) spend most of their time there. Any other option is rendered as Django does.
    """
    option = subwidget.data
    group = _OPTION_GROUPS.get(option.get("template_name"))
    if group is None:
        return str(subwidget)
    group_class, only_if_asked = group
    attrs = option["attrs"]
    value = "" if option["value"] is None else f' value="{escaped(option["value"])}"'
    markup = f'<input type="{escaped(option["type"])}" name="{escaped(option["name"])}"{value}{attributes(attrs)}>'
    if option.get("wrap_label"):
        label, hint = option["label"], ""
        rich = getattr(label, "label", None)
        if rich:
            hint = (
                f'<span class="fr-hint-text" id="{escaped(attrs.get("id", ""))}_helptext">'
                f"{escaped(label.help_text)}</span>"
            )
            label = rich
        target = f' for="{escaped(attrs["id"])}"' if attrs.get("id") else ""
        markup += f'\n<label class="fr-label"{target}>{escaped(label)}{hint}</label>'
    if not only_if_asked or attrs.get("dsfr") == "dsfr":
        markup = f'<div class="{group_class}">\n{markup}\n</div>'
    return mark_safe(markup)
