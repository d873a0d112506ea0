"""What entry shows on the carnet (``pathway.carnet``): the latest diagnostic and its barriers, the open orientation
proposal, the history of orientations; and the link to correct the identity."""

from django.db.models import JSONField, OuterRef, Subquery
from django.urls import reverse

from entry import access
from entry.actions import DECIDED
from entry.models import Diagnostic, DiagnosticReferential, Orientation
from entry.referential import load_referential
from pathway.carnet import register_action, register_section


def barriers_summary(diagnostic, referential, *, with_sensitive):
    """The themes rated « fort » and « moyen », by name, in the referential's order (sensitive ones only for those
    who may read them)."""
    answers = dict((diagnostic.answers or {}).get("barriers") or {})
    if with_sensitive:
        answers.update((diagnostic.sensitive_answers or {}).get("barriers") or {})
    strong, moderate = [], []
    for theme in referential["barriers"]:
        level = (answers.get(theme["key"]) or {}).get("level")
        if level == "fort":
            strong.append(theme["label"].lower())
        elif level == "moyen":
            moderate.append(theme["label"].lower())
    return {"strong": strong, "moderate": moderate}


def diagnostic_section(request, person, membership):
    """The latest diagnostic, read with the content of its referential's version in the same query."""
    stored = DiagnosticReferential.objects.filter(version=OuterRef("referential_version")).values("content")[:1]
    diagnostic = (
        Diagnostic.objects.filter(person=person)
        .select_related("done_by", "structure")
        .annotate(referential_content=Subquery(stored, output_field=JSONField()))
        .order_by("-number")
        .first()
    )
    if diagnostic is None:
        return {"diagnostic": None}
    referential = diagnostic.referential_content or load_referential(diagnostic.referential_version)
    sensitive_visible = access.can_see_sensitive(membership, person, diagnostic)
    return {
        "diagnostic": diagnostic,
        "sensitive_visible": sensitive_visible,
        "barriers": barriers_summary(diagnostic, referential, with_sensitive=sensitive_visible),
    }


def orientation_section(request, person, membership):
    orientations = list(
        person.orientations.select_related(
            "referent_structure", "referent", "decided_by", "opinion_structure", "opinion_by"
        ).order_by("-proposed_at")
    )
    proposed = next((item for item in orientations if item.status == Orientation.Status.PROPOSED), None)
    pathway = getattr(person, "pathway", None)
    # The organisme référent may refuse the orientation decided for it while no référent is designated.
    referent_structure_id = pathway.referent_structure_id if pathway is not None else None
    refusable = next(
        (
            item
            for item in orientations
            if item.status in DECIDED and referent_structure_id and item.referent_structure_id == referent_structure_id
        ),
        None,
    )
    if refusable is not None and not access.can_refuse_orientation(membership, refusable):
        refusable = None
    return {
        "can_give_opinion": access.can_give_opinion(membership, person, proposed),
        "refusable": refusable,
        "orientations": orientations,
        "open_orientation": proposed,
        "reasons_visible": proposed is not None and access.can_see_proposal_reasons(membership, person, proposed),
        "can_orient": access.can_orient(membership, person),
    }


def register():
    register_section(
        "diagnostic", title="Diagnostic", template="entry/carnet/diagnostic.html", context=diagnostic_section, order=40
    )
    register_section(
        "orientation",
        title="Orientation",
        template="entry/carnet/orientation.html",
        context=orientation_section,
        order=50,
        wide=True,
    )
    register_action(
        "entry.person_edit",
        label="Modifier l'identité",
        url=lambda person: reverse("entry:person_edit", args=[person.public_id]),
        section="identity",
    )
    register_action(
        "entry.request_reorientation",
        label="Demander une réorientation",
        url=lambda person: reverse("entry:request_reorientation", args=[person.public_id]),
        section="orientation",
        allowed=lambda membership, person: (
            person.pathway.is_active and access.can_request_reorientation(membership, person)
        ),
    )
