"""Notifications of an orientation to the person and the organisme référent: email, SMS (``relais.sms``),
printable letter."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from entry.models import Notification
from relais.sms import send_sms

logger = logging.getLogger(__name__)


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
        send_sms(person.phone, text)
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
