"""Actions of entry: record a diagnostic, propose, decide and notify an orientation, hold a commission.

One function per state change (see relais/actions.py): each checks its access rule, writes the change history
through ``save()``, the carnet's timeline, and sends messages after the commit. The pathway's facts (type,
organisme référent, référent, deadlines) are written by ``pathway.actions``, called from here.
"""

import logging
import smtplib

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notifications import notify
from entry.access import can_give_opinion, can_orient, can_refuse_orientation, can_request_reorientation
from entry.models import Commission, Diagnostic, DiagnosticDraft, Notification, Orientation
from entry.notify import notify_orientation
from pathway import actions as pathway_actions
from pathway import timeline
from pathway.access import can_view_person, orientation_scope
from pathway.models import PathwayType, Visibility
from people.models import Person
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor

logger = logging.getLogger(__name__)

timeline.register_kind("entry.diagnostic_recorded", "diagnostic")
timeline.register_kind("entry.orientation_proposed", "orientation")
timeline.register_kind("entry.orientation_decided", "orientation")
timeline.register_kind("entry.orientation_notified", "orientation")
timeline.register_kind("entry.reorientation_requested", "orientation")
timeline.register_kind("entry.opinion_given", "orientation")
timeline.register_kind("entry.orientation_refused", "orientation")

DECIDED = (Orientation.Status.DECIDED, Orientation.Status.NOTIFIED)


def already_decided(orientation):
    """What a manager reads when someone else decided the orientation first."""
    who = orientation.decided_by or "un autre chargé d'orientation"
    when = timezone.localtime(orientation.decided_at).strftime("%d/%m/%Y à %H:%M") if orientation.decided_at else ""
    return (
        f"Cette orientation a déjà été décidée par {who} {('le ' + when) if when else ''}. "
        "Rechargez le dossier pour voir la décision."
    )


# --- Diagnostic and proposal ---------------------------------------------------------------------------------------


def record_diagnostic(
    person,
    *,
    by,
    answers,
    sensitive_answers,
    comments,
    theme_comments,
    sensitive_theme_comments,
    referential,
    proposal,
    sensitive_structure_id=None,
):
    """A new dated version of the common diagnostic, numbered after the previous one; its proposal becomes the
    person's open orientation proposal. ``sensitive_structure_id``: the structure that alone reads the sensitive
    answers, when they were kept from the previous version by a partner who may not read them."""
    require_actor(by)
    require(by is SYSTEM or can_view_person(by, person))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if by is not SYSTEM:
            DiagnosticDraft.objects.filter(person=person, author=by.user).delete()  # the draft became the diagnostic
        previous = Diagnostic.objects.latest_for(person)
        if previous is not None and (
            previous.referential_version,
            previous.answers,
            previous.sensitive_answers,
            previous.comments,
            previous.theme_comments,
            previous.sensitive_theme_comments,
        ) == (referential["version"], answers, sensitive_answers, comments, theme_comments, sensitive_theme_comments):
            return previous  # nothing changed: no new version, no new proposal
        diagnostic = Diagnostic(
            person=person,
            number=(previous.number + 1) if previous else 1,
            referential_version=referential["version"],
            answers=answers,
            sensitive_answers=sensitive_answers,
            comments=comments,
            theme_comments=theme_comments,
            sensitive_theme_comments=sensitive_theme_comments,
            done_by=by.user,
            structure=by.structure,
            previous=previous,
            proposed_pathway=proposal.pathway,
            proposal_reasons=[*proposal.reasons, *(f"À savoir : {note}" for note in proposal.notes)],
            proposal_sensitive=proposal.sensitive,
            sensitive_structure_id=sensitive_structure_id,
        )
        diagnostic.save()
        timeline.record(
            person,
            kind="entry.diagnostic_recorded",
            by=by,
            summary=f"Diagnostic n° {diagnostic.number} réalisé",
            obj=diagnostic,
        )
        if not Orientation.objects.filter(person=person, status__in=DECIDED).exists():
            # Once an orientation is decided, a new diagnostic proposes nothing by itself: a réorientation is asked
            # for explicitly (``request_reorientation``).
            _propose(person, by=by, diagnostic=diagnostic)
    return diagnostic


