"""The access matrix: every URL of the project, every role, the expected answer.

A URL pattern without a row here fails the suite: whoever adds a page says who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from entry import actions
from entry.models import Commission
from pathway import actions as pathway_actions
from pathway import note_actions, objection_actions
from pathway.models import Alert
from people.merge import merge_persons
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.factories import MembershipFactory, StructureFactory
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
CARNET_ROLES = ["professional_a", "orientation_manager"]
CARNET = only(CARNET_ROLES, denied=404)
# The carnet of a person who objects to the sharing: their organisme référent (structure B) only.
OBJECTING = only(["professional_b"], denied=404)


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
        self.orientation = actions.decide_orientation(
            proposal,
            by=manager,
            pathway_type="professional",
            referent_structure=pro_b.structure,
            referent=None,
            reason="",
        )
        self.commission = Commission.objects.create(
            title="Commission", held_on=timezone.localdate(), structure=manager.structure, created_by=manager.user
        )
        self.access_request = pathway_actions.request_access(self.person, by=pro_b, reason="Je la reçois demain.")
        first, second = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
        self.merge = merge_persons(survivor=first, merged=second, by=users["coordinator"].memberships.get())
        self._carnet(users)

    def _carnet(self, users):
        """What the carnet holds beyond entry: a team note by professional A; a person followed by A, oriented to
        structure B, who objects to the sharing (only B, the organisme référent, keeps the carnet)."""
        pro_a = users["professional_a"].memberships.get()
        manager = users["orientation_manager"].memberships.get()
        self.note = note_actions.write_note(self.person, by=pro_a, text="Premier entretien.")
        self.objecting = PersonFactory(followed_by=pro_a)
        actions.decide_orientation(
            OrientationFactory(person=self.objecting, proposed_by=pro_a.user, proposed_for=pro_a.structure),
            by=manager,
            pathway_type="professional",
            referent_structure=users["professional_b"].memberships.get().structure,
            referent=None,
            reason="",
        )
        objection_actions.record_objection(
            self.objecting, by=pro_a, on=timezone.localdate(), channel="interview", comment=""
        )
        self.alert = Alert.objects.create(person=self.person, rule="orientation_overdue")


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
        name: [
            ("get", lambda w: {"public_id": w.person.public_id}, CARNET),
            # An objection to the sharing: only the organisme référent (B) keeps the carnet; A's team row and the
            # orientation manager's zone no longer open it.
            ("get", lambda w: {"public_id": w.objecting.public_id}, OBJECTING),
        ]
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
    # The carnet's notes: whoever sees the carnet reads and writes; only the author edits (while not fixed).
    "pathway:note_list": [
        ("get", lambda w: {"public_id": w.person.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.person.public_id}, CARNET),
        ("get", lambda w: {"public_id": w.objecting.public_id}, OBJECTING),
    ],
    "pathway:note_create": [
        ("get", lambda w: {"public_id": w.person.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.person.public_id}, CARNET),
    ],
    "pathway:note_edit": [
        (
            "get",
            lambda w: {"public_id": w.person.public_id, "note_id": w.note.public_id},
            {**CARNET, "orientation_manager": 403},
        ),
        (
            "post",
            lambda w: {"public_id": w.person.public_id, "note_id": w.note.public_id},
            {**CARNET, "orientation_manager": 403},
        ),
    ],
    "pathway:note_correct": [
        ("get", lambda w: {"public_id": w.person.public_id, "note_id": w.note.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.person.public_id, "note_id": w.note.public_id}, CARNET),
    ],
    # The right to object: recorded by whoever sees the carnet; after an objection, by the organisme référent only.
    "pathway:sharing": [
        ("get", lambda w: {"public_id": w.person.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.person.public_id}, CARNET),
        ("get", lambda w: {"public_id": w.objecting.public_id}, OBJECTING),
        ("post", lambda w: {"public_id": w.objecting.public_id}, OBJECTING),
    ],
    # Rupture alerts: lists narrowed to what each one sees; acting on an alert takes seeing its carnet; the
    # coordination's counts by EPCI hold no name.
    "pathway:my_alerts": [("get", None, logged(200))],
    "pathway:structure_alerts": [("get", None, logged(200))],
    "pathway:alert_counts": [("get", None, only(["coordinator"]))],
    "pathway:alert_take": [("post", lambda w: {"public_id": w.alert.public_id}, only(CARNET_ROLES, 302, denied=404))],
    "pathway:alert_assign": [
        ("get", lambda w: {"public_id": w.alert.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.alert.public_id}, CARNET),
    ],
    "pathway:alert_close": [
        ("get", lambda w: {"public_id": w.alert.public_id}, CARNET),
        ("post", lambda w: {"public_id": w.alert.public_id}, CARNET),
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
