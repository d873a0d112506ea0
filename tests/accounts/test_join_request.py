"""A partner not yet on Relais asks to join with its SIRET; a coordinator validates it; the first member becomes its
administrator (the one who asked, invited by email, or the earliest member already there)."""

import html
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts import actions
from accounts.models import Invitation, JoinRequest, Role, Structure, UserNotification
from relais.actions import ActionError
from territory.models import Commune
from tests.factories import MembershipFactory, StructureFactory, valid_siret
from tests.pages import field_error, input_value, text

SIRET = valid_siret(4242)


def join_form(**overrides):
    data = {
        "name": "Les Jardins de Cocagne d'Étampes",
        "kind": "siae",
        "siret": f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}",
        "address": "2 chemin des Potagers",
        "commune": "91223",
        "email": "contact@jardins.exemple.fr",
        "phone": "01 64 94 00 00",
        "first_name": "Awa",
        "last_name": "Traoré",
        "requester_email": "Awa.Traore@jardins.exemple.fr",
        "job_title": "directrice",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def join_values(**overrides):
    """What the join form hands to the action, cleaned."""
    return {
        "name": "Les Jardins de Cocagne d'Étampes",
        "siret": SIRET,
        "kind": "siae",
        "address": "2 chemin des Potagers",
        "commune": Commune.objects.get(code="91223"),
        "email": "contact@jardins.exemple.fr",
        "phone": "+33164940000",
        "covers_departement": False,
        "zone_communes": [],
        "zone_epcis": [],
        "first_name": "Awa",
        "last_name": "Traoré",
        "requester_email": "awa.traore@jardins.exemple.fr",
        "job_title": "directrice",
        **overrides,
    }


@pytest.mark.django_db
class TestAsking:
    def test_an_unknown_partner_asks_and_the_coordination_is_told(self, client, coordinator):
        url = reverse("accounts:structure_join")
        assert "SIRET" in text(client.get(url))

        response = client.post(url, join_form())

        assert response.status_code == 200
        assert "La demande d'inscription de « Les Jardins de Cocagne d'Étampes » est transmise" in text(response)
        structure = Structure.objects.get(siret=SIRET)
        assert (structure.is_validated, structure.kind, structure.commune_id) == (False, "siae", "91223")
        request = JoinRequest.objects.get(structure=structure)
        assert (request.requester, request.email) == ("Awa Traoré", "awa.traore@jardins.exemple.fr")
        notification = UserNotification.objects.get(user=coordinator)
        assert notification.subject == "Une structure demande à rejoindre Relais"
        assert notification.url == reverse("accounts:structure_detail", args=[structure.public_id])
        # Nobody's name in an address: the request was posted, and the page it leads to is the structure's.
        assert "Traor" not in notification.url

    def test_the_login_page_says_where_to_ask(self, client):
        assert reverse("accounts:structure_join") in client.get(reverse("accounts:login")).content.decode()

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"siret": "123 456 789 00012"}, "siret", "Ce numéro SIRET n'est pas valide"),
            ({"siret": None}, "siret", "Ce champ est obligatoire."),
            ({"requester_email": "awa@"}, "requester_email", "Saisissez une adresse de courriel valide."),
            ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
        ],
    )
    def test_bad_input_is_refused_next_to_its_field_and_nothing_is_lost(self, client, overrides, field, message):
        response = client.post(reverse("accounts:structure_join"), join_form(**overrides))

        assert response.status_code == 200
        assert message in field_error(response, field)
        assert "Les Jardins de Cocagne d&#x27;Étampes" in response.content.decode()
        assert not Structure.objects.filter(name__startswith="Les Jardins").exists()

    def test_a_structure_already_on_relais_asks_its_administrator(self, client):
        StructureFactory(name="Jardins de Cocagne", siret=SIRET)

        response = client.post(reverse("accounts:structure_join"), join_form())

        assert "« Jardins de Cocagne » est déjà sur Relais avec ce SIRET" in text(response)
        assert Structure.objects.filter(siret=SIRET).count() == 1
        assert not JoinRequest.objects.exists()

    def test_a_second_request_for_the_same_siret_waits_for_the_first(self, client):
        client.post(reverse("accounts:structure_join"), join_form())

        response = client.post(
            reverse("accounts:structure_join"),
            join_form(name="Jardins de Cocagne – antenne", requester_email="autre@exemple.fr"),
        )

        assert response.status_code == 200
        assert "Une demande d'inscription pour ce SIRET attend déjà la validation de la coordination" in text(response)
        # What was typed stays in the form.
        assert input_value(response, "name") == "Jardins de Cocagne – antenne"
        assert input_value(response, "requester_email") == "autre@exemple.fr"
        assert JoinRequest.objects.count() == 1
        assert Structure.objects.filter(siret=SIRET).count() == 1

    def test_the_action_refuses_a_second_request_in_french(self):
        actions.request_to_join(**join_values())

        with pytest.raises(ActionError, match="attend déjà la validation de la coordination : vous serez prévenu"):
            actions.request_to_join(**join_values(requester_email="autre@exemple.fr"))

        assert JoinRequest.objects.count() == 1

    def test_the_database_keeps_one_structure_awaiting_validation_per_siret(self):
        StructureFactory(siret=SIRET, pending=True)

        with pytest.raises(IntegrityError), transaction.atomic():
            StructureFactory(siret=SIRET, pending=True)

        # Validated structures may share one (the teams of one establishment), and structures without a SIRET
        # are not concerned.
        StructureFactory.create_batch(2, siret=valid_siret(4343))
        StructureFactory.create_batch(2, siret="", pending=True)

    def test_a_pending_structure_is_not_given_the_siret_of_another_one(self, login, coordinator):
        StructureFactory(name="Jardins de Cocagne", siret=SIRET, pending=True)
        other = StructureFactory(name="Lire et Écrire", pending=True, commune_id="91223")
        own_siret = other.siret
        url = reverse("accounts:structure_edit", args=[other.public_id])

        response = login(coordinator).post(url, join_form(name="Lire et Écrire en Essonne", kind="association"))

        assert response.status_code == 200
        assert "Une autre structure attend déjà la validation de la coordination avec ce SIRET" in field_error(
            response, "siret"
        )
        assert input_value(response, "name") == "Lire et Écrire en Essonne"
        other.refresh_from_db()
        assert (other.name, other.siret) == ("Lire et Écrire", own_siret)

    def test_requests_from_one_network_are_limited(self, client, settings):
        settings.RELAIS_JOIN_REQUESTS_PER_IP = 2
        url = reverse("accounts:structure_join")
        for n in (1, 2):
            client.post(url, join_form(siret=valid_siret(5000 + n), name=f"Association n° {n}"))

        response = client.post(url, join_form())

        assert "Trop de demandes d'inscription ont été envoyées depuis votre réseau" in text(response)
        assert JoinRequest.objects.count() == 2
        assert not Structure.objects.filter(siret=SIRET).exists()