def save_diagnostic_draft(person, *, by, data):
    """Keep the diagnostic being typed as its author's draft for this person (one per author, replaced each time).
    Only the author reads it back; recording the diagnostic deletes it."""
    require_actor(by)
    require(by is not SYSTEM and can_view_person(by, person))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one draft per author, even when racing
        draft = DiagnosticDraft.objects.select_for_update().filter(person=person, author=by.user).first()
        if draft is None:
            draft = DiagnosticDraft(person=person, author=by.user)
        draft.structure = by.structure
        draft.data = data
        draft.saved_at = timezone.now()
        draft.save()
    return draft


def discard_diagnostic_draft(person, *, by):
    require_actor(by)
    require(by is not SYSTEM)
    DiagnosticDraft.objects.filter(person=person, author=by.user).delete()


def _propose(person, *, by, diagnostic, reorientation=False, reason=""):
    """The diagnostic's proposal becomes the person's open proposal (replacing an older open one)."""
    orientation = Orientation.objects.select_for_update().filter(person=person, status=Orientation.Status.PROPOSED)
    orientation = orientation.first()
    if orientation is None:
        orientation = Orientation(person=person, is_reorientation=reorientation)
    if reason:
        orientation.reorientation_reason = reason
    orientation.diagnostic = diagnostic
    orientation.proposed_pathway = diagnostic.proposed_pathway
    orientation.proposal_reasons = diagnostic.proposal_reasons
    orientation.proposal_sensitive = diagnostic.proposal_sensitive
    orientation.proposed_by = by.user
    orientation.proposed_for = by.structure
    orientation.proposed_at = timezone.now()
    orientation.save()
    timeline.record(
        person,
        kind="entry.orientation_proposed",
        by=by,
        summary=f"Orientation proposée : parcours {PathwayType(orientation.proposed_pathway).label}",
        obj=orientation,
    )
    return orientation


def request_reorientation(person, *, by, reason):
    """The référent (or the organisme référent's admins) asks for a réorientation, with a reason: it lands in the
    orientation managers' worklist, proposed from the latest diagnostic."""
    require_actor(by)
    require(by is SYSTEM or can_request_reorientation(by, person))
    if not reason.strip():
        raise ActionError("Expliquez pourquoi une réorientation est demandée.")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if Orientation.objects.filter(person=person, status=Orientation.Status.PROPOSED).exists():
            raise Conflict("Une orientation est déjà en attente de décision pour cette personne.")
        diagnostic = Diagnostic.objects.latest_for(person)
        if diagnostic is None:
            raise ActionError("Faites d'abord le diagnostic : la réorientation part de ses réponses.")
        orientation = _propose(person, by=by, diagnostic=diagnostic, reorientation=True, reason=reason.strip())
        timeline.record(
            person,
            kind="entry.reorientation_requested",
            by=by,
            summary=f"Réorientation demandée : {reason.strip()[:150]}",
            obj=orientation,
        )
    return orientation


def give_opinion(orientation, *, by, pathway="", structure=None, wish="", comment=""):
    """The prescriber (the structure that entered the person or made the diagnostic) attaches an opinion to the
    open orientation request: the pathway or organisme référent they would prefer, the person's own wish. The
    orientation manager reads it next to the proposal; the decision stays theirs."""
    require_actor(by)
    person = orientation.person
    require(by is SYSTEM or can_give_opinion(by, person, orientation))
    if pathway and pathway not in PathwayType.values:
        raise ActionError("Choisissez un parcours de la liste.")
    wish, comment = wish.strip(), comment.strip()
    if not (pathway or structure or wish or comment):
        raise ActionError("Indiquez au moins un parcours, une structure, le souhait de la personne ou un avis.")
    with transaction.atomic():
        locked = Orientation.objects.select_for_update().select_related("person").get(pk=orientation.pk)
        if locked.status != Orientation.Status.PROPOSED:
            raise Conflict("Cette orientation vient d'être décidée : l'avis ne peut plus y être joint.")
        locked.opinion_pathway = pathway
        locked.opinion_structure = structure
        locked.opinion_wish = wish
        locked.opinion_comment = comment
        locked.opinion_by = None if by is SYSTEM else by.user
        locked.opinion_at = timezone.now()
        locked.save()
        timeline.record(person, kind="entry.opinion_given", by=by, summary="Avis du prescripteur joint", obj=locked)
    return locked


