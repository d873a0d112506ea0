"""The entry flows: create a person, record a diagnostic, propose, decide and notify an orientation,
designate the référent, answer access requests, merge duplicates. Each writes its status in one place."""

import logging
import smtplib

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from entry.models import Diagnostic, Notification, Orientation
from entry.notify import notify_orientation
from pathway.models import CONTRACT_DELAY_MONTHS, AccessRequest, EntrySource, Pathway, TeamMember, orientation_due_on
from people.models import Person, PersonMerge

logger = logging.getLogger(__name__)


class EntryError(Exception):
    """A flow refused, with a French message for the user."""


def create_person(form, membership, *, entry_source=EntrySource.PROFESSIONAL):
    """Save a new person from a valid PersonForm; the creator joins the team as intervenant."""
    with transaction.atomic():
        person = form.save(commit=False)
        entered_at = form.cleaned_data["entry_date"]
        person.created_by = membership.user
        person.created_for = membership.structure
        person.departement = person.commune.departement_id
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise EntryError(
                "Une personne avec ce numéro de sécurité sociale existe déjà : recherchez-la plutôt que de la créer."
            ) from None
        pathway = Pathway.objects.create(
            person=person,
            entered_at=entered_at,
            entry_source=entry_source,
            orientation_due_on=orientation_due_on(person, entered_at),
            departement=person.departement,
        )
        TeamMember.objects.create(pathway=pathway, user=membership.user, structure=membership.structure)
    return person


def update_person(form):
    """Save an edit if nobody changed the record meanwhile (optimistic version check)."""
    with transaction.atomic():
        person = form.instance
        current = Person.objects.select_for_update().get(pk=person.pk)
        if current.version != form.cleaned_data.get("version", current.version):
            raise EntryError(
                "Ce dossier a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
                "Vos saisies sont conservées : rechargez le dossier puis reportez vos changements."
            )
        person = form.save(commit=False)
        person.version = current.version + 1
        person.save()
        pathway = Pathway.objects.select_for_update().filter(person=person).first()
        entered_at = form.cleaned_data.get("entry_date")
        if pathway is not None and entered_at:
            # The orientation deadline follows the entry date and the RSA date.
            pathway.entered_at = entered_at
            pathway.orientation_due_on = orientation_due_on(person, entered_at)
            pathway.save(update_fields=["entered_at", "orientation_due_on", "updated_at"])
    return person


def record_diagnostic(
    person,
    membership,
    *,
    answers,
    sensitive_answers,
    comments,
    theme_comments,
    sensitive_theme_comments,
    referential,
    proposal,
):
    """A new dated version of the diagnostic, numbered after the previous one."""
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        previous = Diagnostic.objects.latest_for(person)
        diagnostic = Diagnostic.objects.create(
            person=person,
            number=(previous.number + 1) if previous else 1,
            referential_version=referential["version"],
            answers=answers,
            sensitive_answers=sensitive_answers,
            comments=comments,
            theme_comments=theme_comments,
            sensitive_theme_comments=sensitive_theme_comments,
            done_by=membership.user,
            structure=membership.structure,
            previous=previous,
            proposed_pathway=proposal.pathway,
            proposal_reasons=[*proposal.reasons, *(f"À savoir : {note}" for note in proposal.notes)],
            proposal_sensitive=proposal.sensitive,
        )
        propose_orientation(person, membership, diagnostic)
    return diagnostic


def propose_orientation(person, membership, diagnostic):
    """The diagnostic's proposal becomes the person's open orientation proposal (replacing an older one)."""
    open_proposal = Orientation.objects.select_for_update().filter(person=person, status=Orientation.Status.PROPOSED)
    has_decided = Orientation.objects.filter(
        person=person, status__in=[Orientation.Status.DECIDED, Orientation.Status.NOTIFIED]
    ).exists()
    orientation = open_proposal.first()
    if orientation is None:
        orientation = Orientation(person=person, is_reorientation=has_decided)
    orientation.diagnostic = diagnostic
    orientation.proposed_pathway = diagnostic.proposed_pathway
    orientation.proposal_reasons = diagnostic.proposal_reasons
    orientation.proposal_sensitive = diagnostic.proposal_sensitive
    orientation.proposed_by = membership.user
    orientation.proposed_for = membership.structure
    orientation.proposed_at = timezone.now()
    orientation.save()
    return orientation


