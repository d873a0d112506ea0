"""Who may import lists and decide on the rows set aside: coordinators, orientation managers, structure admins.
Each acts for the structure of their membership: they see that structure's imports only."""

from accounts.access import is_coordinator, is_orientation_manager, is_structure_admin
from imports.models import ImportRun


def can_import(membership):
    return bool(
        membership
        and membership.is_active
        and (is_coordinator(membership) or is_orientation_manager(membership) or is_structure_admin(membership))
    )


def runs_visible_to(membership):
    if not can_import(membership):
        return ImportRun.objects.none()
    return ImportRun.objects.filter(structure_id=membership.structure_id)


def can_see_run(membership, run):
    return can_import(membership) and run.structure_id == membership.structure_id


def can_resume_run(membership, run):
    """Resuming a stuck run is starting the import again: the same rule, for the run's structure."""
    return can_import(membership) and run.structure_id == membership.structure_id
