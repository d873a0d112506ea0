"""Need-to-know: who may see a person's carnet. The one place these rules live (CASF art. R263-5).

A professional sees a person when:
- they are in the person's team (référent or intervenant, team membership not ended) while acting for the
  structure they joined the team for; or
- their current structure is the person's organisme référent (the one of the latest orientation: after a
  réorientation, the former organisme référent no longer sees the record); or
- they are an orientation manager acting for a structure whose intervention zone covers the person's commune
  (and, when delegated for some publics only, the person is of one of them).
A person who objects to the sharing narrows this at once: only the organisme référent keeps the carnet (before any
orientation, the structure that entered the person and the orientation managers who must orient them).
Anyone else finds at most that the person exists and who follows them (see ``followed_by``).
Coordinators pilot; they do not read carnets, except the identity needed to merge duplicates.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.access import is_coordinator, is_orientation_manager, is_structure_admin
from pathway.models import AccessRequest, Note, Pathway, TeamMember, Visibility
from people.models import Person
from people.publics import publics_filter


def _zone_filter(structure, prefix=""):
    """Persons living in the structure's intervention zone: the whole département only when a coordinator said
    so (``covers_departement``); an empty zone covers no one. The zone is read once per structure instance: a page
    asks several rules of the same membership."""
    if structure.covers_departement:
        return Q(**{f"{prefix}departement": settings.RELAIS_DEPARTEMENT})
    zone = structure.__dict__.get("_intervention_zone")
    if zone is None:
        zone = (
            list(structure.zone_communes.values_list("code", flat=True)),
            list(structure.zone_epcis.values_list("siren", flat=True)),
        )
        structure.__dict__["_intervention_zone"] = zone
    communes, epcis = zone
    if not communes and not epcis:
        return Q(**{f"{prefix}pk__in": []})
    return Q(**{f"{prefix}commune_id__in": communes}) | Q(**{f"{prefix}commune__epci_id__in": epcis})


def orientation_scope(membership, prefix=""):
    """The persons an orientation manager orients: their structure's zone, their delegated publics."""
    return _zone_filter(membership.structure, prefix) & publics_filter(membership.orientation_publics, prefix)


def orientation_pathways(membership):
    """The pathways of the persons ``membership`` orients (``orientation_scope``), merged records left out.

    For a structure covering the whole département with every public, the pathway's own département is the
    person's (both are set at entry, from the commune, and never change): the zone is read on the pathway, and
    the few merged records are left out by their ids, so that counting the département's pathways does not read
    the people table."""
    merged = Person.objects.filter(merged_into__isnull=False).values("pk")
    pathways = Pathway.objects.exclude(person_id__in=merged)
    if membership.structure.covers_departement and not membership.orientation_publics:
        return pathways.filter(departement=settings.RELAIS_DEPARTEMENT)
    return pathways.filter(orientation_scope(membership, prefix="person__"))


def persons_visible_to(membership, queryset=None):
    """The persons whose carnet ``membership`` may see. A person who objects to the sharing (CASF art. L263-4-1,
    ``Person.objects_to_sharing``) is seen by their organisme référent only; before any orientation, by the team
    members of the structure that entered them and by the orientation managers who must orient them."""
    queryset = (queryset if queryset is not None else Person.objects.all()).filter(merged_into__isnull=True)
    if membership is None:
        return queryset.none()
    user_id, structure = membership.user_id, membership.structure
    # Team membership counts for the structure the professional joined the team for, and acts for now.
    in_team = Q(
        Exists(
            TeamMember.objects.filter(
                pathway__person=OuterRef("pk"),
                user_id=user_id,
                structure_id=membership.structure_id,
                ended_at__isnull=True,
            )
        )
    )
    referent_structure = Q(Exists(Pathway.objects.filter(person=OuterRef("pk"), referent_structure=structure)))
    sharing = Q(objects_to_sharing=False)
    not_oriented = ~Q(Exists(Pathway.objects.filter(person=OuterRef("pk"), referent_structure__isnull=False)))
    condition = referent_structure | (in_team & (sharing | (not_oriented & Q(created_for=structure))))
    if is_orientation_manager(membership):
        condition |= orientation_scope(membership) & (sharing | not_oriented)
    return queryset.filter(condition)


