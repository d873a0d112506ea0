"""The access matrix: every URL of the project, every role, the expected answer.

A URL pattern without a row here fails the suite: whoever adds a page says who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from entry import services
from entry.models import Commission
from offer import actions as offer_actions
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.factories import MembershipFactory, StructureFactory
from tests.offer.factories import ServiceFactory
from tests.people.factories import PersonFactory

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


# A person's carnet: their team (professional A) and the orientation managers of their territory.
CARNET = only(["professional_a", "orientation_manager"], denied=404)


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
        self._entry(users)
        self._offer(users)

    def _entry(self, users):
        """People followed by professional A; one oriented to structure B; a commission, a merge, a request."""
        pro_a = users["professional_a"].memberships.get()
        pro_b = users["professional_b"].memberships.get()
        manager = users["orientation_manager"].memberships.get()
        self.person = PersonFactory(followed_by=pro_a, rsa=True)
        self.diagnostic = DiagnosticFactory(person=self.person, structure=pro_a.structure, done_by=pro_a.user)
        OrientationFactory(
            person=self.person, diagnostic=self.diagnostic, proposed_by=pro_a.user, proposed_for=pro_a.structure
        )
        self.oriented = PersonFactory(followed_by=pro_a)
        proposal = OrientationFactory(person=self.oriented, proposed_by=pro_a.user, proposed_for=pro_a.structure)
        self.orientation = services.decide_orientation(
            proposal.pk,
            manager,
            pathway_type="professional",
            referent_structure=pro_b.structure,
            referent=None,
            reason="",
        )
        self.commission = Commission.objects.create(
            title="Commission", held_on=timezone.localdate(), structure=manager.structure, created_by=manager.user
        )
        self.access_request = services.request_access(self.person, pro_b, "Je la reçois demain.")
        first, second = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
        self.merge = services.merge_persons(first, second, manager.user)

    def _offer(self, users):
        """Services of structure A (one published, one draft); professional A orients the person to B's service."""
        pro_a = users["professional_a"].memberships.get()
        pro_b = users["professional_b"].memberships.get()
        self.service = ServiceFactory(structure=self.structure_a)
        self.draft_service = ServiceFactory(structure=self.structure_a, draft=True)
        self.service_b = ServiceFactory(structure=pro_b.structure)
        self.referral = offer_actions.send_referral(self.person, self.service_b, by=pro_a, message="Pour le permis.")


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
    # Entry. Need-to-know: professional A follows the person; B is the organisme référent of the oriented
    # one; the orientation manager (whole département) sees everyone; an admin of A or a coordinator does not.
    "entry:person_list": [("get", None, logged(200))],
    "entry:person_create": [("get", None, logged(200))],
    **{
        name: [("get", lambda w: {"public_id": w.person.public_id}, CARNET)]
        for name in ["entry:person_detail", "entry:person_edit", "entry:diagnostic_edit", "entry:diagnostic_history"]
    },
    "entry:diagnostic_detail": [
        ("get", lambda w: {"public_id": w.person.public_id, "diagnostic_id": w.diagnostic.public_id}, CARNET)
    ],
    "entry:request_access": [
        (
            "get",
            lambda w: {"public_id": w.person.public_id},
            logged(200, professional_a=302, orientation_manager=302),
        )
    ],
    "entry:decide": [("get", lambda w: {"public_id": w.person.public_id}, {**CARNET, "professional_a": 403})],
    "entry:letter": [
        (
            "get",
            lambda w: {"public_id": w.oriented.public_id, "orientation_id": w.orientation.public_id},
            {**CARNET, "professional_b": 200},
        )
    ],
    "entry:designate_referent": [
        (
            "get",
            lambda w: {"public_id": w.oriented.public_id},
            {**CARNET, "professional_a": 403, "professional_b": 200},
        )
    ],
    "entry:access_request_list": [("get", None, logged(200))],
    "entry:answer_access_request": [
        ("post", lambda w: {"public_id": w.access_request.public_id}, only(["orientation_manager"], 302, denied=404))
    ],
    "entry:referent_options": [("get", None, only(["orientation_manager"]))],
    "entry:worklist": [("get", None, only(["orientation_manager"]))],
    "entry:commission_list": [("get", None, only(["orientation_manager"]))],
    "entry:commission_detail": [
        ("get", lambda w: {"public_id": w.commission.public_id}, only(["orientation_manager"]))
    ],
    "entry:commission_minutes": [
        ("get", lambda w: {"public_id": w.commission.public_id}, only(["orientation_manager"]))
    ],
    "entry:merge": [("get", None, only(["coordinator"]))],
    "entry:referential_edit": [("get", None, only(["coordinator"]))],
    "entry:merge_undo": [("post", lambda w: {"merge_id": w.merge.public_id}, only(["coordinator"], 302))],
    # Offer. Services of structure A: its admin manages them (the coordinator administers the Département, not
    # A); a draft is seen by A's members only. Professional A orients the person to B's service: the referral is
    # seen by A (the prescriber's structure and the person's team) and by B (which answers it), by nobody else.
    "offer:search": [("get", None, logged(200))],
    "offer:person_search": [("get", lambda w: {"public_id": w.person.public_id}, CARNET)],
    "offer:referral_create": [
        ("get", lambda w: {"person_id": w.person.public_id, "public_id": w.service_b.public_id}, CARNET)
    ],
    "offer:structure_services": [("get", None, logged(200))],
    "offer:service_create": [("get", None, only(["structure_admin_a", "coordinator"]))],
    "offer:service_detail": [
        ("get", lambda w: {"public_id": w.service.public_id}, logged(200)),
        (
            "get",
            lambda w: {"public_id": w.draft_service.public_id},
            only(["professional_a", "structure_admin_a"], denied=404),
        ),
    ],
    "offer:service_edit": [("get", lambda w: {"public_id": w.service.public_id}, only(["structure_admin_a"]))],
    "offer:service_suspend": [("get", lambda w: {"public_id": w.service.public_id}, only(["structure_admin_a"]))],
    "offer:service_change": [
        (
            "post",
            lambda w: {"public_id": w.service.public_id, "change": "confirmer"},
            only(["structure_admin_a"], status=302),
        )
    ],
    "offer:referral_inbox": [("get", None, logged(200))],
    "offer:referral_sent": [("get", None, logged(200))],
    "offer:referral_export": [("get", None, logged(200))],
    "offer:referral_detail": [
        (
            "get",
            lambda w: {"public_id": w.referral.public_id},
            only(["professional_a", "structure_admin_a", "professional_b"], denied=404),
        )
    ],
    "offer:referral_transition": [
        (
            "post",
            lambda w: {"public_id": w.referral.public_id, "step": "etudier"},
            {**only(["professional_b"], status=302, denied=404), "professional_a": 403, "structure_admin_a": 403},
        )
    ],
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
def test_access(name, index, role, client, request, db):
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
