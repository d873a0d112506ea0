"""The coordinators' list of probable duplicates across the département, the side-by-side comparison of a pair,
and its merge or its « pas la même personne » from there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from audit.journal import log_access, log_access_many
from entry import access
from entry.models import Diagnostic, Orientation
from pathway.access import can_view_person
from pathway.models import Pathway, TeamMember
from people import duplicates
from people.merge import merge_persons
from people.models import DuplicatePair, Person
from relais.actions import ActionError

PAGE_SIZE = 25


def _coordinator_or_403(request):
    if not access.can_merge(request.membership):
        raise PermissionDenied
    return request.membership


def duplicate_list(request):
    """The pairs to examine, most certain first; a button to compute them again and when they last were."""
    membership = _coordinator_or_403(request)
    if request.method == "POST":
        try:
            duplicates.request_scan(by=membership)
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Le calcul des doublons probables est lancé : la liste sera bientôt à jour.")
        return redirect("entry:duplicate_list")
    pairs = duplicates.proposed_pairs().select_related("first__commune", "second__commune")
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access_many(
        request,
        [person for pair in page.object_list for person in (pair.first, pair.second)],
        detail="liste des doublons probables",
    )
    return render(
        request,
        "entry/duplicate_list.html",
        {"page": page, "last_scan": duplicates.last_scan(), "running": duplicates.running_scan()},
    )


def _side(person):
    """What a coordinator compares of one record: identity (whether a NIR is on file, never the NIR), team,
    orientations, diagnostics."""
    pathway = Pathway.objects.filter(person=person).select_related("referent", "referent_structure").first()
    team = (
        TeamMember.objects.filter(pathway=pathway, ended_at__isnull=True)
        .select_related("user", "structure")
        .order_by("started_at", "pk")
        if pathway
        else []
    )
    diagnostics = Diagnostic.objects.filter(person=person).aggregate(count=Count("pk"), last=Max("done_at"))
    first_diagnostic = Diagnostic.objects.filter(person=person).order_by("done_at").values_list("done_at", flat=True)
    orientations = (
        Orientation.objects.filter(person=person).select_related("referent_structure").order_by("-proposed_at")[:5]
    )
    return {
        "person": person,
        "pathway": pathway,
        "team": list(team),
        "orientations": list(orientations),
        "diagnostics_count": diagnostics["count"],
        "diagnostics_first": first_diagnostic.first(),
        "diagnostics_last": diagnostics["last"],
    }


def duplicate_pair(request, pair_id):
    """Two records side by side; merge them (the older one kept by default) or tell them apart."""
    membership = _coordinator_or_403(request)
    pair = get_object_or_404(
        DuplicatePair.objects.select_related("first__commune", "second__commune", "first__created_for"),
        public_id=pair_id,
    )
    if pair.first.merged_into_id or pair.second.merged_into_id or pair.status != DuplicatePair.Status.PROPOSED:
        if request.method == "POST":
            messages.error(request, "Cette paire a déjà été traitée.")
            return redirect("entry:duplicate_list")
        raise Http404
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "fusionner":
                kept = request.POST.get("conserver")
                if kept not in {"premier", "second"}:
                    raise ActionError("Choisissez le dossier à conserver.")
                survivor, merged = (pair.first, pair.second) if kept == "premier" else (pair.second, pair.first)
                merge_persons(survivor=survivor, merged=merged, by=membership)
                messages.success(
                    request,
                    f"Les deux dossiers sont fusionnés dans le dossier {survivor.dossier_number}. "
                    "La fusion peut être annulée depuis la page « Fusion de dossiers ».",
                )
                return redirect("entry:duplicate_list")
            if action == "distinguer":
                duplicates.mark_distinct(pair, by=membership)
                messages.success(request, "C'est noté : ces deux dossiers ne seront plus proposés comme doublons.")
                return redirect("entry:duplicate_list")
            raise ActionError("Choisissez de fusionner les dossiers ou de les distinguer.")
        except ActionError as action_error:
            error = str(action_error)
    for person in (pair.first, pair.second):
        log_access(request, person, detail="comparaison de doublons probables")
    return render(
        request,
        "entry/duplicate_pair.html",
        {"pair": pair, "sides": [_side(pair.first), _side(pair.second)], "error": error},
    )


def merged_redirect(membership, public_id):
    """The survivor of a merged record, when ``membership`` may see it (else None): an old address still leads
    where the person's record now is."""
    person = Person.objects.filter(public_id=public_id, merged_into__isnull=False).only("merged_into").first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.only("pk", "public_id", "merged_into").get(pk=person.merged_into_id)
    if person is None:
        return None
    return person if can_view_person(membership, person) else None
