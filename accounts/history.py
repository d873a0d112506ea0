"""Changes to the consortium (structures, memberships, invitations) are recorded in the audit journal."""

from accounts.models import Invitation, Membership, Structure, StructureChange, User
from audit.journal import track

track(User, fields=["email", "first_name", "last_name", "phone", "is_active", "is_staff", "is_superuser"])
track(
    Structure,
    fields=["name", "kind", "siret", "address", "commune", "covers_departement", "email", "phone", "is_validated"],
)
track(StructureChange, fields=["structure", "kind", "covers_departement", "status", "decision_note"])
track(
    Membership,
    fields=[
        "user",
        "structure",
        "role",
        "job_title",
        "is_orientation_manager",
        "orientation_publics",
        "is_coordinator",
        "is_active",
    ],
)
track(Invitation, fields=["email", "structure", "role", "accepted_at", "revoked_at"])
