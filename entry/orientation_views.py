"""Orientation managers' and coordinators' pages: the worklist, commissions, merges of duplicates."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.access import is_orientation_manager
from accounts.models import Structure
from audit.journal import log_access, log_access_many
from audit.models import AccessLog
from entry import access, actions
from entry.forms import CommissionForm
from entry.models import Commission, Orientation
from pathway.access import orientation_pathways
from pathway.models import Pathway, PathwayType
from people.identity import name_key
from people.merge import merge_persons, undo_merge
from people.models import Person, PersonMerge
from people.publics import Public, public_filter
from relais.actions import ActionError
from territory.models import Commune, Epci

PAGE_SIZE = 25
DUE_SOON_DAYS = 14

SECTIONS = {
    "a_orienter": "À orienter",
    "echeance_proche": "Échéance dans 14 jours",
    "en_retard": "En retard",
    "contrat_attendu": "Contrat d'engagement attendu",
    "reorientation": "Réorientations demandées",
    "refusees": "Orientations refusées",
}
PUBLICS = {public.value: public.label.capitalize() for public in Public}


def _manager_or_403(request):
    membership = request.membership
    if not is_orientation_manager(membership):
        raise PermissionDenied
    return membership


def _zone_pathways(membership):
    return orientation_pathways(membership)


WORKLIST_SESSION_KEY = "relais_worklist"


def _open_proposals(**condition):
    return Orientation.objects.filter(status=Orientation.Status.PROPOSED, **condition).values("person_id")


def _section_filters(today):
    """Each view of the worklist as a filter on the zone's pathways (one definition for counts and rows)."""
    entered = Q(status=Pathway.Status.ENTERED)
    return {
        "a_orienter": entered,
        "echeance_proche": entered
        & Q(orientation_due_on__gte=today, orientation_due_on__lte=today + timedelta(days=DUE_SOON_DAYS)),
        "en_retard": entered & Q(orientation_due_on__lt=today),
        "contrat_attendu": Q(
            status__in=[Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED], contract_due_on__isnull=False
        ),
        # The open proposals asked as a réorientation, or refused by the organisme référent (back to the managers,
        # with the reason): few, read once and hashed rather than looked up for each pathway of the zone.
        "reorientation": Q(person_id__in=_open_proposals(is_reorientation=True)),
        "refusees": entered & Q(person_id__in=_open_proposals(refused_orientation__isnull=False)),
    }


SECTION_ORDER = {
    # Most urgent first: overdue, then due soonest; without deadline last.
    "a_orienter": [F("orientation_due_on").asc(nulls_last=True), "entered_at", "pk"],
    "echeance_proche": ["orientation_due_on", "pk"],
    "en_retard": ["orientation_due_on", "pk"],
    "contrat_attendu": ["contract_due_on", "pk"],
    "reorientation": ["oriented_at", "pk"],
    "refusees": [F("orientation_due_on").asc(nulls_last=True), "entered_at", "pk"],
}


