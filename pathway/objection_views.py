"""The person's right to object: what the carnet says of it, and the page that records the information given, an
objection or its withdrawal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from audit.journal import log_access
from pathway import objection_actions
from pathway.access import can_record_sharing_facts, can_view_person
from pathway.models import SharingFact
from pathway.note_views import person_for
from pathway.objection_forms import SharingFactForm
from relais.actions import ActionError

ACTIONS = {
    SharingFact.Kind.INFORMED: objection_actions.record_information,
    SharingFact.Kind.OBJECTED: objection_actions.record_objection,
    SharingFact.Kind.WITHDRAWN: objection_actions.withdraw_objection,
}
DONE = {
    SharingFact.Kind.INFORMED: "L'information de la personne est enregistrée.",
    SharingFact.Kind.OBJECTED: "L'opposition est enregistrée : seul l'organisme référent accède désormais au carnet.",
    SharingFact.Kind.WITHDRAWN: "Le retrait de l'opposition est enregistré : l'équipe accède de nouveau au carnet.",
}

LOST_ACCESS = "L'opposition est enregistrée. Vous n'avez plus accès à ce carnet : seul l'organisme référent le garde."


def _state(person):
    """The facts recorded for ``person`` (latest first), the objection in force, the latest information given."""
    facts = list(person.sharing_facts.select_related("recorded_by", "recorded_for")[:20])
    objection = None
    for fact in facts:
        if fact.kind in (SharingFact.Kind.OBJECTED, SharingFact.Kind.WITHDRAWN):
            objection = fact if fact.kind == SharingFact.Kind.OBJECTED else None
            break
    informed = next((fact for fact in facts if fact.kind == SharingFact.Kind.INFORMED), None)
    pathway = getattr(person, "pathway", None)
    return {
        "person": person,
        "facts": facts,
        "objection": objection if person.objects_to_sharing else None,
        "informed": informed,
        "referent_structure": pathway.referent_structure if pathway is not None else None,
        "entered_for": person.created_for,
    }


def carnet_section(request, person):
    return {**_state(person), "can_record": can_record_sharing_facts(request.membership, person)}


def sharing(request, public_id):
    person = person_for(request, public_id)
    membership = request.membership
    if not can_record_sharing_facts(membership, person):
        raise PermissionDenied
    form = SharingFactForm(request.POST or None, objecting=person.objects_to_sharing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = SharingFact.Kind(data["kind"])
        try:
            ACTIONS[kind](person, by=membership, on=data["on"], channel=data["channel"], comment=data["comment"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            if can_view_person(membership, person):
                messages.success(request, DONE[kind])
                return redirect("entry:person_detail", public_id=person.public_id)
            messages.success(request, LOST_ACCESS)
            return redirect("entry:person_list")
    log_access(request, person, detail="droit d'opposition au partage")
    return render(request, "pathway/objection/form.html", {**_state(person), "form": form})
