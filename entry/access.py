"""Who may orient, designate the référent, and read the sensitive parts of a diagnostic or an orientation.

Who may see a person at all is the pathway's rule (``pathway.access``): this module narrows it for entry.
"""

from accounts.access import is_coordinator, is_structure_admin
from pathway.access import in_orientation_scope


def can_orient(membership, person):
    """Decide an orientation: an orientation manager whose zone covers the person."""
    return in_orientation_scope(membership, person)


def can_request_reorientation(membership, person):
    """The référent, or an admin of the organisme référent, asks for a réorientation."""
    pathway = getattr(person, "pathway", None)
    if membership is None or pathway is None or pathway.referent_structure_id is None:
        return False
    if pathway.referent_id == membership.user_id and membership.structure_id == pathway.referent_structure_id:
        return True
    return is_structure_admin(membership, pathway.referent_structure)


def can_see_sensitive(membership, person, diagnostic):
    """Health and RQTH answers: the author's structure and the référent only."""
    if membership is None:
        return False
    if diagnostic.structure_id == membership.structure_id:
        return True
    pathway = getattr(person, "pathway", None)
    return pathway is not None and pathway.referent_id == membership.user_id


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
