from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from pathway.models import SENSITIVE_VISIBILITIES, Note, Visibility, wider_than
from pathway.note_actions import CORRECTION_TOO_WIDE, SENSITIVE_TOO_WIDE
from relais.forms import DateInput

VISIBILITY_HELP = {
    Visibility.PERSON: "toute l'équipe, et la personne elle-même quand elle consultera son carnet",
    Visibility.TEAM: "les professionnels qui voient le carnet (l'équipe, l'organisme référent)",
    Visibility.STRUCTURE: "les membres de votre structure qui voient le carnet",
    Visibility.AUTHOR: "vous seul",
}


class NoteForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label="Nature de la note",
        choices=Note.Kind.choices,
        initial=Note.Kind.FOLLOW_UP,
        widget=forms.RadioSelect,
        help_text="Un contact individuel (entretien, appel, échange écrit) compte pour l'alerte « sans contact ».",
    )
    contact_on = forms.DateField(
        label="Date du contact",
        required=False,
        initial=timezone.localdate,
        widget=DateInput(),
        help_text="Obligatoire pour un contact. Format attendu : jj/mm/aaaa.",
    )
    contact_mode = forms.ChoiceField(
        label="Mode de contact",
        choices=[("", "Choisir…"), *Note.ContactMode.choices],
        required=False,
        help_text="Obligatoire pour un contact.",
    )
    text = forms.CharField(label="Texte de la note", max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}))
    sensitive = forms.BooleanField(
        label="Note sensible (santé, handicap, vie privée ou familiale, justice)",
        required=False,
        help_text="Une note sensible n'est lue que par vous, ou par votre structure si vous le choisissez : "
        "jamais par toute l'équipe. Elle est réservée à vous seul par défaut.",
    )
    visibility = forms.ChoiceField(
        label="Qui peut lire cette note ?",
        choices=[(value, f"{label.capitalize()} : {VISIBILITY_HELP[value]}") for value, label in Visibility.choices],
        initial=Visibility.TEAM,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, corrects=None, **kwargs):
        self.corrects = corrects
        super().__init__(*args, **kwargs)
        if corrects is not None:
            self.initial.setdefault("visibility", corrects.visibility)
            self.initial.setdefault("sensitive", corrects.sensitive)
            self.relabel(
                text="Texte de la correction",
                visibility_help="Une correction n'est pas lue par plus de monde que la note corrigée.",
            )

    def relabel(self, *, text=None, kind=None, visibility_help=None):
        """Other words for the fields (the bound fields were built with the first ones: built again)."""
        if text:
            self.fields["text"].label = text
        if kind:
            self.fields["kind"].label = kind
        if visibility_help:
            self.fields["visibility"].help_text = visibility_help
        self._bound_fields_cache.clear()

    def clean_contact_on(self):
        value = self.cleaned_data.get("contact_on")
        if value is not None and value > timezone.localdate():
            raise ValidationError("La date du contact ne peut pas être dans le futur.")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Note.Kind.CONTACT:
            if not cleaned.get("contact_on") and "contact_on" not in self.errors:
                self.add_error("contact_on", "Indiquez la date du contact.")
            if not cleaned.get("contact_mode"):
                self.add_error("contact_mode", "Indiquez comment le contact a eu lieu.")
        sensitive = cleaned.get("sensitive") or (self.corrects is not None and self.corrects.sensitive)
        visibility = cleaned.get("visibility")
        if visibility and sensitive and visibility not in SENSITIVE_VISIBILITIES:
            self.add_error("visibility", SENSITIVE_TOO_WIDE)
        elif visibility and self.corrects is not None and wider_than(visibility, self.corrects.visibility):
            self.add_error("visibility", CORRECTION_TOO_WIDE)
        return cleaned

    def values(self):
        """What the actions take."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "visibility": data["visibility"],
            "sensitive": data["sensitive"],
            "contact_on": data.get("contact_on"),
            "contact_mode": data.get("contact_mode", ""),
        }


class NoteSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher dans les notes",
        min_length=2,
        max_length=200,
        help_text="Un ou plusieurs mots, sans tenir compte des accents ni des majuscules.",
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