# --- Decision and notification -------------------------------------------------------------------------------------


def decide_orientation(
    orientation, *, by, pathway_type, referent_structure, referent=None, reason="", commission=None, notify=True
):
    """An orientation manager of the person's territory decides a proposed orientation; ``referent`` (a membership
    of the organisme référent) is designated at once when given. Two managers deciding at once: the second is told,
    nothing half-written. The person and the organisme référent are told after the commit."""
    require_actor(by)
    person = orientation.person
    require(by is SYSTEM or can_orient(by, person), "Cette personne n'est pas dans votre périmètre d'orientation.")
    if pathway_type not in PathwayType.values:
        raise ActionError("Choisissez un parcours.")
    with transaction.atomic():
        orientation = (
            Orientation.objects.select_for_update(of=("self",))
            .select_related("person", "decided_by")
            .get(pk=orientation.pk)
        )
        if orientation.status != Orientation.Status.PROPOSED:
            raise Conflict(already_decided(orientation))
        orientation.status = Orientation.Status.DECIDED
        orientation.pathway_type = pathway_type
        orientation.referent_structure = referent_structure
        orientation.referent = referent.user if referent else None
        orientation.decision_reason = reason
        orientation.decided_by = by.user
        orientation.decided_at = timezone.now()
        orientation.commission = commission
        orientation.save()
        timeline.record(
            person,
            kind="entry.orientation_decided",
            by=by,
            summary=f"Orientation décidée : parcours {PathwayType(pathway_type).label}, {referent_structure.name}",
            obj=orientation,
        )
        pathway_actions.mark_oriented(
            person, by=by, pathway_type=pathway_type, structure=referent_structure, orientation=orientation
        )
        if referent is not None:
            # A réorientation within the organisme référent that names another référent is a handover: the
            # decision's reason is its note.
            pathway_actions.designate_referent(person, by=by, referent=referent, note=reason)
        if notify:
            after_commit(send_orientation, orientation.pk, by=by)
    return orientation


def send_orientation(orientation_id, *, by=SYSTEM):
    """Send the decision to the person (email, SMS) and the organisme référent; once sent, it is notified. A failed
    sending leaves the decision as it is: the page offers the printable letter instead."""
    orientation = Orientation.objects.select_related("person", "referent_structure", "referent").get(pk=orientation_id)
    try:
        sent = notify_orientation(orientation)
    except (OSError, smtplib.SMTPException):
        logger.exception("Échec de l'envoi de la notification d'orientation")
        return orientation
    if sent:
        return _mark_notified(orientation, by=by, how=", ".join(item.get_channel_display() for item in sent))
    return orientation


def _mark_notified(orientation, *, by, how):
    with transaction.atomic():
        locked = Orientation.objects.select_for_update().select_related("person").get(pk=orientation.pk)
        if locked.status == Orientation.Status.DECIDED:
            locked.status = Orientation.Status.NOTIFIED
            locked.notified_at = timezone.now()
            locked.save(update_fields=["status", "notified_at"])
            pathway_actions.restart_contract_delay(locked.person, by=by)
            timeline.record(
                locked.person,
                kind="entry.orientation_notified",
                by=by,
                summary=f"Orientation notifiée à la personne ({how})",
                obj=locked,
                visibility=Visibility.PERSON,
            )
    orientation.refresh_from_db()
    return orientation


