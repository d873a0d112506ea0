"""Forms of the imports' pages."""

from django import forms
from django.conf import settings

from imports.fields import FIELDS, PROFILES
from imports.models import ImportProfile
from imports.runs import size_message
from pathway.models import EntrySource

ACCEPTED = ".csv,.txt,.tsv,.xlsx"


def profile_choices(structure):
    choices = [(name, profile.label) for name, profile in PROFILES.items()]
    saved = [(profile.name, f"{profile.name} (profil de la structure)") for profile in structure.import_profiles.all()]
    return choices + saved


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier",
        help_text="CSV (séparateur point-virgule, virgule ou tabulation, tout encodage courant) ou Excel (.xlsx).",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    profile = forms.ChoiceField(label="Type de liste (profil de colonnes)")
    apply = forms.TypedChoiceField(
        label="Mode",
        choices=[("1", "Importer"), ("0", "Simuler seulement (rien n'est écrit, le rapport est produit)")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = profile_choices(structure)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(size_message(upload.size))
        if upload.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        return upload


class HeadersForm(forms.Form):
    """First step of a saved profile: a sample of the file, whose headers are then mapped."""

    file = forms.FileField(
        label="Un fichier exemple",
        help_text="Seule la ligne des noms de colonnes est lue ; le fichier n'est pas conservé.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )


FIELD_CHOICES = [("", "— ignorer cette colonne —"), *((name, label.capitalize()) for name, label in FIELDS.items())]


class MappingForm(forms.Form):
    """Second step: a name, the origin of the people, and a Relais field for each header of the file."""

    name = forms.CharField(label="Nom du profil", max_length=100)
    entry_source = forms.ChoiceField(
        label="Origine des personnes",
        choices=[
            (EntrySource.IMPORT, EntrySource.IMPORT.label),
            (EntrySource.CAF, EntrySource.CAF.label),
            (EntrySource.FRANCE_TRAVAIL, EntrySource.FRANCE_TRAVAIL.label),
        ],
    )

    def __init__(self, *args, headers, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.structure = structure
        generic = PROFILES["generic"]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Colonne « {header} »",
                choices=FIELD_CHOICES,
                required=False,
                initial=generic.field_for(header) or "",
            )
            self.fields[f"header_{index}"] = forms.CharField(initial=header, widget=forms.HiddenInput)

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def hidden_headers(self):
        return [self[f"header_{index}"] for index in range(len(self.headers))]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name in PROFILES or ImportProfile.objects.filter(structure=self.structure, name=name).exists():
            raise forms.ValidationError("Un profil porte déjà ce nom : choisissez-en un autre.")
        return name

    def clean(self):
        cleaned = super().clean()
        mapping, used = {}, set()
        for index in range(len(self.headers)):
            relais_field = cleaned.get(f"column_{index}")
            if not relais_field:
                continue
            if relais_field in used:
                self.add_error(f"column_{index}", f"« {FIELDS[relais_field]} » est déjà associé à une autre colonne.")
            used.add(relais_field)
            mapping[cleaned.get(f"header_{index}", self.headers[index])] = relais_field
        missing = [FIELDS[name] for name in ("birth_name", "first_names", "birth_date") if name not in used]
        if not used & {"commune_code", "postcode", "commune_name"}:
            missing.append("commune (code INSEE, code postal ou nom)")
        if missing:
            raise forms.ValidationError(f"Associez une colonne à chacun de ces champs : {', '.join(missing)}.")
        cleaned["mapping"] = mapping
        return cleaned
