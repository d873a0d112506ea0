"""Forms of the offer: a service's description, the catalogue search, a referral and the answers to it.

Value lists come from the data·inclusion package (``offer.schema``). Each form checks what comes in and says what
is wrong in French next to the field; the actions check again (an import or the API goes through them too).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from offer import schema
from offer.actions import EDITABLE_FIELDS
from offer.models import Capacity, EndReason, Referral, RefusalReason, Service
from relais.phone import normalise_phone
from territory.forms import CommuneField
from territory.models import Commune, Epci

BLANK = [("", "Indifférent")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _territory_communes():
    return Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT).order_by("name")


def _territory_epcis():
    return Epci.objects.filter(communes__departement_id=settings.RELAIS_DEPARTEMENT).distinct().order_by("name")


class _GroupedBoundField(DsfrBoundField):
    @property
    def groups(self):
        """``[(category label, [checkbox, …])]``: the checkboxes of the thématiques under their category."""
        by_value = {str(widget.data["value"]): widget for widget in self.subwidgets}
        return [
            (label, [by_value[value] for value, _ in values if value in by_value])
            for label, values in schema.grouped_thematiques()
        ]


class ThematiquesField(forms.MultipleChoiceField):
    """The schema's thématiques as checkboxes, one group per category."""

    template_name = "offer/fields/thematiques.html"

    def __init__(self, **kwargs):
        super().__init__(choices=schema.choices(schema.Thematique), widget=forms.CheckboxSelectMultiple, **kwargs)
        self.error_messages["invalid_choice"] = "Thématique inconnue du référentiel national : « %(value)s »."

    def get_bound_field(self, form, field_name):
        return _GroupedBoundField(form, self, field_name)


# The service's fields typed in the form as they are stored: the zone is typed as three fields (département,
# EPCI, communes) and the postcode follows the commune.
TYPED_FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in {"zone", "postcode"})


class ServiceForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du service", min_length=3, max_length=150)
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce que le service apporte, pour qui, comment il se déroule. Des phrases courtes.",
    )
    kind = forms.ChoiceField(label="Type de service", choices=[("", "—"), *schema.choices(schema.TypeService)])
    thematiques = ThematiquesField(label="Thématiques", help_text="Les besoins auxquels le service répond.")
    publics = forms.MultipleChoiceField(
        label="Publics",
        choices=schema.choices(schema.Public),
        widget=InlineCheckboxSelectMultiple,
        help_text="« Tous publics » ne se combine pas avec d'autres publics.",
    )
    publics_details = forms.CharField(label="Précisions sur les publics", required=False, max_length=2000)
    access_conditions = forms.CharField(
        label="Conditions d'accès et prérequis", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = forms.CharField(
        label="Justificatifs à fournir", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fees = forms.ChoiceField(label="Frais", choices=schema.choices(schema.Frais), widget=InlineRadioSelect)
    fees_details = forms.CharField(label="Précisions sur les frais", required=False, max_length=2000)
    reception_modes = forms.MultipleChoiceField(
        label="Modes d'accueil", choices=schema.choices(schema.ModeAccueil), widget=InlineCheckboxSelectMultiple
    )
    address = forms.CharField(label="Adresse", required=False, max_length=255)
    address_complement = forms.CharField(label="Complément d'adresse", required=False, max_length=255)
    commune = CommuneField(label="Commune du lieu d'accueil", required=False)
    opening_hours = forms.CharField(
        label="Horaires d'accueil", required=False, help_text="Exemple : du lundi au vendredi, 9 h – 12 h 30."
    )
    phone = forms.CharField(label="Téléphone", required=False, max_length=30, help_text="Exemple : 01 23 45 67 89")
    email = forms.EmailField(
        label="Adresse électronique",
        required=False,
        help_text="Format attendu : nom@domaine.fr",
        error_messages={"invalid": "Cette adresse électronique n'est pas valide. Format attendu : nom@domaine.fr"},
    )
    contact_name = forms.CharField(label="Personne à contacter", required=False, max_length=150)
    mobilisation_modes = forms.MultipleChoiceField(
        label="Comment mobiliser le service",
        choices=schema.choices(schema.ModeMobilisation),
        widget=InlineCheckboxSelectMultiple,
        required=False,
    )
    mobilisable_by = forms.MultipleChoiceField(
        label="Mobilisable par",
        choices=schema.choices(schema.PersonneMobilisatrice),
        widget=InlineCheckboxSelectMultiple,
        required=False,
    )
    mobilisation_link = forms.URLField(
        label="Lien de mobilisation", required=False, assume_scheme="https", help_text="Exemple : https://…"
    )
    mobilisation_details = forms.CharField(
        label="Précisions sur la mobilisation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weekly_hours = forms.DecimalField(
        label="Volume horaire hebdomadaire (heures)", required=False, min_value=0, max_digits=5, decimal_places=2
    )
    weeks = forms.IntegerField(label="Nombre de semaines", required=False, min_value=1, max_value=520)
    zone_departement = forms.BooleanField(label="Tout le département", required=False)
    zone_epcis = forms.ModelMultipleChoiceField(
        label="Intercommunalités (EPCI)",
        queryset=Epci.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zone_communes = forms.ModelMultipleChoiceField(
        label="Communes",
        queryset=Commune.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Plusieurs communes : maintenez la touche Ctrl (ou Cmd) en cliquant.",
    )
    capacity = forms.ChoiceField(label="Disponibilité", choices=Capacity.choices, widget=InlineRadioSelect)
    places_open = forms.IntegerField(label="Places ouvertes", required=False, min_value=0, max_value=100_000)
    waiting_weeks = forms.IntegerField(label="Délai d'attente (semaines)", required=False, min_value=0, max_value=520)
    response_days = forms.IntegerField(
        label="Délai de réponse à une orientation (jours)",
        min_value=1,
        max_value=365,
        initial=settings.RELAIS_REFERRAL_RESPONSE_DAYS,
        help_text="Sans réponse dans ce délai, l'orientation expire et le prescripteur est prévenu.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    ZONE_ERROR_FIELD = "zone_departement"

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["zone_epcis"].queryset = _territory_epcis()
        self.fields["zone_communes"].queryset = _territory_communes()
        self.fields["kind"].required = False

    @staticmethod
    def initial_from(service):
        zone = set(service.zone)
        initial = {name: getattr(service, name) for name in TYPED_FIELDS if name != "commune"}
        initial["version"] = service.version
        initial["commune"] = service.commune_id
        initial["zone_departement"] = settings.RELAIS_DEPARTEMENT in zone
        initial["zone_epcis"] = list(Epci.objects.filter(siren__in=zone).values_list("pk", flat=True))
        initial["zone_communes"] = list(Commune.objects.filter(code__in=zone).values_list("code", flat=True))
        return initial

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean_publics(self):
        publics = self.cleaned_data.get("publics") or []
        if schema.ALL_PUBLICS in publics and len(publics) > 1:
            raise ValidationError(
                "« Tous publics » ne se combine pas avec d'autres publics : décochez l'un ou les autres."
            )
        return publics

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("zone_departement") or cleaned.get("zone_epcis") or cleaned.get("zone_communes")):
            self.add_error(
                self.ZONE_ERROR_FIELD,
                "Indiquez où le service est ouvert : le département, des intercommunalités ou des communes.",
            )
        modes = cleaned.get("reception_modes") or []
        if schema.ModeAccueil.EN_PRESENTIEL.value in modes and not cleaned.get("commune"):
            self.add_error("commune", "Un service en présentiel a un lieu d'accueil : indiquez sa commune.")
        if cleaned.get("capacity") == Capacity.WAITING_LIST and cleaned.get("waiting_weeks") is None:
            self.add_error("waiting_weeks", "Indiquez le délai d'attente, en semaines.")
        return cleaned

    def zone(self):
        data = self.cleaned_data
        zone = [settings.RELAIS_DEPARTEMENT] if data.get("zone_departement") else []
        zone += [epci.siren for epci in data.get("zone_epcis") or []]
        zone += [commune.code for commune in data.get("zone_communes") or []]
        return zone

    def service_data(self):
        """The values the actions take: the fields of ``offer.actions.EDITABLE_FIELDS``."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in TYPED_FIELDS}
        for name in ("thematiques", "publics", "reception_modes", "mobilisation_modes", "mobilisable_by"):
            values[name] = sorted(values[name] or [])
        for name, value in values.items():
            if value is None and name not in {"commune", "weekly_hours", "weeks", "places_open", "waiting_weeks"}:
                values[name] = ""
        values["zone"] = self.zone()
        return values

    def add_action_errors(self, errors):
        """Errors an action found, shown next to the fields they are about."""
        for field, messages in errors.items():
            target = {"zone": self.ZONE_ERROR_FIELD}.get(field, field)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class SuspendForm(DsfrBaseForm):
    start = forms.DateField(label="Suspendu à partir du", widget=DateInput(), initial=timezone.localdate)
    end = forms.DateField(
        label="Jusqu'au (inclus)", widget=DateInput(), required=False, help_text="Vide : jusqu'à la reprise."
    )
    reason = forms.CharField(label="Motif", required=False, max_length=255, help_text="Exemple : congés d'été.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la suspension doit suivre son début.")
        return cleaned


class SearchForm(DsfrBaseForm):
    """The catalogue search. Nothing here is personal; from a carnet, it is posted all the same."""

    commune = CommuneField(label="Commune", required=False, help_text="Les services ouverts à ses habitants.")
    categories = forms.MultipleChoiceField(
        label="Thématiques",
        choices=schema.choices(schema.Categorie),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    thematique = forms.ChoiceField(label="Besoin précis", required=False)
    public = forms.ChoiceField(label="Public", required=False)
    kind = forms.ChoiceField(label="Type de service", required=False)
    fees = forms.ChoiceField(label="Frais", required=False)
    reception = forms.ChoiceField(label="Mode d'accueil", required=False)
    q = forms.CharField(label="Mots-clés", required=False, max_length=100, help_text="Exemple : permis, CV, épicerie.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thematique"].choices = [("", "Tous les besoins"), *schema.grouped_thematiques()]
        self.fields["public"].choices = [*BLANK, *schema.choices(schema.Public)]
        self.fields["kind"].choices = [*BLANK, *schema.choices(schema.TypeService)]
        self.fields["fees"].choices = [*BLANK, *schema.choices(schema.Frais)]
        self.fields["reception"].choices = [*BLANK, *schema.choices(schema.ModeAccueil)]
        self.fields["thematique"].error_messages["invalid_choice"] = (
            "Ce besoin n'est pas dans le référentiel national."
        )
        self.fields["categories"].error_messages["invalid_choice"] = (
            "Cette thématique n'est pas dans le référentiel national : « %(value)s »."
        )

    def show_counts(self, facets):
        """Put the facet counts in the labels: « Mobilité (12) »."""
        from offer.indexing import CATEGORY, FEES, KIND, PUBLIC, RECEPTION, THEMATIQUE

        def counted(prefix, values):
            return [(value, f"{label} ({count})") for value, label, count in facets.choices(prefix, values)]

        self.fields["categories"].choices = counted(CATEGORY, schema.choices(schema.Categorie))
        self.fields["thematique"].choices = [
            ("", "Tous les besoins"),
            *[(group, counted(THEMATIQUE, values)) for group, values in schema.grouped_thematiques()],
        ]
        self.fields["public"].choices = [*BLANK, *counted(PUBLIC, schema.choices(schema.Public))]
        self.fields["kind"].choices = [*BLANK, *counted(KIND, schema.choices(schema.TypeService))]
        self.fields["fees"].choices = [*BLANK, *counted(FEES, schema.choices(schema.Frais))]
        self.fields["reception"].choices = [*BLANK, *counted(RECEPTION, schema.choices(schema.ModeAccueil))]

    def criteria(self):
        from offer.search import Criteria

        data = self.cleaned_data
        return Criteria(
            commune=data.get("commune"),
            categories=list(data.get("categories") or []),
            thematique=data.get("thematique") or "",
            public=data.get("public") or "",
            kind=data.get("kind") or "",
            fees=data.get("fees") or "",
            reception=data.get("reception") or "",
            text=data.get("q") or "",
        )


class ReferralForm(DsfrBaseForm):
    message = forms.CharField(
        label="Message à la structure",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text="Pourquoi ce service, ce que la personne en attend, ses disponibilités. "
        "Pas d'information de santé : elle n'est pas nécessaire pour orienter.",
    )
    share_contact = forms.BooleanField(
        label="Partager les coordonnées de la personne (téléphone, courriel, adresse)", required=False, initial=True
    )
    share_diagnostic = forms.BooleanField(
        label="Partager les freins relevés au diagnostic (hors santé)", required=False
    )


class AnswerForm(DsfrBaseForm):
    message = forms.CharField(
        label="Message au prescripteur", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class RefuseForm(DsfrBaseForm):
    reason = forms.ChoiceField(label="Motif du refus", choices=RefusalReason.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label="Précisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        help_text="Obligatoires pour « autre motif ».",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == RefusalReason.OTHER and not (cleaned.get("message") or "").strip():
            self.add_error("message", "Précisez le motif du refus.")
        return cleaned


class StartForm(DsfrBaseForm):
    started_on = forms.DateField(label="Commencé le", widget=DateInput(), initial=timezone.localdate)


class CompleteForm(DsfrBaseForm):
    detail = forms.CharField(
        label="Bilan (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class AbandonForm(DsfrBaseForm):
    reason = forms.ChoiceField(label="Motif de l'abandon", choices=EndReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == EndReason.OTHER and not (cleaned.get("detail") or "").strip():
            self.add_error("detail", "Précisez le motif de l'abandon.")
        return cleaned


class ReferralFilterForm(DsfrBaseForm):
    """Filters of the sent and received lists: only statuses and services, nothing personal in the address."""

    statut = forms.ChoiceField(label="État", required=False)
    service = forms.ChoiceField(label="Service", required=False)
    moi = forms.BooleanField(label="Seulement mes prescriptions", required=False)

    def __init__(self, *args, services=(), show_mine=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", "Tous"), ("a_traiter", "À traiter"), *Referral.Status.choices]
        self.fields["service"].choices = [("", "Tous"), *[(str(s.public_id), s.name) for s in services]]
        if not show_mine:
            del self.fields["moi"]

    def status_filter(self):
        value = self.cleaned_data.get("statut") if self.is_valid() else ""
        if value == "a_traiter":
            return list(Referral.AWAITING)
        return [value] if value else []


SERVICE_STATUS_LABELS = dict(Service.Status.choices)
