"""Who may do what with accounts and structures. The one place these rules live.

Views, templates and (later) the API call these predicates and querysets, so that a list, a page and
an endpoint can never disagree. ``membership`` is the membership the user acts through (the current
structure chosen in the header); ``None`` for a user without any active membership.
"""

from django.db.models import Q

from accounts.models import Invitation, Membership, Role, Structure


def is_coordinator(membership):
    return bool(membership and membership.is_coordinator)


def is_orientation_manager(membership):
    return bool(membership and membership.is_orientation_manager)


def is_structure_admin(membership, structure=None):
    if not membership or membership.role != Role.STRUCTURE_ADMIN:
        return False
    return structure is None or membership.structure_id == structure.pk


def can_manage_members(membership, structure):
    """Invite, deactivate and change the role of the structure's members."""
    return is_structure_admin(membership, structure) or is_coordinator(membership)


def can_validate_structures(membership):
    return is_coordinator(membership)


def can_grant_capabilities(membership):
    return is_coordinator(membership)


def can_edit_structure(membership, structure):
    return is_structure_admin(membership, structure) or is_coordinator(membership)


def can_read_audit(membership):
    return is_coordinator(membership)


def structures_visible_to(membership):
    """The partners' directory: every validated structure; coordinators also see those awaiting validation."""
    if is_coordinator(membership):
        return Structure.objects.all()
    if membership is None:
        return Structure.objects.none()
    return Structure.objects.filter(Q(is_validated=True) | Q(pk=membership.structure_id))


def members_visible_to(membership, structure):
    """Members of a structure: its own members and coordinators see all, others only the active ones."""
    members = Membership.objects.filter(structure=structure).select_related("user")
    if can_manage_members(membership, structure):
        return members
    return members.filter(is_active=True)


def invitations_visible_to(membership, structure):
    if not can_manage_members(membership, structure):
        return Invitation.objects.none()
    return Invitation.objects.filter(structure=structure).pending()
