"""Appointments of the carnet: planned by a member of the person's team, attendance recorded, and the invitation
sent to the person with a link that needs no account (single-use, expiring, only a digest of it stored).

Statuses are written by the actions of ``pathway.appointment_actions``, one action per status.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

__all__ = ["Appointment", "AppointmentInvitation", "AppointmentMode"]


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "sur place"
    PHONE = "phone", "par téléphone"
    VIDEO = "video", "en visioconférence"


class Appointment(models.Model):
    """A meeting of the person with a professional: *planned* → *honoured* | *missed* | *excused* | *cancelled*."""

    class Status(models.TextChoices):
        PLANNED = "planned", "prévu"
        HONOURED = "honoured", "honoré"
        MISSED = "missed", "non honoré"
        EXCUSED = "excused", "excusé"
        CANCELLED = "cancelled", "annulé"

    class Answer(models.TextChoices):
        """What the person answered through the invitation link."""

        CONFIRMED = "confirmed", "confirmé par la personne"
        OTHER_TIME = "other_time", "autre horaire demandé par la personne"

    Mode = AppointmentMode

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    mode = models.CharField("modalité", max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField("lieu", max_length=255, blank=True)
    purpose = models.CharField("objet", max_length=200)
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="avec", on_delete=models.PROTECT, related_name="appointments"
    )
    structure = models.ForeignKey(
        "accounts.Structure", verbose_name="structure", on_delete=models.PROTECT, related_name="appointments"
    )
    is_first = models.BooleanField("premier rendez-vous après l'orientation", default=False)
    status = models.CharField("présence", max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField("motif", max_length=255, blank=True)
    status_changed_at = models.DateTimeField("présence notée le", null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_answer = models.CharField("réponse de la personne", max_length=20, choices=Answer.choices, blank=True)
    person_answer_at = models.DateTimeField("répondu le", null=True, blank=True)
    person_message = models.TextField("message de la personne", blank=True)
    person_notified_at = models.DateTimeField("personne prévenue le", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_for = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField("prévu le", default=timezone.now)
    version = models.PositiveIntegerField("version", default=1)

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "honoured", "missed", "excused", "cancelled"]),
                name="appointment_known_status",
            ),
        ]
        indexes = [
            # The agenda: one professional's appointments in a day or a week.
            models.Index(fields=["professional", "starts_at"]),
            # The carnet: a person's next and past appointments (and two missed in a row).
            models.Index(fields=["person", "-starts_at"]),
            # The daily reminders: planned appointments starting soon.
            models.Index(fields=["starts_at"], condition=Q(status="planned"), name="appointment_planned_start"),
        ]

    def __str__(self):
        return f"Rendez-vous du {timezone.localtime(self.starts_at):%d/%m/%Y à %H:%M}"

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    @property
    def duration_minutes(self):
        return int(self.duration.total_seconds() // 60)

    @property
    def has_started(self):
        return self.starts_at <= timezone.now()

    @property
    def is_upcoming(self):
        return self.status == self.Status.PLANNED and not self.has_started

    @property
    def attendance_due(self):
        """Planned, and its time has come: someone should say whether the person came."""
        return self.status == self.Status.PLANNED and self.has_started


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class AppointmentInvitation(models.Model):
    """The message that invites the person to an appointment, with a link to confirm or ask for another time.

    The link carries an opaque random token; only its digest is stored. It serves once (the person's answer),
    expires at the appointment or after ``RELAIS_APPOINTMENT_LINK_VALIDITY``, and a newer invitation revokes it.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "courriel"
        SMS = "sms", "SMS"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    channels = models.JSONField("canaux", default=list)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    used_at = models.DateTimeField("utilisée le", null=True, blank=True)
    revoked_at = models.DateTimeField("remplacée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation à un rendez-vous"
        verbose_name_plural = "invitations à un rendez-vous"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Invitation au {self.appointment}"

    @classmethod
    def issue(cls, appointment, *, channels, sent_by):
        """Create the invitation; return it with its clear token, which exists only in the message sent."""
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = cls.objects.create(
            appointment=appointment,
            token_digest=token_digest(token),
            channels=channels,
            sent_by=sent_by,
            created_at=now,
            expires_at=min(now + settings.RELAIS_APPOINTMENT_LINK_VALIDITY, appointment.starts_at),
        )
        return invitation, token

    @classmethod
    def find(cls, token):
        if not token:
            return None
        return (
            cls.objects.select_related("appointment", "appointment__structure", "appointment__person")
            .filter(token_digest=token_digest(token))
            .first()
        )

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.used_at is None and self.revoked_at is None and not self.is_expired

    def refusal(self):
        """Why the link no longer serves, in words for the person; "" while it does."""
        if self.used_at is not None:
            return "Ce lien a déjà servi : votre réponse a bien été transmise."
        if self.revoked_at is not None:
            return "Ce rendez-vous a été modifié : un nouveau message vous a été envoyé avec le bon lien."
        if self.appointment.status == Appointment.Status.CANCELLED:
            return "Ce rendez-vous a été annulé."
        if self.is_expired:
            return "Ce lien a expiré."
        return ""
