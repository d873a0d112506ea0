"""ProConnect login against a fake OpenID provider: a real HTTP server on 127.0.0.1 signing with an RSA key."""

import json
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory, StructureFactory, valid_siret
from tests.pages import text

pytestmark = pytest.mark.django_db

CLIENT_ID = "relais-test"
CLIENT_SECRET = "secret-du-client-de-test"
REFUSED = (
    "La connexion avec ProConnect n'a pas abouti : aucun compte Relais actif ne correspond à cette identité. "
    "Demandez une invitation à l'administrateur de votre structure."
)
CALLBACK = "http://testserver/connexion/proconnect/retour/"


class FakeProvider:
    """Token, userinfo and JWKS endpoints of an OpenID Connect provider, as ProConnect serves them."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "cle-de-test"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    def reset(self):
        self.codes = {}  # code -> (nonce, claims)
        self.access_tokens = {}  # access token -> claims
        self.calls = []
        self.signing_key = self.key
        self.userinfo_as_jwt = True

    def url(self, path):
        return f"{self.base}{path}"

    def issue_code(self, authorization_url, claims):
        """What the provider does when the user logs in on its page: a code bound to the request's nonce."""
        query = parse_qs(urlsplit(authorization_url).query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = (query["nonce"][0], claims)
        return code

    def sign(self, claims):
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self):
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def token(self, form):
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, "application/json", json.dumps({"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code" or form.get("redirect_uri") != CALLBACK:
            return 400, "application/json", json.dumps({"error": "invalid_request"})
        if form.get("code") not in self.codes:
            return 400, "application/json", json.dumps({"error": "invalid_grant"})
        nonce, claims = self.codes.pop(form["code"])  # a code is used once
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = claims
        now = int(time.time())
        id_token = self.sign(
            {"iss": self.base, "sub": claims["sub"], "aud": CLIENT_ID, "iat": now, "exp": now + 60, "nonce": nonce}
        )
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 60, "id_token": id_token}
        return 200, "application/json", json.dumps(body)

    def userinfo(self, authorization):
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, "application/json", json.dumps({"error": "invalid_token"})
        if self.userinfo_as_jwt:
            # ProConnect answers the userinfo endpoint with a signed JWT.
            return 200, "application/jwt; charset=utf-8", self.sign({"iss": self.base, "aud": CLIENT_ID, **claims})
        return 200, "application/json", json.dumps(claims)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status, content_type, body):
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                provider.calls.append(("GET", self.path))
                if self.path == "/jwks":
                    self._answer(200, "application/json", json.dumps(provider.jwks()))
                elif self.path == "/userinfo":
                    self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._answer(404, "text/plain", "")

            def do_POST(self):
                provider.calls.append(("POST", self.path))
                length = int(self.headers.get("Content-Length", 0))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/token":
                    self._answer(*provider.token(form))
                else:
                    self._answer(404, "text/plain", "")

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture(scope="module")
def running_provider():
    provider = FakeProvider()
    provider.thread.start()
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


@pytest.fixture
def provider(running_provider, monkeypatch):
    # Only 127.0.0.1 is reached, directly, whatever proxy the environment names.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    running_provider.reset()
    with override_settings(
        OIDC_ENABLED=True,
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT=running_provider.url("/authorize"),
        OIDC_OP_TOKEN_ENDPOINT=running_provider.url("/token"),
        OIDC_OP_USER_ENDPOINT=running_provider.url("/userinfo"),
        OIDC_OP_JWKS_ENDPOINT=running_provider.url("/jwks"),
        OIDC_RP_SIGN_ALGO="RS256",
        OIDC_TIMEOUT=5,
    ):
        yield running_provider


@pytest.fixture
def agent(structure_a):
    """A France Travail adviser, known to Relais, who logs in with ProConnect."""
    return MembershipFactory(structure=structure_a, user__email="agent@francetravail.fr").user


