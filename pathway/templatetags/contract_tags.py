"""The contract's section on pages that show a person (the carnet, the person's page)."""

from django import template

from pathway.access import can_draft_contract
from pathway.contract_models import EngagementContract, SocialReview
from pathway.models import PathwayType

register = template.Library()


@register.inclusion_tag("pathway/contract/_section.html", takes_context=True)
def contract_section(context, person, pathway):
    """The contract in force and the one in preparation, the social review, and what the viewer may do."""
    request = context["request"]
    current = {}
    review = None
    if pathway is not None:
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
