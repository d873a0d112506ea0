"""Actions of the carnet: a person enters, their identity is corrected, the référent is designated, handed over or
ends, the team grows or shrinks, the pathway closes and reopens, access is requested and answered, a membership
ends. One function per state change (see relais/actions.py): each checks its access rule, writes the change history
through ``save()`` and the timeline, and tells people after the commit (``pathway.notify``).
"""

from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import is_structure_admin
from accounts.models import User
from accounts.notifications import notify as notify_user
from audit.journal import record_creations, record_updates, tracked_values
from pathway import notify, timeline
from pathway.access import (
    can_answer_access_request,
    can_change_status,
    can_designate_anyone,
    can_designate_referent,
    can_hand_over,
    can_manage_team,
    can_view_person,
    in_orientation_scope,
)
from pathway.models import (
    CONTRACT_DELAY_MONTHS,
    OPEN_ALERT_STATUSES,
    AccessRequest,
    Alert,
    EntrySource,
    ExitReason,
    Pathway,
    PathwayType,
    ReferentHistory,
    TeamMember,
    orientation_due_on,
)
from people import matching
from people.models import DossierCounter, NameVariant, Person
from relais import bulk
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor
from territory.models import Commune

DUPLICATE_NIR = "Une personne avec ce numéro de sécurité sociale existe déjà : recherchez-la plutôt que de la créer."
EDITED_MEANWHILE = (
    "Ce dossier a été modifié par quelqu'un d'autre pendant que vous le modifiiez. "
    "Vos saisies sont conservées : rechargez le dossier puis reportez vos changements."
)
ALREADY_KNOWN = (
    "Cette personne est déjà connue (même numéro, ou même date de naissance et même nom) : elle ne peut pas être "
    "créée une seconde fois. Demandez l'accès à son dossier."
)
CLOSED = "Ce parcours est clos : il faut d'abord le rouvrir."
HANDOVER_NOTE_REQUIRED = (
    "Un changement de référent demande une note de passation : ce que le nouveau référent doit savoir pour "
    "reprendre l'accompagnement."
)

timeline.register_kind("pathway.entered", "entrée dans le parcours")
timeline.register_kind("pathway.identity_updated", "informations de la personne")
timeline.register_kind("pathway.oriented", "orientation")
timeline.register_kind("pathway.referent_designated", "référent unique")
timeline.register_kind("pathway.referent_ended", "référent unique")
timeline.register_kind("pathway.team_joined", "équipe")
timeline.register_kind("pathway.team_left", "équipe")
timeline.register_kind("pathway.access_requested", "demande d'accès")
timeline.register_kind("pathway.access_answered", "demande d'accès")
timeline.register_kind("pathway.handed_over", "référent unique")
timeline.register_kind("pathway.exited", "sortie et réouverture")
timeline.register_kind("pathway.reopened", "sortie et réouverture")


def _carnet_path(person):
    return reverse("entry:person_detail", args=[person.public_id])


def _locked_pathway(person):
    return Pathway.objects.select_for_update().select_related("person").get(person_id=person.pk)


# --- The person enters, their record is corrected ----------------------------------------------------------------


class AlreadyKnown(ActionError):
    """A creation refused: the person is known with little doubt (``matches``: the strong matches)."""

    def __init__(self, matches):
        super().__init__(ALREADY_KNOWN)
        self.matches = matches


CREATION_CANDIDATES = 5


def creation_matches(identity, nir=""):
    """The best candidates a creation of ``identity`` is checked against (``people.matching.find``)."""
    return matching.find(matching.query_for(identity, nir), limit=CREATION_CANDIDATES)


def strong_matches(identity, nir="", *, matches=None):
    """The people a creation of ``identity`` would duplicate with little doubt (``Match.is_strong``), among
    ``matches`` when the caller already searched with ``creation_matches``."""
    found = matches if matches is not None else creation_matches(identity, nir)
    return [match for match in found if match.is_strong]


