"""What the carnet's actions tell the people concerned, once the change is committed (``relais.actions.after_commit``):
the professional added to a team, the référents of a handover, the person whose référent changes.

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


def team_member_added(member_id, *, by_id):
    """The professional added to a person's team learns it, and where the carnet is."""
    from accounts.models import User
    from pathway.models import TeamMember

    member = TeamMember.objects.select_related("user", "structure", "pathway__person").get(pk=member_id)
    by = User.objects.filter(pk=by_id).first()
    return _send(
        "Vous rejoignez l'équipe de suivi d'une personne",
        "pathway/notifications/team_member_added.txt",
        {"member": member, "by": by, "link": _link("pathway:carnet", public_id=member.pathway.person.public_id)},
        [member.user.email],
    )


def handover(history_id, *, former_id, professionals=True, to_person=True):
    """A handover: the former and the new référent (unless a bulk handover tells them once), and the person, by
    email and SMS when they gave them. Returns the channels used for the person."""
    from accounts.models import User
    from pathway.models import ReferentHistory

    history = ReferentHistory.objects.select_related(
        "user", "structure", "designated_by", "pathway__person", "pathway__referent_structure"
    ).get(pk=history_id)
    person = history.pathway.person
    former = User.objects.filter(pk=former_id).first()
    context = {
        "history": history,
        "former": former,
        "structure": history.structure,
        "link": _link("pathway:carnet", public_id=person.public_id),
    }
    if professionals:
        _send(
            "Un accompagnement vous est confié",
            "pathway/notifications/handover_new_referent.txt",
            context,
            [history.user.email],
        )
        if former is not None:
            _send(
                "Passation d'un accompagnement",
                "pathway/notifications/handover_former_referent.txt",
                context,
                [former.email],
            )
    channels = []
    if not to_person:
        return channels
    person_context = {**context, "person": person}
    if person.email and _send(
        "Votre référent unique change",
        "pathway/notifications/handover_person.txt",
        person_context,
        [person.email],
    ):
        channels.append("email")
    if person.phone:
        send_sms(
            person.phone, render_to_string("pathway/notifications/handover_person_sms.txt", person_context).strip()
        )
        channels.append("sms")
    return channels


def caseload_handed_over(*, former_id, referent_id, count, by_id):
    """After a bulk handover, each référent gets one message, not one per person."""
    from accounts.models import User

    users = User.objects.in_bulk([former_id, referent_id, by_id])
    context = {
        "former": users.get(former_id),
        "referent": users.get(referent_id),
        "by": users.get(by_id),
        "count": count,
        "link": _link("pathway:caseload"),
    }
    if users.get(referent_id):
        _send(
            "Des accompagnements vous sont confiés",
            "pathway/notifications/caseload_new_referent.txt",
            context,
            [users[referent_id].email],
        )
    if users.get(former_id):
        _send(
            "Passation de vos accompagnements",
            "pathway/notifications/caseload_former_referent.txt",
            context,
            [users[former_id].email],
        )
