"""Orientation managers' and coordinators' pages: the worklist, commissions, merges of duplicates."""

import uuid
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import is_orientation_manager
from accounts.models import Structure
from audit.journal import log_access, log_access_many
from audit.models import AccessLog
from entry import access, services
from entry.forms import CommissionForm
from entry.models import Commission, Orientation
from pathway.access import orientation_scope, persons_visible_to
from pathway.models import Pathway
from people.models import Person, PersonMerge
from territory.models import Commune, Epci

PAGE_SIZE = 25
DUE_SOON_DAYS = 14

SECTIONS = {
    "a_orienter": "À orienter",
    "echeance_proche": "Échéance dans 14 jours",
    "en_retard": "En retard",
    "contrat_attendu": "Contrat d'engagement attendu",
}
PUBLICS = {"rsa": "Bénéficiaires du RSA", "jeune": "Jeunes de moins de 26 ans", "rqth": "Travailleurs handicapés"}


def _manager_or_403(request):
    membership = request.membership
    if not is_orientation_manager(membership):
        raise PermissionDenied
    return membership


def _zone_pathways(membership):
    zone = orientation_scope(membership, prefix="person__")
    return Pathway.objects.filter(person__merged_into__isnull=True).filter(zone)


def worklist(request):
    membership = _manager_or_403(request)
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
    if filters["public"] == "rsa":
        base = base.filter(person__rsa_since__isnull=False)
    elif filters["public"] == "jeune":
        base = base.filter(person__birth_date__gt=today - relativedelta(years=26))
    elif filters["public"] == "rqth":
        base = base.filter(person__rqth=True)
    if filters["structure"]:
        base = base.filter(
            Q(person__created_for__public_id=filters["structure"])
            | Q(referent_structure__public_id=filters["structure"])
        )
    to_orient = base.filter(status=Pathway.Status.ENTERED)
    querysets = {
        "a_orienter": to_orient.order_by("orientation_due_on", "entered_at", "pk"),
        "echeance_proche": to_orient.filter(
            orientation_due_on__gte=today, orientation_due_on__lte=today + timedelta(days=DUE_SOON_DAYS)
        ).order_by("orientation_due_on", "pk"),
        "en_retard": to_orient.filter(orientation_due_on__lt=today).order_by("orientation_due_on", "pk"),
        "contrat_attendu": base.filter(
            status__in=[Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED], contract_due_on__isnull=False
        ).order_by("contract_due_on", "pk"),
    }
    counts = {key: queryset.count() for key, queryset in querysets.items()}
    proposal = Orientation.objects.filter(person=OuterRef("person"), status=Orientation.Status.PROPOSED)
    rows = (
        querysets[section]
        .select_related("person", "person__commune", "referent_structure", "referent")
        .annotate(proposed_pathway=Subquery(proposal.values("proposed_pathway")[:1]))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access_many(request, [row.person for row in page.object_list], detail="liste des orientations")
    zone_communes = Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT).order_by("name")
    return render(
        request,
        "entry/worklist.html",
        {
            "page": page,
            "section": section,
            "sections": [(key, label, counts[key]) for key, label in SECTIONS.items()],
            "filters": filters,
            "publics": PUBLICS,
            "epcis": Epci.objects.filter(communes__in=zone_communes).distinct().order_by("name"),
            "communes": zone_communes,
            "structures": Structure.objects.filter(is_validated=True).order_by("name").only("public_id", "name"),
            "today": today,
        },
    )


def commission_list(request):
    membership = _manager_or_403(request)
    form = CommissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        commission = Commission.objects.create(
            title=form.cleaned_data["title"],
            held_on=form.cleaned_data["held_on"],
            structure=membership.structure,
            created_by=request.user,
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
        persons = persons_visible_to(membership).filter(public_id__in=public_ids)
        commission.persons.add(*persons)
        messages.success(request, f"{len(persons)} personne(s) ajoutée(s) à la séance.")
        return redirect("entry:commission_detail", public_id=commission.public_id)
    if request.method == "POST" and request.POST.get("action") == "decider":
        return _record_decisions(request, membership, commission)
    examined = list(commission.persons.select_related("commune", "pathway").order_by("birth_name", "first_names"))
    proposals = {
        orientation.person_id: orientation
        for orientation in Orientation.objects.filter(person__in=examined)
        .exclude(status=Orientation.Status.CANCELLED)
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
            "rows": [(person, proposals.get(person.pk)) for person in examined],
            "candidates": candidates,
            "structures": Structure.objects.filter(is_validated=True).order_by("name").only("pk", "name"),
            "pathway_types": Orientation._meta.get_field("pathway_type").choices,
        },
    )


def _record_decisions(request, membership, commission):
    """Every decision of the session in one pass; each person's decision stands alone, errors are listed."""
    decided, errors = 0, []
    structures = {str(structure.pk): structure for structure in Structure.objects.filter(is_validated=True)}
    for person in commission.persons.all():
        pathway_type = request.POST.get(f"parcours-{person.public_id}", "")
        structure_id = request.POST.get(f"structure-{person.public_id}", "")
        reason = request.POST.get(f"motif-{person.public_id}", "").strip()
        if not pathway_type and not structure_id:
            continue
        orientation = person.orientations.filter(status=Orientation.Status.PROPOSED).first()
        if orientation is None:
            errors.append(f"{person} : aucune orientation proposée (diagnostic à faire) ou déjà décidée.")
            continue
        if pathway_type not in {"professional", "socio_professional", "social"} or structure_id not in structures:
            errors.append(f"{person} : choisissez un parcours et un organisme référent.")
            continue
        if pathway_type != orientation.proposed_pathway and not reason:
            errors.append(f"{person} : motif obligatoire quand la décision diffère de la proposition.")
            continue
        if "\x00" in reason:
            errors.append(f"{person} : le motif contient un caractère non autorisé.")
            continue
        try:
            services.decide_orientation(
                orientation.pk,
                membership,
                pathway_type=pathway_type,
                referent_structure=structures[structure_id],
                referent=None,
                reason=reason,
                commission=commission,
            )
        except services.EntryError as error:
            errors.append(f"{person} : {error}")
        else:
            decided += 1
    if decided:
        messages.success(request, f"{decided} décision(s) enregistrée(s).")
    for error in errors:
        messages.error(request, error)
    return redirect("entry:commission_detail", public_id=commission.public_id)


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
    if first_id and second_id:
        found = {
            str(person.public_id): person
            for person in Person.objects.filter(
                public_id__in=_uuids([first_id, second_id]), merged_into__isnull=True
            ).select_related("commune")
        }
        pair = [found.get(first_id.strip()), found.get(second_id.strip())]
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
            services.merge_persons(survivor, merged, request.user)
        except services.EntryError as merge_error:
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
        services.undo_merge(person_merge, request.user)
    except services.EntryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "La fusion est annulée : les deux dossiers sont de nouveau distincts.")
    return redirect("entry:merge")
