from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from accounts.models import Membership, Structure
from pathway.models import PathwayType
from people.identity import clean_nir, mask_nir, nir_matches_identity, too_young
from people.models import Person
from relais import secrets
from relais.forms import DateInput
from relais.phone import PhoneInput, normalise_phone
from territory.forms import CommuneField


def clean_birth_date(value, *, minimum_age=False):
    if value is None:
        return value
    if value > timezone.localdate():
        raise ValidationError("La date de naissance ne peut pas être dans le futur.")
    if value < date(1900, 1, 1):
        raise ValidationError("La date de naissance doit être postérieure au 1er janvier 1900.")
    if minimum_age and too_young(value, timezone.localdate()):
        raise ValidationError(
            f"La personne doit avoir au moins {settings.RELAIS_MINIMUM_AGE} ans : vérifiez la date de naissance."
        )
    return value


class NirInput(forms.TextInput):
    """A NIR input that never sends the NIR back to the browser (like a password), nor lets it remember it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value):
        return None


class SearchForm(DsfrBaseForm):
    last_name = forms.CharField(label="Nom (de naissance ou d'usage)", max_length=150, required=False)
    first_names = forms.CharField(label="Prénom(s)", max_length=200, required=False)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=DateInput())
    nir = forms.CharField(
        label="Numéro de sécurité sociale",
        max_length=21,
        required=False,
        help_text="15 caractères, espaces permis.",
        widget=NirInput,
    )
    caf_number = forms.CharField(label="Numéro d'allocataire CAF", max_length=20, required=False)
    france_travail_id = forms.CharField(label="Identifiant France Travail", max_length=20, required=False)

    # A birth date or first names narrow a search; they never make one (a whole day of births is not a search).
    IDENTIFIERS = ("nir", "caf_number", "france_travail_id")

    def clean_nir(self):
        return clean_nir(self.cleaned_data.get("nir"))

    def clean_birth_date(self):
        return clean_birth_date(self.cleaned_data.get("birth_date"))

    def clean_caf_number(self):
        return (self.cleaned_data.get("caf_number") or "").strip()

    def clean_france_travail_id(self):
        return (self.cleaned_data.get("france_travail_id") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("last_name", "").strip() or any(cleaned.get(name) for name in self.IDENTIFIERS):
            return cleaned
        if any(name in self.errors for name in self.IDENTIFIERS):
            return cleaned  # an identifier was typed: its own error says what is wrong with it
        if cleaned.get("birth_date") or cleaned.get("first_names", "").strip() or "birth_date" in self.errors:
            self.add_error(
                "last_name",
                "Indiquez aussi le nom, ou un identifiant (NIR, numéro d'allocataire CAF, identifiant France "
                "Travail) : une date de naissance ou un prénom seuls ne suffisent pas pour rechercher.",
            )
        else:
            self.add_error(
                "last_name",
                "Indiquez un nom, ou un identifiant : NIR, numéro d'allocataire CAF ou identifiant France Travail.",
            )
        return cleaned

    def get_context(self):
        nir = self.cleaned_data.get("nir") if self.is_bound and hasattr(self, "cleaned_data") else ""
        if nir:
            # The NIR typed is never written back in the page: only its masked form says what was searched.
            self["nir"].help_text = f"Recherche faite avec le NIR {mask_nir(nir)}, qui n'est pas réaffiché."
        return super().get_context()

    def criteria(self):
        """The labels of the criteria filled in (for the journal: never what was typed)."""
        return [_lower_first(field.label) for name, field in self.fields.items() if self.cleaned_data.get(name)]


def _lower_first(label):
    return label[:1].lower() + label[1:]


class PersonForm(DsfrBaseForm, forms.ModelForm):
    nir = forms.CharField(
        label="Numéro de sécurité sociale (NIR)",
        max_length=21,
        required=False,
        help_text="Sert seulement à fiabiliser l'identité ; il est chiffré et n'apparaît dans aucune liste.",
        widget=NirInput,
    )
    # A valid NIR typed while another field is corrected, encrypted: never sent back in clear, never lost.
    kept_nir = forms.CharField(widget=forms.HiddenInput, required=False)
    commune = CommuneField(label="Commune de résidence")
    entry_date = forms.DateField(
        label="Date d'entrée",
        initial=timezone.localdate,
        widget=DateInput(),
        help_text="Le jour où la personne entre dans le parcours.",
    )
    rsa_informed_on = forms.DateField(
        label="RSA : information de l'ouverture du droit reçue par le Département le",
        required=False,
        widget=DateInput(),
        help_text=(
            "Date du flux CAF ou MSA, ou du jour où le Département l'a appris. Le délai d'orientation de six semaines "
            "court à partir de cette date (vide : la date d'entrée)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "birth_name",
            "usage_name",
            "first_names",
            "birth_date",
            "sex",
            "nir",
            "caf_number",
            "france_travail_id",
            "email",
            "phone",
            "address",
            "commune",
            "household_role",
            "rsa_since",
            "jobseeker_registered",
            "rqth",
        ]
        widgets = {
            "birth_date": DateInput(),
            "rsa_since": DateInput(),
            "phone": PhoneInput(),
        }
        help_texts = {
            "first_names": "Tous les prénoms, dans l'ordre de l'état civil.",
            "phone": "Exemple : 06 12 34 56 78",
            "email": "Format attendu : nom@domaine.fr",
            "rqth": "Donnée sensible : visible seulement de l'équipe qui en a besoin.",
        }

    def __init__(self, *args, with_sensitive=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_sensitive:
            # The RQTH is sensitive: only the narrow circle sees or changes it (see entry.access).
            del self.fields["rqth"]
        if self.instance.pk and self.instance.nir_digest:
            # The NIR is never shown in full again: typing a new one replaces it, leaving it empty keeps it.
            masked = self.instance.nir_masked
            self.fields[
                "nir"
            ].help_text = f"Enregistré : {masked}. Laissez vide pour le conserver, saisissez-le pour le corriger."
        if self.instance.pk:
            self.initial["commune"] = self.instance.commune.code
            self.initial["version"] = self.instance.version
            pathway = getattr(self.instance, "pathway", None)
            if pathway is not None:
                self.initial["entry_date"] = pathway.entered_at
                self.initial["rsa_informed_on"] = pathway.rsa_informed_on

    def identity(self):
        """The person's fields as typed (the NIR apart: it is encrypted and hashed by the action)."""
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.fields and name in self.cleaned_data and name != "nir"
        }

    def clean_nir(self):
        return clean_nir(self.cleaned_data.get("nir")) or self._kept_nir()

    def _kept_nir(self):
        """The NIR kept from a previous submission of this form: only one this server encrypted."""
        try:
            return clean_nir(secrets.decrypt(self.data.get(self.add_prefix("kept_nir"), "")))
        except ValidationError:
            return ""

    def get_context(self):
        nir = self.cleaned_data.get("nir") if self.is_bound and hasattr(self, "cleaned_data") else ""
        if nir:
            # Shown again with an error or a confirmation: the NIR goes back encrypted, and masked to the eye.
            self.data = self.data.copy()
            self.data[self.add_prefix("kept_nir")] = secrets.encrypt(nir)
            self["nir"].help_text = (
                f"NIR saisi : {mask_nir(nir)}. Il est conservé sans être réaffiché : laissez ce champ vide pour "
                "le garder, ou saisissez-en un autre."
            )
        return super().get_context()

    def clean_birth_date(self):
        return clean_birth_date(self.cleaned_data.get("birth_date"), minimum_age=True)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean_france_travail_id(self):
        return (self.cleaned_data.get("france_travail_id") or "").strip().upper()

    def clean_caf_number(self):
        value = (self.cleaned_data.get("caf_number") or "").strip()
        if value and not value.isdigit():
            raise ValidationError("Le numéro d'allocataire CAF ne contient que des chiffres.")
        return value

    def clean_rsa_informed_on(self):
        value = self.cleaned_data.get("rsa_informed_on")
        if value and value > timezone.localdate():
            raise ValidationError("La date de réception de l'information ne peut pas être dans le futur.")
        return value

    def clean_rsa_since(self):
        value = self.cleaned_data.get("rsa_since")
        if value and value > timezone.localdate():
            raise ValidationError("La date d'ouverture du RSA ne peut pas être dans le futur.")
        return value

    def clean(self):
        cleaned = super().clean()
        for message in nir_matches_identity(cleaned.get("nir"), cleaned.get("sex"), cleaned.get("birth_date")):
            self.add_error("nir", message)
        if self.instance.pk and cleaned.get("version") not in (None, self.instance.version):
            raise ValidationError(
                "Ce dossier a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
                "Vos saisies sont conservées ci-dessous : rechargez le dossier pour voir la nouvelle version, "
                "puis reportez vos changements."
            )
        return cleaned

    MATCHED_FIELDS = (
        "birth_name",
        "usage_name",
        "first_names",
        "birth_date",
        "nir",
        "caf_number",
        "france_travail_id",
    )

    def search_criteria(self):
        """The labels of the identity fields filled in, by which duplicates are sought (never their values)."""
        return [
            _lower_first(str(self.fields[name].label)) for name in self.MATCHED_FIELDS if self.cleaned_data.get(name)
        ]

    def save(self, commit=True):
        person = super().save(commit=False)
        if self.cleaned_data.get("nir") or not person.pk:
            person.set_nir(self.cleaned_data.get("nir"))
        if commit:
            person.save()
        return person


