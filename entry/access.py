"""Need-to-know: who may see a person's record. The one place these rules live (CASF art. R263-5).

A professional sees a person when:
- they are in the person's team (référent or intervenant, team membership not ended); or
- their current structure is the person's organisme référent (the one of the latest orientation: after a
  réorientation, the former organisme référent no longer sees the record); or
- they are an orientation manager acting for a structure whose intervention zone covers the person's commune.
Anyone else finds at most that the person exists and who follows them (see ``followed_by``).
Coordinators pilot; they do not read carnets, except the identity needed to merge duplicates.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.access import is_coordinator, is_orientation_manager, is_structure_admin
from entry.models import AccessRequest, Person
from pathway.models import Pathway, TeamMember


def _zone_filter(structure, prefix=""):
    """Persons living in the structure's intervention zone (no zone: the whole département)."""
    communes = list(structure.zone_communes.values_list("code", flat=True))
    epcis = list(structure.zone_epcis.values_list("siren", flat=True))
    if not communes and not epcis:
        return Q(**{f"{prefix}departement": settings.RELAIS_DEPARTEMENT})
    return Q(**{f"{prefix}commune_id__in": communes}) | Q(**{f"{prefix}commune__epci_id__in": epcis})


def _public_filter(publics, prefix=""):
    """Persons of the publics an orientation manager is delegated for (no public: all of them)."""
    if not publics:
        return Q()
    young = Q(**{f"{prefix}birth_date__gt": timezone.localdate() - relativedelta(years=26)})
    rsa = Q(**{f"{prefix}rsa_since__isnull": False})
    disabled = Q(**{f"{prefix}rqth": True})
    parts = {"rsa": rsa, "young": young, "disabled": disabled, "other": ~rsa & ~young & ~disabled}
    condition = Q(pk__in=[])
    for public in publics:
        condition |= parts.get(public, Q(pk__in=[]))
    return condition


def orientation_scope(membership, prefix=""):
    """The persons an orientation manager orients: their structure's zone, their delegated publics."""
    return _zone_filter(membership.structure, prefix) & _public_filter(membership.orientation_publics, prefix)


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


def can_orient(membership, person):
    """Decide an orientation: an orientation manager whose zone covers the person."""
    if not is_orientation_manager(membership):
        return False
    return Person.objects.filter(pk=person.pk).filter(orientation_scope(membership)).exists()


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
    return can_orient(membership, person)


def can_designate_anyone(membership, person):
    """Designate someone other than oneself: the organisme référent's admins and the orientation managers."""
    if not can_designate_referent(membership, person):
        return False
    return is_structure_admin(membership, person.pathway.referent_structure) or can_orient(membership, person)


def can_see_sensitive(membership, person, diagnostic):
    """Health and RQTH answers: the author's structure and the référent only."""
    if membership is None:
        return False
    if diagnostic.structure_id == membership.structure_id:
        return True
    pathway = getattr(person, "pathway", None)
    return pathway is not None and pathway.referent_id == membership.user_id


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
    return can_orient(membership, person)


def can_see_proposal_reasons(membership, person, orientation):
    """Reasons that mention health or RQTH: the orientation managers who decide, and the narrow circle."""
    if not orientation.proposal_sensitive:
        return True
    if can_orient(membership, person):
        return True
    if membership is None:
        return False
    pathway = getattr(person, "pathway", None)
    diagnostic = orientation.diagnostic
    return (diagnostic is not None and diagnostic.structure_id == membership.structure_id) or (
        pathway is not None and pathway.referent_id == membership.user_id
    )


def can_merge(membership):
    return is_coordinator(membership)


def can_answer_access_request(membership, person):
    pathway = getattr(person, "pathway", None)
    if pathway is not None and pathway.referent_id == membership.user_id:
        return True
    return can_orient(membership, person)


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