def can_view_person(membership, person):
    if membership is not None and person.__dict__.get(SEEN_BY) == membership.pk:
        return True  # This instance was read through persons_visible_to(membership) in this request.
    return persons_visible_to(membership, Person.objects.filter(pk=person.pk)).exists()


# Set on a person instance found through ``persons_visible_to(membership)`` (the carnet's pages): the sections'
# rules that ask ``can_view_person`` again for this membership need no query.
SEEN_BY = "_seen_by_membership"


def in_orientation_scope(membership, person):
    """An orientation manager whose zone (and delegated publics) covers the person.

    Remembered on the ``person`` instance for the membership: a page asks several rules that each depend on it,
    and the answer does not change while one request reads one person."""
    if not is_orientation_manager(membership):
        return False
    cache = person.__dict__.setdefault("_orientation_scope", {})
    if membership.pk not in cache:
        cache[membership.pk] = Person.objects.filter(pk=person.pk).filter(orientation_scope(membership)).exists()
    return cache[membership.pk]


def can_designate_referent(membership, person):
    """The organisme référent's admins and orientation managers designate the référent; a professional
    of the organisme référent may designate themself only when no référent exists yet."""
    pathway = getattr(person, "pathway", None)
    if pathway is None or pathway.referent_structure_id is None or membership is None:
        return False
    if membership.structure_id == pathway.referent_structure_id and (
        pathway.referent_id is None or is_structure_admin(membership)
    ):
        return True
    return in_orientation_scope(membership, person)


def can_designate_anyone(membership, person):
    """Designate someone other than oneself: the organisme référent's admins and the orientation managers."""
    if not can_designate_referent(membership, person):
        return False
    return is_structure_admin(membership, person.pathway.referent_structure) or in_orientation_scope(
        membership, person
    )


def is_referent(membership, pathway):
    return membership is not None and pathway.referent_id is not None and pathway.referent_id == membership.user_id


def can_manage_team(membership, person):
    """Add or remove intervenants: the référent, the organisme référent's admins, the orientation managers."""
    pathway = getattr(person, "pathway", None)
    if pathway is None or membership is None:
        return False
    if is_referent(membership, pathway) and membership.structure_id == pathway.referent_structure_id:
        return True
    if pathway.referent_structure_id and is_structure_admin(membership, pathway.referent_structure):
        return True
    return in_orientation_scope(membership, person)


def can_hand_over(membership, person):
    """Change the référent (with a handover note): the référent themself, acting for the organisme référent, hands
    the person over to a colleague; the organisme référent's admins and the orientation managers may too."""
    pathway = getattr(person, "pathway", None)
    if pathway is None or membership is None or pathway.referent_id is None:
        return False
    if is_referent(membership, pathway) and membership.structure_id == pathway.referent_structure_id:
        return True
    return can_designate_anyone(membership, person)


def can_change_status(membership, person):
    """Close the pathway (exit) or reopen it: whoever manages the team; before any orientation, a member of the
    team too (the professional who entered the person learns that they moved away, say)."""
    pathway = getattr(person, "pathway", None)
    if pathway is None or membership is None:
        return False
    if can_manage_team(membership, person):
        return True
    if pathway.referent_structure_id is None:
        return is_team_member(membership, pathway)
    return False


def is_team_member(membership, pathway):
    """In the team, for the structure the membership acts for. Reads the team once per pathway instance."""
    if membership is None:
        return False
    cache = pathway.__dict__.setdefault("_active_team_keys", None)
    if cache is None:
        cache = set(
            TeamMember.objects.filter(pathway=pathway, ended_at__isnull=True).values_list("user_id", "structure_id")
        )
        pathway.__dict__["_active_team_keys"] = cache
    return (membership.user_id, membership.structure_id) in cache