def _options(choices, chosen):
    """``<option>`` elements of (value, label) pairs, the chosen value selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if str(value) == chosen else "", label) for value, label in choices),
    )


def _section_counts(pathways, sections):
    """How many pathways each view holds, in one query: a count per view, each read from the partial index of its
    view (``pathway_to_orient``, ``pathway_contract_awaited``) rather than one pass over every pathway of the zone.
    The paginator reuses the count of the view shown."""
    parts = [
        pathways.filter(condition).order_by().annotate(view=Value(key)).values("view").annotate(count=Count("*"))
        for key, condition in sections.items()
    ]
    counts = dict.fromkeys(sections, 0)
    counts.update(parts[0].union(*parts[1:], all=True).values_list("view", "count"))
    return counts


def worklist(request):
    """The orientation managers' worklist. Filters are in the address (no personal data); a name search is posted
    and kept in the session, never in the address."""
    membership = _manager_or_403(request)
    if request.method == "POST":
        name = name_key(request.POST.get("nom", ""))[:100]
        request.session[WORKLIST_SESSION_KEY] = {**request.session.get(WORKLIST_SESSION_KEY, {}), "name": name}
        query = request.POST.get("filtres", "")
        return redirect(reverse("entry:worklist") + (f"?{query}" if query else ""))
    today = timezone.localdate()
    section = request.GET.get("vue", "a_orienter")
    if section not in SECTIONS:
        section = "a_orienter"
    base = _zone_pathways(membership)
    filters = {key: request.GET.get(key, "") for key in ["epci", "commune", "public", "structure"]}
    if not _uuids([filters["structure"]]):
        filters["structure"] = ""
    if filters["epci"]:
        base = base.filter(person__commune__epci_id=filters["epci"])
    if filters["commune"]:
        base = base.filter(person__commune_id=filters["commune"])
    if filters["public"] in PUBLICS:
        base = base.filter(public_filter(filters["public"], prefix="person__"))
    else:
        filters["public"] = ""
    if filters["structure"]:
        base = base.filter(
            Q(person__created_for__public_id=filters["structure"])
            | Q(referent_structure__public_id=filters["structure"])
        )
    name = request.session.get(WORKLIST_SESSION_KEY, {}).get("name", "")
    if name:
        base = base.filter(person__name_search__contains=name)
    sections = _section_filters(today)
    counts = _section_counts(base, sections)
    proposal = Orientation.objects.filter(person=OuterRef("person"), status=Orientation.Status.PROPOSED)
    rows = (
        base.filter(sections[section])
        .order_by(*SECTION_ORDER[section])
        .select_related("person", "person__commune", "referent_structure", "referent")
        .annotate(proposed_pathway=Subquery(proposal.values("proposed_pathway")[:1]))
    )
    if section == "refusees":
        rows = rows.annotate(
            refusal_reason=Subquery(proposal.values("refused_orientation__refusal_reason")[:1]),
            refused_by_structure=Subquery(proposal.values("refused_orientation__referent_structure__name")[:1]),
        )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts[section]
    page = paginator.get_page(request.GET.get("page"))
    log_access_many(request, [row.person for row in page.object_list], detail="liste des orientations")
    query = request.GET.urlencode()
    request.session[WORKLIST_SESSION_KEY] = {"name": name, "query": query}
    zone_communes = Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT).order_by("name")
    return render(
        request,
        "entry/worklist.html",
        {
            "page": page,
            "section": section,
            "sections": [(key, label, counts[key]) for key, label in SECTIONS.items()],
            "filters": filters,
            "query": query,
            "name": name,
            "publics": PUBLICS,
            "pathway_types": PathwayType.choices,
            # Hundreds of options: written in one pass here, the template language would take tens of ms.
            "epci_options": _options(
                Epci.objects.filter(communes__in=zone_communes)
                .distinct()
                .order_by("name")
                .values_list("siren", "name"),
                filters["epci"],
            ),
            "commune_options": _options(zone_communes.values_list("code", "name"), filters["commune"]),
            "structure_options": _options(
                Structure.objects.filter(is_validated=True).order_by("name").values_list("public_id", "name"),
                filters["structure"],
            ),
            "today": today,
        },
    )


def worklist_return(request):
    """Where a decision taken from the worklist leads back: the same view, filters and page."""
    query = request.session.get(WORKLIST_SESSION_KEY, {}).get("query", "")
    return reverse("entry:worklist") + (f"?{query}" if query else "")


def commission_list(request):
    membership = _manager_or_403(request)
    form = CommissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        commission = actions.create_commission(
            by=membership, title=form.cleaned_data["title"], held_on=form.cleaned_data["held_on"]
        )
        messages.success(request, "La séance est créée : ajoutez les personnes à examiner.")
        return redirect("entry:commission_detail", public_id=commission.public_id)
    commissions = Paginator(
        Commission.objects.filter(structure=membership.structure)
        .annotate(person_count=Count("persons"))
        .order_by("-held_on", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "entry/commission_list.html", {"form": form, "page": commissions})


def _commission_for(request, public_id):
    membership = _manager_or_403(request)
    return membership, get_object_or_404(Commission, public_id=public_id, structure=membership.structure)


def commission_detail(request, public_id):
    membership, commission = _commission_for(request, public_id)
    if request.method == "POST" and request.POST.get("action") == "ajouter":
        ids = request.POST.getlist("personnes")
        public_ids = _uuids(ids)
        if len(public_ids) != len(ids):
            raise BadRequest("Identifiant de personne invalide.")
        persons = actions.add_to_commission(
            commission, by=membership, persons=Person.objects.filter(public_id__in=public_ids)
        )
        messages.success(request, f"{len(persons)} personne(s) ajoutée(s) à la séance.")
        return redirect("entry:commission_detail", public_id=commission.public_id)
    if request.method == "POST" and request.POST.get("action") == "decider":
        return _record_decisions(request, membership, commission)
    return _render_commission(request, membership, commission)


def _render_commission(request, membership, commission, typed=None, row_errors=None):
    """The session's page; after a submit with errors, every row shows what was typed and its own error."""
    typed, row_errors = typed or {}, row_errors or {}
    examined = list(commission.persons.select_related("commune", "pathway").order_by("birth_name", "first_names"))
    proposals = {
        orientation.person_id: orientation
        for orientation in Orientation.objects.filter(person__in=examined)
        .exclude(status__in=[Orientation.Status.CANCELLED, Orientation.Status.REFUSED])
        .select_related("referent_structure")
        .order_by("proposed_at")
    }
    candidates = list(
        _zone_pathways(membership)
        .filter(status=Pathway.Status.ENTERED)
        .exclude(person__in=examined)
        .select_related("person", "person__commune")
        .order_by("orientation_due_on", "pk")[:50]
    )
    log_access_many(
        request, [*examined, *(pathway.person for pathway in candidates)], detail=f"commission {commission}"
    )
    return render(
        request,
        "entry/commission_detail.html",
        {
            "commission": commission,
            "rows": [
                {
                    "person": person,
                    "orientation": proposals.get(person.pk),
                    "typed": typed.get(person.pk, {}),
                    "error": row_errors.get(person.pk, ""),
                }
                for person in examined
            ],
            "error_count": len(row_errors),
            "candidates": candidates,
            "structures": Structure.objects.filter(is_validated=True).order_by("name").only("pk", "name"),
            "pathway_types": PathwayType.choices,
        },
    )