def already_decided(orientation):
    """What a manager reads when someone else decided the orientation first."""
    who = orientation.decided_by or "un autre chargé d'orientation"
    when = timezone.localtime(orientation.decided_at).strftime("%d/%m/%Y à %H:%M") if orientation.decided_at else ""
    return (
        f"Cette orientation a déjà été décidée par {who} {('le ' + when) if when else ''}. "
        "Rechargez le dossier pour voir la décision."
    )


def decide_orientation(
    orientation_id, membership, *, pathway_type, referent_structure, referent, reason, commission=None, notify=True
):
    """Decide a proposed orientation. Two managers deciding at once: the second is told, nothing half-written."""
    with transaction.atomic():
        orientation = Orientation.objects.select_for_update().select_related("person").get(pk=orientation_id)
        if orientation.status != Orientation.Status.PROPOSED:
            raise EntryError(already_decided(orientation))
        now = timezone.now()
        # The previous decided orientation, if any, is superseded: the history stays.
        orientation.status = Orientation.Status.DECIDED
        orientation.pathway_type = pathway_type
        orientation.referent_structure = referent_structure
        orientation.referent = referent.user if referent else None
        orientation.decision_reason = reason
        orientation.decided_by = membership.user
        orientation.decided_at = now
        orientation.commission = commission
        orientation.save()
        pathway = Pathway.objects.select_for_update().get(person=orientation.person)
        pathway.mark_oriented(
            pathway_type=pathway_type,
            structure=referent_structure,
            contract_due_on=timezone.localdate() + relativedelta(months=CONTRACT_DELAY_MONTHS),
        )
        if referent is not None:
            pathway.designate_referent(referent.user, by=membership.user)
    if notify:
        try:
            sent = notify_orientation(orientation)
        except (OSError, smtplib.SMTPException):
            # The decision stands; the page offers the printable letter instead.
            logger.exception("Échec de l'envoi de la notification d'orientation")
            sent = []
        if sent:
            mark_notified(orientation)
    return orientation


def mark_notified(orientation):
    with transaction.atomic():
        locked = Orientation.objects.select_for_update().get(pk=orientation.pk)
        if locked.status == Orientation.Status.DECIDED:
            locked.status = Orientation.Status.NOTIFIED
            locked.notified_at = timezone.now()
            locked.save(update_fields=["status", "notified_at"])
            Pathway.objects.filter(person_id=locked.person_id).update(
                contract_due_on=timezone.localdate() + relativedelta(months=CONTRACT_DELAY_MONTHS)
            )
        orientation.refresh_from_db()
    return orientation


def record_letter(orientation, user):
    """The printable letter was handed or posted: it counts as the notification (once)."""
    if orientation.status != Orientation.Status.DECIDED:
        return orientation
    Notification.objects.create(
        person=orientation.person,
        orientation=orientation,
        channel=Notification.Channel.LETTER,
        recipient=orientation.person.address or "remis en main propre",
        subject="Courrier de notification d'orientation",
        body=f"Courrier imprimé par {user}",
    )
    return mark_notified(orientation)


def designate_referent(person, membership_of_referent, by):
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(person=person)
        if membership_of_referent.structure_id != pathway.referent_structure_id:
            raise EntryError("Le référent doit être membre de l'organisme référent.")
        pathway.designate_referent(membership_of_referent.user, by=by)
    return pathway


def request_access(person, membership, reason):
    try:
        with transaction.atomic():
            return AccessRequest.objects.create(
                person=person, requested_by=membership.user, structure=membership.structure, reason=reason
            )
    except IntegrityError:
        raise EntryError("Vous avez déjà une demande d'accès en attente pour cette personne.") from None


def answer_access_request(access_request, membership, *, grant, comment=""):
    with transaction.atomic():
        locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if locked.status != AccessRequest.Status.PENDING:
            raise EntryError("Cette demande a déjà reçu une réponse.")
        locked.status = AccessRequest.Status.GRANTED if grant else AccessRequest.Status.REFUSED
        locked.answered_by = membership.user
        locked.answered_at = timezone.now()
        locked.answer_comment = comment
        locked.save()
        if grant:
            pathway = Pathway.objects.get(person=locked.person)
            TeamMember.objects.get_or_create(
                pathway=pathway, user=locked.requested_by, ended_at=None, defaults={"structure": locked.structure}
            )
    return locked


