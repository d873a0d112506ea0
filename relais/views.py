import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from accounts import access
from accounts.models import Structure, StructureChange
from entry.summary import home_summary, inbox

logger = logging.getLogger(__name__)


def home(request):
    membership = request.membership
    # The memberships were read once by the middleware that resolved the current one.
    context = {"memberships": getattr(request, "active_memberships", None) or request.user.active_memberships()}
    if membership is not None:
        structure = membership.structure
        if access.can_manage_members(membership, structure):
            context["members"] = (
                access.members_visible_to(membership, structure)
                .filter(is_active=True)
                .order_by("user__last_name", "user__first_name")[:10]
            )
            context["member_count"] = structure.memberships.filter(is_active=True).count()
            context["invitations"] = access.invitations_visible_to(membership, structure)[:10]
        if access.can_validate_structures(membership):
            # New structures, and changes of a structure's kind or zone, wait for the coordination.
            changing = StructureChange.objects.filter(structure=OuterRef("pk"), status=StructureChange.Status.PENDING)
            pending = Structure.objects.filter(Q(is_validated=False) | Q(Exists(changing))).order_by("created_at")
            context["pending_structures"] = pending[:10]
            context["pending_count"] = pending.count()
            context["structure_count"] = Structure.objects.filter(is_validated=True).count()
    context.update(home_summary(membership))
    context["inbox"] = inbox(membership)
    return render(request, "home.html", context)


@login_not_required
def accessibility(request):
    return render(request, "pages/accessibility.html")


@login_not_required
def legal_notice(request):
    return render(request, "pages/legal_notice.html")


@login_not_required
def privacy(request):
    return render(request, "pages/privacy.html")


@login_not_required
def health(request):
    """For the load balancer: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("base de données indisponible", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def _render_plain(template, status):
    # No request context: rendering must not need the database, which may be what failed.
    return HttpResponse(loader.get_template(template).render({}), status=status)


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Base de données indisponible (%s)", type(error).__name__)
        return _render_plain("errors/503.html", 503)
    return _render_plain("errors/500.html", 500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)
