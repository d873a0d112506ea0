"""The access matrix: every URL of the project, every role, the expected answer, for reading and for changing.

A URL pattern without a row here fails the suite: whoever adds a page says who may open it. A view that takes a
POST without a POST row fails it too: whoever adds a form says who may send it, and what it changes. A POST row
names what it may change (``state``, read before and after the request) and the roles whose request changes it
(``changes``): for every other role, denied or not, the database is left as it was.
"""

import datetime
import inspect
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import Invitation, JoinRequest, Membership, Role, Structure, User
from entry import actions
from entry.models import Commission, Diagnostic, DiagnosticDraft, DiagnosticReferential, Orientation
from entry.referential import load_referential
from offer import actions as offer_actions
from offer.models import Referral, Service, UnmetSearch
from pathway import actions as pathway_actions
from pathway import contract_actions, note_actions, objection_actions
from pathway.contract_models import Action as ContractAction
from pathway.contract_models import EngagementContract, Objective, SocialReview
from pathway.models import (
    AccessRequest,
    Alert,
    Appointment,
    AppointmentInvitation,
    Note,
    Pathway,
    SharingFact,
    TeamMember,
)
from people.merge import merge_persons
from people.models import DuplicatePair, DuplicateScan, Person, PersonMerge
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.entry.posts import diagnostic_data, person_data
from tests.factories import PASSWORD, MembershipFactory, StructureFactory, valid_siret
from tests.offer.factories import ServiceFactory
from tests.offer.posts import service_form
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory, accompany

ROLES = ["anonymous", "professional_a", "professional_b", "structure_admin_a", "orientation_manager", "coordinator"]
LOGGED = ROLES[1:]
ALLOWED = {200, 302}
NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026!"


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


@dataclass(frozen=True)
class Row:
    method: str
    kwargs: object  # world → URL kwargs, or None
    expected: dict  # role → status
    data: object = None  # world → POST data
    state: object = None  # world → what the POST may change, compared before and after the request
    changes: frozenset = frozenset()  # the roles whose POST changes ``state``; for every other one it stays
    note: str = ""  # a POST row without state: why it changes nothing in the database
    holes: dict = field(default_factory=dict)  # role → reason: a known hole, the row fails until it is closed


def get(kwargs, expected):
    return Row("get", kwargs, expected)


def post(kwargs, expected, *, data=None, state=None, changes=(), note="", holes=None):
    return Row("post", kwargs, expected, data, state, frozenset(changes), note, holes or {})


PAIR = lambda w: {"pair_id": w.pair.public_id}  # noqa: E731
# A person's carnet: their team (professional A) and the orientation managers of their territory.
CARNET_ROLES = ["professional_a", "orientation_manager"]
CARNET = only(CARNET_ROLES, denied=404)
# The carnet of a person who objects to the sharing: their organisme référent (structure B) only.
OBJECTING = only(["professional_b"], denied=404)
# A contract: read by the carnet's readers, among them the organisme référent (A); written by the organisme référent.
CONTRACT_READ = only(["professional_a", "structure_admin_a", "orientation_manager"], denied=404)
CONTRACT_WRITE = {**CONTRACT_READ, "orientation_manager": 403}
# A valid POST of the organisme référent redirects to the contract; the others are refused as on reading.
CONTRACT_POSTED = {**CONTRACT_WRITE, "professional_a": 302, "structure_admin_a": 302}
CONTRACT_WRITERS = ["professional_a", "structure_admin_a"]
OBJECTIVE = lambda w: {"contract_id": w.amendment.public_id, "objective_id": w.objective.public_id}  # noqa: E731
ACTION = lambda w: {"contract_id": w.amendment.public_id, "action_id": w.action.public_id}  # noqa: E731


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


class World:
    """The objects the URLs point at, seen from structure A (France Travail) and B (mission locale)."""

    def __init__(self, users):
        self.users = users
        self.structure_a = users["professional_a"].memberships.get().structure
        self.structure_b = users["professional_b"].memberships.get().structure
        self.pending = StructureFactory(name="Association en attente", pending=True)
        JoinRequest.objects.create(
            structure=self.pending,
            structure_name=self.pending.name,
            siret=self.pending.siret,
            first_name="Inès",
            last_name="Marchand",
            email="ines@attente.exemple.fr",
        )
        self.colleague = MembershipFactory(structure=self.structure_a, user__email="collegue@exemple.fr")
        self.colleague_b = MembershipFactory(structure=self.structure_b, user__email="collegue.b@exemple.fr")
        self.invitation, self.token = Invitation.issue(
            email="nouveau@exemple.fr", structure=self.structure_a, role=Role.PROFESSIONAL, invited_by=None
        )
        self._entry(users)
        self._appointments(users)
        self._contract(users)
        self._offer(users)
        self._carnet(users)
        self._imports(users)

    def _entry(self, users):
        """People followed by professional A; one oriented to structure B; a commission examining the first one,
        a merge, two records of one person not merged yet, an access request."""
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
        self.commission.persons.add(self.person)
        self.access_request = pathway_actions.request_access(self.person, by=pro_b, reason="Je la reçois demain.")
        self.member = TeamMember.objects.get(pathway__person=self.person, user=pro_a.user)
        self.exited = PersonFactory(followed_by=pro_a)
        pathway_actions.exit_pathway(self.exited, by=pro_a, reason="moved_away", on=timezone.localdate())
        first, second = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
        self.merge = merge_persons(survivor=first, merged=second, by=users["coordinator"].memberships.get())
        self.twins = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
        self.pair = DuplicatePair.objects.create(
            first=PersonFactory(followed_by=None),
            second=PersonFactory(followed_by=None),
            score=90,
            reasons=["Même nom"],
        )

    def _appointments(self, users):
        """An appointment of the person followed by A; three links of invitation: valid, used, expired."""
        from datetime import timedelta

        from pathway.appointment_actions import plan_appointment

        pro_a = users["professional_a"].memberships.get()
        # Reachable by email: an invitation can be sent to her.
        Person.objects.filter(pk=self.person.pk).update(email="camille.moreau@exemple.fr")
        self.person.refresh_from_db()
        start = timezone.now() + timedelta(days=3)
        self.appointment = plan_appointment(
            self.person,
            by=pro_a,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            mode="phone",
            purpose="Point d'étape",
        )
        tokens = []
        for _ in range(3):
            appointment = AppointmentFactory(person=self.person, professional=pro_a.user, structure=pro_a.structure)
            tokens.append(AppointmentInvitation.issue(appointment, channels=["sms"], sent_by=pro_a.user))
        (self.invited, self.valid_token), (used, self.used_token), (expired, self.expired_token) = tokens
        used.used_at = timezone.now()
        used.save()
        expired.expires_at = timezone.now() - timedelta(minutes=1)
        expired.save()

    def _contract(self, users):
        """Contrat d'engagement: professional A is the référent (structure A the organisme référent) of a person in
        a social pathway whose signed contract has an amendment in preparation, and of one without a contract."""
        pro_a = users["professional_a"].memberships.get()
        today = timezone.localdate()

        def accompanied():
            return accompany(PersonFactory(followed_by=pro_a), pro_a, "social")

        self.uncontracted = accompanied()
        self.accompanied = accompanied()
        contract = contract_actions.draft_contract(
            self.accompanied.pathway, by=pro_a, starts_on=today, review_on=today + datetime.timedelta(days=90)
        )
        objective = contract_actions.add_objective(contract, by=pro_a, label="Trouver un logement")
        contract_actions.add_action(objective, by=pro_a, label="Demande d'hébergement", due_on=today)
        self.signed = contract_actions.sign_contract(contract, by=pro_a, signed_on=today, agreement_mode="paper")
        self.amendment = contract_actions.amend_contract(self.signed, by=pro_a)
        self.objective = self.amendment.objectives.get()
        self.action = self.objective.actions.get()
        # A contract in force with nothing in preparation: the one renewed.
        self.renewable_person = accompanied()
        draft = contract_actions.draft_contract(
            self.renewable_person.pathway, by=pro_a, starts_on=today, review_on=today + datetime.timedelta(days=90)
        )
        training = contract_actions.add_objective(draft, by=pro_a, label="Reprendre une formation")
        contract_actions.add_action(training, by=pro_a, label="S'inscrire à une formation", due_on=today)
        self.renewable = contract_actions.sign_contract(draft, by=pro_a, signed_on=today, agreement_mode="paper")

    def _offer(self, users):
        """Services of structure A (one published, one draft); professional A orients the person to B's service."""
        pro_a = users["professional_a"].memberships.get()
        pro_b = users["professional_b"].memberships.get()
        self.service = ServiceFactory(structure=self.structure_a)
        self.draft_service = ServiceFactory(structure=self.structure_a, draft=True)
        self.service_b = ServiceFactory(structure=pro_b.structure)
        self.referral = offer_actions.send_referral(self.person, self.service_b, by=pro_a, message="Pour le permis.")

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

    def _imports(self, users):
        """An import of the Département (by its orientation manager) with a row set aside, a saved profile."""
        from imports.models import ImportProfile, ImportRow, ImportRun

        manager = users["orientation_manager"].memberships.get()
        self.import_run = ImportRun.objects.create(
            structure=manager.structure,
            started_by=manager.user,
            membership=manager,
            profile_name="rsa",
            file_name="rsa.csv",
            apply=True,
            status=ImportRun.Status.DONE,
            set_aside=1,
        )
        self.import_row = ImportRow.objects.create(
            run=self.import_run,
            line=2,
            outcome=ImportRow.Outcome.SET_ASIDE,
            values={
                "birth_name": self.person.birth_name,
                "first_names": self.person.first_names,
                "birth_date": self.person.birth_date.isoformat(),
                "commune_id": "91228",
            },
            candidates=[{"id": str(self.person.public_id), "score": 100}],
        )
        # A run whose worker stopped an hour ago, its file kept (not read here: the task queue is not run).
        self.stalled_run = ImportRun.objects.create(
            structure=manager.structure,
            started_by=manager.user,
            membership=manager,
            profile_name="rsa",
            file_name="rsa-arrete.csv",
            file="imports/rsa-arrete.csv",
            apply=True,
            status=ImportRun.Status.RUNNING,
            progressed_at=timezone.now() - datetime.timedelta(hours=1),
        )
        self.import_profile = ImportProfile.objects.create(
            structure=manager.structure, name="Liste du CCAS", mapping={"Nom": "birth_name"}
        )


