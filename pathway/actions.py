"""Actions of the carnet: a person enters, their identity is corrected, the référent is designated or ends, the team
grows or shrinks, access is requested and answered, a membership ends. One function per state change (see
relais/actions.py): each checks its access rule, writes the change history through ``save()`` and the timeline.
"""

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.notifications import notify
from audit.journal import record_creations
from pathway import timeline
from pathway.access import (
    can_answer_access_request,
    can_designate_anyone,
    can_designate_referent,
    can_manage_team,
    can_view_person,
    in_orientation_scope,
)
from pathway.models import (
    CONTRACT_DELAY_MONTHS,
    AccessRequest,
    EntrySource,
    Pathway,
    PathwayType,
    ReferentHistory,
    TeamMember,
    TimelineEvent,
    orientation_due_on,
)
from people.models import DossierCounter, NameVariant, Person
from relais.actions import SYSTEM, ActionError, Conflict, require, require_actor
from territory.models import Commune

DUPLICATE_NIR = "Une personne avec ce numéro de sécurité sociale existe déjà : recherchez-la plutôt que de la créer."
EDITED_MEANWHILE = (
    "Ce dossier a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
    "Vos saisies sont conservées : rechargez le dossier puis reportez vos changements."
)
CLOSED = "Ce parcours est clos : il faut d'abord le rouvrir."

timeline.register_kind("pathway.entered", "entrée dans le parcours")
timeline.register_kind("pathway.identity_updated", "informations de la personne")
timeline.register_kind("pathway.oriented", "orientation")
timeline.register_kind("pathway.referent_designated", "référent unique")
timeline.register_kind("pathway.referent_ended", "référent unique")
timeline.register_kind("pathway.team_joined", "équipe")
timeline.register_kind("pathway.team_left", "équipe")
timeline.register_kind("pathway.access_requested", "demande d'accès")
timeline.register_kind("pathway.access_answered", "demande d'accès")


def _carnet_path(person):
    return reverse("entry:person_detail", args=[person.public_id])


def _locked_pathway(person):
    return Pathway.objects.select_for_update().select_related("person").get(person_id=person.pk)


# --- The person enters, their record is corrected ----------------------------------------------------------------


def enter_person(*, by, identity, nir="", entered_at, entry_source=EntrySource.PROFESSIONAL):
    """A new person and their pathway. ``identity`` holds Person fields; the professional who enters the person
    joins the team as intervenant. The RSA orientation deadline runs from ``entered_at`` (CASF art. D262-65-2)."""
    require_actor(by)
    with transaction.atomic():
        person = Person(**identity)
        person.set_nir(nir)
        person.created_by = by.user
        person.created_for = by.structure
        person.departement = person.commune.departement_id
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise ActionError(DUPLICATE_NIR) from None
        pathway = Pathway(
            person=person,
            entered_at=entered_at,
            entry_source=entry_source,
            orientation_due_on=orientation_due_on(person, entered_at),
            departement=person.departement,
        )
        pathway.save()
        if by is not SYSTEM:
            _join(pathway, user=by.user, structure=by.structure, role=TeamMember.Role.INTERVENANT, by=by)
        timeline.record(
            person,
            kind="pathway.entered",
            by=by,
            summary=f"Entrée dans le parcours ({EntrySource(entry_source).label})",
            obj=pathway,
        )
    return person


