"""Changes to a person's identity, diagnostics and orientations are recorded in the audit journal."""

from audit.journal import register_object_type, track
from entry.models import AccessRequest, Diagnostic, Orientation, Person, PersonMerge

track(
    Person,
    fields=[
        "birth_name",
        "usage_name",
        "first_names",
        "birth_date",
        "sex",
        "nir_digest",
        "caf_number",
        "france_travail_id",
        "email",
        "phone",
        "address",
        "commune",
        "household_role",
        "rsa_since",
        "jobseeker_registered",
        "rqth",
        "entry_date",
        "objects_to_sharing",
        "merged_into",
    ],
    sensitive=["nir_digest", "rqth"],
)
track(Diagnostic, fields=["number", "referential_version", "proposed_pathway"])
track(
    Orientation,
    fields=["status", "proposed_pathway", "pathway_type", "referent_structure", "referent", "decision_reason"],
)
track(AccessRequest, fields=["status", "answer_comment"])
track(PersonMerge, fields=["survivor", "merged", "undone_at"])
register_object_type(Person)
