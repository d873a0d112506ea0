"""Messages about appointments, sent once the action's transaction has committed (``relais.actions.after_commit``).

To the person: the invitation (with the link to answer and the .ics file), the reminder, the cancellation — only
the place, the time and the structure, and the first name to greet. To the professional: a short note with the link
to the appointment in Relais, never the person's name (an email travels further than Relais).
A failed sending is logged without any personal data and never undoes the action.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from pathway.appointment_ics import appointment_ics
from pathway.appointment_models import Appointment, AppointmentInvitation
from relais.sms import can_receive_sms, sms_backend

logger = logging.getLogger(__name__)

TEMPLATES = "pathway/appointments/notifications"
ICS_NAME = "rendez-vous.ics"


def person_channels(person):
    """How the person can be reached: email, SMS (a mobile number), both or neither."""
    channels = []
    if person.email:
        channels.append(AppointmentInvitation.Channel.EMAIL.value)
    if can_receive_sms(person.phone):
        channels.append(AppointmentInvitation.Channel.SMS.value)
    return channels


def first_name(person):
    return person.first_names.split()[0] if person.first_names else ""


def _context(appointment, **extra):
    return {
        "appointment": appointment,
        "structure": appointment.structure,
        "first_name": first_name(appointment.person),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _to_person(appointment, channels, template, subject, context, *, with_ics=True):
    """Email and/or SMS to the person; returns the channels that went out."""
    person = appointment.person
    sent = []
    if AppointmentInvitation.Channel.EMAIL in channels and person.email:
        try:
            message = EmailMessage(
                subject, render_to_string(f"{TEMPLATES}/{template}.txt", context), to=[person.email]
            )
            if with_ics:
                message.attach(ICS_NAME, appointment_ics(appointment, for_person=True), "text/calendar")
            message.send()
            sent.append(AppointmentInvitation.Channel.EMAIL.value)
        except (OSError, smtplib.SMTPException) as error:
            logger.error(
                "Courriel non envoyé (%s) pour le rendez-vous %s", type(error).__name__, appointment.public_id
            )
    if AppointmentInvitation.Channel.SMS in channels and can_receive_sms(person.phone):
        try:
            sms_backend().send(person.phone, render_to_string(f"{TEMPLATES}/{template}_sms.txt", context).strip())
            sent.append(AppointmentInvitation.Channel.SMS.value)
        except OSError as error:
            logger.error("SMS non envoyé (%s) pour le rendez-vous %s", type(error).__name__, appointment.public_id)
    return sent


def _appointment(pk):
    return Appointment.objects.select_related("person", "structure", "professional").get(pk=pk)


def deliver_invitation(invitation_id, token, *, moved=False):
    """The invitation with its link (the clear token lives only here and in the message)."""
    invitation = AppointmentInvitation.objects.get(pk=invitation_id)
    appointment = _appointment(invitation.appointment_id)
    link = settings.SITE_URL + reverse("pathway:appointment_answer", args=[token])
    subject = "Votre rendez-vous a changé" if moved else "Votre rendez-vous"
    context = _context(appointment, link=link, moved=moved, expires_at=invitation.expires_at)
    return _to_person(appointment, invitation.channels, "invitation", subject, context)


def deliver_reminder(appointment_id, channels):
    appointment = _appointment(appointment_id)
    return _to_person(appointment, channels, "reminder", "Rappel de votre rendez-vous", _context(appointment))


def deliver_cancellation(appointment_id, channels):
    appointment = _appointment(appointment_id)
    return _to_person(
        appointment, channels, "cancellation", "Votre rendez-vous est annulé", _context(appointment), with_ics=True
    )


def tell_professional(appointment_id, what):
    """``what``: "planned" (someone planned it for them), "confirmed" or "other_time" (the person answered)."""
    appointment = _appointment(appointment_id)
    email = appointment.professional.email
    if not email:
        return
    context = _context(
        appointment,
        what=what,
        link=settings.SITE_URL + reverse("pathway:appointment_detail", args=[appointment.public_id]),
    )
    subjects = {
        "planned": "Un rendez-vous a été prévu pour vous",
        "confirmed": "Rendez-vous confirmé",
        "other_time": "Un autre horaire est demandé pour un rendez-vous",
    }
    try:
        send_mail(subjects[what], render_to_string(f"{TEMPLATES}/professional.txt", context), None, [email])
    except (OSError, smtplib.SMTPException) as error:
        logger.error("Courriel non envoyé (%s) pour le rendez-vous %s", type(error).__name__, appointment.public_id)
