"""ProConnect (OpenID Connect) login for professionals.

A ProConnect identity logs in only an existing Relais user with the same email and at least one active
membership; when ProConnect sends the SIRET of the organisation, that membership must be in a structure
with this SIRET (or, for an agency, the same SIREN). No account is ever created by a ProConnect login:
professionals join Relais through an invitation from their structure.
"""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import User

logger = logging.getLogger(__name__)

# Set on the request when the provider could not be reached, to tell the user why the login failed.
UNREACHABLE = "relais_proconnect_unreachable"


class ProConnectBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        # Only the ProConnect callback (which passes the nonce it checked) authenticates here: never the password
        # form, even when its address carries a code and a state.
        if request is None or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            unreachable = isinstance(error, (requests.ConnectionError, requests.Timeout))
            setattr(request, UNREACHABLE, unreachable)
            logger.warning("ProConnect : échec de l'échange avec le fournisseur (%s)", type(error).__name__)
            return None

    def get_user(self, user_id):
        # A deactivated account is logged out on its next request, as with a password login.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def verify_claims(self, claims):
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        if not email:
            return User.objects.none()
        # One filter() call: the active membership and the SIRET must be those of the same membership.
        membership = {"memberships__is_active": True, "memberships__structure__is_validated": True}
        siret = "".join(ch for ch in str(claims.get("siret") or "") if ch.isdigit())
        if siret:
            if len(siret) < 9:
                return User.objects.none()
            membership["memberships__structure__siret__startswith"] = siret[:9]
        return User.objects.filter(email__iexact=email, is_active=True, **membership).distinct()

    def create_user(self, claims):
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(user_info):
            return None
        users = list(self.filter_users_by_claims(user_info)[:2])
        return users[0] if len(users) == 1 else None


def _require_enabled():
    if not settings.OIDC_ENABLED:
        raise Http404("ProConnect n'est pas configuré sur ce service.")


@method_decorator(login_not_required, name="dispatch")
class ProConnectLoginView(OIDCAuthenticationRequestView):
    def get(self, request):
        _require_enabled()
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        _require_enabled()
        return super().get(request)

    def login_failure(self):
        if getattr(self.request, UNREACHABLE, False):
            messages.error(
                self.request,
                "ProConnect ne répond pas pour le moment. Réessayez dans quelques instants ou connectez-vous avec "
                "votre adresse électronique.",
            )
        else:
            messages.error(
                self.request,
                "La connexion avec ProConnect n'a pas abouti : aucun compte Relais actif ne correspond à cette "
                "identité. Demandez une invitation à l'administrateur de votre structure.",
            )
        return super().login_failure()
