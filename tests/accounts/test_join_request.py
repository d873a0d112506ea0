"""A partner not yet on Relais asks to join with its SIRET; a coordinator validates it; the first member becomes its
administrator (the one who asked, invited by email, or the earliest member already there)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Invitation, JoinRequest, Role, Structure, UserNotification
from tests.factories import MembershipFactory, StructureFactory, valid_siret
from tests.pages import field_error, text

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

        response = client.post(reverse("accounts:structure_join"), join_form(requester_email="autre@exemple.fr"))

        assert "Une demande d'inscription pour ce SIRET attend déjà la validation" in text(response)
        assert JoinRequest.objects.count() == 1

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