MERGE_MOVES = [
    ("diagnostics", Diagnostic, "person"),
    ("orientations", Orientation, "person"),
    ("access_requests", AccessRequest, "person"),
    ("notifications", Notification, "person"),
]


def merge_persons(survivor, merged, user):
    """Move everything attached to ``merged`` onto ``survivor``; recorded, and reversible by ``undo_merge``."""
    if survivor.pk == merged.pk:
        raise EntryError("Choisissez deux dossiers différents.")
    with transaction.atomic():
        survivor = Person.objects.select_for_update().get(pk=survivor.pk)
        merged = Person.objects.select_for_update().get(pk=merged.pk)
        if survivor.merged_into_id or merged.merged_into_id:
            raise EntryError("L'un des deux dossiers a déjà été fusionné.")
        moved = {}
        # Renumber the merged person's diagnostics after the survivor's so that versions stay unique.
        last = (
            Diagnostic.objects.filter(person=survivor).order_by("-number").values_list("number", flat=True).first()
            or 0
        )
        renumbered = {}
        for offset, diagnostic in enumerate(Diagnostic.objects.filter(person=merged).order_by("number"), start=1):
            renumbered[str(diagnostic.pk)] = diagnostic.number
            diagnostic.number = last + offset
            diagnostic.person = survivor
            diagnostic.save(update_fields=["number", "person"])
        moved["diagnostics"] = renumbered
        # An open proposal on both: keep the survivor's, cancel the merged one's.
        if Orientation.objects.filter(person=survivor, status=Orientation.Status.PROPOSED).exists():
            cancelled = list(
                Orientation.objects.filter(person=merged, status=Orientation.Status.PROPOSED).values_list(
                    "pk", flat=True
                )
            )
            Orientation.objects.filter(pk__in=cancelled).update(status=Orientation.Status.CANCELLED)
            moved["cancelled_orientations"] = cancelled
        for key, model, field in MERGE_MOVES[1:]:
            moving = model.objects.filter(**{field: merged})
            if model is AccessRequest:
                # A professional waiting on both records keeps one request: the other stays with the merged record.
                waiting = AccessRequest.objects.filter(person=survivor, status=AccessRequest.Status.PENDING)
                moving = moving.exclude(
                    status=AccessRequest.Status.PENDING, requested_by__in=waiting.values("requested_by")
                )
            ids = list(moving.values_list("pk", flat=True))
            model.objects.filter(pk__in=ids).update(**{field: survivor})
            moved[key] = ids
        # The team of the merged record joins the survivor's carnet.
        survivor_pathway = Pathway.objects.filter(person=survivor).first()
        merged_pathway = Pathway.objects.filter(person=merged).first()
        added = []
        if survivor_pathway and merged_pathway:
            for member in merged_pathway.team.filter(ended_at__isnull=True):
                _, created = TeamMember.objects.get_or_create(
                    pathway=survivor_pathway, user=member.user, ended_at=None, defaults={"structure": member.structure}
                )
                if created:
                    added.append(member.user_id)
        moved["team_users"] = added
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        return PersonMerge.objects.create(survivor=survivor, merged=merged, moved=moved, merged_by=user)


def undo_merge(merge, user):
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at:
            raise EntryError("Cette fusion a déjà été annulée.")
        moved = merge.moved
        for pk, number in moved.get("diagnostics", {}).items():
            Diagnostic.objects.filter(pk=int(pk)).update(person=merge.merged, number=number)
        for key, model, field in MERGE_MOVES[1:]:
            model.objects.filter(pk__in=moved.get(key, [])).update(**{field: merge.merged})
        Orientation.objects.filter(pk__in=moved.get("cancelled_orientations", [])).update(
            status=Orientation.Status.PROPOSED
        )
        survivor_pathway = Pathway.objects.filter(person=merge.survivor).first()
        if survivor_pathway:
            TeamMember.objects.filter(
                pathway=survivor_pathway, user_id__in=moved.get("team_users", []), ended_at=None
            ).delete()
        Person.objects.filter(pk=merge.merged_id).update(merged_into=None)
        merge.undone_at = timezone.now()
        merge.undone_by = user
        merge.save(update_fields=["undone_at", "undone_by"])
    return merge
