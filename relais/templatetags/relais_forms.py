"""Forms after a failed submit: the page title says « Erreur : » and a summary at the top links to each field."""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.forms.utils import ErrorDict

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


@register.inclusion_tag("includes/error_summary.html")
def error_summary(errors):
    """The DSFR error summary: takes focus when the page loads, one link per field in error."""
    return {"errors": errors}
