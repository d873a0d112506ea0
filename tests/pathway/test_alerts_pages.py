"""The alerts where they are handled: on the carnet, in « Mes alertes », in the structure's list, in the coordination's
counts by EPCI (no names); the pages that take an alert in charge, assign it and close it with a note."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway import actions as pathway_actions
from pathway import objection_actions, ruptures
from pathway.models import Alert, Note, Pathway
from people.models import Person
from territory.models import Commune
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

MINE = reverse("pathway:my_alerts")
STRUCTURE = reverse("pathway:structure_alerts")
COUNTS = reverse("pathway:alert_counts")


def accompanied(person, referent, days=90):
    """The person is accompanied by ``referent`` (of their organisme référent) since ``days`` ago."""
    pathway = person.pathway
    pathway.status = Pathway.Status.ACCOMPANIED
    pathway.referent_structure = referent.structure
    pathway.referent = referent.user
    pathway.oriented_at = timezone.now() - datetime.timedelta(days=days)
    pathway.save()
    pathway.team.get_or_create(user=referent.user, structure=referent.structure, defaults={"role": "referent"})
    return person


@pytest.fixture
def referent(structure_b):
    return MembershipFactory(structure=structure_b, user__first_name="Rachida", user__last_name="Benali")


@pytest.fixture
def mine(referent, membership_a):
    """Three people of the référent without contact for 90 days, each with an open alert."""
    people = [
        accompanied(PersonFactory(birth_name=name, followed_by=membership_a), referent)
        for name in ("Arnaud", "Barbier", "Carpentier")
    ]
    ruptures.compute(keys={"no_contact"})
    return people


def alert_of(person):
    return Alert.objects.get(person=person, rule="no_contact")


class TestMyAlerts:
    def test_the_referent_sees_the_alerts_of_their_people_with_the_rule_and_its_threshold(
        self, login, referent, mine, settings
    ):
        page = text(login(referent.user).get(MINE))

        assert "3 alertes ouvertes" in page
        for person in mine:
            assert person.full_name in page
        assert "Aucun contact individuel" in page
        assert f"depuis {settings.RELAIS_RUPTURE_NO_CONTACT_DAYS} jours" in page
        assert f"{settings.RELAIS_RUPTURE_MISSED_APPOINTMENTS} rendez-vous manqués de suite" in page
        assert "Pas encore calculée" not in page  # The appointments and the contracts are wired.

    def test_an_alert_confided_to_someone_else_leaves_my_list_but_stays_in_my_people(
        self, login, referent, mine, membership_a
    ):
        from pathway import alert_actions

        member = mine[0].pathway.team.get(user=membership_a.user)
        alert_actions.assign(alert_of(mine[0]), by=referent, member=member)
        client = login(referent.user)

        assert mine[0].full_name not in text(client.get(MINE))
        assert mine[0].full_name in text(client.get(MINE, {"vue": "suivi"}))
        assert mine[0].full_name in text(login(membership_a.user).get(MINE))

    def test_an_objection_takes_the_alert_away_from_those_who_lose_the_carnet(
        self, login, referent, mine, membership_a
    ):
        from pathway import alert_actions

        member = mine[0].pathway.team.get(user=membership_a.user)
        alert_actions.assign(alert_of(mine[0]), by=referent, member=member)

        objection_actions.record_objection(mine[0], by=referent, on=timezone.localdate(), channel="interview")

        assert mine[0].full_name not in text(login(membership_a.user).get(MINE))

    def test_filter_by_rule(self, login, referent, mine):
        page = text(login(referent.user).get(MINE, {"regle": "contract_not_signed"}))

        assert "0 alerte ouverte" in page

    @pytest.mark.parametrize("count", [5, 40])
    def test_the_query_count_does_not_grow(self, login, referent, membership_a, count, django_assert_max_num_queries):
        for index in range(count):
            accompanied(PersonFactory(birth_name=f"Personne{index}", followed_by=membership_a), referent)
        ruptures.compute()
        client = login(referent.user)

        with django_assert_max_num_queries(12):
            response = client.get(MINE)
        with django_assert_max_num_queries(12):
            client.get(MINE, {"vue": "suivi"})
        with django_assert_max_num_queries(12):
            client.get(STRUCTURE)

        assert text(response).count("Aucun contact individuel") >= min(count, 25)


class TestStructureAndCounts:
    def test_the_structure_lists_the_alerts_of_its_people(self, login, referent, mine, structure_b):
        colleague = MembershipFactory(structure=structure_b)

        page = text(login(colleague.user).get(STRUCTURE))

        assert f"Alertes de {structure_b.name}" in page
        assert all(person.full_name in page for person in mine)

    def test_an_orientation_manager_also_lists_the_overdue_orientations_of_their_zone(
        self, login, orientation_manager, mine, membership_a
    ):
        late = PersonFactory(
            birth_name="Durand",
            rsa=True,
            followed_by=membership_a,
            followed_by__entered_at=timezone.localdate() - datetime.timedelta(days=50),
        )
        ruptures.compute(keys={"orientation_overdue"})

        page = text(login(orientation_manager).get(STRUCTURE))

        assert late.full_name in page
        assert not any(person.full_name in page for person in mine)

    def test_another_structure_sees_none_of_them(self, login, mine):
        page = text(login(MembershipFactory(structure=StructureFactory()).user).get(STRUCTURE))

        assert "0 alerte ouverte" in page

    def test_the_coordination_sees_counts_by_epci_without_names(self, login, coordinator, mine, membership_a):
        PersonFactory(
            rsa=True,
            followed_by=membership_a,
            followed_by__entered_at=timezone.localdate() - datetime.timedelta(days=60),
        )
        ruptures.compute()

        response = login(coordinator).get(COUNTS)

        page = text(response)
        assert "CA Grand Paris Sud Seine Essonne Sénart" in page or "Grand Paris Sud" in page
        assert "Alertes ouvertes par EPCI (4 en tout)" in page
        for person in mine:
            assert person.birth_name not in response.content.decode()

    def test_the_counts_follow_a_person_who_moves(self, login, coordinator, referent, mine):
        before = text(login(coordinator).get(COUNTS))
        moved = Commune.objects.exclude(epci_id=mine[0].commune.epci_id).exclude(epci__isnull=True).first()

        pathway_actions.update_person(mine[0], by=referent, version=None, changes={"commune": moved})

        assert alert_of(mine[0]).commune == moved
        after = text(login(coordinator).get(COUNTS))
        assert moved.epci.name not in before
        assert moved.epci.name in after

    def test_the_daily_run_brings_every_alert_to_its_persons_commune(self, mine):
        moved = Commune.objects.exclude(code=mine[1].commune_id).first()
        Person.objects.filter(pk=mine[1].pk).update(commune=moved)  # as an import or a merge might leave it

        ruptures.compute()

        assert alert_of(mine[1]).commune == moved
        assert alert_of(mine[0]).commune_id == mine[0].commune_id

    @pytest.mark.parametrize("count", [5, 40])
    def test_the_counts_read_a_bounded_number_of_queries(
        self, login, coordinator, referent, membership_a, count, django_assert_max_num_queries
    ):
        for index in range(count):
            accompanied(PersonFactory(birth_name=f"Personne{index}", followed_by=membership_a), referent)
        ruptures.compute()
        client = login(coordinator)

        with django_assert_max_num_queries(10):
            response = client.get(COUNTS)

        assert f"Alertes ouvertes par EPCI ({Alert.objects.filter(status='open').count()} en tout)" in text(response)


class TestHandlingPages:
    def test_taking_in_charge_from_the_carnet(self, login, referent, mine):
        alert = alert_of(mine[0])
        carnet = reverse("entry:person_detail", args=[mine[0].public_id])
        client = login(referent.user)
        assert "Aucun contact individuel : aucun contact individuel depuis le" in text(client.get(carnet))

        response = client.post(reverse("pathway:alert_take", args=[alert.public_id]), {"next": carnet}, follow=True)

        assert response.request["PATH_INFO"] == carnet
        assert "Vous avez pris l'alerte en charge" in text(response)
        assert "prise en charge, confiée à Rachida Benali" in text(response)

    def test_closing_needs_a_note_and_keeps_what_was_typed(self, login, referent, mine):
        alert = alert_of(mine[0])
        client = login(referent.user)
        url = reverse("pathway:alert_close", args=[alert.public_id])

        refused = client.post(
            url, {"kind": "contact", "text": "Joint au téléphone.", "visibility": "team", "contact_mode": "phone"}
        )
        assert "Indiquez la date du contact." in text(refused)
        assert "Joint au téléphone." in refused.content.decode()

        response = client.post(
            url,
            {
                "kind": "contact",
                "text": "Joint au téléphone.",
                "visibility": "team",
                "contact_mode": "phone",
                "contact_on": timezone.localdate().isoformat(),
            },
            follow=True,
        )

        alert.refresh_from_db()
        assert alert.status == Alert.Status.CLOSED
        assert Note.objects.get(person=mine[0], kind="contact").text == "Joint au téléphone."
        assert "L'alerte est close ; la note de clôture est sur le carnet." in text(response)
        assert "Joint au téléphone." in text(response)

    def test_assigning_offers_the_team(self, login, referent, mine, membership_a):
        alert = alert_of(mine[0])
        client = login(referent.user)
        url = reverse("pathway:alert_assign", args=[alert.public_id])

        form = text(client.get(url))
        assert f"{membership_a.user} – {membership_a.structure.name} (intervenant)" in form

        member = mine[0].pathway.team.get(user=membership_a.user)
        response = client.post(url, {"member": member.pk}, follow=True)

        assert f"L'alerte est confiée à {membership_a.user}." in text(response)
        alert.refresh_from_db()
        assert alert.assigned_to == membership_a.user
