"""Who may do what with the offer. The one place these rules live: views, actions and exports call them.

- Every professional acting for a structure searches the catalogue and reads published services.
- A structure's admins manage its services (create, edit, publish, suspend, archive); its members read its
  drafts and archived services too.
- A referral is seen by the prescriber's side — the structure that sent it and the person's team — and by the
  receiving structure; nobody else. The receiving structure answers it and records what follows; when the
  service's structure is not on Relais, the prescriber's structure records its answers.
- A professional orients a person they may see (need-to-know, ``pathway.access``).
"""

from django.db.models import Exists, OuterRef, Q

from accounts.access import is_structure_admin
from offer.models import Referral, Service
from pathway.access import can_view_person
from pathway.models import TeamMember


def can_search(membership):
    return membership is not None


def can_manage_services(membership, structure):
    """Create and change the services of ``structure``: its admins only."""
    return structure is not None and is_structure_admin(membership, structure)


def can_manage_service(membership, service):
    return not service.is_imported and can_manage_services(membership, service.structure)


def services_visible_to(membership):
    """Published services for every professional; the structure's own drafts and archives for its members."""
    if membership is None:
        return Service.objects.none()
    return Service.objects.filter(Q(status=Service.Status.PUBLISHED) | Q(structure_id=membership.structure_id))


def can_refer(membership, person):
    """Orient a person to a service: a professional who may see the person (their team, their organisme…)."""
    return membership is not None and can_view_person(membership, person)


def _in_person_team(membership, prefix=""):
    team = TeamMember.objects.filter(
        pathway__person_id=OuterRef(f"{prefix}person_id"),
        user_id=membership.user_id,
        structure_id=membership.structure_id,
        ended_at__isnull=True,
    )
    return Exists(team)


def referrals_visible_to(membership):
    if membership is None:
        return Referral.objects.none()
    structure_id = membership.structure_id
    return Referral.objects.filter(
        Q(sender_structure_id=structure_id) | Q(receiver_structure_id=structure_id) | Q(_in_person_team(membership))
    )


def can_view_referral(membership, referral):
    return referrals_visible_to(membership).filter(pk=referral.pk).exists()


def can_answer_referral(membership, referral):
    """Answer and follow a referral: the receiving structure; the prescriber's structure for a service whose
    structure is not on Relais (it records what the structure said)."""
    if membership is None:
        return False
    if referral.receiver_structure_id is not None:
        return membership.structure_id == referral.receiver_structure_id
    return membership.structure_id == referral.sender_structure_id
