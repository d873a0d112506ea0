"""The demo carnets: every accompanied demo person has a team with an intervenant of another structure (an
association of the territory, for housing, mobility or literacy), through the actions, so that the timeline tells
it. A few people left the pathway, one was handed over to another référent. Idempotent: a person whose team already
counts someone of another structure than the organisme référent is left as is."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Membership, Structure
from pathway import actions
from pathway.models import ExitReason, Pathway, TeamMember

DEMO_DOMAIN = "demo.relais.test"
# What an association brings to the person, by the words of its name.
MISSIONS = {
    "Logement": "accompagnement logement",
    "Mobilité": "mobilité : permis et transports",
    "Lire": "remise à niveau en français",
    "Tremplin": "préparation à l'emploi",
}
HANDOVER_NOTE = (
    "Accompagnement repris au retour de congé. Objectif : emploi dans la logistique, permis B en cours (code obtenu). "
    "Prochaine étape : relancer l'atelier CV et faire le point avec Mobilité Solidaire."
)


def _partners():
    members = (
        Membership.objects.filter(
            is_active=True, structure__kind=Structure.Kind.ASSOCIATION, user__email__endswith=f"@{DEMO_DOMAIN}"
        )
        .select_related("user", "structure")
        .order_by("structure__name", "pk")
    )
    partners = []
    for member in members:
        mission = next((text for word, text in MISSIONS.items() if word in member.structure.name), "")
        partners.append((member, mission))
    return partners


@transaction.atomic
def seed_teams():
    """Give each accompanied demo person an intervenant of another structure. Returns how many were added."""
    partners = _partners()
    if not partners:
        return 0
    other_structure = TeamMember.objects.filter(pathway=OuterRef("pk"), ended_at__isnull=True).exclude(
        structure=OuterRef("referent_structure")
    )
    pathways = (
        Pathway.objects.filter(
            status=Pathway.Status.ACCOMPANIED, person__created_by__email__endswith=f"@{DEMO_DOMAIN}"
        )
        .filter(~Exists(other_structure.filter(structure__kind=Structure.Kind.ASSOCIATION)))
        .select_related("person", "referent", "referent_structure")
        .order_by("pk")
    )
    added = 0
    for index, pathway in enumerate(pathways):
        referent = Membership.objects.get(user=pathway.referent, structure=pathway.referent_structure)
        member, mission = partners[index % len(partners)]
        actions.add_team_member(pathway.person, by=referent, member=member, mission=mission, notify_member=False)
        added += 1
    return added


@transaction.atomic
def seed_follow_up():
    """Once: two people who left the pathway (a job, a training), one handed over to another référent."""
    accompanied = Pathway.objects.filter(
        status=Pathway.Status.ACCOMPANIED, person__created_by__email__endswith=f"@{DEMO_DOMAIN}"
    ).select_related("person", "referent", "referent_structure")
    if Pathway.objects.filter(
        person__created_by__email__endswith=f"@{DEMO_DOMAIN}", status=Pathway.Status.EXITED
    ).exists():
        return
    candidates = list(accompanied.order_by("-pk")[:3])
    for pathway, reason in zip(candidates[:2], [ExitReason.DURABLE_EMPLOYMENT, ExitReason.TRAINING], strict=False):
        referent = Membership.objects.get(user=pathway.referent, structure=pathway.referent_structure)
        actions.exit_pathway(pathway.person, by=referent, reason=reason, on=timezone.localdate())
    for pathway in accompanied.order_by("pk"):
        colleague = (
            Membership.objects.filter(structure=pathway.referent_structure, is_active=True)
            .exclude(user=pathway.referent)
            .order_by("pk")
            .first()
        )
        if colleague is None:
            continue
        referent = Membership.objects.get(user=pathway.referent, structure=pathway.referent_structure)
        actions.designate_referent(
            pathway.person,
            by=referent,
            referent=colleague,
            note=HANDOVER_NOTE,
            notify_professionals=False,
            notify_person=False,
        )
        break
