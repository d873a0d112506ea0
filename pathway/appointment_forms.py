"""The appointment forms: what the professional types, checked with the actions' own rules, shown next to the field."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from pathway.access import appointment_professionals
from pathway.appointment_actions import FIRST_APPOINTMENT_PURPOSE, problems
from pathway.appointment_models import Appointment
from pathway.appointment_notify import person_channels
from relais.forms import DateInput

# Where the actions' refusals go in the form.
FIELD_OF = {"starts_at": "date", "ends_at": "end_time"}

ATTENDANCE_CHOICES = [
    (Appointment.Status.HONOURED.value, "venue (honoré)"),
    (Appointment.Status.MISSED.value, "absente sans prévenir (non honoré)"),
    (Appointment.Status.EXCUSED.value, "excusée"),
]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProfessionalField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        job = f", {membership.job_title}" if membership.job_title else ""
        return f"{membership.user} – {membership.structure.name}{job}"


class ActionErrorsMixin:
    def add_action_error(self, error):
        """Place an action's refusal next to its field (or above the form), keeping what was typed."""
        field = FIELD_OF.get(getattr(error, "field", None), getattr(error, "field", None))
        self.add_error(field if field in self.fields else None, str(error))


class AppointmentForm(ActionErrorsMixin, DsfrBaseForm):
    """Plan (or move) an appointment. ``with_past`` offers to record one that took place, ``with_invite`` to send
    the person the invitation."""

    date = forms.DateField(label="Date", widget=DateInput())
    start_time = forms.TimeField(label="Heure de début", widget=TimeInput(), help_text="Heure de Paris.")
    end_time = forms.TimeField(label="Heure de fin", widget=TimeInput())
    mode = forms.ChoiceField(label="Modalité", choices=Appointment.Mode.choices, widget=InlineRadioSelect)
    place = forms.CharField(
        label="Lieu",
        max_length=255,
        required=False,
        help_text="L'adresse pour un rendez-vous sur place ; un lien ou une précision pour un rendez-vous à distance.",
    )
    purpose = forms.CharField(
        label="Objet",
        max_length=200,
        help_text="Visible de l'équipe, jamais de la personne par le lien d'invitation. Pas de donnée de santé.",
    )
    professional = ProfessionalField(label="Avec", queryset=None, to_field_name="public_id", empty_label=None)
    took_place = forms.BooleanField(
        label="Le rendez-vous a déjà eu lieu",
        required=False,
        help_text="Pour enregistrer un rendez-vous passé ; sinon la date doit être à venir.",
    )
    attendance = forms.ChoiceField(
        label="S'il a eu lieu, la personne est",
        choices=ATTENDANCE_CHOICES,
        widget=InlineRadioSelect,
        required=False,
        initial=Appointment.Status.HONOURED.value,
    )
    invite = forms.BooleanField(
        label="Envoyer à la personne une invitation avec un lien pour confirmer ou demander un autre horaire",
        required=False,
        initial=True,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person, membership, with_past=False, with_invite=False, appointment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["professional"].queryset = appointment_professionals(person, membership)
        channels = person_channels(person)
        if not with_past:
            del self.fields["took_place"]
            del self.fields["attendance"]
        if not with_invite:
            del self.fields["invite"]
        elif not channels:
            self.fields["invite"].disabled = True
            self.fields["invite"].initial = False
            self.fields["invite"].help_text = (
                "La personne n'a ni adresse électronique ni téléphone portable dans son dossier : prévenez-la "
                "autrement."
            )
        else:
            words = " et ".join({"email": "courriel", "sms": "SMS"}[channel] for channel in channels)
            self.fields["invite"].help_text = f"Par {words}, avec le fichier d'agenda (.ics)."
        if appointment is None:
            self.initial.setdefault("professional", membership.public_id)
            self.initial.setdefault("mode", Appointment.Mode.IN_PERSON.value)
        else:
            self._start_from(appointment)

    def _start_from(self, appointment):
        paris = ZoneInfo(settings.TIME_ZONE)
        starts, ends = appointment.starts_at.astimezone(paris), appointment.ends_at.astimezone(paris)
        membership = self.fields["professional"].queryset.filter(
            user_id=appointment.professional_id, structure_id=appointment.structure_id
        )
        self.initial.update(
            date=starts.date(),
            start_time=starts.time().replace(second=0, microsecond=0),
            end_time=ends.time().replace(second=0, microsecond=0),
            mode=appointment.mode,
            place=appointment.place,
            purpose=appointment.purpose,
            professional=membership.values_list("public_id", flat=True).first(),
            version=appointment.version,
        )

    def clean(self):
        cleaned = super().clean()
        paris = ZoneInfo(settings.TIME_ZONE)
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        cleaned["starts_at"] = datetime.combine(day, start, tzinfo=paris) if day and start else None
        cleaned["ends_at"] = datetime.combine(day, end, tzinfo=paris) if day and end else None
        if cleaned["starts_at"] is None or cleaned["ends_at"] is None:
            return cleaned  # the missing field already says so
        for error in problems(
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            mode=cleaned.get("mode"),
            place=cleaned.get("place"),
            purpose=cleaned.get("purpose"),
            took_place=cleaned.get("took_place", False),
        ):
            field = FIELD_OF.get(error.field, error.field)
            if field in self.fields and field not in self.errors:
                self.add_error(field, str(error))
        return cleaned


def first_appointment_initial(person, membership):
    """The organisme référent's address, the référent when they are the one inviting, a plain purpose."""
    structure = membership.structure
    address = ", ".join(
        part for part in [structure.address, structure.commune.name if structure.commune else ""] if part
    )
    pathway = getattr(person, "pathway", None)
    professional = membership.public_id
    if pathway is not None and pathway.referent_id and pathway.referent_structure_id == structure.pk:
        referent = structure.memberships.filter(user_id=pathway.referent_id, is_active=True).first()
        if referent is not None:
            professional = referent.public_id
    return {
        "purpose": FIRST_APPOINTMENT_PURPOSE,
        "place": address,
        "mode": Appointment.Mode.IN_PERSON.value,
        "professional": professional,
    }


class CancelForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif de l'annulation",
        max_length=255,
        required=False,
        help_text="Pour l'équipe. Si la personne avait été prévenue du rendez-vous, un message d'annulation lui est "
        "envoyé.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OtherTimeForm(DsfrBaseForm):
    message = forms.CharField(
        label="Vos disponibilités",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : les matins, sauf le mercredi.",
    )