def _record_decisions(request, membership, commission):
    """Every decision of the session in one pass; each person's decision stands alone. A row in error keeps what was
    typed in every row not yet decided, and shows its error next to it."""
    decided, row_errors, typed = 0, {}, {}
    structures = {str(structure.pk): structure for structure in Structure.objects.filter(is_validated=True)}
    for person in commission.persons.all():
        pathway_type = request.POST.get(f"parcours-{person.public_id}", "")
        structure_id = request.POST.get(f"structure-{person.public_id}", "")
        reason = request.POST.get(f"motif-{person.public_id}", "").strip()
        if not pathway_type and not structure_id:
            if reason:
                typed[person.pk] = {"pathway": "", "structure": "", "reason": reason[:2000]}
            continue
        typed[person.pk] = {"pathway": pathway_type, "structure": structure_id, "reason": reason[:2000]}
        error = ""
        orientation = person.orientations.filter(status=Orientation.Status.PROPOSED).first()
        if orientation is None:
            error = "aucune orientation proposée (diagnostic à faire) ou déjà décidée."
        elif pathway_type not in PathwayType.values or structure_id not in structures:
            error = "choisissez un parcours et un organisme référent."
        elif pathway_type != orientation.proposed_pathway and not reason:
            error = "motif obligatoire quand la décision diffère de la proposition."
        elif "\x00" in reason:
            error = "le motif contient un caractère non autorisé."
        else:
            try:
                actions.decide_orientation(
                    orientation,
                    by=membership,
                    pathway_type=pathway_type,
                    referent_structure=structures[structure_id],
                    referent=None,
                    reason=reason,
                    commission=commission,
                )
            except ActionError as action_error:
                error = str(action_error)
            else:
                decided += 1
                del typed[person.pk]
        if error:
            row_errors[person.pk] = error
            if "\x00" in typed[person.pk]["reason"]:
                typed[person.pk]["reason"] = typed[person.pk]["reason"].replace("\x00", "")
    if decided:
        messages.success(request, f"{decided} décision(s) enregistrée(s).")
    if not row_errors:
        return redirect("entry:commission_detail", public_id=commission.public_id)
    return _render_commission(request, membership, commission, typed=typed, row_errors=row_errors)


