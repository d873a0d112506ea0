import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from accounts.models import Membership, Structure
from pathway.models import ExitReason, Pathway
from people.models import Person
from relais.forms import DateInput
from territory.models import Commune

NOTE_REQUIRED = "Écrivez la note de passation : le nouveau référent en a besoin pour reprendre l'accompagnement."
HANDOVER_NOTE_HELP = (
    "Ce que le nouveau référent doit savoir pour reprendre l'accompagnement : où en est la personne, ce qui est "
    "engagé, ce qui l'attend. L'équipe la lit dans le fil du carnet ; pas de donnée de santé."
)
TEAM_END_REASONS = [
    ("accompagnement terminé", "accompagnement terminé"),
    ("relais pris par un autre intervenant", "relais pris par un autre intervenant"),
    ("à la demande de la personne", "à la demande de la personne"),
    ("autre", "autre motif"),
]


def member_label(membership):
    return f"{membership.user}{' – ' + membership.job_title if membership.job_title else ''}"


def active_members(structure_id, *, exclude_user=None):
    """The active members of a validated structure, by name."""
    members = (
        Membership.objects.filter(structure_id=structure_id, is_active=True, structure__is_validated=True)
        .select_related("user", "structure")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return members.exclude(user_id=exclude_user) if exclude_user else members


class ExitForm(DsfrBaseForm):
    reason = forms.ChoiceField(label="Motif de sortie", choices=ExitReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="Précision",
        max_length=200,
        required=False,
        help_text="Obligatoire pour « autre motif » : par exemple « entrée en ESAT ». Pas de donnée de santé.",
    )
    on = forms.DateField(label="Date de sortie", widget=DateInput())

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError("La date de sortie ne peut pas être dans le futur.")
        return on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ExitReason.OTHER and not cleaned.get("detail", "").strip():
            self.add_error("detail", "Précisez le motif de sortie.")
        return cleaned


class ReopenForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Pourquoi le parcours reprend-il ?",
        max_length=200,
        help_text="Par exemple : « fin de la formation, retour vers l'emploi ». Écrit dans le fil du carnet.",
    )