def enter_people(*, by, entries):
    """Several people enter at once (an import): for each, what ``enter_person`` does, written in a few statements
    (dossier numbers reserved together, people, name variants, pathways, change history and timeline by
    ``bulk_create``). ``entries``: dicts with ``identity`` (Person fields, ``commune_id`` included), ``nir``,
    ``entered_at`` and ``entry_source``. A NIR already on file refuses the whole batch (``ActionError``): the
    caller takes its people one by one."""
    require_actor(by)
    if not entries:
        return []
    communes = Commune.objects.in_bulk({entry["identity"]["commune_id"] for entry in entries})
    with transaction.atomic():
        persons = []
        for entry in entries:
            person = Person(**entry["identity"])
            person.set_nir(entry.get("nir", ""))
            person.created_by = by.user
            person.created_for = by.structure
            person.departement = communes[person.commune_id].departement_id
            person.set_matching_keys()
            persons.append(person)
        by_departement = {}
        for person in persons:
            by_departement.setdefault(person.departement, []).append(person)
        for departement, group in by_departement.items():
            for person, number in zip(group, DossierCounter.next_numbers(departement, len(group)), strict=True):
                person.dossier_number = number
        try:
            with transaction.atomic():
                Person.objects.bulk_create(persons)
        except IntegrityError:
            raise ActionError(DUPLICATE_NIR) from None
        NameVariant.objects.bulk_create(
            NameVariant.rows(*{name for person in persons for name in (person.birth_name, person.usage_name)}),
            ignore_conflicts=True,
        )
        record_creations(persons)
        pathways = [
            Pathway(
                person=person,
                entered_at=entry["entered_at"],
                entry_source=entry.get("entry_source", EntrySource.PROFESSIONAL),
                orientation_due_on=orientation_due_on(person, entry["entered_at"]),
                departement=person.departement,
            )
            for person, entry in zip(persons, entries, strict=True)
        ]
        Pathway.objects.bulk_create(pathways)
        record_creations(pathways)
        TimelineEvent.objects.bulk_create(
            [
                timeline.build(
                    person,
                    kind="pathway.entered",
                    by=by,
                    summary=f"Entrée dans le parcours ({EntrySource(pathway.entry_source).label})",
                    obj=pathway,
                )
                for person, pathway in zip(persons, pathways, strict=True)
            ]
        )
        if by is not SYSTEM:
            for pathway in pathways:
                _join(pathway, user=by.user, structure=by.structure, role=TeamMember.Role.INTERVENANT, by=by)
    return persons


def update_person(person, *, by, version, changes, nir="", entered_at=None):
    """Correct a person's record if nobody changed it meanwhile (``version`` is the one the form was built on).
    An empty ``nir`` keeps the NIR; the orientation deadline follows the entry date and the RSA date."""
    require_actor(by)
    require(by is SYSTEM or can_view_person(by, person))
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        if version is not None and current.version != version:
            raise Conflict(EDITED_MEANWHILE)
        changed = [name for name, value in changes.items() if getattr(current, name) != value]
        for name, value in changes.items():
            setattr(current, name, value)
        if nir and current.nir != nir:
            current.set_nir(nir)
            changed.append("nir")
        current.version += 1
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise ActionError(DUPLICATE_NIR) from None
        pathway = Pathway.objects.select_for_update().filter(person=current).first()
        if pathway is not None:
            new_entry = entered_at or pathway.entered_at
            due = orientation_due_on(current, new_entry)
            if (new_entry, due) != (pathway.entered_at, pathway.orientation_due_on):
                pathway.entered_at = new_entry
                pathway.orientation_due_on = due
                pathway.save(update_fields=["entered_at", "orientation_due_on", "updated_at"])
                changed.append("entered_at")
        if changed:
            timeline.record(
                current,
                kind="pathway.identity_updated",
                by=by,
                summary="Informations de la personne modifiées",
                data={"fields": sorted(set(changed))},
            )
    return current


# --- Orientation facts, written for entry's decision --------------------------------------------------------------