def claims_for(email, siret=None, **extra):
    claims = {"sub": f"sub-{email}", "email": email, "given_name": "Camille", "usual_name": "Durand", **extra}
    if siret is not None:
        claims["siret"] = siret
    return claims


def proconnect(client, provider, claims, next_url=None):
    """The whole journey: Relais → ProConnect (the user logs in there) → back to Relais."""
    response = client.get(reverse("accounts:proconnect_login"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    location = response["Location"]
    code = provider.issue_code(location, claims)
    state = parse_qs(urlsplit(location).query)["state"][0]
    return client.get(reverse("accounts:proconnect_callback"), {"code": code, "state": state})


def current_user(client):
    response = client.get(reverse("home"))
    return response.context["user"] if response.status_code == 200 else None


def test_login_page_offers_proconnect(client, provider):
    page = client.get(reverse("accounts:login"))

    assert "S'identifier avec ProConnect" in text(page)


def test_proconnect_button_is_hidden_when_not_configured(client):
    assert "ProConnect" not in text(client.get(reverse("accounts:login")))
    assert client.get(reverse("accounts:proconnect_login")).status_code == 404


def test_login_sends_to_the_provider_with_state_and_nonce(client, provider):
    response = client.get(reverse("accounts:proconnect_login"))

    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == provider.url("/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [CALLBACK]
    assert {"openid", "email", "siret"} <= set(query["scope"][0].split())
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    # Two attempts never share a state or a nonce.
    again = parse_qs(urlsplit(client.get(reverse("accounts:proconnect_login"))["Location"]).query)
    assert again["state"] != query["state"] and again["nonce"] != query["nonce"]


def test_known_user_with_the_structure_siret_is_logged_in(client, provider, agent, structure_a):
    response = proconnect(client, provider, claims_for("agent@francetravail.fr", siret=structure_a.siret))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert current_user(client) == agent
    home = client.get(reverse("home"))
    assert "Vous agissez pour France Travail Évry-Courcouronnes" in text(home)
    # The provider was asked for the tokens, its keys and the identity, nothing else.
    assert [path for _method, path in provider.calls] == ["/token", "/jwks", "/userinfo", "/jwks"]


def test_user_comes_back_to_the_page_asked_for(client, provider, agent, structure_a):
    structures = reverse("accounts:structure_list")

    response = proconnect(client, provider, claims_for("agent@francetravail.fr"), next_url=structures)

    assert response["Location"] == structures


def test_next_never_leaves_the_site(client, provider, agent):
    response = proconnect(client, provider, claims_for("agent@francetravail.fr"), next_url="https://pirate.example/")

    assert response["Location"] == reverse("home")


def test_email_match_ignores_case(client, provider, agent, structure_a):
    proconnect(client, provider, claims_for("Agent@FranceTravail.fr", siret=structure_a.siret))

    assert current_user(client) == agent


def test_agency_with_the_same_siren_is_recognised(client, provider, agent, structure_a):
    other_agency = structure_a.siret[:9] + "99999"

    proconnect(client, provider, claims_for("agent@francetravail.fr", siret=other_agency))

    assert current_user(client) == agent


def test_userinfo_as_plain_json_is_understood(client, provider, agent):
    provider.userinfo_as_jwt = False

    proconnect(client, provider, claims_for("agent@francetravail.fr"))

    assert current_user(client) == agent


def test_unknown_email_creates_no_account_and_explains_in_french(client, provider, agent):
    users = User.objects.count()

    response = proconnect(client, provider, claims_for("inconnu@francetravail.fr"))

    assert response["Location"] == reverse("accounts:login")
    assert REFUSED in text(client.get(response["Location"]))
    assert User.objects.count() == users
    assert current_user(client) is None


def test_siret_of_another_organisation_is_refused(client, provider, agent):
    response = proconnect(client, provider, claims_for("agent@francetravail.fr", siret=valid_siret(4321)))

    assert response["Location"] == reverse("accounts:login")
    assert current_user(client) is None


def test_user_whose_memberships_are_all_inactive_is_refused(client, provider, agent):
    agent.memberships.update(is_active=False)

    response = proconnect(client, provider, claims_for("agent@francetravail.fr"))

    assert REFUSED in text(client.get(response["Location"]))
    assert current_user(client) is None


def test_user_of_a_structure_awaiting_validation_is_refused(client, provider):
    MembershipFactory(structure=StructureFactory(pending=True), user__email="nouvelle@asso.fr")

    proconnect(client, provider, claims_for("nouvelle@asso.fr"))

    assert current_user(client) is None


def test_siret_of_a_structure_the_user_has_left_is_refused(client, provider, agent, structure_a, structure_b):
    # Still active elsewhere, but no longer in the organisation ProConnect vouches for.
    agent.memberships.update(is_active=False)
    MembershipFactory(structure=structure_b, user=agent)

    proconnect(client, provider, claims_for("agent@francetravail.fr", siret=structure_a.siret))

    assert current_user(client) is None


def test_deactivated_account_is_refused(client, provider, agent):
    User.objects.filter(pk=agent.pk).update(is_active=False)

    proconnect(client, provider, claims_for("agent@francetravail.fr"))

    assert current_user(client) is None


def test_account_deactivated_after_login_is_logged_out_at_once(client, provider, agent):
    proconnect(client, provider, claims_for("agent@francetravail.fr"))
    assert current_user(client) == agent

    User.objects.filter(pk=agent.pk).update(is_active=False)

    assert current_user(client) is None


def test_id_token_signed_by_someone_else_is_refused(client, provider, agent):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = proconnect(client, provider, claims_for("agent@francetravail.fr"))

    assert response.status_code == 400
    assert current_user(client) is None


def test_callback_cannot_be_replayed(client, provider, agent):
    response = client.get(reverse("accounts:proconnect_login"))
    code = provider.issue_code(response["Location"], claims_for("agent@francetravail.fr"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    callback = reverse("accounts:proconnect_callback")
    client.get(callback, {"code": code, "state": state})
    client.post(reverse("accounts:logout"))

    replay = client.get(callback, {"code": code, "state": state})

    assert replay.status_code in (302, 400)
    assert current_user(client) is None


def test_callback_with_an_unknown_state_is_refused(client, provider, agent):
    client.get(reverse("accounts:proconnect_login"))

    response = client.get(reverse("accounts:proconnect_callback"), {"code": "x", "state": "etat-inconnu"})

    assert response.status_code == 400
    assert current_user(client) is None
    assert not provider.calls


def test_error_from_the_provider_sends_back_to_the_login_page(client, provider):
    client.get(reverse("accounts:proconnect_login"))

    response = client.get(reverse("accounts:proconnect_callback"), {"error": "access_denied", "state": "x"})

    assert response["Location"] == reverse("accounts:login")
    assert REFUSED in text(client.get(response["Location"]))


def test_password_form_never_calls_the_provider(client, provider, agent):
    response = client.post(
        f"{reverse('accounts:login')}?code=code-vole&state=etat",
        {"email": "agent@francetravail.fr", "password": "pas-le-bon-mot-de-passe"},
    )

    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in text(response)
    assert not provider.calls


def test_code_refused_by_the_provider_sends_back_to_the_login_page(client, provider, agent):
    response = client.get(reverse("accounts:proconnect_login"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]

    # An expired or already used code: the provider answers invalid_grant.
    response = client.get(reverse("accounts:proconnect_callback"), {"code": "code-expire", "state": state})

    assert response["Location"] == reverse("accounts:login")
    assert REFUSED in text(client.get(response["Location"]))
    assert current_user(client) is None


def test_unreachable_provider_is_explained_in_french(client, provider, agent):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}/token"
    with override_settings(OIDC_OP_TOKEN_ENDPOINT=nobody):
        response = proconnect(client, provider, claims_for("agent@francetravail.fr"))

    assert response["Location"] == reverse("accounts:login")
    assert "ProConnect ne répond pas pour le moment." in text(client.get(response["Location"]))
    assert current_user(client) is None