class ConfirmDuplicateForm(DsfrBaseForm):
    confirm_not_duplicate = forms.BooleanField(
        label="J'ai vérifié : aucune des personnes proposées n'est celle que je crée.",
        required=True,
        error_messages={"required": "Confirmez que la personne n'est pas déjà connue, ou ouvrez son dossier."},
    )


class AccessRequestForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de la demande",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi avez-vous besoin d'accéder à ce dossier ? Le motif est conservé.",
        max_length=1000,
    )


class AccessAnswerForm(DsfrBaseForm):
    comment = forms.CharField(
        label="Commentaire (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


PATHWAY_CHOICES = PathwayType.choices


def database_id(model, value):
    """``value`` as a primary key of ``model``, or None when it cannot be one (not a number, out of range)."""
    value = str(value or "").strip()
    if not value.isdigit() or not value.isascii():
        return None
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    number = int(value)
    return number if (low is None or number >= low) and (high is None or number <= high) else None


def referent_choices(structure_id):
    """The active members of a validated structure, who can be designated référent."""
    structure_id = database_id(Structure, structure_id)
    if structure_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(structure_id=structure_id, is_active=True, structure__is_validated=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


class DecisionForm(DsfrBaseForm):
    pathway_type = forms.ChoiceField(label="Parcours décidé", choices=PATHWAY_CHOICES, widget=InlineRadioSelect)
    referent_structure = forms.ModelChoiceField(
        label="Organisme référent", queryset=Structure.objects.none(), empty_label="Choisir une structure"
    )
    referent = forms.ModelChoiceField(
        label="Référent",
        queryset=Membership.objects.none(),
        required=False,
        help_text="L'organisme référent peut le désigner plus tard.",
        empty_label="À désigner par l'organisme référent",
        error_messages={"invalid_choice": "Le référent doit être membre de l'organisme référent choisi."},
    )
    decision_reason = forms.CharField(
        label="Motif de la décision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si la décision diffère de l'orientation proposée.",
        template_name="dsfr/conditional_field.html",
    )

    def __init__(self, *args, proposed_pathway, **kwargs):
        self.proposed_pathway = proposed_pathway
        super().__init__(*args, **kwargs)
        self.fields["referent_structure"].queryset = Structure.objects.filter(is_validated=True).order_by("name")
        # Only the members of the chosen organisme référent are offered (the page reloads them with htmx when
        # the structure changes): never the two thousand professionals of the département at once.
        structure_id = self.data.get("referent_structure") or self.initial.get("referent_structure")
        self.fields["referent"].queryset = referent_choices(structure_id)
        self.fields["referent"].label_from_instance = lambda m: f"{m.user}{' – ' + m.job_title if m.job_title else ''}"
        self.fields["referent_structure"].widget.attrs.update(
            {
                "hx-get": reverse("entry:referent_options"),
                "hx-target": "#id_referent",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )

    def clean(self):
        cleaned = super().clean()
        pathway_type = cleaned.get("pathway_type")
        if pathway_type and pathway_type != self.proposed_pathway and not cleaned.get("decision_reason", "").strip():
            self.add_error(
                "decision_reason",
                "Expliquez pourquoi la décision diffère de l'orientation proposée par le diagnostic.",
            )
        referent = cleaned.get("referent")
        structure = cleaned.get("referent_structure")
        if referent and structure and referent.structure_id != structure.pk:
            self.add_error("referent", "Le référent doit être membre de l'organisme référent choisi.")
        return cleaned


class CommissionForm(DsfrBaseForm):
    title = forms.CharField(label="Intitulé", max_length=200, initial="Commission d'orientation")
    held_on = forms.DateField(label="Date de la séance", widget=DateInput())


class OpinionForm(DsfrBaseForm):
    pathway = forms.ChoiceField(
        label="Parcours que vous préconisez", choices=[("", "Pas de préférence"), *PATHWAY_CHOICES], required=False
    )
    structure = forms.ModelChoiceField(
        label="Organisme référent que vous préconisez",
        queryset=Structure.objects.none(),
        required=False,
        empty_label="Pas de préférence",
    )
    wish = forms.CharField(
        label="Souhait de la personne",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce que la personne souhaite, dans ses mots si possible.",
    )
    comment = forms.CharField(
        label="Votre avis",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi vous préconisez ce parcours ou cette structure. Pas d'information de santé.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.filter(is_validated=True).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("pathway", "structure", "wish", "comment")):
            raise forms.ValidationError(
                "Indiquez au moins un parcours, une structure, le souhait de la personne ou votre avis."
            )
        return cleaned


class RefusalForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Pourquoi votre structure refuse-t-elle cette orientation ?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Le chargé d'orientation le lira pour orienter la personne ailleurs. Pas d'information de santé.",
    )


class ReorientationForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Pourquoi demander une réorientation ?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Ce qui a changé dans la situation de la personne. Pas d'information de santé.",
    )
