"""The team of a carnet and its référent: adding an intervenant, ending a membership, designating or handing over the
référent, and the bulk handover of a référent's caseload by the structure's admin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import is_structure_admin
from accounts.models import Membership, Structure
from audit.journal import log_access, log_access_many
from pathway import actions
from pathway.access import (
    can_designate_anyone,
    can_designate_referent,
    can_hand_over,
    can_manage_team,
)
from pathway.carnet_views import membership_or_403, visible_person
from pathway.forms import BulkHandoverForm, EndMemberForm, ReferentForm, TeamMemberForm, active_members, is_uuid
from pathway.models import Pathway, TeamMember
from people.models import Person
from relais.actions import ActionError


@never_cache
def add_member(request, public_id):
    """The référent (or whoever manages the team) adds a professional of any structure."""
    person = visible_person(request, public_id)
    membership = request.membership
    if not can_manage_team(membership, person):
        raise PermissionDenied
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        if TeamMember.objects.filter(pathway=person.pathway, user_id=member.user_id, ended_at=None).exists():
            form.add_error("member", f"{member.user} fait déjà partie de l'équipe.")
        else:
            try:
                actions.add_team_member(person, by=membership, member=member, mission=form.cleaned_data["mission"])
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, f"{member.user} ({member.structure.name}) rejoint l'équipe ; un courriel l'en informe."
                )
                return redirect("pathway:carnet", public_id=person.public_id)
    log_access(request, person, detail="ajout d'un intervenant")
    return render(
        request,
        "pathway/team_add.html",
        {
            "person": person,
            "form": form,
            "title": f"Ajouter un intervenant à l'équipe de {person}",
            "submit_label": "Ajouter à l'équipe",
            "cancel_url": reverse("pathway:carnet", args=[person.public_id]),
        },
    )


@require_GET
def member_options(request):
    """htmx: the active members of the chosen structure, as <option> elements of the team form."""
    membership_or_403(request)
    chosen = request.GET.get("structure", "")
    structure = Structure.objects.filter(public_id=chosen, is_validated=True).first() if is_uuid(chosen) else None
    members = active_members(structure.pk) if structure else Membership.objects.none()
    return render(request, "pathway/member_options.html", {"members": members, "structure": structure})


@never_cache
def end_member(request, public_id, member_id):
    """A professional leaves the team, with a reason: removed by whoever manages the team, or leaving themself."""
    person = visible_person(request, public_id)
    membership = request.membership
    member = get_object_or_404(
        TeamMember.objects.select_related("user", "structure", "pathway__person"),
        pathway=person.pathway,
        public_id=member_id,
        ended_at=None,
    )
    if not (can_manage_team(membership, person) or member.user_id == membership.user_id):
        raise PermissionDenied
    if member.role == TeamMember.Role.REFERENT:
        messages.error(request, "Le référent unique quitte l'équipe par un changement de référent.")
        return redirect("pathway:carnet", public_id=person.public_id)
    form = EndMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_team_membership(member, by=membership, reason=form.end_reason())
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            if member.user_id == membership.user_id:
                messages.success(request, "Vous avez quitté l'équipe : cette personne n'est plus dans votre suivi.")
                return redirect("pathway:caseload")
            messages.success(request, f"{member.user} a quitté l'équipe.")
            return redirect("pathway:carnet", public_id=person.public_id)
    log_access(request, person, detail="fin d'appartenance à l'équipe")
    leaving = member.user_id == membership.user_id
    return render(
        request,
        "pathway/team_end.html",
        {
            "person": person,
            "member": member,
            "form": form,
            "title": "Quitter l'équipe" if leaving else f"Retirer {member.user} de l'équipe",
            "submit_label": "Quitter l'équipe" if leaving else "Retirer de l'équipe",
            "cancel_url": reverse("pathway:carnet", args=[person.public_id]),
        },
    )


@never_cache
def referent(request, public_id):
    """Designate the référent unique, or hand the person over to another référent with a note."""
    person = visible_person(request, public_id)
    membership = request.membership
    pathway = person.pathway
    handover = pathway.referent_id is not None
    if not (can_hand_over(membership, person) if handover else can_designate_referent(membership, person)):
        raise PermissionDenied
    if not pathway.is_active:
        messages.error(request, actions.CLOSED)
        return redirect("pathway:carnet", public_id=person.public_id)
    anyone = can_designate_anyone(membership, person)
    form = ReferentForm(
        request.POST or None,
        initial={"current": pathway.referent_id},
        structure=pathway.referent_structure,
        handover=handover,
        exclude_user=pathway.referent_id if handover else None,
        only_user=None if anyone or handover else membership.user_id,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["referent"]
        try:
            actions.designate_referent(
                person,
                by=membership,
                referent=chosen,
                note=form.cleaned_data.get("note", ""),
                expected_referent_id=form.cleaned_data["current"]
                if "current" in request.POST
                else pathway.referent_id,
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            if handover:
                messages.success(
                    request,
                    f"{chosen.user} est le nouveau référent unique de {person}. "
                    "L'ancien et le nouveau référent, et la personne, en sont informés.",
                )
            else:
                messages.success(request, f"{chosen.user} est le référent unique de {person}.")
            return redirect("pathway:carnet", public_id=person.public_id)
    log_access(request, person, detail="passation" if handover else "désignation du référent")
    return render(
        request,
        "pathway/referent.html",
        {
            "person": person,
            "pathway": pathway,
            "form": form,
            "handover": handover,
            "title": f"Changer le référent unique de {person}" if handover else f"Référent unique de {person}",
            "submit_label": "Confier l'accompagnement" if handover else "Désigner",
            "cancel_url": reverse("pathway:carnet", args=[person.public_id]),
        },
    )


@never_cache
def bulk_handover(request):
    """The structure's admin hands over a référent's caseload (leave, departure): the référent first, then the people
    (all or some), the new référent and one note. One handover per person; a report at the end."""
    membership = membership_or_403(request)
    if not is_structure_admin(membership):
        raise PermissionDenied
    structure = membership.structure
    referents = list(
        Membership.objects.filter(structure=structure, user__referred_pathways__referent_structure=structure)
        .filter(user__referred_pathways__status__in=Pathway.ACTIVE_STATUSES)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "pk")
    )
    chosen_id = request.POST.get("former") or request.GET.get("referent")
    former = next((item for item in referents if str(item.public_id) == chosen_id), None)
    if chosen_id and former is None:
        raise Http404
    context = {"structure": structure, "referents": referents, "former": former}
    if former is None:
        return render(request, "pathway/bulk_handover.html", context)
    caseload = (
        Person.objects.filter(pk__in=actions.caseload_of(former).values("person_id"))
        .select_related("commune")
        .order_by("birth_name", "first_names", "pk")
    )
    form = BulkHandoverForm(request.POST or None, former=former, caseload=caseload)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = list(caseload) if data["everyone"] else list(data["people"])
        try:
            report = actions.hand_over_caseload(
                by=membership, former=former, referent=data["referent"], people=people, note=data["note"]
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            log_access_many(request, people, detail="passation en masse")
            return render(
                request,
                "pathway/bulk_handover_report.html",
                {**context, "report": report, "referent": data["referent"]},
            )
    shown = list(caseload)
    log_access_many(request, shown, detail="passation en masse : personnes à confier")
    return render(request, "pathway/bulk_handover.html", {**context, "form": form, "caseload": shown})
