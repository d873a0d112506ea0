"""Who may import lists and decide on the rows set aside: coordinators, orientation managers, structure admins.
Each acts for the structure of their membership: they see that structure's imports only.

An import changes, and a review screen shows, only the people on file the importer may reach (``reachable``): all of
them for the Département's coordinators and orientation managers (``reaches_everyone``); for the others, those the
carnet's rules open to their membership, and those their structure's own imports brought in before (the identities
it sent, ``ImportedIdentity``). A row that is someone else's is refused without naming them."""

from accounts.access import is_coordinator, is_orientation_manager, is_structure_admin
from accounts.models import Structure
from imports.models import ImportedIdentity, ImportRun
from pathway.access import persons_visible_to
from people.models import Person
from relais.actions import SYSTEM


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


def reaches_everyone(by):
    """The system (the command run without a user), and the Département's own coordinators and orientation managers:
    the RSA's lists are the Département's, and matching them against everyone on file is what keeps them from
    making duplicates."""
    return by is SYSTEM or (
        by.structure.kind == Structure.Kind.DEPARTEMENT and (is_coordinator(by) or is_orientation_manager(by))
    )


def reachable(by, structure_id, ids):
    """The ids, among ``ids`` (people on file), of those an import by ``by`` for ``structure_id`` may change, or
    show as candidates."""
    ids = set(ids)
    if not ids or reaches_everyone(by):
        return ids
    visible = persons_visible_to(by, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    sent = ImportedIdentity.objects.filter(structure_id=structure_id, person_id__in=ids).values_list(
        "person_id", flat=True
    )
    return set(visible) | set(sent)
