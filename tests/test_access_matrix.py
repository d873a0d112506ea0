"""The access matrix: every URL of the project, every role, the expected answer.

A URL pattern without a row here fails the suite: whoever adds a page says who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation, Role
from tests.factories import MembershipFactory, StructureFactory

ROLES = ["anonymous", "professional_a", "professional_b", "structure_admin_a", "orientation_manager", "coordinator"]
LOGGED = ROLES[1:]


def everyone(status):
    return dict.fromkeys(ROLES, status)


def logged(status, anonymous=302, **exceptions):
    expected = {"anonymous": anonymous, **dict.fromkeys(LOGGED, status)}
    expected.update(exceptions)
    return expected


def only(allowed, status=200, denied=403, anonymous=302):
    expected = {"anonymous": anonymous, **dict.fromkeys(LOGGED, denied)}
    expected.update(dict.fromkeys(allowed, status))
    return expected


class World:
    """The objects the URLs point at, seen from structure A (France Travail) and B (mission locale)."""

    def __init__(self, users):
        self.users = users
        self.structure_a = users["professional_a"].memberships.get().structure
        self.pending = StructureFactory(name="Association en attente", pending=True)
        self.colleague = MembershipFactory(structure=self.structure_a, user__email="collegue@exemple.fr")
        self.invitation, self.token = Invitation.issue(
            email="nouveau@exemple.fr", structure=self.structure_a, role=Role.PROFESSIONAL, invited_by=None
        )


# url name → list of (method, kwargs builder, expected status by role)
MATRIX = {
    "home": [("get", None, logged(200))],
    "accessibility": [("get", None, everyone(200))],
    "legal_notice": [("get", None, everyone(200))],
    "privacy": [("get", None, everyone(200))],
    "health": [("get", None, everyone(200))],
    "accounts:login": [("get", None, logged(302, anonymous=200))],
    "accounts:logout": [("post", None, everyone(302))],
    "accounts:proconnect_login": [("get", None, everyone(404))],
    "accounts:proconnect_callback": [("get", None, everyone(404))],
    "accounts:password_reset": [("get", None, everyone(200))],
    "accounts:password_reset_done": [("get", None, everyone(200))],
    "accounts:password_reset_confirm": [("get", lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}, everyone(200))],
    "accounts:otp": [("get", None, logged(200))],
    "accounts:switch_structure": [("post", None, logged(404))],
    "accounts:account": [("get", None, logged(200))],
    "accounts:password_change": [("get", None, logged(200))],
    "accounts:accept_invitation": [("get", lambda w: {"token": w.token}, everyone(200))],
    "accounts:structure_list": [("get", None, logged(200))],
    "accounts:structure_create": [("get", None, only(["coordinator"]))],
    "accounts:structure_detail": [
        ("get", lambda w: {"public_id": w.structure_a.public_id}, logged(200)),
        # A structure awaiting validation is not in the directory: only coordinators see it.
        ("get", lambda w: {"public_id": w.pending.public_id}, only(["coordinator"], denied=404)),
    ],
    "accounts:structure_edit": [
        ("get", lambda w: {"public_id": w.structure_a.public_id}, only(["structure_admin_a", "coordinator"]))
    ],
    "accounts:structure_validate": [
        ("post", lambda w: {"public_id": w.pending.public_id}, only(["coordinator"], status=302, denied=404))
    ],
    "accounts:invite": [
        ("get", lambda w: {"public_id": w.structure_a.public_id}, only(["structure_admin_a", "coordinator"]))
    ],
    "accounts:revoke_invitation": [
        (
            "post",
            lambda w: {"public_id": w.structure_a.public_id, "invitation_id": w.invitation.public_id},
            only(["structure_admin_a", "coordinator"], status=302),
        )
    ],
    "accounts:membership_edit": [
        (
            "get",
            lambda w: {"public_id": w.structure_a.public_id, "membership_id": w.colleague.public_id},
            only(["structure_admin_a", "coordinator"]),
        )
    ],
    "accounts:membership_toggle": [
        (
            "post",
            lambda w: {"public_id": w.structure_a.public_id, "membership_id": w.colleague.public_id},
            only(["structure_admin_a", "coordinator"], status=302),
        )
    ],
    "territory:commune_search": [("get", None, logged(200))],
    "audit:access_log": [("get", None, only(["coordinator"]))],
    "audit:change_log": [("get", None, only(["coordinator"]))],
    # The technical admin: staff only; everyone else is sent to the Relais login.
    "admin:index": [("get", None, logged(302))],
}

# Namespaces whose URLs are covered by one row (the Django admin's own pages).
COVERED_NAMESPACES = {"admin"}


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<sans nom> {pattern.pattern}"


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(
        name for name in set(_named_patterns()) if name not in MATRIX and name.split(":")[0] not in COVERED_NAMESPACES
    )
    assert not missing, f"URL sans ligne dans la matrice d'accès : {missing}"


def test_matrix_names_every_role():
    for name, rows in MATRIX.items():
        for _method, _kwargs, expected in rows:
            assert set(expected) == set(ROLES), name


CASES = [
    pytest.param(name, index, role, id=f"{name}[{index}]-{role}")
    for name, rows in MATRIX.items()
    for index in range(len(rows))
    for role in ROLES
]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_access(name, index, role, client, request):
    users = {key: request.getfixturevalue(key) for key in LOGGED}
    world = World(users)
    method, kwargs_builder, expected = MATRIX[name][index]
    url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
    if role != "anonymous":
        client.force_login(users[role])
    response = getattr(client, method)(url)
    assert response.status_code == expected[role], f"{method.upper()} {url} en tant que {role}"
    if role == "anonymous" and response.status_code == 302 and method == "get":
        # Closed by default: an anonymous visitor always ends on the Relais login page.
        final = client.get(url, follow=True)
        assert final.request["PATH_INFO"] == reverse("accounts:login")
