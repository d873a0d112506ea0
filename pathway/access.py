"""Need-to-know: who may see a person's carnet. The one place these rules live (CASF art. R263-5).

A professional sees a person when:
- they are in the person's team (référent or intervenant, team membership not ended) while acting for the
  structure they joined the team for; or
- their current structure is the person's organisme référent (the one of the latest orientation: after a
  réorientation, the former organisme référent no longer sees the record); or
- they are an orientation manager acting for a structure whose intervention zone covers the person's commune
  (and, when delegated for some publics only, the person is of one of them).
Anyone else finds at most that the person exists and who follows them (see ``followed_by``).
Coordinators pilot; they do not read carnets, except the identity needed to merge duplicates.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.access import is_orientation_manager
from pathway.models import AccessRequest, Pathway, TeamMember
from people.models import Person
from people.publics import publics_filter


def _zone_filter(structure, prefix=""):
    """Persons living in the structure's intervention zone (no zone: the whole département)."""
    communes = list(structure.zone_communes.values_list("code", flat=True))
    epcis = list(structure.zone_epcis.values_list("siren", flat=True))
    if not communes and not epcis:
        return Q(**{f"{prefix}departement": settings.RELAIS_DEPARTEMENT})
    return Q(**{f"{prefix}commune_id__in": communes}) | Q(**{f"{prefix}commune__epci_id__in": epcis})


def orientation_scope(membership, prefix=""):
    """The persons an orientation manager orients: their structure's zone, their delegated publics."""
    return _zone_filter(membership.structure, prefix) & publics_filter(membership.orientation_publics, prefix)


def persons_visible_to(membership, queryset=None):
    queryset = (queryset if queryset is not None else Person.objects.all()).filter(merged_into__isnull=True)
    if membership is None:
        return queryset.none()
    user_id, structure = membership.user_id, membership.structure
    in_team = TeamMember.objects.filter(pathway__person=OuterRef("pk"), user_id=user_id, ended_at__isnull=True)
    referent_structure = Pathway.objects.filter(person=OuterRef("pk"), referent_structure=structure)
    condition = Q(Exists(in_team)) | Q(Exists(referent_structure))
    if is_orientation_manager(membership):
        condition |= orientation_scope(membership)
    return queryset.filter(condition)


def can_view_person(membership, person):
    return persons_visible_to(membership, Person.objects.filter(pk=person.pk)).exists()


def in_orientation_scope(membership, person):
    """An orientation manager whose zone (and delegated publics) covers the person."""
    if not is_orientation_manager(membership):
        return False
    return Person.objects.filter(pk=person.pk).filter(orientation_scope(membership)).exists()


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
        condition |= orientation_scope(membership, prefix="person__")
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