def mark_oriented(person, *, by, pathway_type, structure, orientation=None):
    """The pathway takes the decided orientation: its type, its organisme référent, the contract deadline (one month,
    Code du travail art. D5411-14-1). A réorientation to another structure ends the current référent's mission."""
    require_actor(by)
    require(by is SYSTEM or in_orientation_scope(by, person))
    with transaction.atomic():
        pathway = _locked_pathway(person)
        if not pathway.is_active:
            raise ActionError(CLOSED)
        if pathway.referent_structure_id != structure.pk and pathway.referent_id is not None:
            _end_referent(pathway, by=by, reason="réorientation", leaves_team=True)
        pathway.pathway_type = pathway_type
        pathway.referent_structure = structure
        pathway.oriented_at = timezone.now()
        pathway.contract_due_on = timezone.localdate() + relativedelta(months=CONTRACT_DELAY_MONTHS)
        if pathway.status == Pathway.Status.ENTERED or pathway.referent_id is None:
            pathway.status = Pathway.Status.ORIENTED
        pathway.save()
        timeline.record(
            person,
            kind="pathway.oriented",
            by=by,
            summary=f"Orienté en parcours {PathwayType(pathway_type).label} vers {structure.name}",
            obj=orientation or pathway,
        )
    return pathway


def restart_contract_delay(person, *, by):
    """The orientation was notified: the contract is due one month after the notification."""
    with transaction.atomic():
        pathway = _locked_pathway(person)
        pathway.contract_due_on = timezone.localdate() + relativedelta(months=CONTRACT_DELAY_MONTHS)
        pathway.save(update_fields=["contract_due_on", "updated_at"])
    return pathway


# --- Référent unique -----------------------------------------------------------------------------------------------


def designate_referent(person, *, by, referent):
    """The organisme référent (its admins, or a professional for themself while there is none) or an orientation
    manager designates the référent unique: ``referent`` is an active membership of the organisme référent."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        person = pathway.person  # its pathway is the one just locked: the rules read the current state
        require(by is SYSTEM or can_designate_referent(by, person))
        if by is not SYSTEM and referent.user_id != by.user_id:
            require(can_designate_anyone(by, person), "Vous ne pouvez désigner que vous-même comme référent.")
        if pathway.referent_structure_id is None:
            raise ActionError("Le parcours n'a pas encore d'organisme référent : il faut d'abord l'orienter.")
        if referent.structure_id != pathway.referent_structure_id or not referent.is_active:
            raise ActionError("Le référent doit être un membre actif de l'organisme référent.")
        if pathway.referent_id == referent.user_id:
            return pathway
        if pathway.referent_id is not None:
            _end_referent(pathway, by=by, reason="changement de référent")
        pathway.referent = referent.user
        pathway.status = Pathway.Status.ACCOMPANIED
        pathway.save(update_fields=["referent", "status", "updated_at"])
        ReferentHistory(
            pathway=pathway, user=referent.user, structure_id=pathway.referent_structure_id, designated_by=by.user
        ).save()
        member = TeamMember.objects.filter(pathway=pathway, user=referent.user, ended_at=None).first()
        if member is None:
            _join(pathway, user=referent.user, structure=referent.structure, role=TeamMember.Role.REFERENT, by=by)
        elif member.role != TeamMember.Role.REFERENT or member.structure_id != referent.structure_id:
            member.role = TeamMember.Role.REFERENT
            member.structure = referent.structure
            member.save(update_fields=["role", "structure"])
        timeline.record(
            person,
            kind="pathway.referent_designated",
            by=by,
            summary=f"{referent.user} ({referent.structure.name}) est désigné référent unique",
            obj=pathway,
        )
        if referent.user_id != getattr(by, "user_id", None):
            notify(
                referent.user,
                subject="Vous êtes désigné référent unique d'une personne",
                body=f"Vous êtes le référent unique d'une personne orientée vers {referent.structure.name}. "
                "Prenez contact avec elle pour un premier rendez-vous.",
                path=_carnet_path(person),
            )
    return pathway


def end_referent(person, *, by, reason, leaves_team=False):
    """End the référent's mission: the person goes back to the organisme référent's list of people to designate."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        require(by is SYSTEM or can_designate_anyone(by, pathway.person))
        _end_referent(pathway, by=by, reason=reason, leaves_team=leaves_team)
        pathway.save()
    return pathway