@pytest.mark.django_db
class TestValidating:
    def test_the_coordinator_validates_and_the_one_who_asked_becomes_its_first_admin(
        self, client, login, coordinator, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.post(reverse("accounts:structure_join"), join_form())
        structure = Structure.objects.get(siret=SIRET)
        coordination = login(coordinator)
        detail = text(coordination.get(reverse("accounts:structure_detail", args=[structure.public_id])))
        assert "Demandée le" in detail and "Awa Traoré (directrice)" in detail

        with django_capture_on_commit_callbacks(execute=True):
            response = coordination.post(reverse("accounts:structure_validate", args=[structure.public_id]))

        assert response.status_code == 302
        structure.refresh_from_db()
        assert structure.is_validated
        invitation = Invitation.objects.get(structure=structure)
        assert (invitation.email, invitation.role) == ("awa.traore@jardins.exemple.fr", Role.STRUCTURE_ADMIN)
        assert JoinRequest.objects.get(structure=structure).invitation == invitation
        [message] = mailoutbox
        assert message.to == ["awa.traore@jardins.exemple.fr"]
        assert message.subject == "« Les Jardins de Cocagne d'Étampes » est inscrite sur Relais"
        token = re.search(r"/invitation/([^/\s]+)/", message.body).group(1)

        coordination.logout()
        accepted = client.post(
            reverse("accounts:accept_invitation", args=[token]),
            {
                "first_name": "Awa",
                "last_name": "Traoré",
                "password1": "Un-mot-de-passe-solide-2026!",
                "password2": "Un-mot-de-passe-solide-2026!",
            },
        )

        assert accepted.status_code == 302
        membership = structure.memberships.get()
        assert (membership.user.email, membership.role) == ("awa.traore@jardins.exemple.fr", Role.STRUCTURE_ADMIN)

    def test_the_earliest_member_already_there_becomes_admin(self, login, coordinator):
        structure = StructureFactory(pending=True)
        first = MembershipFactory(structure=structure)
        second = MembershipFactory(structure=structure)

        login(coordinator).post(reverse("accounts:structure_validate", args=[structure.public_id]))

        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.role, second.role) == (Role.STRUCTURE_ADMIN, Role.PROFESSIONAL)
        assert UserNotification.objects.filter(user=first.user).exists()
        assert not Invitation.objects.filter(structure=structure).exists()

    def test_only_the_coordination_validates(self, login, structure_admin_a):
        client = login(structure_admin_a)
        client.post(reverse("accounts:structure_join"), join_form())
        structure = Structure.objects.get(siret=SIRET)

        response = client.post(reverse("accounts:structure_validate", args=[structure.public_id]))

        assert response.status_code == 404
        structure.refresh_from_db()
        assert not structure.is_validated
        assert not Invitation.objects.exists()