def _upload(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "NOM;PRENOMS;DATE_NAISSANCE;CODE_INSEE\nMOREAU;Chloé;17/04/1984;91174\n".encode()
    return {"file": SimpleUploadedFile("liste.csv", content, "text/csv"), "profile": "rsa", "apply": "1"}


def _import_state(w):
    from imports.models import ImportRun

    return ImportRun.objects.count(), Person.objects.count()


def _stalled_run_state(w):
    from imports.models import ImportRun

    return ImportRun.objects.values_list("progressed_at", flat=True).get(pk=w.stalled_run.pk)


def _import_row_state(w):
    # Read afresh, the world's own instance left as built: the world is shared by the cases.
    return type(w.import_row).objects.values_list("outcome", flat=True).get(pk=w.import_row.pk)


def _import_profiles(w):
    from imports.models import ImportProfile

    return sorted(ImportProfile.objects.values_list("name", flat=True))


IMPORTERS = ["structure_admin_a", "orientation_manager", "coordinator"]
# An import of the Département: its importers read it; an importer of another structure finds nothing (404), anyone
# else is refused (403).
IMPORT_RUN = {**only(["orientation_manager", "coordinator"]), "structure_admin_a": 404}


# What the POST rows send and read.


def _person_edit(w):
    person = w.person
    return person_data(
        birth_name=person.birth_name,
        first_names=person.first_names,
        birth_date=person.birth_date.isoformat(),
        caf_number="",
        email="",
        phone="06 11 22 33 44",
        address="",
        commune=person.commune_id,
        rsa_since=person.rsa_since.isoformat(),
        entry_date=person.pathway.entered_at.isoformat(),
        version=person.version,
    )


def _statuses(person):
    return sorted(Orientation.objects.filter(person=person).values_list("status", flat=True))


def _referential_edit(w):
    themes = {
        f"theme_{theme['key']}": "\n".join(situation["label"] for situation in theme["situations"])
        for theme in load_referential(1)["barriers"]
    }
    first = next(iter(themes))
    themes[first] += "\nUne situation nouvelle"
    return {"note": "Une situation de plus.", **themes}


def _structure_data(structure, **overrides):
    return {
        "name": structure.name,
        "kind": structure.kind,
        "siret": structure.siret,
        "address": structure.address,
        "commune": structure.commune_id,
        "email": structure.email,
        "phone": structure.phone,
        **overrides,
    }


def _membership_state(membership):
    membership = Membership.objects.get(pk=membership.pk)
    return membership.role, membership.job_title, membership.is_orientation_manager, membership.is_coordinator


def _unmet_searches(w):
    return sorted(UnmetSearch.objects.values_list("commune_code", "thematique", "count"))


def _appointment_data(user, days=5):
    """A phone appointment with ``user`` (acting for their only structure), ``days`` from now."""
    return {
        "date": (timezone.localdate() + datetime.timedelta(days=days)).isoformat(),
        "start_time": "10:00",
        "end_time": "10:45",
        "mode": "phone",
        "place": "",
        "purpose": "Point d'étape",
        "professional": str(user.memberships.get().public_id),
    }


def _note_data(text, **extra):
    return {"kind": "follow_up", "text": text, "visibility": "team", **extra}


def _sharing_data(kind):
    return {"kind": kind, "on": timezone.localdate().isoformat(), "channel": "interview", "comment": ""}


def _alert_state(w):
    alert = Alert.objects.get(pk=w.alert.pk)
    return alert.status, alert.assigned_to_id, alert.taken_by_id


def _team(person):
    """Who is in the person's team now."""
    return sorted(
        TeamMember.objects.filter(pathway__person=person, ended_at__isnull=True).values_list("user_id", flat=True)
    )


def _referents(structure):
    """The référent of each pathway the structure is the organisme référent of."""
    return list(Pathway.objects.filter(referent_structure=structure).order_by("pk").values_list("pk", "referent_id"))


def _role_users(w):
    return User.objects.filter(pk__in=[user.pk for user in w.users.values()]).order_by("pk")


PERSON = lambda w: {"public_id": w.person.public_id}  # noqa: E731
SERVICE = lambda w: {"public_id": w.service.public_id}  # noqa: E731
DRAFT_SERVICE = lambda w: {"public_id": w.draft_service.public_id}  # noqa: E731
REFERRAL = lambda w: {"public_id": w.referral.public_id}  # noqa: E731
ORIENTED = lambda w: {"public_id": w.oriented.public_id}  # noqa: E731
STRUCTURE_A = lambda w: {"public_id": w.structure_a.public_id}  # noqa: E731
STRUCTURE_B = lambda w: {"public_id": w.structure_b.public_id}  # noqa: E731
COMMISSION = lambda w: {"public_id": w.commission.public_id}  # noqa: E731
EXITED = lambda w: {"public_id": w.exited.public_id}  # noqa: E731
OBJECTING_PERSON = lambda w: {"public_id": w.objecting.public_id}  # noqa: E731
NOTE = lambda w: {"public_id": w.person.public_id, "note_id": w.note.public_id}  # noqa: E731
APPOINTMENT = lambda w: {"public_id": w.appointment.public_id}  # noqa: E731
ALERT = lambda w: {"public_id": w.alert.public_id}  # noqa: E731
MEMBER = lambda w: {"public_id": w.person.public_id, "member_id": w.member.public_id}  # noqa: E731
COLLEAGUE = lambda w: {"public_id": w.structure_a.public_id, "membership_id": w.colleague.public_id}  # noqa: E731
COLLEAGUE_B = lambda w: {"public_id": w.structure_b.public_id, "membership_id": w.colleague_b.public_id}  # noqa: E731


# url name → rows: (method, URL kwargs, expected status by role) and, for a POST, what it sends and may change.
MATRIX = {
    "home": [get(None, logged(200))],
    "accessibility": [get(None, everyone(200))],
    "legal_notice": [get(None, everyone(200))],
    "privacy": [get(None, everyone(200))],
    "health": [get(None, everyone(200))],
    "accounts:login": [
        get(None, logged(302, anonymous=200)),
        post(
            None,
            everyone(302),
            data=lambda w: {"email": "pro.a@exemple.fr", "password": PASSWORD},
            note="ouvre une session (ou renvoie qui en a déjà une) : rien d'autre ne change",
        ),
    ],
    "accounts:logout": [post(None, everyone(302), note="ferme la session")],
    "accounts:extend_session": [
        get(None, logged(405)),
        post(None, logged(200), note="renouvelle la période d'inactivité de la session de celui qui la demande"),
    ],
    "accounts:proconnect_login": [get(None, everyone(404))],
    "accounts:proconnect_callback": [get(None, everyone(404))],
    "accounts:password_reset": [
        get(None, everyone(200)),
        post(
            None,
            everyone(302),
            data=lambda w: {"email": "pro.a@exemple.fr"},
            state=lambda w: len(mail.outbox),
            changes=ROLES,
        ),
    ],
    "accounts:password_reset_done": [get(None, everyone(200))],
    "accounts:password_reset_confirm": [
        get(lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}, everyone(200)),
        # Without a valid token, nobody sets anybody's password.
        post(
            lambda w: {"uidb64": "MQ", "token": "jeton-invalide"},
            everyone(200),
            data=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            state=lambda w: [check_password(NEW_PASSWORD, user.password) for user in User.objects.order_by("pk")],
        ),
    ],
    "accounts:otp": [
        get(None, logged(200)),
        post(
            None,
            logged(200),
            data=lambda w: {"token": "abcdef"},
            state=lambda w: list(
                User.objects.filter(totpdevice__confirmed=True).values_list("pk", flat=True).order_by("pk")
            ),
        ),
    ],
    "accounts:switch_structure": [
        post(None, logged(404), note="change la structure de la session"),
        # Only one's own membership: another's is not found.
        post(
            None,
            logged(404, professional_a=302),
            data=lambda w: {"membership": w.users["professional_a"].memberships.get().public_id},
            note="change la structure de la session",
        ),
    ],
    "accounts:account": [
        get(None, logged(200)),
        post(
            None,
            logged(302),
            data=lambda w: {
                "first_name": "Prénom",
                "last_name": "Changé",
                "phone": "",
                "notification_frequency": "daily",
            },
            state=lambda w: list(_role_users(w).values_list("first_name", "last_name")),
            changes=LOGGED,
        ),
    ],
    "accounts:password_change": [
        get(None, logged(200)),
        post(
            None,
            logged(302),
            data=lambda w: {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            state=lambda w: [check_password(NEW_PASSWORD, user.password) for user in _role_users(w)],
            changes=LOGGED,
        ),
    ],
    "accounts:accept_invitation": [
        get(lambda w: {"token": w.token}, everyone(200)),
        # The token is the right: whoever holds the link creates the invited account (and is logged in with it).
        post(
            lambda w: {"token": w.token},
            everyone(302),
            data=lambda w: {
                "first_name": "Léa",
                "last_name": "Martin",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            state=lambda w: Membership.objects.filter(user__email="nouveau@exemple.fr").count(),
            changes=ROLES,
        ),
    ],
    "accounts:structure_list": [get(None, logged(200))],
    "accounts:join_refusals": [get(None, only(["coordinator"]))],
    "accounts:structure_create": [
        get(None, only(["coordinator"])),
        post(
            None,
            only(["coordinator"], status=302),
            data=lambda w: {
                "name": "Association Tremplin Massy",
                "kind": Structure.Kind.ASSOCIATION,
                "siret": valid_siret(777),
                "address": "12 rue de Paris",
                "commune": "91377",
                "email": "",
                "phone": "",
            },
            state=lambda w: Structure.objects.count(),
            changes=["coordinator"],
        ),
    ],
    "accounts:structure_detail": [
        get(STRUCTURE_A, logged(200)),
        # A structure awaiting validation is not in the directory: only coordinators see it.
        get(lambda w: {"public_id": w.pending.public_id}, only(["coordinator"], denied=404)),
    ],
    "accounts:structure_edit": [
        get(STRUCTURE_A, only(["structure_admin_a", "coordinator"])),
        post(
            STRUCTURE_A,
            only(["structure_admin_a", "coordinator"], status=302),
            data=lambda w: _structure_data(w.structure_a, name="France Travail Évry (agence)"),
            state=lambda w: Structure.objects.get(pk=w.structure_a.pk).name,
            changes=["structure_admin_a", "coordinator"],
        ),
        # Another structure: its own admins and the coordinators only.
        post(
            STRUCTURE_B,
            only(["coordinator"], status=302),
            data=lambda w: _structure_data(w.structure_b, name="Mission locale (renommée)"),
            state=lambda w: Structure.objects.get(pk=w.structure_b.pk).name,
            changes=["coordinator"],
        ),
    ],
    # A partner not yet on Relais asks to join: a public form (anyone may post it; the structure waits for the
    # coordination, its members reach nothing until then).
    "accounts:structure_join": [
        get(None, everyone(200)),
        post(
            None,
            everyone(200),
            data=lambda w: {
                "name": "Jardins de Cocagne",
                "kind": Structure.Kind.SIAE,
                "siret": valid_siret(778),
                "address": "2 chemin des Potagers",
                "commune": "91223",
                "email": "contact@jardins.exemple.fr",
                "phone": "",
                "first_name": "Awa",
                "last_name": "Traoré",
                "requester_email": "awa@jardins.exemple.fr",
            },
            state=lambda w: list(Structure.objects.filter(is_validated=False).values_list("siret", "name")),
            changes=ROLES,
        ),
    ],
    "accounts:structure_validate": [
        post(
            lambda w: {"public_id": w.pending.public_id},
            only(["coordinator"], status=302, denied=404),
            state=lambda w: Structure.objects.get(pk=w.pending.pk).is_validated,
            changes=["coordinator"],
        )
    ],
    # A false or mistaken request to join, refused by the coordination with its reason: the structure is removed.
    "accounts:structure_refuse": [
        post(
            lambda w: {"public_id": w.pending.public_id},
            only(["coordinator"], status=302, denied=404),
            data=lambda w: {"reason": "Ce SIRET est celui d'une autre association."},
            state=lambda w: Structure.objects.filter(pk=w.pending.pk).exists(),
            changes=["coordinator"],
        )
    ],
    "accounts:invite": [
        get(STRUCTURE_A, only(["structure_admin_a", "coordinator"])),
        post(
            STRUCTURE_A,
            only(["structure_admin_a", "coordinator"], status=302),
            data=lambda w: {"email": "recrue@exemple.fr", "role": Role.STRUCTURE_ADMIN},
            state=lambda w: Invitation.objects.count(),
            changes=["structure_admin_a", "coordinator"],
        ),
        post(
            STRUCTURE_B,
            only(["coordinator"], status=302),
            data=lambda w: {"email": "recrue@exemple.fr", "role": Role.STRUCTURE_ADMIN},
            state=lambda w: Invitation.objects.count(),
            changes=["coordinator"],
        ),
    ],
    "accounts:revoke_invitation": [
        post(
            lambda w: {"public_id": w.structure_a.public_id, "invitation_id": w.invitation.public_id},
            only(["structure_admin_a", "coordinator"], status=302),
            state=lambda w: Invitation.objects.get(pk=w.invitation.pk).revoked_at is None,
            changes=["structure_admin_a", "coordinator"],
        )
    ],
    "accounts:membership_edit": [
        get(COLLEAGUE, only(["structure_admin_a", "coordinator"])),
        post(
            COLLEAGUE,
            only(["structure_admin_a", "coordinator"], status=302),
            data=lambda w: {"role": Role.STRUCTURE_ADMIN, "job_title": "Conseillère"},
            state=lambda w: _membership_state(w.colleague),
            changes=["structure_admin_a", "coordinator"],
        ),
        # Capabilities (orientation manager, coordinator) are granted by coordinators only: an admin's post of
        # them is ignored.
        post(
            COLLEAGUE,
            only(["structure_admin_a", "coordinator"], status=302),
            data=lambda w: {
                "role": Role.PROFESSIONAL,
                "job_title": "",
                "is_orientation_manager": "on",
                "is_coordinator": "on",
            },
            state=lambda w: _membership_state(w.colleague)[2:],
            changes=["coordinator"],
        ),
        post(
            COLLEAGUE_B,
            only(["coordinator"], status=302),
            data=lambda w: {"role": Role.STRUCTURE_ADMIN, "job_title": "Conseiller"},
            state=lambda w: _membership_state(w.colleague_b),
            changes=["coordinator"],
        ),
    ],
    "accounts:membership_toggle": [
        post(
            COLLEAGUE,
            only(["structure_admin_a", "coordinator"], status=302),
            state=lambda w: Membership.objects.get(pk=w.colleague.pk).is_active,
            changes=["structure_admin_a", "coordinator"],
        ),
        post(
            COLLEAGUE_B,
            only(["coordinator"], status=302),
            state=lambda w: Membership.objects.get(pk=w.colleague_b.pk).is_active,
            changes=["coordinator"],
        ),
    ],
    "territory:commune_search": [get(None, logged(200))],
    "audit:access_log": [get(None, only(["coordinator"]))],
    "audit:change_log": [get(None, only(["coordinator"]))],
    # Entry. Need-to-know: professional A follows the person; B is the organisme référent of the oriented
    # one; the orientation manager (whole département) sees everyone; an admin of A or a coordinator does not.
    "entry:person_list": [
        get(None, logged(200)),
        post(
            None,
            logged(200),
            data=lambda w: {"last_name": "Quelconque"},
            note="une recherche : elle n'écrit que le journal des accès",
        ),
    ],
    "entry:person_create": [
        get(None, logged(200)),
        post(
            None,
            logged(302),
            data=lambda w: person_data(caf_number="", email="", nir=""),
            state=lambda w: Person.objects.count(),
            changes=LOGGED,
        ),
    ],
    # An objection to the sharing: only the organisme référent (B) keeps the carnet; A's team row and the
    # orientation manager's zone no longer open it.
    "entry:person_detail": [get(PERSON, CARNET), get(OBJECTING_PERSON, OBJECTING)],
    "entry:person_edit": [
        get(PERSON, CARNET),
        get(OBJECTING_PERSON, OBJECTING),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=_person_edit,
            state=lambda w: Person.objects.get(pk=w.person.pk).phone,
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "entry:diagnostic_edit": [
        get(PERSON, CARNET),
        get(OBJECTING_PERSON, OBJECTING),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: diagnostic_data(),
            state=lambda w: Diagnostic.objects.filter(person=w.person).count(),
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    # The author's own draft of the diagnostic being typed: those who may make the diagnostic.
    "entry:diagnostic_draft": [
        get(PERSON, logged(405, anonymous=405)),
        post(
            PERSON,
            {**CARNET, "professional_a": 200, "orientation_manager": 200},
            data=lambda w: {"q_aspiration": "not_yet", "comments": "En cours"},
            state=lambda w: DiagnosticDraft.objects.filter(person=w.person).count(),
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "entry:diagnostic_history": [get(PERSON, CARNET), get(OBJECTING_PERSON, OBJECTING)],
    "entry:diagnostic_detail": [
        get(lambda w: {"public_id": w.person.public_id, "diagnostic_id": w.diagnostic.public_id}, CARNET)
    ],
    "entry:request_access": [
        get(PERSON, logged(200, professional_a=302, orientation_manager=302)),
        # Those who see the person are sent to the record; B has a request pending already: refused on the form.
        post(
            PERSON,
            logged(302, professional_b=200),
            data=lambda w: {"reason": "Je la reçois demain."},
            state=lambda w: AccessRequest.objects.count(),
            changes=["structure_admin_a", "coordinator"],
        ),
    ],
    "entry:decide": [
        get(PERSON, {**CARNET, "professional_a": 403}),
        post(
            PERSON,
            {**CARNET, "professional_a": 403, "orientation_manager": 302},
            data=lambda w: {
                "pathway_type": "professional",
                "referent_structure": w.structure_b.pk,
                "referent": "",
                "decision_reason": "",
            },
            state=lambda w: _statuses(w.person),
            changes=["orientation_manager"],
        ),
    ],
    # The prescriber's opinion: the structure that entered the person or made the diagnostic (A).
    "entry:give_opinion": [
        get(PERSON, {**CARNET, "orientation_manager": 403}),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: {
                "pathway": "social",
                "structure": "",
                "wish": "Être suivie près de chez elle.",
                "comment": "",
            },
            state=lambda w: Orientation.objects.get(person=w.person, status="proposed").opinion_wish,
            changes=["professional_a"],
        ),
    ],
    "entry:letter": [
        get(
            lambda w: {"public_id": w.oriented.public_id, "orientation_id": w.orientation.public_id},
            {**CARNET, "professional_b": 200},
        ),
        # Recording the letter as the notification is the orientation manager's.
        post(
            lambda w: {"public_id": w.oriented.public_id, "orientation_id": w.orientation.public_id},
            {**CARNET, "professional_a": 403, "professional_b": 403, "orientation_manager": 302},
            state=lambda w: _statuses(w.oriented),
            changes=["orientation_manager"],
        ),
    ],
    # Refused by the organisme référent's admins or orientation managers (B): nobody of B of that kind in the matrix.
    "entry:refuse_orientation": [
        get(
            lambda w: {"public_id": w.oriented.public_id, "orientation_id": w.orientation.public_id},
            {**CARNET, "professional_a": 403, "orientation_manager": 403, "professional_b": 403},
        ),
        post(
            lambda w: {"public_id": w.oriented.public_id, "orientation_id": w.orientation.public_id},
            {**CARNET, "professional_a": 403, "orientation_manager": 403, "professional_b": 403},
            data=lambda w: {"reason": "Nous n'intervenons pas sur sa commune."},
            state=lambda w: _statuses(w.oriented),
        ),
    ],
    "entry:access_request_list": [get(None, logged(200))],
    "entry:answer_access_request": [
        post(
            lambda w: {"public_id": w.access_request.public_id},
            only(["orientation_manager"], 302, denied=404),
            data=lambda w: {"decision": "accorder"},
            state=lambda w: AccessRequest.objects.get(pk=w.access_request.pk).status,
            changes=["orientation_manager"],
        )
    ],
    # The carnet. Its team (professional A) may close the pathway of a person not yet oriented, and leave the team;
    # the orientation managers manage the team; the organisme référent (B) designates the référent.
    "pathway:carnet": [get(PERSON, CARNET)],
    "pathway:exit": [
        get(PERSON, CARNET),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: {"reason": "moved_away", "on": timezone.localdate().isoformat(), "detail": ""},
            state=lambda w: Pathway.objects.get(person=w.person).status,
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "pathway:reopen": [
        get(EXITED, CARNET),
        post(
            EXITED,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: {"reason": "De retour dans le département."},
            state=lambda w: Pathway.objects.get(person=w.exited).status,
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "pathway:team_add": [
        get(PERSON, {**CARNET, "professional_a": 403}),
        post(
            PERSON,
            {**CARNET, "professional_a": 403, "orientation_manager": 302},
            data=lambda w: {
                "structure": str(w.structure_b.public_id),
                "member": str(w.colleague_b.public_id),
                "mission": "accompagnement logement",
            },
            state=lambda w: _team(w.person),
            changes=["orientation_manager"],
        ),
    ],
    "pathway:team_end": [
        get(MEMBER, CARNET),
        # Professional A leaves the team; the orientation manager removes them.
        post(
            MEMBER,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: {"reason": "accompagnement terminé", "detail": ""},
            state=lambda w: _team(w.person),
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "pathway:referent": [
        get(ORIENTED, {**CARNET, "professional_a": 403, "professional_b": 200}),
        # A member of the organisme référent designates themself; the orientation manager designates anyone.
        post(
            ORIENTED,
            {**CARNET, "professional_a": 403, "professional_b": 302, "orientation_manager": 302},
            data=lambda w: {"referent": w.users["professional_b"].memberships.get().pk},
            state=lambda w: Pathway.objects.get(person=w.oriented).referent_id,
            changes=["professional_b", "orientation_manager"],
        ),
        post(
            ORIENTED,
            {**CARNET, "professional_a": 403, "professional_b": 200, "orientation_manager": 302},
            data=lambda w: {"referent": w.colleague_b.pk},
            state=lambda w: Pathway.objects.get(person=w.oriented).referent_id,
            changes=["orientation_manager"],
        ),
    ],
    "pathway:member_options": [get(None, logged(200))],
    "pathway:caseload": [get(None, logged(200))],
    "pathway:caseload_export": [
        get(lambda w: {"fmt": "csv"}, logged(200)),
        get(lambda w: {"fmt": "xlsx"}, logged(200)),
    ],
    # The bulk handover of a référent's caseload: the structure's admins, for their own structure's référents (the
    # coordinator's structure has none: professional A is not found there).
    "pathway:bulk_handover": [
        get(None, only(["structure_admin_a", "coordinator"])),
        post(
            None,
            only(["structure_admin_a", "coordinator"]),
            state=lambda w: _referents(w.structure_a),
            note="sans référent choisi, la page propose de le choisir",
        ),
        post(
            None,
            only(["structure_admin_a"], denied=403) | {"coordinator": 404},
            data=lambda w: {
                "former": str(w.users["professional_a"].memberships.get().public_id),
                "everyone": "1",
                "referent": str(w.colleague.public_id),
                "note": "Congé de trois mois : Léa reprend ses accompagnements.",
            },
            state=lambda w: _referents(w.structure_a),
            changes=["structure_admin_a"],
        ),
    ],
    # Asked by the référent or an admin of the organisme référent (B, without référent here): nobody in the matrix.
    "entry:request_reorientation": [
        get(ORIENTED, {**CARNET, "professional_a": 403, "orientation_manager": 403, "professional_b": 403}),
        post(
            ORIENTED,
            {**CARNET, "professional_a": 403, "orientation_manager": 403, "professional_b": 403},
            data=lambda w: {"reason": "Sa situation a changé."},
            state=lambda w: _statuses(w.oriented),
        ),
    ],
    "entry:referent_options": [get(None, only(["orientation_manager"]))],
    "entry:worklist": [
        get(None, only(["orientation_manager"])),
        post(
            None,
            only(["orientation_manager"], status=302),
            data=lambda w: {"nom": "Moreau"},
            note="garde le nom cherché dans la session du chargé d'orientation : rien d'autre ne change",
        ),
    ],
    "entry:commission_list": [
        get(None, only(["orientation_manager"])),
        post(
            None,
            only(["orientation_manager"], status=302),
            data=lambda w: {"title": "Commission d'orientation", "held_on": "2026-03-12"},
            state=lambda w: Commission.objects.count(),
            changes=["orientation_manager"],
        ),
    ],
    "entry:commission_detail": [
        get(COMMISSION, only(["orientation_manager"])),
        post(
            COMMISSION,
            only(["orientation_manager"], status=302),
            data=lambda w: {"action": "ajouter", "personnes": [str(w.oriented.public_id)]},
            state=lambda w: list(w.commission.persons.order_by("pk").values_list("pk", flat=True)),
            changes=["orientation_manager"],
        ),
        post(
            COMMISSION,
            only(["orientation_manager"], status=302),
            data=lambda w: {
                "action": "decider",
                f"parcours-{w.person.public_id}": "professional",
                f"structure-{w.person.public_id}": w.structure_b.pk,
                f"motif-{w.person.public_id}": "",
            },
            state=lambda w: _statuses(w.person),
            changes=["orientation_manager"],
        ),
    ],
    "entry:commission_minutes": [get(COMMISSION, only(["orientation_manager"]))],
    "entry:merge": [
        get(None, only(["coordinator"])),
        post(
            None,
            only(["coordinator"], status=302),
            data=lambda w: {
                "dossier_1": str(w.twins[0].public_id),
                "dossier_2": str(w.twins[1].public_id),
                "survivant": str(w.twins[0].public_id),
            },
            state=lambda w: list(Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)),
            changes=["coordinator"],
        ),
    ],
    # The probable duplicates across the département: the coordinators, who merge.
    "entry:duplicate_list": [
        get(None, only(["coordinator"])),
        post(
            None,
            only(["coordinator"], status=302),
            state=lambda w: DuplicateScan.objects.count(),
            changes=["coordinator"],
        ),
    ],
    "entry:duplicate_pair": [
        get(PAIR, only(["coordinator"])),
        post(
            PAIR,
            only(["coordinator"], status=302),
            data=lambda w: {"action": "fusionner", "conserver": "premier"},
            state=lambda w: list(Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)),
            changes=["coordinator"],
        ),
        post(
            PAIR,
            only(["coordinator"], status=302),
            data=lambda w: {"action": "distinguer"},
            state=lambda w: DuplicatePair.objects.get(pk=w.pair.pk).status,
            changes=["coordinator"],
        ),
    ],
    "entry:merge_undo": [
        post(
            lambda w: {"merge_id": w.merge.public_id},
            only(["coordinator"], 302),
            state=lambda w: PersonMerge.objects.get(pk=w.merge.pk).undone_at is None,
            changes=["coordinator"],
        )
    ],
    "entry:proposal_rules": [get(None, only(["coordinator", "orientation_manager"]))],
    "entry:referential_edit": [
        get(None, only(["coordinator"])),
        post(
            None,
            only(["coordinator"], status=302),
            data=_referential_edit,
            state=lambda w: list(DiagnosticReferential.objects.exclude(version=1).values_list("version", flat=True)),
            changes=["coordinator"],
        ),
    ],
    # Appointments. The team (A) and the organisme référent (B for the oriented person) plan and record; the
    # orientation manager reads them with the carnet; the person's invitation page is public, while its link serves.
    "pathway:person_appointments": [get(PERSON, CARNET)],
    "pathway:appointment_create": [
        get(PERSON, {**CARNET, "orientation_manager": 403}),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: _appointment_data(w.users["professional_a"]),
            state=lambda w: Appointment.objects.filter(person=w.person).count(),
            changes=["professional_a"],
        ),
    ],
    # The first appointment after the orientation: the organisme référent (B) invites.
    "pathway:appointment_invite": [
        get(ORIENTED, {**CARNET, "professional_a": 403, "professional_b": 200, "orientation_manager": 403}),
        post(
            ORIENTED,
            {**CARNET, "professional_a": 403, "professional_b": 302, "orientation_manager": 403},
            data=lambda w: _appointment_data(w.users["professional_b"]),
            state=lambda w: Appointment.objects.filter(person=w.oriented).count(),
            changes=["professional_b"],
        ),
    ],
    "pathway:appointment_detail": [get(APPOINTMENT, CARNET)],
    "pathway:appointment_ics": [get(APPOINTMENT, CARNET)],
    "pathway:appointment_attendance": [
        post(
            APPOINTMENT,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: {"status": "excused", "reason": "Entretien d'embauche le même jour."},
            state=lambda w: Appointment.objects.get(pk=w.appointment.pk).status,
            changes=["professional_a"],
        )
    ],
    "pathway:appointment_send_invitation": [
        post(
            APPOINTMENT,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            state=lambda w: AppointmentInvitation.objects.filter(appointment=w.appointment).count(),
            changes=["professional_a"],
        )
    ],
    "pathway:appointment_cancel": [
        get(APPOINTMENT, {**CARNET, "orientation_manager": 403}),
        post(
            APPOINTMENT,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: {"reason": "La personne a un empêchement."},
            state=lambda w: Appointment.objects.get(pk=w.appointment.pk).status,
            changes=["professional_a"],
        ),
    ],
    "pathway:appointment_reschedule": [
        get(APPOINTMENT, {**CARNET, "orientation_manager": 403}),
        post(
            APPOINTMENT,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: _appointment_data(w.users["professional_a"], days=6),
            state=lambda w: Appointment.objects.get(pk=w.appointment.pk).starts_at,
            changes=["professional_a"],
        ),
    ],
    "pathway:agenda": [get(None, logged(200))],
    # The person's answer: the link is the right, whoever opens it; a used or expired link changes nothing.
    "pathway:appointment_answer": [
        get(lambda w: {"token": w.valid_token}, everyone(200)),
        post(
            lambda w: {"token": w.valid_token},
            everyone(200),
            data=lambda w: {"answer": "confirm"},
            state=lambda w: Appointment.objects.get(pk=w.invited.appointment_id).person_answer,
            changes=ROLES,
        ),
        get(lambda w: {"token": w.used_token}, everyone(410)),
        post(
            lambda w: {"token": w.used_token},
            everyone(410),
            data=lambda w: {"answer": "confirm"},
            state=lambda w: sorted(Appointment.objects.values_list("person_answer", flat=True)),
        ),
        get(lambda w: {"token": w.expired_token}, everyone(410)),
        post(
            lambda w: {"token": w.expired_token},
            everyone(410),
            data=lambda w: {"answer": "confirm"},
            state=lambda w: sorted(Appointment.objects.values_list("person_answer", flat=True)),
        ),
        get(lambda w: {"token": "jeton-inconnu"}, everyone(404)),
    ],
    "pathway:appointment_answer_ics": [
        get(lambda w: {"token": w.valid_token}, everyone(200)),
        get(lambda w: {"token": w.used_token}, everyone(410)),
        get(lambda w: {"token": w.expired_token}, everyone(410)),
    ],
    # Contrat d'engagement. The carnet's readers read it (professional A, référent; the admin of A, organisme
    # référent; the orientation manager of the territory); the organisme référent alone drafts, signs and changes it.
    **{
        name: [get(kwargs, CONTRACT_READ)]
        for name, kwargs in [
            ("pathway:contract_home", lambda w: {"public_id": w.accompanied.public_id}),
            ("pathway:contract_detail", lambda w: {"contract_id": w.amendment.public_id}),
            ("pathway:contract_print", lambda w: {"contract_id": w.signed.public_id}),
            ("pathway:contract_diff", lambda w: {"contract_id": w.amendment.public_id}),
        ]
    },
    "pathway:social_review": [
        get(lambda w: {"public_id": w.accompanied.public_id}, CONTRACT_READ),
        # The review expected since the signature, recorded as held with France Travail.
        post(
            lambda w: {"public_id": w.accompanied.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"formulaire": "tenue", "tenue-held_on": _today(), "tenue-outcome": "Parcours maintenu."},
            state=lambda w: list(SocialReview.objects.filter(pathway__person=w.accompanied).values_list("held_on")),
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:contract_worklist": [get(None, logged(200))],
    "pathway:contract_create": [
        get(lambda w: {"public_id": w.uncontracted.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"public_id": w.uncontracted.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"starts_on": _today(), "review_on": _today(90), "weekly_hours": 15},
            state=lambda w: EngagementContract.objects.filter(pathway__person=w.uncontracted).count(),
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:contract_edit": [
        get(lambda w: {"contract_id": w.amendment.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"contract_id": w.amendment.public_id},
            CONTRACT_POSTED,
            data=lambda w: {
                "starts_on": w.amendment.starts_on.isoformat(),
                "review_on": _today(120),
                "weekly_hours": 15,
                "lock_version": EngagementContract.objects.get(pk=w.amendment.pk).lock_version,
            },
            state=lambda w: EngagementContract.objects.get(pk=w.amendment.pk).review_on,
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:contract_sign": [
        get(lambda w: {"contract_id": w.amendment.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"contract_id": w.amendment.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"signed_on": _today(), "agreement_mode": "paper"},
            state=lambda w: EngagementContract.objects.get(pk=w.amendment.pk).status,
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:contract_renew": [
        get(lambda w: {"contract_id": w.signed.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"contract_id": w.renewable.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"starts_on": _today(1), "review_on": _today(180)},
            state=lambda w: EngagementContract.objects.filter(pathway__person=w.renewable_person).count(),
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:contract_end": [
        get(lambda w: {"contract_id": w.signed.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"contract_id": w.signed.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"ended_on": _today(), "reason": "Sortie vers l'emploi"},
            state=lambda w: EngagementContract.objects.get(pk=w.signed.pk).status,
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:objective_add": [
        get(lambda w: {"contract_id": w.amendment.public_id}, CONTRACT_WRITE),
        post(
            lambda w: {"contract_id": w.amendment.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"label": "Passer le permis de conduire"},
            state=lambda w: Objective.objects.filter(contract=w.amendment).count(),
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:objective_edit": [
        get(OBJECTIVE, CONTRACT_WRITE),
        post(
            OBJECTIVE,
            CONTRACT_POSTED,
            data=lambda w: {
                "label": "Trouver un logement stable",
                "lock_version": Objective.objects.get(pk=w.objective.pk).lock_version,
            },
            state=lambda w: Objective.objects.get(pk=w.objective.pk).label,
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:action_add": [
        get(OBJECTIVE, CONTRACT_WRITE),
        post(
            OBJECTIVE,
            CONTRACT_POSTED,
            data=lambda w: {"label": "Visiter un foyer", "who": "together", "due_on": _today(10)},
            state=lambda w: ContractAction.objects.filter(objective=w.objective).count(),
            changes=CONTRACT_WRITERS,
        ),
    ],
    "pathway:action_edit": [
        get(ACTION, CONTRACT_WRITE),
        post(
            ACTION,
            CONTRACT_POSTED,
            data=lambda w: {
                "label": "Demande d'hébergement d'urgence",
                "who": "referent",
                "due_on": _today(10),
                "lock_version": ContractAction.objects.get(pk=w.action.pk).lock_version,
            },
            state=lambda w: ContractAction.objects.get(pk=w.action.pk).label,
            changes=CONTRACT_WRITERS,
        ),
    ],
    # A signed contract with an amendment in preparation: a second one is refused (the same redirection), for
    # everyone; the draft is abandoned by its organisme référent only.
    "pathway:contract_amend": [
        post(
            lambda w: {"contract_id": w.signed.public_id},
            CONTRACT_POSTED,
            state=lambda w: EngagementContract.objects.filter(pathway__person=w.accompanied).count(),
        )
    ],
    "pathway:contract_discard": [
        post(
            lambda w: {"contract_id": w.amendment.public_id},
            CONTRACT_POSTED,
            state=lambda w: EngagementContract.objects.filter(pk=w.amendment.pk).exists(),
            changes=CONTRACT_WRITERS,
        )
    ],
    "pathway:action_status": [
        post(
            ACTION,
            CONTRACT_POSTED,
            data=lambda w: {
                "status": "in_progress",
                "lock_version": ContractAction.objects.get(pk=w.action.pk).lock_version,
            },
            state=lambda w: ContractAction.objects.get(pk=w.action.pk).status,
            changes=CONTRACT_WRITERS,
        )
    ],
    # Removing a line of the contract posts the version of the line the page showed.
    "pathway:objective_remove": [
        post(
            lambda w: {"contract_id": w.amendment.public_id, "objective_id": w.objective.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"lock_version": Objective.objects.get(pk=w.objective.pk).lock_version},
            state=lambda w: Objective.objects.filter(pk=w.objective.pk).exists(),
            changes=CONTRACT_WRITERS,
        )
    ],
    "pathway:action_remove": [
        post(
            lambda w: {"contract_id": w.amendment.public_id, "action_id": w.action.public_id},
            CONTRACT_POSTED,
            data=lambda w: {"lock_version": ContractAction.objects.get(pk=w.action.pk).lock_version},
            state=lambda w: ContractAction.objects.filter(pk=w.action.pk).exists(),
            changes=["professional_a", "structure_admin_a"],
        )
    ],
    # Offer. Services of structure A: its admins manage them (the coordinator administers the Département, not
    # A); a draft is seen by A's members only. Professional A orients the person to B's service: the referral is
    # seen by A (the prescriber's structure and the person's team) and by B (which answers it), by nobody else.
    "offer:search": [get(None, logged(200))],
    "offer:person_search": [
        get(PERSON, CARNET),
        # A search from the carnet is posted (nothing of the person in the address); one that finds nothing is
        # counted as an unmet need (commune × besoin, never who searched for whom).
        post(
            PERSON,
            CARNET,
            data=lambda w: {"commune": "91228", "thematique": "sante--sante-mentale"},
            state=_unmet_searches,
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "offer:referral_create": [
        get(lambda w: {"person_id": w.person.public_id, "public_id": w.service_b.public_id}, CARNET),
        post(
            lambda w: {"person_id": w.person.public_id, "public_id": w.service.public_id},
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: {"message": "Pour préparer le code de la route."},
            state=lambda w: Referral.objects.filter(person=w.person, service=w.service).count(),
            changes=["professional_a", "orientation_manager"],
        ),
    ],
    "offer:structure_services": [get(None, logged(200))],
    "offer:service_create": [
        get(None, only(["structure_admin_a", "coordinator"])),
        # Each admin describes a service of their own structure.
        post(
            None,
            only(["structure_admin_a", "coordinator"], status=302),
            data=lambda w: service_form(),
            state=lambda w: sorted(Service.objects.values_list("structure_id", "name")),
            changes=["structure_admin_a", "coordinator"],
        ),
    ],
    "offer:service_detail": [
        get(SERVICE, logged(200)),
        get(
            lambda w: {"public_id": w.draft_service.public_id},
            only(["professional_a", "structure_admin_a"], denied=404),
        ),
    ],
    "offer:service_edit": [
        get(SERVICE, only(["structure_admin_a"])),
        post(
            SERVICE,
            only(["structure_admin_a"], status=302),
            data=lambda w: service_form(name="Permis solidaire, session d'été"),
            state=lambda w: Service.objects.get(pk=w.service.pk).name,
            changes=["structure_admin_a"],
        ),
    ],
    "offer:service_suspend": [
        get(SERVICE, only(["structure_admin_a"])),
        post(
            SERVICE,
            only(["structure_admin_a"], status=302),
            data=lambda w: {"start": timezone.localdate().isoformat(), "reason": "Congés d'été"},
            state=lambda w: Service.objects.get(pk=w.service.pk).suspended_from,
            changes=["structure_admin_a"],
        ),
    ],
    "offer:service_change": [
        post(
            lambda w: {"public_id": w.service.public_id, "change": "confirmer"},
            only(["structure_admin_a"], status=302),
            state=lambda w: Service.objects.get(pk=w.service.pk).updated_at,
            changes=["structure_admin_a"],
        ),
        # A draft: unknown outside structure A.
        post(
            lambda w: {"public_id": w.draft_service.public_id, "change": "publier"},
            only(["structure_admin_a"], status=302, denied=404) | {"professional_a": 403},
            state=lambda w: Service.objects.get(pk=w.draft_service.pk).status,
            changes=["structure_admin_a"],
        ),
        post(
            lambda w: {"public_id": w.service.public_id, "change": "archiver"},
            only(["structure_admin_a"], status=302),
            state=lambda w: Service.objects.get(pk=w.service.pk).status,
            changes=["structure_admin_a"],
        ),
    ],
    "offer:referral_inbox": [get(None, logged(200))],
    "offer:referral_sent": [get(None, logged(200))],
    "offer:referral_export": [get(None, logged(200))],
    "offer:referral_detail": [
        get(REFERRAL, only(["professional_a", "structure_admin_a", "professional_b"], denied=404)),
    ],
    # B answers; A (the prescriber's side) reads but does not answer for B; nobody else knows the referral.
    "offer:referral_transition": [
        post(
            lambda w, step=step: {"public_id": w.referral.public_id, "step": step},
            {**only(["professional_b"], status=302, denied=404), "professional_a": 403, "structure_admin_a": 403},
            data=lambda w, data=data: data,
            state=lambda w: (Referral.objects.get(pk=w.referral.pk).status, _team(w.person)),
            changes=["professional_b"],
        )
        for step, data in [
            ("etudier", {}),
            ("accepter", {"accepter-message": "Premier rendez-vous mardi."}),
            ("refuser", {"refuser-reason": "full", "refuser-message": ""}),
        ]
    ],
    # The carnet's notes: whoever sees the carnet reads and writes; only the author edits (while not fixed).
    "pathway:note_list": [
        get(PERSON, CARNET),
        post(PERSON, CARNET, data=lambda w: {"q": "entretien"}, note="une recherche : elle n'écrit que le journal"),
        get(OBJECTING_PERSON, OBJECTING),
    ],
    "pathway:note_create": [
        get(PERSON, CARNET),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: _note_data("Appel pour préparer le rendez-vous."),
            state=lambda w: Note.objects.filter(person=w.person).count(),
            changes=CARNET_ROLES,
        ),
    ],
    "pathway:note_edit": [
        get(NOTE, {**CARNET, "orientation_manager": 403}),
        post(
            NOTE,
            {**CARNET, "professional_a": 302, "orientation_manager": 403},
            data=lambda w: _note_data("Premier entretien, au centre social.", version=w.note.version),
            state=lambda w: Note.objects.get(pk=w.note.pk).text,
            changes=["professional_a"],
        ),
    ],
    "pathway:note_correct": [
        get(NOTE, CARNET),
        post(
            NOTE,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: _note_data("Premier entretien : le 2, pas le 3."),
            state=lambda w: Note.objects.filter(corrects=w.note).count(),
            changes=CARNET_ROLES,
        ),
    ],
    # The right to object: recorded by whoever sees the carnet; after an objection, by the organisme référent only.
    "pathway:sharing": [
        get(PERSON, CARNET),
        post(
            PERSON,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: _sharing_data("informed"),
            state=lambda w: SharingFact.objects.filter(person=w.person).count(),
            changes=CARNET_ROLES,
        ),
        get(OBJECTING_PERSON, OBJECTING),
        # The organisme référent records the withdrawal of the objection.
        post(
            OBJECTING_PERSON,
            {**OBJECTING, "professional_b": 302},
            data=lambda w: _sharing_data("withdrawn"),
            state=lambda w: Person.objects.get(pk=w.objecting.pk).objects_to_sharing,
            changes=["professional_b"],
        ),
    ],
    # Rupture alerts: lists narrowed to what each one sees; acting on an alert takes seeing its carnet; the
    # coordination's counts by EPCI hold no name.
    "pathway:my_alerts": [get(None, logged(200))],
    "pathway:structure_alerts": [get(None, logged(200))],
    "pathway:alert_counts": [get(None, only(["coordinator"]))],
    "pathway:alert_take": [
        post(
            ALERT,
            only(CARNET_ROLES, 302, denied=404),
            state=lambda w: _alert_state(w),
            changes=CARNET_ROLES,
        )
    ],
    "pathway:alert_assign": [
        get(ALERT, CARNET),
        post(
            ALERT,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: {"member": w.member.pk},
            state=lambda w: _alert_state(w),
            changes=CARNET_ROLES,
        ),
    ],
    "pathway:alert_close": [
        get(ALERT, CARNET),
        post(
            ALERT,
            {**CARNET, "professional_a": 302, "orientation_manager": 302},
            data=lambda w: _note_data("Joint par téléphone : l'orientation est en cours."),
            state=lambda w: _alert_state(w),
            changes=CARNET_ROLES,
        ),
    ],
    "imports:run_list": [
        get(None, only(IMPORTERS)),
        post(None, only(IMPORTERS, status=302), data=_upload, state=_import_state, changes=IMPORTERS),
    ],
    "imports:run_detail": [get(lambda w: {"public_id": w.import_run.public_id}, IMPORT_RUN)],
    "imports:run_progress": [get(lambda w: {"public_id": w.import_run.public_id}, IMPORT_RUN)],
    "imports:report_csv": [get(lambda w: {"public_id": w.import_run.public_id}, IMPORT_RUN)],
    # Resuming a stuck run: whoever may start an import for its structure.
    "imports:resume": [
        get(lambda w: {"public_id": w.stalled_run.public_id}, logged(405)),
        post(
            lambda w: {"public_id": w.stalled_run.public_id},
            {**IMPORT_RUN, "orientation_manager": 302, "coordinator": 302},
            state=lambda w: _stalled_run_state(w),
            changes=["orientation_manager", "coordinator"],
        ),
    ],
    "imports:review": [get(lambda w: {"public_id": w.import_run.public_id}, IMPORT_RUN)],
    "imports:decide": [
        post(
            lambda w: {"public_id": w.import_row.public_id},
            {**IMPORT_RUN, "orientation_manager": 302, "coordinator": 302},
            data=lambda w: {"decision": str(w.person.public_id)},
            state=_import_row_state,
            changes=["orientation_manager", "coordinator"],
        )
    ],
    "imports:profile_list": [
        get(None, only(IMPORTERS)),
        post(
            None,
            only(IMPORTERS, status=302),
            data=lambda w: {
                "name": "Liste de la mission locale",
                "entry_source": "import",
                "header_0": "Nom",
                "header_1": "Prénom",
                "header_2": "Né le",
                "header_3": "Ville",
                "column_0": "birth_name",
                "column_1": "first_names",
                "column_2": "birth_date",
                "column_3": "commune_name",
            },
            state=_import_profiles,
            changes=IMPORTERS,
        ),
    ],
    "imports:profile_delete": [
        post(
            lambda w: {"public_id": w.import_profile.public_id},
            {**IMPORT_RUN, "orientation_manager": 302, "coordinator": 302},
            state=_import_profiles,
            changes=["orientation_manager", "coordinator"],
        )
    ],
    # The technical admin: staff only; everyone else is sent to the Relais login.
    "admin:index": [get(None, logged(302))],
}


# Namespaces whose URLs are covered by one row (the Django admin's own pages).
COVERED_NAMESPACES = {"admin"}


def _named_patterns(resolver=None, namespace=""):
    """(name, view) of every URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<sans nom> {pattern.pattern}"
            yield name, pattern.callback


def _takes_post(view):
    """A class-based view with a ``post`` method, or a function view that reads the POST (``require_POST``,
    ``request.method == "POST"``, ``request.POST``): its decorators are part of its source."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    return "POST" in inspect.getsource(view)


def _uncovered(name):
    return name.split(":")[0] in COVERED_NAMESPACES


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(name for name, _view in _named_patterns() if name not in MATRIX and not _uncovered(name))
    assert not missing, f"URL sans ligne dans la matrice d'accès : {missing}"


def test_every_url_that_takes_a_post_has_a_post_row():
    takes_post = {name for name, view in _named_patterns() if not _uncovered(name) and _takes_post(view)}
    missing = sorted(name for name in takes_post if not any(row.method == "post" for row in MATRIX.get(name, [])))
    assert not missing, f"URL qui accepte un POST sans ligne POST dans la matrice d'accès : {missing}"
    # The detection finds the forms we know of: it would not silently find nothing.
    assert {"entry:decide", "entry:merge_undo", "accounts:password_change"} <= takes_post


def test_matrix_names_every_role():
    for name, rows in MATRIX.items():
        for row in rows:
            assert set(row.expected) == set(ROLES), name


def test_every_post_row_says_what_it_may_change():
    for name, rows in MATRIX.items():
        for row in rows:
            if row.method != "post":
                continue
            assert row.state is not None or row.note, f"{name} : ligne POST sans état à comparer ni explication"
            assert row.changes <= {role for role in ROLES if row.expected[role] in ALLOWED}, (
                f"{name} : un rôle refusé ne peut pas changer l'état"
            )


def _case(name, index, role):
    row = MATRIX[name][index]
    marks = [pytest.mark.xfail(strict=True, reason=row.holes[role])] if role in row.holes else []
    return pytest.param(name, index, role, id=f"{name}[{index}:{row.method}]-{role}", marks=marks)


CASES = [_case(name, index, role) for name, rows in MATRIX.items() for index in range(len(rows)) for role in ROLES]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_access(name, index, role, client, shared_world, db):
    users, world = shared_world
    row = MATRIX[name][index]
    url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else None)
    if role != "anonymous":
        client.force_login(users[role])
    before = row.state(world) if row.state else None
    data = row.data(world) if row.data else {}
    response = client.post(url, data) if row.method == "post" else client.get(url)
    assert response.status_code == row.expected[role], f"{row.method.upper()} {url} en tant que {role}"
    if role == "anonymous" and response.status_code == 302 and getattr(resolve(url).func, "login_required", True):
        # Closed by default: an anonymous visitor always ends on the Relais login page; a POST is sent there at once
        # (following it would only show the login page again).
        if row.method == "get":
            final = client.get(url, follow=True)
            assert final.request["PATH_INFO"] == reverse("accounts:login")
        else:
            assert response.url.split("?")[0] == reverse("accounts:login"), response.url
    if row.state:
        after = row.state(world)
        if role in row.changes:
            assert after != before, f"POST {url} en tant que {role} : rien n'a changé ({before!r})"
        else:
            assert after == before, f"POST {url} en tant que {role} : {before!r} est devenu {after!r}"