def record_letter(orientation, *, by):
    """The printable letter was handed or posted: it counts as the notification (once)."""
    require_actor(by)
    require(by is SYSTEM or can_orient(by, orientation.person))
    if orientation.status != Orientation.Status.DECIDED:
        return orientation
    with transaction.atomic():
        Notification(
            person=orientation.person,
            orientation=orientation,
            channel=Notification.Channel.LETTER,
            recipient=orientation.person.address or "remis en main propre",
            subject="Courrier de notification d'orientation",
            body=f"Courrier imprimé par {by.user}",
        ).save()
        return _mark_notified(orientation, by=by, how="courrier")


def refuse_orientation(orientation, *, by, reason):
    """The organisme référent (its admins or orientation managers) refuses an orientation to their structure, with a
    reason, before designating a référent. The person goes back to the orientation managers' worklist with a new
    proposal from the same diagnostic, which carries the refused orientation (and so its reason); the manager who
    decided is told."""
    require_actor(by)
    require(by is SYSTEM or can_refuse_orientation(by, orientation))
    reason = reason.strip()
    if not reason:
        raise ActionError("Expliquez pourquoi votre structure refuse cette orientation.")
    if "\x00" in reason:
        raise ActionError("Le motif contient un caractère non autorisé.")
    person = orientation.person
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        locked = Orientation.objects.select_for_update().get(pk=orientation.pk)
        if locked.status not in DECIDED:
            raise Conflict("Cette orientation a changé entre-temps : rechargez la page.")
        if Orientation.objects.filter(person=person, status=Orientation.Status.PROPOSED).exists():
            raise Conflict("Une orientation est déjà en attente de décision pour cette personne.")
        structure = locked.referent_structure
        pathway_actions.return_to_orientation(person, by=by, structure=structure)
        locked.status = Orientation.Status.REFUSED
        locked.refusal_reason = reason
        locked.refused_by = None if by is SYSTEM else by.user
        locked.refused_at = timezone.now()
        locked.save()
        returned = Orientation(
            person=person,
            diagnostic=locked.diagnostic,
            proposed_pathway=locked.proposed_pathway,
            proposal_reasons=locked.proposal_reasons,
            proposal_sensitive=locked.proposal_sensitive,
            proposed_by=locked.proposed_by,
            proposed_for=locked.proposed_for,
            is_reorientation=locked.is_reorientation,
            reorientation_reason=locked.reorientation_reason,
            refused_orientation=locked,
            opinion_pathway=locked.opinion_pathway,
            opinion_structure=locked.opinion_structure,
            opinion_wish=locked.opinion_wish,
            opinion_comment=locked.opinion_comment,
            opinion_by=locked.opinion_by,
            opinion_at=locked.opinion_at,
        )
        returned.save()
        timeline.record(
            person,
            kind="entry.orientation_refused",
            by=by,
            summary=f"Orientation refusée par {structure.name} : {reason[:150]}",
            obj=locked,
        )
        if locked.decided_by is not None:
            notify(
                locked.decided_by,
                subject=f"Orientation refusée par {structure.name}",
                body=(
                    f"{structure.name} refuse une orientation que vous aviez décidée, pour ce motif : {reason}\n"
                    "La personne est de retour dans la liste des orientations, vue « Orientations refusées »."
                ),
                path=reverse("entry:decide", args=[person.public_id]),
            )
    return returned


# --- Commission ----------------------------------------------------------------------------------------------------


def create_commission(*, by, title, held_on):
    require_actor(by)
    require(by is not SYSTEM and by.is_orientation_manager)
    commission = Commission(title=title, held_on=held_on, structure=by.structure, created_by=by.user)
    commission.save()
    return commission


def add_to_commission(commission, *, by, persons):
    """Add people to a session: only people the manager orients (zone and delegated publics), not those they see
    through a team. Returns the people added."""
    require_actor(by)
    require(by is not SYSTEM and by.is_orientation_manager and commission.structure_id == by.structure_id)
    allowed = list(
        Person.objects.filter(pk__in=[person.pk for person in persons], merged_into__isnull=True).filter(
            orientation_scope(by)
        )
    )
    commission.persons.add(*allowed)
    return allowed