def _end_referent(pathway, *, by, reason, leaves_team=False):
    """Within the same structure the former référent stays in the team as intervenant; ``leaves_team`` (a
    réorientation elsewhere, a departure) ends their team membership, and with it their access."""
    if pathway.referent_id is None:
        return
    now = timezone.now()
    for history in ReferentHistory.objects.filter(pathway=pathway, ended_at=None):
        history.ended_at = now
        history.end_reason = reason
        history.save(update_fields=["ended_at", "end_reason"])
    for member in TeamMember.objects.filter(
        pathway=pathway, user_id=pathway.referent_id, role=TeamMember.Role.REFERENT, ended_at=None
    ):
        if leaves_team:
            member.ended_at = now
            member.end_reason = reason
            member.save(update_fields=["ended_at", "end_reason"])
        else:
            member.role = TeamMember.Role.INTERVENANT
            member.save(update_fields=["role"])
    timeline.record(
        pathway.person, kind="pathway.referent_ended", by=by, summary=f"Fin de mission du référent : {reason}"
    )
    pathway.referent = None
    if pathway.status == Pathway.Status.ACCOMPANIED:
        pathway.status = Pathway.Status.ORIENTED


# --- Team ----------------------------------------------------------------------------------------------------------


def _join(pathway, *, user, structure, role, by, reason=""):
    member = TeamMember(pathway=pathway, user=user, structure=structure, role=role)
    member.save()
    summary = f"{user} ({structure.name}) rejoint l'équipe"
    timeline.record(
        pathway.person,
        kind="pathway.team_joined",
        by=by,
        summary=f"{summary} : {reason}" if reason else summary,
        obj=pathway,
    )
    return member


def add_team_member(person, *, by, member, role=TeamMember.Role.INTERVENANT):
    """The référent (or the organisme référent's admins, or an orientation manager) adds a professional, acting for
    ``member.structure``, to the team. Already in it: nothing changes."""
    require_actor(by)
    require(by is SYSTEM or can_manage_team(by, person))
    if not member.is_active:
        raise ActionError("Ce professionnel n'est plus membre actif de sa structure.")
    with transaction.atomic():
        pathway = _locked_pathway(person)
        current = TeamMember.objects.filter(pathway=pathway, user_id=member.user_id, ended_at=None).first()
        if current is not None:
            return current
        return _join(pathway, user=member.user, structure=member.structure, role=role, by=by)