def enter_person(
    *,
    by,
    identity,
    nir="",
    entered_at,
    entry_source=EntrySource.PROFESSIONAL,
    rsa_informed_on=None,
    matches=None,
):
    """A new person and their pathway. ``identity`` holds Person fields; the professional who enters the person
    joins the team as intervenant (of this record only: a probable duplicate confirmed gives no access to the
    other). The RSA orientation deadline runs from ``rsa_informed_on``, the day the Département received the
    information that the right opened (CAF/MSA flow or typed), else from ``entered_at`` (CASF art. D262-65-2,
    décret 2024-1244).

    A professional may not create a person known with little doubt (the same NIR, CAF or France Travail number,
    or the same birth date and near-identical names): the way forward is the access request (``AlreadyKnown``).
    ``matches``: what ``creation_matches`` found for this identity and NIR, when the caller already searched (the
    creation page shows the candidates first), so that the search runs once; without it the action searches itself.
    Imports (``SYSTEM``) match identities themselves before creating."""
    require_actor(by)
    if by is not SYSTEM:
        known = strong_matches(identity, nir, matches=matches)
        if known:
            raise AlreadyKnown(known)
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
            rsa_informed_on=rsa_informed_on,
            orientation_due_on=orientation_due_on(person, entered_at, rsa_informed_on),
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
    ``bulk_create``, the timeline's listeners called once for all). ``entries``: dicts with ``identity`` (Person
    fields, ``commune_id`` included), ``nir``, ``entered_at``, ``entry_source`` and ``rsa_informed_on`` if known.
    A NIR already on file refuses the whole batch (``ActionError``): the caller takes its people one by one."""
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
                bulk.insert(persons)
        except IntegrityError:
            raise ActionError(DUPLICATE_NIR) from None
        NameVariant.remember(*{name for person in persons for name in (person.birth_name, person.usage_name)})
        record_creations(persons)
        pathways = [
            Pathway(
                person=person,
                entered_at=entry["entered_at"],
                entry_source=entry.get("entry_source", EntrySource.PROFESSIONAL),
                rsa_informed_on=entry.get("rsa_informed_on"),
                orientation_due_on=orientation_due_on(person, entry["entered_at"], entry.get("rsa_informed_on")),
                departement=person.departement,
            )
            for person, entry in zip(persons, entries, strict=True)
        ]
        bulk.insert(pathways)
        record_creations(pathways)
        # Written as rows (one statement, no instance per event): the same content as ``timeline.event`` gives.
        labels = {source: f"Entrée dans le parcours ({EntrySource(source).label})" for source in EntrySource.values}
        timeline.record_for_each(
            [
                (person.pk, labels[pathway.entry_source], str(pathway.public_id))
                for person, pathway in zip(persons, pathways, strict=True)
            ],
            kind="pathway.entered",
            by=by,
            at=timezone.now(),
            obj_type=Pathway._meta.label_lower,
            notify=True,
        )
        if by is not SYSTEM:
            for pathway in pathways:
                _join(pathway, user=by.user, structure=by.structure, role=TeamMember.Role.INTERVENANT, by=by)
    return persons


KEEP = object()


def update_person(person, *, by, version, changes, nir="", entered_at=None, rsa_informed_on=KEEP):
    """Correct a person's record if nobody changed it meanwhile (``version`` is the one the form was built on).
    An empty ``nir`` keeps the NIR; the orientation deadline follows the entry date, the day the Département was
    informed of the RSA (``rsa_informed_on``: None when not known, ``KEEP`` to leave it) and the RSA itself."""
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
        if {"commune", "commune_id"} & set(changed):
            # The open alerts follow the person's commune (the coordination counts them by EPCI).
            Alert.objects.filter(person=current, status__in=OPEN_ALERT_STATUSES).update(commune_id=current.commune_id)
        pathway = Pathway.objects.select_for_update().filter(person=current).first()
        if pathway is not None:
            new_entry = entered_at or pathway.entered_at
            informed = pathway.rsa_informed_on if rsa_informed_on is KEEP else rsa_informed_on
            due = orientation_due_on(current, new_entry, informed)
            before = (pathway.entered_at, pathway.rsa_informed_on, pathway.orientation_due_on)
            if (new_entry, informed, due) != before:
                if new_entry != pathway.entered_at:
                    changed.append("entered_at")
                if informed != pathway.rsa_informed_on:
                    changed.append("rsa_informed_on")
                pathway.entered_at = new_entry
                pathway.rsa_informed_on = informed
                pathway.orientation_due_on = due
                pathway.save(update_fields=["entered_at", "rsa_informed_on", "orientation_due_on", "updated_at"])
        if changed:
            timeline.record(
                current,
                kind="pathway.identity_updated",
                by=by,
                summary="Informations de la personne modifiées",
                data={"fields": sorted(set(changed))},
            )
    return current


# The keys the matching reads, derived from the names (``Person.set_matching_keys``).
MATCHING_KEYS = (
    "name_search",
    "birth_name_key",
    "usage_name_key",
    "first_names_key",
    "last_name_phonetic",
    "usage_name_phonetic",
)


def update_people(*, by, updates):
    """Several records corrected at once (an import's batch): for each, what ``update_person`` does without a version
    check and with the entry dates kept, written in a few statements (the people locked together, ``bulk_update``,
    the change history, the orientation deadlines that follow, the timeline with its listeners called once).
    ``updates``: (person, changes, nir) triples, ``changes`` being {Person field: value}, an empty ``nir`` keeping the
    NIR. Returns {person id: sorted names of what changed}. A NIR already on file refuses the whole batch
    (``ActionError``): the caller takes its people one by one."""
    require_actor(by)
    if not updates:
        return {}
    with transaction.atomic():
        ids = [person.pk for person, _, _ in updates]
        current = Person.objects.select_for_update().order_by("pk").in_bulk(ids)
        for person, _, _ in updates:
            require(by is SYSTEM or can_view_person(by, current[person.pk]))
        changed, before, fields = {}, [], set()
        for person, changes, nir in updates:
            record = current[person.pk]
            values = tracked_values(record)
            names = [name for name, value in changes.items() if getattr(record, name) != value]
            for name, value in changes.items():
                setattr(record, name, value)
                fields.add(name)
            if nir and record.nir != nir:
                record.set_nir(nir)
                names.append("nir")
            record.version += 1
            record.set_matching_keys()
            changed[record.pk] = names
            before.append((values, record))
        records = [record for _, record in before]
        # Only the columns some record changes: each is one CASE over the batch in the statement.
        written = {"version", *fields}
        for values, record in before:
            if record.nir_digest != values["nir_digest"]:
                written.update(("nir_encrypted", "nir_digest"))
            if record.birth_name != values["birth_name"] or record.usage_name != values["usage_name"]:
                written.update(MATCHING_KEYS)
            if record.first_names != values["first_names"]:
                written.update(MATCHING_KEYS)
        try:
            with transaction.atomic():
                bulk.update(records, sorted(written))
        except IntegrityError:
            raise ActionError(DUPLICATE_NIR) from None
        NameVariant.remember(*{name for record in records for name in (record.birth_name, record.usage_name)})
        record_updates(before)
        pathways = Pathway.objects.select_for_update().filter(person_id__in=ids).order_by("pk")
        moved = []
        for pathway in pathways:
            record = pathway.person = current[pathway.person_id]  # named in the change history, without a query
            due = orientation_due_on(record, pathway.entered_at, pathway.rsa_informed_on)
            if due != pathway.orientation_due_on:
                moved.append((tracked_values(pathway), pathway))
                pathway.orientation_due_on = due
                pathway.updated_at = timezone.now()
        if moved:
            bulk.update([pathway for _, pathway in moved], ["orientation_due_on", "updated_at"])
            record_updates(moved)
        timeline.record_all(
            [
                timeline.event(
                    current[person_id],
                    kind="pathway.identity_updated",
                    by=by,
                    summary="Informations de la personne modifiées",
                    data={"fields": sorted(set(names))},
                )
                for person_id, names in changed.items()
                if names
            ]
        )
    return {person_id: sorted(set(names)) for person_id, names in changed.items()}


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


def return_to_orientation(person, *, by, structure):
    """The organisme référent ``structure`` refused the orientation before designating a référent: the pathway waits
    for an orientation again (its RSA orientation deadline unchanged), without type nor organisme référent."""
    require_actor(by)
    require(by is SYSTEM or by.structure_id == structure.pk)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        if pathway.referent_structure_id != structure.pk or pathway.referent_id is not None:
            raise Conflict(
                "Cette personne n'est plus orientée vers votre structure sans référent : rechargez la page."
            )
        pathway.status = Pathway.Status.ENTERED
        pathway.pathway_type = ""
        pathway.referent_structure = None
        pathway.oriented_at = None
        pathway.contract_due_on = None
        pathway.save()
    return pathway


def restart_contract_delay(person, *, by):
    """The orientation was notified: the contract is due one month after the notification."""
    with transaction.atomic():
        pathway = _locked_pathway(person)
        pathway.contract_due_on = timezone.localdate() + relativedelta(months=CONTRACT_DELAY_MONTHS)
        pathway.save(update_fields=["contract_due_on", "updated_at"])
    return pathway


# --- Référent unique -----------------------------------------------------------------------------------------------


_UNCHECKED = object()


def referent_changed(pathway):
    """What a professional reads when the référent changed while they filled the form."""
    current = pathway.referent or "personne"
    return (
        f"Le référent unique a changé pendant que vous remplissiez le formulaire : c'est désormais {current}. "
        "Rechargez la page avant de recommencer ; votre note est conservée ci-dessous."
    )


def designate_referent(
    person,
    *,
    by,
    referent,
    note="",
    expected_referent_id=_UNCHECKED,
    notify_professionals=True,
    notify_person=True,
):
    """The organisme référent (its admins, or a professional for themself while there is none) or an orientation
    manager designates the référent unique: ``referent`` is an active membership of the organisme référent.

    When the person already has a référent this is a handover: it takes a ``note`` (what the new référent must
    know), which the team reads on the timeline; the current référent may hand over to a colleague. The former and
    new référent (unless ``notify_professionals`` is False: a bulk handover tells them once) and the person (unless
    ``notify_person`` is False: demo data) are told after the commit. ``expected_referent_id`` is the référent the
    form was built on (None: none): another change made meanwhile is refused, not overwritten."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        person = pathway.person  # its pathway is the one just locked: the rules read the current state
        if expected_referent_id is not _UNCHECKED and pathway.referent_id != expected_referent_id:
            raise Conflict(referent_changed(pathway))
        handover = pathway.referent_id is not None and pathway.referent_id != referent.user_id
        if handover:
            require(by is SYSTEM or can_hand_over(by, person))
        else:
            require(by is SYSTEM or can_designate_referent(by, person))
            if by is not SYSTEM and referent.user_id != by.user_id:
                require(can_designate_anyone(by, person), "Vous ne pouvez désigner que vous-même comme référent.")
        if pathway.referent_structure_id is None:
            raise ActionError("Le parcours n'a pas encore d'organisme référent : il faut d'abord l'orienter.")
        if not pathway.is_active:
            raise ActionError(CLOSED)
        if referent.structure_id != pathway.referent_structure_id or not referent.is_active:
            raise ActionError("Le référent doit être un membre actif de l'organisme référent.")
        if pathway.referent_id == referent.user_id:
            return pathway
        note = note.strip()
        if handover and not note:
            raise ActionError(HANDOVER_NOTE_REQUIRED)
        former = pathway.referent
        if handover:
            _end_referent(pathway, by=by, reason="changement de référent", record=False)
        pathway.referent = referent.user
        pathway.status = Pathway.Status.ACCOMPANIED
        pathway.save(update_fields=["referent", "status", "updated_at"])
        history = ReferentHistory(
            pathway=pathway,
            user=referent.user,
            structure_id=pathway.referent_structure_id,
            designated_by=by.user,
            handover_note=note if handover else "",
        )
        history.save()
        member = TeamMember.objects.filter(pathway=pathway, user=referent.user, ended_at=None).first()
        if member is None:
            _join(pathway, user=referent.user, structure=referent.structure, role=TeamMember.Role.REFERENT, by=by)
        elif member.role != TeamMember.Role.REFERENT or member.structure_id != referent.structure_id:
            member.role = TeamMember.Role.REFERENT
            member.structure = referent.structure
            member.save(update_fields=["role", "structure"])
        if handover:
            timeline.record(
                person,
                kind="pathway.handed_over",
                by=by,
                summary=f"Passation : {former} confie l'accompagnement à {referent.user} ({referent.structure.name})",
                obj=pathway,
                data={"note": note},
            )
            if notify_professionals:
                _tell_handover(person, by=by, former=former, referent=referent)
            if notify_person:
                after_commit(notify.handover, history.pk)
        else:
            timeline.record(
                person,
                kind="pathway.referent_designated",
                by=by,
                summary=f"{referent.user} ({referent.structure.name}) est désigné référent unique",
                obj=pathway,
            )
            if notify_professionals and referent.user_id != getattr(by, "user_id", None):
                notify_user(
                    referent.user,
                    subject="Vous êtes désigné référent unique d'une personne",
                    body=f"Vous êtes le référent unique d'une personne orientée vers {referent.structure.name}. "
                    "Prenez contact avec elle pour un premier rendez-vous.",
                    path=_carnet_path(person),
                )
    return pathway


def _tell_handover(person, *, by, former, referent):
    """The new and the former référent, each by their individual notification (at once or in their daily digest,
    their choice); the handover note stays in the carnet, whose reading is logged."""
    by_whom = f", par {by.user}" if by is not SYSTEM and by.user_id not in (former.pk, referent.user_id) else ""
    path = _carnet_path(person)
    notify_user(
        referent.user,
        subject="Un accompagnement vous est confié",
        body=f"{former} vous confie l'accompagnement d'une personne suivie par {referent.structure.name}{by_whom} : "
        "vous en êtes désormais le référent unique. Lisez la note de passation dans son carnet.",
        path=path,
    )
    notify_user(
        former,
        subject="Passation d'un accompagnement",
        body=f"L'accompagnement d'une personne dont vous étiez le référent unique est confié à {referent.user} "
        f"({referent.structure.name}){by_whom}. Vous restez dans son équipe comme intervenant tant que personne "
        "ne vous en retire.",
        path=path,
    )


def _tell_caseload_handover(*, by, former, referent, count):
    """After a bulk handover, each référent gets one notification, not one per person."""
    people = f"{count} personne{'s' if count > 1 else ''}"
    by_whom = "Relais" if by is SYSTEM else str(by.user)
    path = reverse("pathway:caseload")
    notify_user(
        referent.user,
        subject="Des accompagnements vous sont confiés",
        body=f"{by_whom} vous confie l'accompagnement de {people} jusqu'ici suivie{'s' if count > 1 else ''} par "
        f"{former.user} : vous en êtes désormais le référent unique. Une note de passation accompagne chaque carnet ; "
        "retrouvez ces personnes dans « Mes personnes ».",
        path=path,
    )
    notify_user(
        former.user,
        subject="Passation de vos accompagnements",
        body=f"{by_whom} a confié à {referent.user} l'accompagnement de {people} dont vous étiez le référent unique. "
        "Vous restez dans leur équipe comme intervenant tant que personne ne vous en retire.",
        path=path,
    )


@dataclass
class HandoverReport:
    """What a bulk handover did, person by person."""

    handed_over: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (person, reason)

    @property
    def count(self):
        return len(self.handed_over)


def caseload_of(referent):
    """The active pathways whose référent is ``referent`` (a membership) for its structure."""
    return Pathway.objects.filter(
        referent_id=referent.user_id,
        referent_structure_id=referent.structure_id,
        status__in=Pathway.ACTIVE_STATUSES,
        person__merged_into__isnull=True,
    )


def hand_over_caseload(*, by, former, referent, people, note):
    """The structure's admin hands over some or all of ``former``'s caseload (leave, departure) to ``referent``, with
    one note: one handover per person, each in its own transaction, so that a refusal for one person (a pathway
    closed meanwhile, say) leaves the others handed over. The two référents are told once, at the end."""
    require_actor(by)
    require(by is SYSTEM or is_structure_admin(by, former.structure))
    if referent.user_id == former.user_id:
        raise ActionError("Choisissez un autre professionnel que le référent actuel.")
    if referent.structure_id != former.structure_id or not referent.is_active:
        raise ActionError("Le nouveau référent doit être un membre actif de la même structure.")
    if not note.strip():
        raise ActionError(HANDOVER_NOTE_REQUIRED)
    report = HandoverReport()
    allowed = set(caseload_of(former).values_list("person_id", flat=True))
    for person in people:
        if person.pk not in allowed:
            report.refused.append((person, "n'est plus suivie par ce référent"))
            continue
        try:
            designate_referent(person, by=by, referent=referent, note=note, notify_professionals=False)
        except ActionError as error:
            report.refused.append((person, str(error)))
        else:
            report.handed_over.append(person)
    if report.handed_over:
        with transaction.atomic():
            _tell_caseload_handover(by=by, former=former, referent=referent, count=report.count)
    return report


def end_referent(person, *, by, reason, leaves_team=False):
    """End the référent's mission: the person goes back to the organisme référent's list of people to designate."""
    require_actor(by)
    with transaction.atomic():
        pathway = _locked_pathway(person)
        require(by is SYSTEM or can_designate_anyone(by, pathway.person))
        _end_referent(pathway, by=by, reason=reason, leaves_team=leaves_team)
        pathway.save()
    return pathway


def _end_referent(pathway, *, by, reason, leaves_team=False, record=True):
    """Within the same structure the former référent stays in the team as intervenant; ``leaves_team`` (a
    réorientation elsewhere, a departure) ends their team membership, and with it their access. A handover writes
    its own event (``record=False``)."""
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
    if record:
        timeline.record(
            pathway.person, kind="pathway.referent_ended", by=by, summary=f"Fin de mission du référent : {reason}"
        )
    pathway.referent = None
    if pathway.status == Pathway.Status.ACCOMPANIED:
        pathway.status = Pathway.Status.ORIENTED


# --- Team ----------------------------------------------------------------------------------------------------------


def _join(pathway, *, user, structure, role, by, reason="", mission=""):
    member = TeamMember(pathway=pathway, user=user, structure=structure, role=role, mission=mission)
    member.save()
    summary = f"{user} ({structure.name}) rejoint l'équipe"
    if mission:
        summary = f"{summary} ({mission})"
    timeline.record(
        pathway.person,
        kind="pathway.team_joined",
        by=by,
        summary=f"{summary} : {reason}" if reason else summary,
        obj=pathway,
    )
    return member


def add_team_member(person, *, by, member, role=TeamMember.Role.INTERVENANT, mission="", notify_member=True):
    """The référent (or the organisme référent's admins, or an orientation manager) adds a professional of any
    structure, acting for ``member.structure``, to the team, with what they bring (``mission``); the professional is
    told after the commit (unless ``notify_member`` is False: demo data). Already in it: nothing changes."""
    require_actor(by)
    if not member.is_active or not member.structure.is_validated:
        raise ActionError("Ce professionnel n'est plus membre actif de sa structure.")
    with transaction.atomic():
        pathway = _locked_pathway(person)
        require(by is SYSTEM or can_manage_team(by, pathway.person))
        if not pathway.is_active:
            raise ActionError(CLOSED)
        current = TeamMember.objects.filter(pathway=pathway, user_id=member.user_id, ended_at=None).first()
        if current is not None:
            return current
        joined = _join(
            pathway, user=member.user, structure=member.structure, role=role, by=by, mission=mission.strip()
        )
        if notify_member and (by is SYSTEM or member.user_id != by.user_id):
            # Their individual notification: at once or in their daily digest, their choice.
            by_whom = "Relais" if by is SYSTEM else str(by.user)
            mission = f" ({joined.mission})" if joined.mission else ""
            notify_user(
                member.user,
                subject="Vous rejoignez l'équipe de suivi d'une personne",
                body=f"{by_whom} vous a ajouté à l'équipe de suivi d'une personne accompagnée, pour "
                f"{member.structure.name}{mission}. Vous voyez désormais son carnet.",
                path=reverse("pathway:carnet", args=[pathway.person.public_id]),
            )
    return joined


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
    if not reason.strip():
        raise ActionError("Indiquez pourquoi ce professionnel quitte l'équipe.")
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
                summary=f"Accès demandé par {by.user} ({by.structure.name})",
                obj=request,
            )
            referent = Pathway.objects.filter(person=person).values_list("referent", flat=True).first()
            if referent:
                notify_user(
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
            summary=("Accès accordé à " if grant else "Accès refusé à ")
            + f"{locked.requested_by} ({locked.structure.name})",
            obj=locked,
        )
        notify_user(
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


# --- The pathway closes and reopens --------------------------------------------------------------------------------


def exit_pathway(person, *, by, reason, on, detail=""):
    """The person leaves the pathway on ``on`` (a date, not in the future nor before the entry), for ``reason``
    (``ExitReason``; « other » takes a ``detail``). The team and the référent stay, for the record and for a
    reopening; the pathway is no longer in anyone's active caseload."""
    require_actor(by)
    detail = detail.strip()
    if reason not in ExitReason.values:
        raise ActionError("Choisissez le motif de sortie.")
    if reason == ExitReason.OTHER and not detail:
        raise ActionError("Précisez le motif de sortie.")
    if on is None or on > timezone.localdate():
        raise ActionError("La date de sortie ne peut pas être dans le futur.")
    with transaction.atomic():
        pathway = _locked_pathway(person)
        require(by is SYSTEM or can_change_status(by, pathway.person))  # the rule reads the locked state
        if not pathway.is_active:
            when = f" depuis le {pathway.exited_on:%d/%m/%Y}" if pathway.exited_on else ""
            raise Conflict(f"Ce parcours est déjà clos{when} : rechargez le carnet.")
        if on < pathway.entered_at:
            raise ActionError(
                f"La date de sortie ne peut pas précéder l'entrée dans le parcours ({pathway.entered_at:%d/%m/%Y})."
            )
        pathway.status = Pathway.Status.EXITED
        pathway.exit_reason = reason
        pathway.exit_detail = detail
        pathway.exited_on = on
        pathway.save()
        timeline.record(
            pathway.person,
            kind="pathway.exited",
            by=by,
            summary=f"Sortie du parcours le {on:%d/%m/%Y} : {pathway.exit_label}",
            obj=pathway,
            data={"reason": reason},
        )
    return pathway


def reopen_pathway(person, *, by, reason):
    """A person who had left comes back: the pathway takes up where it was (accompanied by their référent, oriented
    towards their organisme référent, or entered), and the exit is kept on the timeline and in the history."""
    require_actor(by)
    reason = reason.strip()
    if not reason:
        raise ActionError("Indiquez pourquoi le parcours reprend.")
    with transaction.atomic():
        pathway = _locked_pathway(person)
        require(by is SYSTEM or can_change_status(by, pathway.person))
        if pathway.status == Pathway.Status.ARCHIVED:
            raise ActionError("Ce parcours est archivé : il ne peut plus être rouvert.")
        if pathway.status != Pathway.Status.EXITED:
            raise Conflict("Ce parcours est déjà en cours : rechargez le carnet.")
        if pathway.referent_id is not None:
            pathway.status = Pathway.Status.ACCOMPANIED
        elif pathway.referent_structure_id is not None:
            pathway.status = Pathway.Status.ORIENTED
        else:
            pathway.status = Pathway.Status.ENTERED
        pathway.exit_reason = ""
        pathway.exit_detail = ""
        pathway.exited_on = None
        pathway.save()
        timeline.record(
            pathway.person,
            kind="pathway.reopened",
            by=by,
            summary=f"Parcours rouvert : {reason}",
            obj=pathway,
        )
    return pathway
