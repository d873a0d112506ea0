"""Who may orient, designate the référent, and read the sensitive parts of a diagnostic or an orientation.

Who may see a person at all is the pathway's rule (``pathway.access``): this module narrows it for entry.
"""

from accounts.access import is_coordinator, is_orientation_manager, is_structure_admin
from pathway.access import can_view_person, in_orientation_scope


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


def can_give_opinion(membership, person, orientation):
    """The prescriber's opinion on an open orientation request: a member of the structure that entered the person
    or made the diagnostic behind the proposal, who sees the person."""
    if membership is None or orientation is None or orientation.status != "proposed":
        return False
    if not can_view_person(membership, person):
        return False
    structures = {person.created_for_id, orientation.proposed_for_id}
    if orientation.diagnostic_id is not None and orientation.diagnostic is not None:
        structures.add(orientation.diagnostic.structure_id)
    return membership.structure_id in structures


def can_refuse_orientation(membership, orientation):
    """The organisme référent's admins and orientation managers refuse an orientation to their structure, while no
    référent is designated (``orientation.person.pathway`` is read)."""
    if membership is None or orientation is None or orientation.status not in ("decided", "notified"):
        return False
    if orientation.referent_structure_id != membership.structure_id:
        return False
    if not (is_structure_admin(membership) or is_orientation_manager(membership)):
        return False
    pathway = getattr(orientation.person, "pathway", None)
    return (
        pathway is not None
        and pathway.referent_structure_id == orientation.referent_structure_id
        and pathway.referent_id is None
    )


def can_see_sensitive(membership, person, diagnostic):
    """Health and RQTH answers: the structure that wrote them and the référent only."""
    if membership is None:
        return False
    if diagnostic.sensitive_author_structure_id == membership.structure_id:
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
    return (diagnostic is not None and diagnostic.sensitive_author_structure_id == membership.structure_id) or (
        pathway is not None and pathway.referent_id == membership.user_id
    )


def can_merge(membership):
    return is_coordinator(membership)
