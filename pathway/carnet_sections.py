"""The carnet's own sections: identity and contact, the pathway and its référent, the team."""

from django.utils import timezone

from pathway.access import (
    can_change_status,
    can_designate_referent,
    can_hand_over,
    can_manage_team,
    can_see_person_sensitive,
)
from pathway.carnet import register_section


def identity(request, person, membership):
    return {"rqth_visible": can_see_person_sensitive(membership, person)}


def pathway(request, person, membership):
    pathway = person.pathway
    hand_over = pathway.is_active and can_hand_over(membership, person)
    return {
        "pathway": pathway,
        "today": timezone.localdate(),
        "can_hand_over": hand_over,
        "can_designate": pathway.is_active and not hand_over and can_designate_referent(membership, person),
        "can_change_status": can_change_status(membership, person),
    }


def team(request, person, membership):
    """The team in one query: those in it now (the référent first), and those who left."""
    members = list(
        person.pathway.team.select_related("user", "structure").order_by("-role", "started_at", "pk")
    )  # « referent » sorts after « intervenant »: descending puts the référent first.
    return {
        "active": [member for member in members if member.ended_at is None],
        "former": sorted(
            (member for member in members if member.ended_at is not None),
            key=lambda member: member.ended_at,
            reverse=True,
        ),
        "can_manage": can_manage_team(membership, person),
    }


def register():
    register_section(
        "identity",
        title="Identité et coordonnées",
        template="pathway/carnet/identity.html",
        context=identity,
        order=10,
    )
    register_section(
        "pathway", title="Parcours et référent", template="pathway/carnet/pathway.html", context=pathway, order=20
    )
    register_section("team", title="Équipe", template="pathway/carnet/team.html", context=team, order=30)
