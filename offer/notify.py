"""Messages of the offer. Emails to a service or a structure are sent after the commit of the action that calls for
them; a professional (the prescriber) gets an individual notification, at once or in their digest.

Subjects carry no personal data; bodies name the service and link to Relais, where the person's data is read
under the access rules (and the read is logged). A structure that is not on Relais is told who to call. A service
not confirmed for months is pointed out to each admin of its structure, as an individual notification.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Membership, Role
from relais.actions import after_commit

logger = logging.getLogger(__name__)


def _send(subject, template, context, recipients):
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return False
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    try:
        send_mail(subject, body, None, recipients)
    except (OSError, smtplib.SMTPException):
        # The change stands; the inbox in Relais shows it all the same.
        logger.exception("Échec de l'envoi d'un courriel de l'offre (%s)", template)
        return False
    return True


def _referral(referral_id):
    from offer.models import Referral

    return (
        Referral.objects.select_related(
            "service",
            "service__structure",
            "service__external_structure",
            "sender",
            "sender_structure",
            "receiver_structure",
        )
        .filter(pk=referral_id)
        .first()
    )


def _receiving_addresses(referral):
    service = referral.service
    if referral.receiver_structure_id:
        return [service.email, referral.receiver_structure.email]
    return [service.contact_email]


def _link(name, **kwargs):
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _admins(structure_id):
    memberships = Membership.objects.filter(
        structure_id=structure_id, role=Role.STRUCTURE_ADMIN, is_active=True, user__is_active=True
    ).select_related("user")
    return sorted({membership.user for membership in memberships}, key=lambda user: user.pk)


def _to_receiving_structure(referral, subject, template, body):
    """Email the service's and the structure's addresses; a structure on Relais without any address is told
    through its admins' individual notifications instead, so that the inbox is not the only way it hears."""
    on_relais = referral.receiver_structure_id is not None
    context = {"referral": referral, "service": referral.service, "on_relais": on_relais}
    if on_relais:
        context["link"] = _link("offer:referral_detail", public_id=referral.public_id)
    addresses = [address for address in _receiving_addresses(referral) if address]
    if addresses or not on_relais:
        return _send(subject, template, context, addresses)
    path = reverse("offer:referral_detail", kwargs={"public_id": referral.public_id})
    admins = _admins(referral.receiver_structure_id)
    for user in admins:
        notifications.notify(user, subject=subject, body=body, path=path)
    return bool(admins)


def referral_sent(referral_id):
    referral = _referral(referral_id)
    if referral is None:
        return False
    return _to_receiving_structure(
        referral,
        f"Nouvelle orientation vers votre service « {referral.service.name} »",
        "offer/emails/referral_sent.txt",
        f"{referral.sender} ({referral.sender_structure}) oriente une personne vers votre service "
        f"« {referral.service.name} » : répondez au plus tard le {referral.due_on:%d/%m/%Y}.",
    )


def referral_reminder(referral_id):
    referral = _referral(referral_id)
    if referral is None:
        return False
    return _to_receiving_structure(
        referral,
        f"Rappel : une orientation vers « {referral.service.name} » attend votre réponse",
        "offer/emails/referral_reminder.txt",
        f"Une orientation vers votre service « {referral.service.name} », envoyée le "
        f"{timezone.localtime(referral.sent_at):%d/%m/%Y} par {referral.sender_structure}, attend toujours votre "
        f"réponse. Répondez au plus tard le {referral.due_on:%d/%m/%Y} : sans réponse, elle expirera.",
    )


def referral_changed(referral, status, by):
    """Tell the prescriber that their referral reached ``status`` (not when they recorded it themselves): an
    individual notification, called inside the action's transaction, sent at once or in the prescriber's digest."""
    from offer.models import Referral

    if getattr(by, "user_id", None) == referral.sender_id:
        return None
    label = Referral.Status(status).label
    service = referral.service
    return notifications.notify(
        referral.sender,
        subject=f"Votre orientation vers « {service.name} » : {label}",
        body=(
            f"Votre orientation vers le service « {service.name} » ({service.provider_name}), envoyée le "
            f"{timezone.localtime(referral.sent_at):%d/%m/%Y}, est passée à l'état : {label}."
        ),
        path=reverse("offer:referral_detail", kwargs={"public_id": referral.public_id}),
    )


def service_confirmation_due(service):
    """Ask the admins of the service's structure to confirm it: an individual notification each, called inside the
    action's transaction and sent at once or in their digest. A structure left without an active admin is told at
    its contact address, after the commit, so that someone hears of it."""
    months = settings.RELAIS_SERVICE_CONFIRMATION_MONTHS
    subject = f"Le service « {service.name} » est-il toujours à jour ?"
    path = reverse("offer:service_detail", kwargs={"public_id": service.public_id})
    admins = _admins(service.structure_id)
    for user in admins:
        notifications.notify(
            user,
            subject=subject,
            body=(
                f"Les informations du service « {service.name} » n'ont pas été confirmées depuis {months} mois. Les "
                "professionnels du territoire s'y fient pour orienter les personnes : vérifiez-les, puis "
                "confirmez-les ou corrigez-les."
            ),
            path=path,
        )
    if not admins:
        after_commit(_confirmation_to_structure, service.pk)
    return len(admins)


def _confirmation_to_structure(service_id):
    from offer.models import Service

    service = Service.objects.select_related("structure").filter(pk=service_id).first()
    if service is None or service.structure is None:
        return False
    return _send(
        f"Le service « {service.name} » est-il toujours à jour ?",
        "offer/emails/service_confirmation.txt",
        {
            "service": service,
            "months": settings.RELAIS_SERVICE_CONFIRMATION_MONTHS,
            "link": _link("offer:service_detail", public_id=service.public_id),
        },
        [service.structure.email],
    )
