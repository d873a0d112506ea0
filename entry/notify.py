"""Notifications to people and structures: email, SMS through a pluggable backend, printable letter.

The SMS backend is chosen by ``RELAIS_SMS_BACKEND`` (dotted path to a class with ``send(phone, text)``);
in development the console backend writes the message to the standard output, without the number.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from entry.models import Notification

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Development: the text is printed, the number is not (no personal data in logs)."""

    sent = []

    def send(self, phone, text):
        type(self).sent.append((phone, text))
        print(f"[SMS] {text}")


def sms_backend():
    return import_string(getattr(settings, "RELAIS_SMS_BACKEND", "entry.notify.ConsoleSmsBackend"))()


def notify_orientation(orientation):
    """Tell the person (email and/or SMS) and the organisme référent. Returns the notifications sent."""
    person = orientation.person
    context = {"orientation": orientation, "person": person, "site_url": settings.SITE_URL}
    subject = "Votre orientation dans le parcours d'insertion"
    body = render_to_string("entry/notifications/orientation_person.txt", context)
    sent = []
    if person.email:
        send_mail(subject, body, None, [person.email])
        sent.append(
            Notification(
                person=person,
                orientation=orientation,
                channel="email",
                recipient=person.email,
                subject=subject,
                body=body,
            )
        )
    if person.phone:
        text = render_to_string("entry/notifications/orientation_sms.txt", context).strip()
        sms_backend().send(person.phone, text)
        sent.append(
            Notification(
                person=person,
                orientation=orientation,
                channel="sms",
                recipient=person.phone,
                subject=subject,
                body=text,
            )
        )
    structure = orientation.referent_structure
    if structure and structure.email:
        structure_body = render_to_string("entry/notifications/orientation_structure.txt", context)
        send_mail(f"Nouvelle orientation vers {structure.name}", structure_body, None, [structure.email])
    Notification.objects.bulk_create(sent)
    return sent