def can_see_person_sensitive(membership, person):
    """The RQTH flag of the identity: the structure that entered the person, the référent, the orientation
    managers of the territory (who orient towards Cap emploi)."""
    if membership is None:
        return False
    if person.created_for_id == membership.structure_id:
        return True
    pathway = getattr(person, "pathway", None)
    if pathway is not None and pathway.referent_id == membership.user_id:
        return True
    return in_orientation_scope(membership, person)


def can_answer_access_request(membership, person):
    pathway = getattr(person, "pathway", None)
    if pathway is not None and pathway.referent_id == membership.user_id:
        return True
    return in_orientation_scope(membership, person)


def answerable_access_requests(membership):
    """Pending requests this membership may answer: as référent, or as orientation manager of the zone."""
    pending = AccessRequest.objects.filter(status=AccessRequest.Status.PENDING, person__merged_into__isnull=True)
    if membership is None:
        return pending.none()
    condition = Q(person__pathway__referent_id=membership.user_id)
    if is_orientation_manager(membership):
        # A person who objects to the sharing is out of the managers' reach once oriented (persons_visible_to).
        still_shared = Q(person__objects_to_sharing=False) | Q(person__pathway__referent_structure__isnull=True)
        condition |= orientation_scope(membership, prefix="person__") & still_shared
    return pending.filter(condition)


def followed_by(person):
    """What a professional outside the need-to-know may learn: which structures follow the person."""
    pathway = getattr(person, "pathway", None)
    structures = set()
    if pathway is not None:
        if pathway.referent_structure_id:
            structures.add(pathway.referent_structure)
        structures.update(member.structure for member in pathway.team.filter(ended_at__isnull=True))
    return sorted(structures, key=lambda structure: structure.name)


# --- Appointments -------------------------------------------------------------------------------------------
# The person's team (référent and intervenants, acting for the structure they joined it for) and the organisme
# référent plan appointments and record attendance; an orientation manager reads them with the carnet. Only the
# organisme référent invites the person to the first appointment after an orientation.

from accounts.models import Membership  # noqa: E402
from pathway.models import Appointment  # noqa: E402


def _pathway_of(person):
    return getattr(person, "pathway", None)


def remember_team(pathway, members):
    """The pathway's team rows, read by a page anyway: the team checks of the same request read them, not the
    database again."""
    pathway._active_team = {(member.user_id, member.structure_id) for member in members if member.ended_at is None}


def _in_team(membership, pathway):
    known = getattr(pathway, "_active_team", None)
    if known is not None:
        return (membership.user_id, membership.structure_id) in known
    return TeamMember.objects.filter(
        pathway=pathway, user_id=membership.user_id, structure_id=membership.structure_id, ended_at__isnull=True
    ).exists()


def can_plan_appointment(membership, person):
    """Plan an appointment, record its attendance, move or cancel it: the team and the organisme référent."""
    pathway = _pathway_of(person)
    if membership is None or pathway is None or person.merged_into_id is not None:
        return False
    if pathway.referent_structure_id is not None and pathway.referent_structure_id == membership.structure_id:
        return True
    return _in_team(membership, pathway)


def can_manage_appointment(membership, appointment):
    return can_plan_appointment(membership, appointment.person)


def can_invite_to_first_appointment(membership, person):
    """After an orientation, the organisme référent invites the person to a first appointment."""
    pathway = _pathway_of(person)
    if membership is None or pathway is None or person.merged_into_id is not None:
        return False
    return (
        pathway.referent_structure_id is not None
        and pathway.referent_structure_id == membership.structure_id
        and pathway.status in {Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED}
    )