def commission_minutes(request, public_id):
    membership, commission = _commission_for(request, public_id)
    orientations = list(
        commission.orientations.select_related("person", "referent_structure", "decided_by").order_by(
            "person__birth_name", "person__first_names"
        )
    )
    log_access_many(
        request,
        [orientation.person for orientation in orientations],
        action=AccessLog.Action.PRINT,
        detail=f"procès-verbal {commission}",
    )
    return render(request, "entry/commission_minutes.html", {"commission": commission, "orientations": orientations})


def merge(request):
    """Coordinators merge two records of the same person, identified by their dossier numbers."""
    membership = request.membership
    if not access.can_merge(membership):
        raise PermissionDenied
    first_id = request.POST.get("dossier_1") or request.GET.get("dossier_1", "")
    second_id = request.POST.get("dossier_2") or request.GET.get("dossier_2", "")
    pair, error = [], ""
    if "\x00" in first_id + second_id:
        error = "Un numéro de dossier contient un caractère non autorisé."
    elif first_id and second_id:
        wanted = [first_id.strip(), second_id.strip()]
        found = {}
        for person in Person.objects.filter(
            Q(public_id__in=_uuids(wanted)) | Q(dossier_number__in=wanted), merged_into__isnull=True
        ).select_related("commune"):
            found[str(person.public_id)] = found[person.dossier_number] = person
        pair = [found.get(wanted[0]), found.get(wanted[1])]
        if None in pair or pair[0] == pair[1]:
            error = "Indiquez deux numéros de dossier différents, de personnes non encore fusionnées."
            pair = []
        else:
            for person in pair:
                log_access(request, person, detail="préparation d'une fusion")
    if request.method == "POST" and pair and request.POST.get("survivant") in {first_id, second_id}:
        survivor = pair[0] if request.POST["survivant"] == first_id else pair[1]
        merged = pair[1] if survivor is pair[0] else pair[0]
        try:
            merge_persons(survivor=survivor, merged=merged, by=membership)
        except ActionError as merge_error:
            error = str(merge_error)
        else:
            messages.success(request, "Les deux dossiers sont fusionnés. La fusion peut être annulée ci-dessous.")
            return redirect("entry:merge")
    merges = Paginator(
        PersonMerge.objects.select_related("survivor", "merged", "merged_by").order_by("-merged_at"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    shown = [person for item in merges.object_list for person in (item.survivor, item.merged)]
    log_access_many(request, shown, detail="fusions réalisées")
    return render(
        request,
        "entry/merge.html",
        {"pair": pair, "error": error, "first_id": first_id, "second_id": second_id, "page": merges},
    )


def _uuids(values):
    valid = []
    for value in values:
        try:
            valid.append(uuid.UUID(value.strip()))
        except ValueError:
            continue
    return valid


@require_POST
def merge_undo(request, merge_id):
    if not access.can_merge(request.membership):
        raise PermissionDenied
    person_merge = get_object_or_404(PersonMerge, public_id=merge_id)
    try:
        undo_merge(person_merge, by=request.membership)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "La fusion est annulée : les deux dossiers sont de nouveau distincts.")
    return redirect("entry:merge")
