"""The options of a group of radios or checkboxes, written in place, read exactly as the design system's templates
write them: same elements, same attributes in the same order, same text."""

import re

from django import forms
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from relais.templatetags.relais_forms import in_place


class Answers(forms.Form):
    choice = forms.ChoiceField(choices=[("a", "Oui & plus"), ("b", "Non <b>")], widget=forms.RadioSelect)
    inline = forms.ChoiceField(choices=[(1, "Un"), (2, "Deux")], widget=InlineRadioSelect)
    many = forms.MultipleChoiceField(choices=[("x", "Ex"), ("y", "Why")], widget=forms.CheckboxSelectMultiple)
    marked = forms.MultipleChoiceField(
        choices=[("x", "Ex"), ("y", "Why")], widget=InlineCheckboxSelectMultiple(attrs={"dsfr": "dsfr"})
    )


def _same(text):
    return re.sub(r"\s+", " ", str(text)).replace("> <", "><").replace("> ", ">").replace(" <", "<").strip()


def test_each_option_reads_as_the_template_writes_it():
    form = Answers(data={"choice": "b", "inline": "3", "many": ["y"], "marked": ["x", "z"]})
    form.is_valid()
    for name in ("choice", "inline", "many", "marked"):
        field = form[name]
        # As the field group's snippet passes them: with the design system's classes and the error's attributes.
        field.field.widget.attrs.update({"aria-invalid": True, "data-empty": False, "class": "fr-input"})
        for subwidget in field.subwidgets:
            assert _same(in_place(subwidget)) == _same(str(subwidget)), name


def test_a_checked_option_and_the_marked_group_keep_their_markup():
    form = Answers(initial={"choice": "a", "marked": ["x"]})
    choice, marked = form["choice"].subwidgets[0], form["marked"].subwidgets[0]

    assert " checked" in in_place(choice)
    assert str(in_place(choice)).startswith('<div class="fr-radio-group">')
    assert str(in_place(marked)).startswith('<div class="fr-checkbox-group">')
    assert not str(in_place(form["many"].subwidgets[0])).startswith("<div")
    assert "Oui &amp; plus" in in_place(choice)