def appointment_professionals(person, membership):
    """With whom an appointment may be planned: the acting professional, the active team, the organisme référent's
    active members. Memberships, ordered by name."""
    pathway = _pathway_of(person)
    condition = Q(pk=membership.pk)
    if pathway is not None:
        team = TeamMember.objects.filter(pathway=pathway, ended_at__isnull=True)
        condition |= Q(Exists(team.filter(user_id=OuterRef("user_id"), structure_id=OuterRef("structure_id"))))
        if pathway.referent_structure_id is not None:
            condition |= Q(structure_id=pathway.referent_structure_id)
    return (
        Membership.objects.filter(condition, is_active=True, user__is_active=True, structure__is_validated=True)
        .select_related("user", "structure")
        .order_by("user__last_name", "user__first_name", "structure__name")
    )


def agenda_of(membership, starts_from, starts_before):
    """A professional's agenda between two moments: their appointments with the people they still see through this
    membership. The need-to-know condition is read for the persons of these appointments only (candidates first),
    not for every person of the département."""
    if membership is None:
        return Appointment.objects.none()
    appointments = Appointment.objects.filter(
        professional_id=membership.user_id, starts_at__gte=starts_from, starts_at__lt=starts_before
    )
    candidates = Person.objects.filter(pk__in=appointments.values("person_id"))
    return appointments.filter(person__in=persons_visible_to(membership, candidates).values("pk"))


# Contrat d'engagement ----------------------------------------------------------------------------------------------
# Whoever sees the carnet reads the contract (with the sensitive grounds hidden outside the organisme référent);
# the organisme référent drafts, signs, amends and ends it (the référent is one of its members); the team follows
# the progress of the actions.

from pathway.contract_models import LEGACY_ACCOMPANIED_BEFORE, EngagementContract  # noqa: E402


def can_draft_contract(membership, pathway):
    """Draft, sign, amend, renew or end the contract: a member of the organisme référent, acting for it."""
    return (
        membership is not None
        and pathway is not None
        and pathway.is_active
        and pathway.referent_structure_id is not None
        and membership.structure_id == pathway.referent_structure_id
    )


def can_follow_contract_actions(membership, pathway):
    """Say where an action stands: the organisme référent, or an intervenant of the team acting for their structure."""
    if can_draft_contract(membership, pathway):
        return True
    return (
        membership is not None
        and pathway is not None
        and pathway.is_active
        and TeamMember.objects.filter(
            pathway=pathway, user_id=membership.user_id, structure_id=membership.structure_id, ended_at__isnull=True
        ).exists()
    )


def can_see_contract_grounds(membership, pathway):
    """Health, disability or invalidity as the ground of a reduced target or a later review: the organisme
    référent only (the person reads them in their own contract)."""
    return membership is not None and pathway is not None and membership.structure_id == pathway.referent_structure_id


def pathways_lacking_contract(membership):
    """People accompanied before 1 January 2025 whose contract is not signed yet (due by 1 January 2027), among
    those the membership sees; the oldest entries first."""
    in_force = EngagementContract.objects.filter(pathway=OuterRef("pk"), status=EngagementContract.Status.SIGNED)
    return Pathway.objects.filter(
        person__in=persons_visible_to(membership),
        status__in=[Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED],
        entered_at__lt=LEGACY_ACCOMPANIED_BEFORE,
    ).exclude(Exists(in_force))


# --- Notes of the carnet ------------------------------------------------------------------------------------------
# Whoever sees the carnet reads its team-wide notes (and those shared with the person); a note for "my structure" is
# read by the members acting for the structure it was written for; a note for "me only", by its author.


def note_visibility(membership, prefix=""):
    """The condition on notes (``prefix`` before the note's fields) that ``membership`` may read, the carnet
    itself being visible (checked apart, by ``can_view_person``)."""
    if membership is None:
        return Q(**{f"{prefix}pk__in": []})
    return (
        Q(**{f"{prefix}visibility__in": [Visibility.PERSON, Visibility.TEAM]})
        | Q(**{f"{prefix}visibility": Visibility.STRUCTURE, f"{prefix}structure_id": membership.structure_id})
        | Q(**{f"{prefix}visibility": Visibility.AUTHOR, f"{prefix}author_id": membership.user_id})
    )


