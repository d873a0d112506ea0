"""The contract's section on pages that show a person (the carnet, the person's page)."""

from django import template

from pathway.access import can_draft_contract
from pathway.contract_models import EngagementContract, SocialReview
from pathway.models import PathwayType

register = template.Library()

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@register.filter
def long_date(value):
    """« 1er janvier 2027 », « 17 mars 2027 »: a date as a letter to the person writes it."""
    if not value:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


@register.inclusion_tag("pathway/contract/_section.html", takes_context=True)
def contract_section(context, person, pathway):
    """The contract in force and the one in preparation, the social review, and what the viewer may do."""
    request = context["request"]
    current = {}
    review = None
    # Only an organisme référent drafts a contract: a pathway not oriented yet has none (no query).
    if pathway is not None and pathway.referent_structure_id is not None:
        current = {
            contract.status: contract
            for contract in pathway.contracts.filter(
                status__in=[EngagementContract.Status.DRAFT, EngagementContract.Status.SIGNED]
            )
        }
        if pathway.pathway_type == PathwayType.SOCIAL:
            review = SocialReview.objects.filter(pathway=pathway, held_on__isnull=True).first()
    return {
        "person": person,
        "pathway": pathway,
        "in_force": current.get(EngagementContract.Status.SIGNED),
        "draft": current.get(EngagementContract.Status.DRAFT),
        "review": review,
        "can_draft": can_draft_contract(getattr(request, "membership", None), pathway),
        "today": context.get("today"),
    }
