import time

from django.conf import settings
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Role

SESSION_KEY = "relais_membership_id"


def resolve_membership(request):
    """The active membership the user acts through: the one chosen in the session, else the first one."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(user.active_memberships())
    request.active_memberships = memberships
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    if memberships:
        request.session[SESSION_KEY] = memberships[0].pk
        return memberships[0]
    request.session.pop(SESSION_KEY, None)
    return None


LAST_SEEN_KEY = "relais_last_seen"


class IdleTimeoutMiddleware:
    """Renews the session's idle timeout (``SESSION_COOKIE_AGE``) when the user is active, writing the session at
    most once every ``RELAIS_SESSION_REFRESH_SECONDS`` instead of on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and not session.is_empty():
            now = int(time.time())
            if now - session.get(LAST_SEEN_KEY, 0) >= settings.RELAIS_SESSION_REFRESH_SECONDS:
                session[LAST_SEEN_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


class CurrentMembershipMiddleware:
    """Sets ``request.membership``. A deactivated membership stops counting on the very next request.

    Resolved at once rather than lazily: a lazy proxy of ``None`` is not ``None``, and views and access
    rules test ``membership is None`` for a user who acts for no structure.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = resolve_membership(request)
        return self.get_response(request)


def needs_second_factor(user):
    """Accounts that open more than their own caseload: technical admins, coordinators, and structure
    admins (they invite members and change roles, so their account opens the whole structure)."""
    if not settings.RELAIS_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.filter(Q(is_coordinator=True) | Q(role=Role.STRUCTURE_ADMIN), is_active=True).exists()


class SecondFactorMiddleware:
    """When the setting requires it, coordinators, structure admins and technical admins must pass TOTP
    before anything else."""

    allowed_prefixes = ("/static/", "/connexion/", "/deconnexion/", "/double-authentification/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and not user.is_verified()
            and needs_second_factor(user)
        ):
            return redirect(reverse("accounts:otp") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
