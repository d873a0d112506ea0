"""What the offer shows on pages of other apps: a person's referrals on their carnet."""

from django import template

from offer import access

register = template.Library()


@register.inclusion_tag("offer/includes/person_referrals.html", takes_context=True)
def person_referrals(context, person):
    """The person's referrals this professional may see, and « Trouver une offre ».

    Shown on the carnet, which only a professional who may see the person opens: they may orient them too
    (``offer.access.can_refer``), so the rule is not asked again here; the referral page asks it.
    """
    request = context["request"]
    membership = getattr(request, "membership", None)
    referrals = (
        access.referrals_visible_to(membership)
        .filter(person=person)
        .select_related("service", "service__structure", "service__external_structure", "sender_structure")
        .order_by("-sent_at", "-pk")[:20]
    )
    return {"person": person, "referrals": referrals, "can_refer": membership is not None}