class ReferentForm(DsfrBaseForm):
    """Designate the référent, or hand the person over to another one (with a note)."""

    referent = forms.ModelChoiceField(label="Référent unique", queryset=Membership.objects.none())
    # The référent the form was built on: a change made meanwhile by someone else is refused, not overwritten.
    current = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note de passation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=HANDOVER_NOTE_HELP,
        max_length=4000,
    )

    def __init__(self, *args, structure, handover, exclude_user=None, only_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.handover = handover
        members = active_members(structure.pk, exclude_user=exclude_user)
        if only_user is not None:
            members = members.filter(user_id=only_user)
        self.fields["referent"].queryset = members
        self.fields["referent"].label = "Nouveau référent unique" if handover else "Référent unique"
        self.fields["referent"].label_from_instance = member_label
        if handover:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = NOTE_REQUIRED
        else:
            del self.fields["note"]
        self._bound_fields_cache.clear()  # the labels changed after DSFR prepared the fields

    def clean_note(self):
        note = self.cleaned_data.get("note", "").strip()
        if self.handover and not note:
            raise ValidationError(NOTE_REQUIRED)
        return note


class TeamMemberForm(DsfrBaseForm):
    """A professional of any structure joins the team: the structure first, then one of its members (htmx)."""

    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.none(),
        to_field_name="public_id",
        empty_label="Choisir une structure",
        help_text="Toute structure partenaire du service public de l'insertion et de l'emploi.",
    )
    member = forms.ModelChoiceField(
        label="Professionnel",
        queryset=Membership.objects.none(),
        to_field_name="public_id",
        empty_label="Choisir d'abord la structure",
        error_messages={"invalid_choice": "Ce professionnel n'est pas un membre actif de la structure choisie."},
    )
    mission = forms.CharField(
        label="Rôle dans l'accompagnement",
        max_length=150,
        required=False,
        help_text="Ce qu'il apporte à la personne : accompagnement logement, santé, mobilité, formation…",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.filter(is_validated=True).order_by("name")
        # Only the members of the chosen structure are offered (reloaded with htmx when the structure changes):
        # never the two thousand professionals of the département at once.
        chosen = self.data.get("structure") or ""
        structure = Structure.objects.filter(public_id=chosen, is_validated=True).first() if is_uuid(chosen) else None
        self.fields["member"].queryset = active_members(structure.pk) if structure else Membership.objects.none()
        self.fields["member"].label_from_instance = member_label
        if structure:
            self.fields["member"].empty_label = "Choisir un professionnel"
        self.fields["structure"].widget.attrs.update(
            {
                "hx-get": reverse("pathway:member_options"),
                "hx-target": "#id_member",
                "hx-trigger": "change",
                "hx-include": "this",
            }
        )


def is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class EndMemberForm(DsfrBaseForm):
    reason = forms.ChoiceField(label="Motif", choices=TEAM_END_REASONS, widget=forms.RadioSelect)
    detail = forms.CharField(label="Précision", max_length=150, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "autre" and not cleaned.get("detail", "").strip():
            self.add_error("detail", "Précisez pourquoi ce professionnel quitte l'équipe.")
        return cleaned

    def end_reason(self):
        reason, detail = self.cleaned_data["reason"], self.cleaned_data.get("detail", "").strip()
        if reason == "autre":
            return detail
        return f"{reason} ({detail})" if detail else reason


class BulkHandoverForm(DsfrBaseForm):
    """The structure's admin hands over some or all of a référent's caseload."""

    everyone = forms.TypedChoiceField(
        label="Personnes à confier",
        choices=[("1", "toutes ses personnes"), ("0", "celles que je coche ci-dessous")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    people = forms.ModelMultipleChoiceField(
        label="Personnes",
        queryset=Person.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referent = forms.ModelChoiceField(
        label="Nouveau référent unique", queryset=Membership.objects.none(), to_field_name="public_id"
    )
    note = forms.CharField(
        label="Note de passation",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=HANDOVER_NOTE_HELP + " La même note accompagne chaque carnet.",
        max_length=4000,
        error_messages={"required": NOTE_REQUIRED},
    )

    def __init__(self, *args, former, caseload, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = caseload
        self.fields["people"].label_from_instance = lambda person: person.full_name
        self.fields["referent"].queryset = active_members(former.structure_id, exclude_user=former.user_id)
        self.fields["referent"].label_from_instance = member_label

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("everyone") is False and not cleaned.get("people"):
            self.add_error("people", "Cochez au moins une personne, ou choisissez « toutes ses personnes ».")
        return cleaned


STATUS_FILTERS = [
    ("en_cours", "en cours"),
    ("tous", "tous les états"),
    *[(status, label) for status, label in Pathway.Status.choices],
]
REFERENT_FILTERS = [("", "tous"), ("oui", "dont je suis le référent"), ("non", "dont je ne suis pas le référent")]


class CaseloadFilterForm(DsfrBaseForm):
    """The filters of « Mes personnes » (a GET form: no personal data in them). The communes offered are those of
    the people listed, known once the other filters have run (``offer_communes``)."""

    statut = forms.ChoiceField(label="État du parcours", choices=STATUS_FILTERS, required=False)
    referent = forms.ChoiceField(label="Référent", choices=REFERENT_FILTERS, required=False)
    commune = forms.RegexField(label="Commune", regex=r"^[0-9][0-9AB][0-9]{3}$", required=False, widget=forms.Select)

    def filters(self):
        """The cleaned filters, the defaults for what is missing or wrong (a filter never fails the page)."""
        self.is_valid()  # A wrong value drops that filter only: cleaned_data keeps the valid ones.
        data = getattr(self, "cleaned_data", {})
        return {
            "statut": data.get("statut") or "en_cours",
            "referent": data.get("referent") or "",
            "commune": data.get("commune") or "",
        }

    def offer_communes(self, communes, chosen=""):
        """``communes``: (INSEE code, name) of the people listed; the chosen one stays offered even when empty."""
        choices = [("", "toutes"), *communes]
        if chosen and chosen not in {code for code, _ in communes}:
            name = Commune.objects.filter(code=chosen).values_list("name", flat=True).first()
            choices.append((chosen, name or chosen))
        self.fields["commune"].widget.choices = choices