@pytest.mark.django_db
class TestRefusing:
    REASON = "Ce SIRET est celui d'une autre association : demandez une invitation à son administrateur."

    def test_the_coordinator_refuses_with_a_reason_and_the_siret_is_free_again(
        self, client, login, coordinator, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.post(reverse("accounts:structure_join"), join_form())
        structure = Structure.objects.get(siret=SIRET)
        coordination = login(coordinator)
        detail = text(coordination.get(reverse("accounts:structure_detail", args=[structure.public_id])))
        assert "Motif du refus" in detail and "Refuser la demande" in detail

        with django_capture_on_commit_callbacks(execute=True):
            response = coordination.post(
                reverse("accounts:structure_refuse", args=[structure.public_id]), {"reason": self.REASON}
            )

        assert response.status_code == 302
        assert response.url == reverse("accounts:structure_list") + "?statut=a_valider"
        assert not Structure.objects.filter(siret=SIRET).exists()
        request = JoinRequest.objects.get(siret=SIRET)
        assert (request.structure, request.structure_name) == (None, "Les Jardins de Cocagne d'Étampes")
        assert (request.refused_by, request.refusal_reason) == (coordinator, self.REASON)
        assert request.refused_at is not None
        [message] = mailoutbox
        assert message.to == ["awa.traore@jardins.exemple.fr"]
        assert self.REASON in message.body and SIRET in message.body
        # A true request for the same SIRET is no longer held by the false one.
        client.post(reverse("accounts:structure_join"), join_form(name="Jardins de Cocagne"))
        assert Structure.objects.get(siret=SIRET).name == "Jardins de Cocagne"

    def test_a_refusal_without_reason_is_refused_next_to_its_field(self, login, coordinator):
        structure = StructureFactory(pending=True)
        JoinRequest.objects.create(structure=structure, first_name="Awa", last_name="Traoré", email="a@b.fr")

        response = login(coordinator).post(
            reverse("accounts:structure_refuse", args=[structure.public_id]), {"reason": "  "}
        )

        assert response.status_code == 200
        assert field_error(response, "reason")
        assert Structure.objects.filter(pk=structure.pk).exists()

    def test_a_structure_with_members_is_validated_or_corrected_not_refused(self, login, coordinator):
        structure = StructureFactory(pending=True, name="Antenne déjà utilisée")
        JoinRequest.objects.create(structure=structure, first_name="Awa", last_name="Traoré", email="a@b.fr")
        MembershipFactory(structure=structure)

        response = login(coordinator).post(
            reverse("accounts:structure_refuse", args=[structure.public_id]), {"reason": self.REASON}
        )

        assert response.status_code == 200
        assert "« Antenne déjà utilisée » a déjà des membres" in text(response)
        assert self.REASON in html.unescape(response.content.decode())  # what was typed is kept
        assert JoinRequest.objects.get(structure=structure).refused_at is None

    def test_only_the_coordination_refuses(self, login, structure_admin_a):
        structure = StructureFactory(pending=True)
        JoinRequest.objects.create(structure=structure, first_name="Awa", last_name="Traoré", email="a@b.fr")

        response = login(structure_admin_a).post(
            reverse("accounts:structure_refuse", args=[structure.public_id]), {"reason": self.REASON}
        )

        assert response.status_code == 404
        with pytest.raises(PermissionDenied):
            actions.refuse_join_request(structure, by=structure_admin_a.memberships.get(), reason=self.REASON)
        assert Structure.objects.filter(pk=structure.pk).exists()


@pytest.mark.django_db
class TestRefusedRequests:
    """The coordination finds the requests it refused, with their reason: the structure itself is gone."""

    def refuse(self, coordinator, name, siret, reason="Ce SIRET est celui d'une autre association."):
        structure = StructureFactory(pending=True, name=name, siret=siret)
        JoinRequest.objects.create(
            structure=structure, first_name="Awa", last_name="Traoré", email="awa@exemple.fr", job_title="directrice"
        )
        return actions.refuse_join_request(structure, by=coordinator.memberships.get(), reason=reason)

    def test_a_refused_request_is_listed_with_its_reason_who_refused_it_and_when(self, login, coordinator):
        self.refuse(coordinator, "Les Jardins d'Étampes", valid_siret(5151), reason="SIRET d'une autre association.")
        coordination = login(coordinator)
        partners = coordination.get(reverse("accounts:structure_list"))
        assert reverse("accounts:join_refusals") in partners.content.decode()

        page = text(coordination.get(reverse("accounts:join_refusals")))

        assert "1 demande refusée." in page
        assert "Les Jardins d'Étampes" in page and valid_siret(5151) in page
        assert "Awa Traoré, directrice" in page and "awa@exemple.fr" in page
        assert "SIRET d'une autre association." in page
        assert f"par {coordinator}" in page

    def test_searched_by_name_or_siret(self, login, coordinator):
        self.refuse(coordinator, "Jardins de Cocagne", valid_siret(5252))
        self.refuse(coordinator, "Atelier du Vélo", valid_siret(5353))
        coordination = login(coordinator)

        by_name = text(coordination.get(reverse("accounts:join_refusals"), {"q": "cocagne"}))
        by_siret = text(coordination.get(reverse("accounts:join_refusals"), {"q": valid_siret(5353)[:9]}))
        nothing = text(coordination.get(reverse("accounts:join_refusals"), {"q": "Introuvable"}))

        assert "Jardins de Cocagne" in by_name and "Atelier du Vélo" not in by_name
        assert "Atelier du Vélo" in by_siret and "Jardins de Cocagne" not in by_siret
        assert "Aucune demande refusée ne correspond à cette recherche." in nothing

    @pytest.mark.parametrize("refused", [1, 30])
    def test_the_list_reads_a_constant_number_of_queries(
        self, login, coordinator, refused, django_assert_max_num_queries
    ):
        for number in range(refused):
            self.refuse(coordinator, f"Structure {number}", valid_siret(6000 + number))
        coordination = login(coordinator)

        with django_assert_max_num_queries(8):
            response = coordination.get(reverse("accounts:join_refusals"))

        assert response.status_code == 200

    def test_only_the_coordination_reads_them(self, login, structure_admin_a, coordinator):
        self.refuse(coordinator, "Les Jardins d'Étampes", valid_siret(5454))

        response = login(structure_admin_a).get(reverse("accounts:join_refusals"))

        assert response.status_code == 403
        assert "Jardins" not in response.content.decode()
        assert (
            reverse("accounts:join_refusals")
            not in login(structure_admin_a).get(reverse("accounts:structure_list")).content.decode()
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file: two connections cannot send their requests at the same moment.",
)
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_siret_at_the_same_moment_on_two_connections(monkeypatch, coordinator):
    """Both requests find no structure with this SIRET (nothing to lock yet), then both insert one: the database
    keeps the first, the second is told in French, and the coordination is told once."""
    both_checked = threading.Barrier(2, timeout=10)
    save = Structure.save

    def save_once_both_checked(structure, *args, **kwargs):
        if structure.pk is None and structure.siret == SIRET:
            both_checked.wait()
        return save(structure, *args, **kwargs)

    monkeypatch.setattr(Structure, "save", save_once_both_checked)
    outcomes = {}

    def run(email):
        try:
            actions.request_to_join(**join_values(requester_email=email))
            outcomes[email] = "ok"
        except ActionError as error:
            outcomes[email] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(email,)) for email in ("awa@jardins.fr", "paul@jardins.fr")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == [actions.ALREADY_ASKED, "ok"]
    winner = next(email for email, outcome in outcomes.items() if outcome == "ok")
    structure = Structure.objects.get(siret=SIRET)
    assert not structure.is_validated
    assert JoinRequest.objects.get().email == winner
    assert JoinRequest.objects.get().structure == structure
    assert UserNotification.objects.filter(user=coordinator).count() == 1
