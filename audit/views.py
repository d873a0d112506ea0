import uuid

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts import access
from accounts.models import Structure
from audit.journal import known_object_types
from audit.models import AccessLog, ChangeLog

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


def _journal(request, model, template):
    if not access.can_read_audit(request.membership):
        raise PermissionDenied
    queryset, filters = _filtered(request, model.objects.select_related("user", "structure"))
    page = Paginator(queryset.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
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


def access_log(request):
    return _journal(request, AccessLog, "audit/access_log.html")


def change_log(request):
    return _journal(request, ChangeLog, "audit/change_log.html")
