"""Who may orient, designate the référent, and read the sensitive parts of a diagnostic or an orientation.

Who may see a person at all is the pathway's rule (``pathway.access``): this module narrows it for entry.
"""

from accounts.access import is_coordinator, is_structure_admin
from pathway.access import in_orientation_scope


def can_orient(membership, person):
    """Decide an orientation: an orientation manager whose zone covers the person."""
    return in_orientation_scope(membership, person)


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
    """Health and RQTH answers: the structure that wrote them and the référent only."""
    if membership is None:
        return False
    if diagnostic.sensitive_author_structure_id == membership.structure_id:
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
    return (diagnostic is not None and diagnostic.sensitive_author_structure_id == membership.structure_id) or (
        pathway is not None and pathway.referent_id == membership.user_id
    )


def can_merge(membership):
    return is_coordinator(membership)
