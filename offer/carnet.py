"""What the offer shows on the carnet (``pathway.carnet``): the person's referrals to services, and « Trouver une
offre »."""

from django.urls import reverse

from offer import access
from pathway.carnet import register_action, register_section


def referrals_section(request, person, membership):
    """The person's referrals this professional may see (the carnet is only opened by those who may see the
    person; the referral page asks its own rule again)."""
    referrals = (
        access.referrals_visible_to(membership)
        .filter(person=person)
        .select_related("service", "service__structure", "service__external_structure", "sender_structure")
        .order_by("-sent_at", "-pk")[:20]
    )
    return {"referrals": referrals}


def register():
    register_section(
        "referrals",
        title="Orientations vers des services",
        template="offer/carnet/referrals.html",
        context=referrals_section,
        order=75,
        wide=True,
    )
    register_action(
        "offer.person_search",
        label="Trouver une offre",
        url=lambda person: reverse("offer:person_search", args=[person.public_id]),
        section="referrals",
    )
