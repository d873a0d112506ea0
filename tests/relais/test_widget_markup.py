"""Django's plain widgets are written in Python (``relais.forms``) with the markup their templates give: every one,
with what needs escaping, true and false attributes, no value, groups of options, a choice already made."""

import datetime

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from dsfr.forms import DsfrDjangoTemplates

from relais.form_renderer import FormRenderer
from relais.forms import DateInput

TRICKY = 'Tom & "Jerry" <b>l\'été</b>'
CHOICES = [("", "Choisir…"), ("a", TRICKY), ("Groupe <1>", [("b", "Bé"), ("c", mark_safe("<i>C</i>"))]), (3, 1200)]

WIDGETS = {
    "texte": (forms.TextInput(attrs={"class": "fr-input", "autofocus": True, "disabled": False}), TRICKY),
    "texte vide": (forms.TextInput(), None),
    "texte sûr": (forms.TextInput(), mark_safe("<déjà sûr>")),
    "nombre": (forms.NumberInput(attrs={"min": 0, "step": 0.5}), 12345),
    "courriel": (forms.EmailInput(attrs={"autocomplete": "email"}), "a@b.fr"),
    "adresse": (forms.URLInput(), "https://exemple.fr/?a=1&b=2"),
    "mot de passe": (forms.PasswordInput(render_value=True), "secret\"'"),
    "caché": (forms.HiddenInput(), 7),
    "date": (DateInput(), datetime.date(2026, 2, 1)),
    "recherche": (forms.TextInput(attrs={"type": "search"}), "q"),
    "téléphone": (forms.TextInput(attrs={"type": "tel"}), "06 12 34 56 78"),
    "heure": (forms.TimeInput(), datetime.time(9, 30)),
    "case cochée": (forms.CheckboxInput(), True),
    "case vide": (forms.CheckboxInput(attrs={"aria-describedby": "x"}), False),
    "texte long": (forms.Textarea(attrs={"rows": 3}), TRICKY + "\nsecond line"),
    "texte long vide": (forms.Textarea(), ""),
    "liste": (forms.Select(choices=CHOICES, attrs={"aria-invalid": "true"}), "b"),
    "liste sans choix": (forms.Select(choices=CHOICES), None),
    "liste multiple": (forms.SelectMultiple(choices=CHOICES, attrs={"size": 8}), ["a", "c", "3"]),
}


@pytest.mark.parametrize("case", WIDGETS)
def test_each_plain_widget_written_in_python_is_what_its_template_writes(case):
    widget, value = WIDGETS[case]
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    context = widget.get_context("champ", value, {"id": "id_champ", "required": True})

    written = renderer.render(widget.template_name, context)
    from_template = DsfrDjangoTemplates.render(renderer, widget.template_name, context)

    assert written == from_template


def test_a_widget_of_another_kind_still_goes_through_its_template():
    widget = forms.RadioSelect(choices=CHOICES[:2])
    html = widget.render("champ", "a", renderer=get_default_renderer())

    assert 'type="radio"' in html and "&quot;Jerry&quot;" in html