def notes_visible_to(membership, person):
    """The notes of ``person`` that ``membership`` may read (nothing when the carnet itself is out of reach)."""
    if membership is None or not can_view_person(membership, person):
        return Note.objects.none()
    return Note.objects.filter(person=person).filter(note_visibility(membership))


def can_write_note(membership, person):
    """Anyone who sees the carnet writes in it: the team, the organisme référent, the orientation managers."""
    return membership is not None and can_view_person(membership, person)


def can_edit_note(membership, note):
    """The author, while the note is not yet fixed (``RELAIS_NOTE_EDIT_WINDOW`` after it was written)."""
    return membership is not None and note.author_id == membership.user_id and not note.is_fixed


# --- The person's right to object to the sharing ------------------------------------------------------------------


def can_record_sharing_facts(membership, person):
    """Whoever sees the carnet records that the person was informed, objects, or withdraws their objection (after an
    objection, that is the organisme référent: the others no longer see the carnet)."""
    return membership is not None and can_view_person(membership, person)


# --- Rupture alerts -----------------------------------------------------------------------------------------------


def can_handle_alert(membership, alert):
    """Take in charge, assign or close an alert: whoever sees the person's carnet (after an objection, the
    organisme référent only)."""
    return membership is not None and can_view_person(membership, alert.person)


def visible_alerts(membership, alerts):
    """``alerts`` narrowed to the persons ``membership`` sees, in one query (the candidates are filtered first)."""
    if membership is None:
        return alerts.none()
    persons = persons_visible_to(membership, Person.objects.filter(pk__in=alerts.values("person_id")))
    return alerts.filter(person__in=persons)


def my_alerts(membership, alerts):
    """What the professional must handle: the alerts confided to them (on the carnets they still see), and those of
    the people they are référent of that nobody else was given."""
    if membership is None:
        return alerts.none()
    # Both as lists of persons (read once): the alerts are then found by their indexes on the person and on whom
    # they are confided to, where a subquery inside the condition would have PostgreSQL read every open alert.
    confided = Person.objects.filter(pk__in=alerts.filter(assigned_to_id=membership.user_id).values("person_id"))
    seen = list(persons_visible_to(membership, confided).order_by().values_list("pk", flat=True))
    return alerts.filter(
        Q(assigned_to__isnull=True, person_id__in=referred_persons(membership))
        | Q(assigned_to_id=membership.user_id, person_id__in=seen)
    )


def my_people_alerts(membership, alerts):
    """Every alert of the people the professional is référent of, whoever handles it."""
    if membership is None:
        return alerts.none()
    return alerts.filter(person_id__in=referred_persons(membership))


def referred_persons(membership):
    """The ids of the persons whose référent unique ``membership``'s user is, for its structure (a list: read once,
    it lets the alerts be found by their indexes, where a join through the pathways would read every open alert).
    Their organisme référent is that structure: the membership sees them all, even after an objection (no
    need-to-know condition to add, no join to the people but to leave merged records out)."""
    return list(
        Pathway.objects.filter(
            referent_id=membership.user_id,
            referent_structure_id=membership.structure_id,
            person__merged_into__isnull=True,
        ).values_list("person_id", flat=True)
    )


def structure_alerts(membership, alerts):
    """The alerts of the people whose organisme référent is the membership's structure; for an orientation manager,
    also the overdue orientations of their zone."""
    if membership is None:
        return alerts.none()
    # Through the join to the person's pathway rather than a subquery of the structure's pathways: nested in the
    # need-to-know condition, that subquery had PostgreSQL read every pathway.
    condition = Q(person__pathway__referent_structure_id=membership.structure_id)
    if is_orientation_manager(membership):
        condition |= Q(rule="orientation_overdue") & orientation_scope(membership, prefix="person__")
    return visible_alerts(membership, alerts.filter(condition))


def can_see_alert_counts(membership):
    """The counts by EPCI, without any name: the coordination pilots."""
    return is_coordinator(membership)
