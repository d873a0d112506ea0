"""What the carnet's actions tell the person accompanied once the change is committed
(``relais.actions.after_commit``): a change of référent. Professionals get individual notifications
(``accounts.notifications``: at once or in their daily digest).

Subjects carry no personal data; professionals get a link to the carnet, where the rest is (and its reading is
logged). A sending that fails is logged, without the addresses, and changes nothing: the change is made.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from relais.sms import send_sms

logger = logging.getLogger(__name__)


def _link(name, **kwargs):
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def _send(subject, template, context, recipients):
    recipients = [address for address in recipients if address]
    if not recipients:
        return False
    try:
        send_mail(subject, render_to_string(template, context), None, recipients)
    except (OSError, smtplib.SMTPException):
        logger.exception("Échec de l'envoi d'un courriel du carnet (%s)", template)
        return False
    return True


def handover(history_id):
    """A handover, told to the person by email and SMS when they gave them (the two référents get their individual
    notifications from the action). Returns the channels used."""
    from pathway.models import ReferentHistory

    history = ReferentHistory.objects.select_related("user", "structure", "pathway__person").get(pk=history_id)
    person = history.pathway.person
    context = {
        "history": history,
        "structure": history.structure,
        "person": person,
        "link": _link("pathway:carnet", public_id=person.public_id),
    }
    channels = []
    if person.email and _send(
        "Votre référent unique change",
        "pathway/notifications/handover_person.txt",
        context,
        [person.email],
    ):
        channels.append("email")
    if person.phone:
        send_sms(person.phone, render_to_string("pathway/notifications/handover_person_sms.txt", context).strip())
        channels.append("sms")
    return channels
