import uuid

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import render

from accounts import access
from accounts.models import Structure
from audit.journal import (
    concerns_people,
    known_object_types,
    object_type_name,
    people_concerned,
    readable_changes,
)
from audit.models import AccessLog, ChangeLog
from pathway.access import persons_visible_to
from people.models import Person

PAGE_SIZE = 50


def _filtered(request, queryset):
    """Apply the coordinator's filters: user (email), structure, object type and id, action."""
    filters = {
        "utilisateur": request.GET.get("utilisateur", "").strip(),
        "structure": request.GET.get("structure", "").strip(),
        "objet": request.GET.get("objet", "").strip(),
        "identifiant": request.GET.get("identifiant", "").strip(),
        "action": request.GET.get("action", "").strip(),
    }
    if filters["utilisateur"]:
        queryset = queryset.filter(user__email__icontains=filters["utilisateur"])
    if filters["structure"]:
        queryset = (
            queryset.filter(structure__public_id=filters["structure"])
            if _is_uuid(filters["structure"])
            else queryset.none()
        )
    if filters["objet"]:
        queryset = queryset.filter(object_type=filters["objet"])
    if filters["identifiant"]:
        queryset = queryset.filter(object_id=filters["identifiant"])
    if filters["action"]:
        queryset = queryset.filter(action=filters["action"])
    return queryset, filters


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _journal(request, model, template, title):
    if not access.can_read_audit(request.membership):
        raise PermissionDenied
    queryset, filters = _filtered(request, model.objects.select_related("user", "structure"))
    page = Paginator(queryset.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = _mask_people(request.membership, page.object_list)
    read = AccessLog(
        user=request.user,
        structure=request.membership.structure,
        action=AccessLog.Action.VIEW,
        object_type=model._meta.label_lower,
        object_id=f"page-{page.number}",
        object_label=title,
        detail=_describe(page, filters)[:255],
    )
    people_shown = [
        AccessLog(
            user=request.user,
            structure=request.membership.structure,
            action=AccessLog.Action.VIEW,
            object_type=Person._meta.label_lower,
            object_id=str(person.public_id),
            object_label=str(person)[:200],
            detail=title[:1].lower() + title[1:],
        )
        for person in shown
    ]
    # Reading a journal is journalled; a change history that shows a person's values is a read of that person.
    AccessLog.objects.bulk_create([read, *(people_shown if model is ChangeLog else [])])
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "actions": model.Action.choices,
            "structures": Structure.objects.order_by("name").only("public_id", "name"),
            "object_types": known_object_types(),
        },
    )


def _mask_people(membership, entries):
    """Mark each entry about a person the reader may not see: its label and values are not shown, only the
    fact of the change, by whom, on which fields. Returns the people the reader may see whose entries are shown.

    The people concerned are found in one query per type of record on the page, those the reader may see in
    one more, never one per entry.
    """
    entries = list(entries)
    concerned = people_concerned(entries)
    ids = set().union(*concerned.values())
    visible = {}
    if ids:
        # A merged record is seen through the record it was merged into.
        candidates = Person.objects.filter(Q(pk__in=ids) | Q(merged__pk__in=ids)).annotate(absorbed=F("merged__pk"))
        for person in persons_visible_to(membership, candidates).only(
            "public_id", "birth_name", "usage_name", "first_names", "sex"
        ):
            visible[person.pk] = person
            if person.absorbed is not None:
                visible[person.absorbed] = person
    shown = {}
    for entry in entries:
        people = concerned.get((entry.object_type, entry.object_id), set())
        entry.masked = concerns_people(entry) and not (people and people <= visible.keys())
        entry.object_type_name = object_type_name(entry.object_type)
        entry.people_names = ""
        if entry.masked:
            entry.object_label = f"{entry.object_type_name} (identité masquée)"
        else:
            shown.update((visible[pk].pk, visible[pk]) for pk in people)
            # The person as the reader sees them today, not as they were named when the entry was written.
            entry.people_names = ", ".join(sorted({str(visible[pk]) for pk in people}))
    readable_changes([entry for entry in entries if isinstance(entry, ChangeLog)], visible_people=visible.keys())
    return list(shown.values())


def _describe(page, filters):
    used = [f"{name} = {value}" for name, value in filters.items() if value]
    return f"page {page.number} ; filtres : {', '.join(used)}" if used else f"page {page.number} ; sans filtre"


def access_log(request):
    return _journal(request, AccessLog, "audit/access_log.html", "Journal des accès")


def change_log(request):
    return _journal(request, ChangeLog, "audit/change_log.html", "Historique des modifications")
