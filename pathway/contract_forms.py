"""The contract's forms: they say what is wrong next to each field, with the same rules as the actions
(``terms_problems``, ``due_on_problem``), and carry the version the editor started from (``lock_version``)."""

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from pathway import referential
from pathway.contract_models import (
    WEEKLY_HOURS_DEFAULT,
    WEEKLY_HOURS_MAX,
    Action,
    AgreementMode,
    HoursGround,
    ReviewExtensionGround,
    due_on_problem,
    terms_problems,
)
from relais.forms import DateInput

CONTRACT_MONTHS = 6  # A contract is reviewed after six months unless the référent chooses otherwise.


def date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": "Indiquez la date.", "invalid": "Saisissez une date valide (jj/mm/aaaa)."},
        **kwargs,
    )


class VersionedForm(DsfrBaseForm):
    """``lock_version``: the version of the object the editor started from (optimistic check)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TermsForm(VersionedForm):
    starts_on = date_field("Date de début du contrat")
    review_on = date_field(
        "Date de révision", help_text="Le contrat est revu avec la personne à cette date (six mois par défaut)."
    )
    weekly_hours = forms.IntegerField(
        label="Objectif d'activité (heures par semaine)",
        min_value=0,
        max_value=WEEKLY_HOURS_MAX,
        initial=WEEKLY_HOURS_DEFAULT,
        help_text=(
            f"{WEEKLY_HOURS_DEFAULT} heures par défaut ; moins, ou 0 pour une dispense, seulement pour l'un des "
            "motifs prévus par la loi."
        ),
        error_messages={
            "required": "Indiquez l'objectif d'activité, en heures par semaine.",
            "invalid": "Saisissez un nombre entier d'heures.",
            "min_value": f"L'objectif d'activité doit être compris entre 0 et {WEEKLY_HOURS_MAX} heures par semaine.",
            "max_value": f"L'objectif d'activité doit être compris entre 0 et {WEEKLY_HOURS_MAX} heures par semaine.",
        },
    )
    hours_ground = forms.ChoiceField(
        label="Motif de la réduction ou de la dispense",
        choices=[("", "Aucun : objectif de 15 heures ou plus"), *HoursGround.choices],
        required=False,
        help_text="Donnée sensible pour la santé, le handicap et l'invalidité : seul l'organisme référent la voit.",
    )
    hours_reason = forms.CharField(
        label="Explication de la réduction",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, actions_due=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actions_due = list(actions_due)
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["review_on"].initial = today + relativedelta(months=CONTRACT_MONTHS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        problems = terms_problems(
            starts_on=cleaned.get("starts_on"),
            review_on=cleaned.get("review_on"),
            weekly_hours=cleaned.get("weekly_hours"),
            hours_ground=cleaned.get("hours_ground", ""),
            hours_reason=cleaned.get("hours_reason", ""),
            actions_due=self.actions_due,
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


def objective_choices(version, first_themes=()):
    """The referential's objectives grouped by theme, the diagnostic's barrier themes first."""
    by_theme = {}
    for objective in referential.objectives(version).values():
        by_theme.setdefault((objective.theme, objective.theme_label), []).append((objective.key, objective.label))
    ordered = sorted(by_theme.items(), key=lambda item: item[0][0] not in first_themes)
    return [
        ("", "Choisir un objectif du référentiel"),
        *[
            (f"{label} (frein relevé au diagnostic)" if key in first_themes else label, choices)
            for (key, label), choices in ordered
        ],
    ]


class ObjectiveForm(DsfrBaseForm):
    referential_key = forms.ChoiceField(label="Objectif du référentiel", required=False)
    label = forms.CharField(
        label="Ou un objectif libre",
        max_length=255,
        required=False,
        help_text="Si aucun objectif du référentiel ne convient, écrivez-le avec la personne.",
    )
    theme = forms.ChoiceField(label="Thème de l'objectif libre", required=False)
    details = forms.CharField(
        label="Précisions", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, version, first_themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referential_key"].choices = objective_choices(version, first_themes)
        self.fields["theme"].choices = [("", "Aucun"), *referential.themes(version)]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("referential_key") and not (cleaned.get("label") or "").strip():
            self.add_error("referential_key", "Choisissez un objectif du référentiel ou écrivez un objectif libre.")
        if cleaned.get("referential_key") and (cleaned.get("label") or "").strip():
            self.add_error("label", "Choisissez un objectif du référentiel ou un objectif libre, pas les deux.")
        return cleaned


class ObjectiveEditForm(VersionedForm):
    label = forms.CharField(label="Objectif", max_length=255)
    details = forms.CharField(
        label="Précisions", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class ActionForm(VersionedForm):
    referential_key = forms.ChoiceField(label="Action du référentiel", required=False)
    label = forms.CharField(label="Action", max_length=255, required=False)
    who = forms.ChoiceField(label="Qui mène l'action", choices=Action.Who.choices, widget=InlineRadioSelect)
    partner = forms.CharField(
        label="Partenaire", max_length=200, required=False, help_text="Quand un partenaire mène l'action : son nom."
    )
    due_on = date_field("Échéance")

    def __init__(self, *args, contract, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        if offered:
            self.fields["referential_key"].choices = [("", "Choisir une action du référentiel"), *offered]
            self.fields["label"].label = "Ou une action libre"
            self._bound_fields_cache.pop("label", None)  # Bound before the label changed (DsfrBaseForm).
        else:
            del self.fields["referential_key"]
            self.fields["label"].required = True
            self.fields["label"].error_messages["required"] = "Décrivez l'action."
            self._bound_fields_cache.pop("label", None)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("referential_key") and not (cleaned.get("label") or "").strip():
            field = "referential_key" if "referential_key" in self.fields else "label"
            self.add_error(field, "Choisissez une action du référentiel ou décrivez-la.")
        if cleaned.get("who") == Action.Who.PARTNER and not (cleaned.get("partner") or "").strip():
            self.add_error("partner", "Nommez le partenaire qui mène l'action.")
        if "due_on" in cleaned:
            problem = due_on_problem(cleaned["due_on"], self.contract)
            if problem:
                self.add_error("due_on", problem)
        return cleaned


class ActionStatusForm(VersionedForm):
    status = forms.ChoiceField(label="État de l'action", choices=Action.Status.choices)


class SignForm(DsfrBaseForm):
    signed_on = date_field("Date de la signature", initial=timezone.localdate)
    agreement_mode = forms.ChoiceField(
        label="Comment la personne a donné son accord",
        choices=AgreementMode.choices,
        widget=InlineRadioSelect,
        error_messages={"required": "Indiquez comment la personne a donné son accord."},
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError("La date de signature ne peut pas être dans le futur.")
        return signed_on


class RenewForm(DsfrBaseForm):
    starts_on = date_field("Début du nouveau contrat")
    review_on = date_field("Date de révision du nouveau contrat")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("review_on") and cleaned["review_on"] <= cleaned["starts_on"]:
            self.add_error("review_on", "La date de révision doit être postérieure à la date de début du contrat.")
        return cleaned


class EndForm(DsfrBaseForm):
    ended_on = date_field("Date de fin", initial=timezone.localdate)
    reason = forms.CharField(
        label="Motif de fin",
        max_length=255,
        help_text="Par exemple : sortie vers l'emploi, réorientation, déménagement, à la demande de la personne.",
    )


class ReviewExtendForm(DsfrBaseForm):
    ground = forms.ChoiceField(
        label="Motif du report à douze mois",
        choices=[("", "Choisir un motif"), *ReviewExtensionGround.choices],
        help_text="Donnée sensible pour la santé, le handicap et l'invalidité : seul l'organisme référent la voit.",
    )
    reason = forms.CharField(
        label="Explication",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Pourquoi l'accompagnement social doit durer plus de six mois.",
    )


class ReviewHeldForm(DsfrBaseForm):
    held_on = date_field("Date de la revue avec France Travail", initial=timezone.localdate)
    outcome = forms.CharField(
        label="Conclusions", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
