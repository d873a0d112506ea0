"""Changes to diagnostics and orientations are recorded in the audit journal."""

from audit.journal import track
from entry.models import Diagnostic, Orientation

track(Diagnostic, fields=["number", "referential_version", "proposed_pathway"], person="person")
track(
    Orientation,
    fields=["status", "proposed_pathway", "pathway_type", "referent_structure", "referent", "decision_reason"],
    person="person",
)