def join_team(person, *, by, reason):
    """``by`` joins the team of ``person`` because an upper app's action allowed it (an accepted referral, say):
    the caller checked its own rule; ``reason`` says which, on the timeline."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        current = TeamMember.objects.filter(pathway=pathway, user_id=by.user_id, ended_at=None).first()
        if current is not None:
            return current
        return _join(
            pathway, user=by.user, structure=by.structure, role=TeamMember.Role.INTERVENANT, by=by, reason=reason
        )


def end_team_membership(member, *, by, reason):
    """A professional leaves the team (the référent's own membership ends through ``end_referent``)."""
    require_actor(by)
    person = member.pathway.person
    require(by is SYSTEM or can_manage_team(by, person) or by.user_id == member.user_id)
    with transaction.atomic():
        member = TeamMember.objects.select_for_update().get(pk=member.pk)
        if member.ended_at is not None:
            return member
        if member.role == TeamMember.Role.REFERENT:
            raise ActionError("Le référent unique quitte l'équipe par un changement de référent.")
        member.ended_at = timezone.now()
        member.end_reason = reason
        member.save(update_fields=["ended_at", "end_reason"])
        timeline.record(
            person,
            kind="pathway.team_left",
            by=by,
            summary=f"{member.user} quitte l'équipe : {reason}",
            obj=member.pathway,
        )
    return member


def end_memberships_of(membership):
    """A membership was deactivated: the professional leaves every team they joined for that structure; the people
    they were référent of go back, without référent, to the organisme référent's list of people to designate."""
    reason = f"départ de la structure {membership.structure.name}"
    with transaction.atomic():
        members = TeamMember.objects.filter(
            user_id=membership.user_id, structure_id=membership.structure_id, ended_at=None
        ).select_related("pathway__person")
        for member in members:
            pathway = Pathway.objects.select_for_update().get(pk=member.pathway_id)
            if pathway.referent_id == membership.user_id and pathway.referent_structure_id == membership.structure_id:
                _end_referent(pathway, by=SYSTEM, reason=reason, leaves_team=True)
                pathway.save()
            else:
                member.refresh_from_db()
                if member.ended_at is None:
                    member.ended_at = timezone.now()
                    member.end_reason = reason
                    member.save(update_fields=["ended_at", "end_reason"])
                    timeline.record(
                        pathway.person,
                        kind="pathway.team_left",
                        by=SYSTEM,
                        summary=f"{member.user} quitte l'équipe : {reason}",
                        obj=pathway,
                    )


# --- Access requests -----------------------------------------------------------------------------------------------


def request_access(person, *, by, reason):
    """A professional who found the person outside their need-to-know asks to join the team."""
    require_actor(by)
    require(by is not SYSTEM)
    if can_view_person(by, person):
        raise ActionError("Vous avez déjà accès à ce dossier.")
    try:
        with transaction.atomic():
            request = AccessRequest(person=person, requested_by=by.user, structure=by.structure, reason=reason)
            request.save()
            timeline.record(
                person,
                kind="pathway.access_requested",
                by=by,
                summary=f"Demande d'accès de {by.user} ({by.structure.name})",
                obj=request,
            )
            referent = Pathway.objects.filter(person=person).values_list("referent", flat=True).first()
            if referent:
                notify(
                    User.objects.get(pk=referent),
                    subject="Une demande d'accès attend votre réponse",
                    body=f"{by.user} ({by.structure.name}) demande à rejoindre l'équipe d'une personne dont vous "
                    "êtes le référent.",
                    path=reverse("entry:access_request_list"),
                )
    except IntegrityError:
        raise ActionError("Vous avez déjà une demande d'accès en attente pour cette personne.") from None
    return request


def answer_access_request(access_request, *, by, grant, comment=""):
    """The référent or an orientation manager of the territory grants (the requester joins the team, acting for the
    structure they asked from) or refuses."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(access_request.person)
        person = pathway.person  # the rules read the current référent, not a copy loaded earlier
        require(by is SYSTEM or (can_view_person(by, person) and can_answer_access_request(by, person)))
        locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if locked.status != AccessRequest.Status.PENDING:
            raise Conflict("Cette demande a déjà reçu une réponse.")
        locked.status = AccessRequest.Status.GRANTED if grant else AccessRequest.Status.REFUSED
        locked.answered_by = by.user
        locked.answered_at = timezone.now()
        locked.answer_comment = comment
        locked.save()
        already = TeamMember.objects.filter(pathway=pathway, user=locked.requested_by, ended_at=None).exists()
        if grant and not already:
            _join(
                pathway, user=locked.requested_by, structure=locked.structure, role=TeamMember.Role.INTERVENANT, by=by
            )
        timeline.record(
            person,
            kind="pathway.access_answered",
            by=by,
            summary=f"Demande d'accès de {locked.requested_by} ({locked.structure.name}) "
            + ("accordée" if grant else "refusée"),
            obj=locked,
        )
        notify(
            locked.requested_by,
            subject="Votre demande d'accès est " + ("accordée" if grant else "refusée"),
            body=(
                "Vous faites désormais partie de l'équipe de la personne."
                if grant
                else "Votre demande d'accès n'a pas été acceptée."
            )
            + (f" Commentaire : {comment}" if comment else ""),
            path=_carnet_path(person) if grant else "",
        )
    return locked
