"""The journals show a person's identity only to those who may see that person; reading them is journalled.

A coordinator pilots and audits without reading carnets: in the change history they see that a change happened,
by whom, for which structure and on which field, never the values (names, birth dates, phones, addresses,
emails) of a person outside their need-to-know.
"""

import datetime

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import AccessLog, ChangeLog
from tests.factories import MembershipFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("audit:change_log")
ACCESS_URL = reverse("audit:access_log")
IDENTITY = ["Lemaire", "LEMAIRE", "Josiane", "1971", "03/02", "+33612345678", "06 12 34 56 78", "josiane@", "Lilas"]


@pytest.fixture
def person(professional_a, structure_a):
    """A person created and then edited by professional A: her identity is all over the change history."""
    with acting_as(professional_a, structure_a):
        person = PersonFactory(
            birth_name="Lemaire",
            first_names="Josiane",
            birth_date=datetime.date(1971, 2, 3),
            phone="+33612345678",
            email="josiane@exemple.fr",
            address="3 rue des Lilas",
            followed_by=professional_a.memberships.get(),
        )
        person.address = "5 rue des Lilas"
        person.save()
    return person


class TestACoordinatorOutsideTheNeedToKnow:
    def test_sees_that_changes_happened_and_by_whom_but_no_identity(self, login, coordinator, person, professional_a):
        response = login(coordinator).get(CHANGE_URL, {"objet": "people.person"})

        page, body = text(response), response.content.decode()
        assert response.status_code == 200
        assert "2 modifications." in page
        assert str(professional_a) in page
        assert "France Travail Évry-Courcouronnes" in page
        assert "personne accompagnée (identité masquée)" in page
        assert "adresse : valeur masquée" in page
        assert "nom de naissance : valeur masquée" in page
        assert "téléphone : valeur masquée" in page
        for secret in IDENTITY:
            assert secret not in body, secret

    def test_the_access_log_names_nobody_they_may_not_see(self, login, coordinator, person, professional_a):
        login(professional_a).get(reverse("entry:person_detail", args=[person.public_id]))

        response = login(coordinator).get(ACCESS_URL, {"objet": "people.person"})

        body = response.content.decode()
        assert "personne accompagnée (identité masquée)" in text(response)
        assert str(person.public_id) in body  # the opaque id, to follow a complaint with the team
        for secret in IDENTITY:
            assert secret not in body, secret


class TestAReaderWhoMaySeeThePerson:
    @pytest.fixture
    def coordinator_orienting(self, departement):
        """A coordinator who also orients for the whole département: the person is in their need-to-know."""
        return MembershipFactory(
            structure=departement, coordinator=True, orientation_manager=True, user__email="coord.orient@exemple.fr"
        ).user

    def test_sees_the_values_with_the_field_labels(self, login, coordinator_orienting, person):
        response = login(coordinator_orienting).get(CHANGE_URL, {"objet": "people.person"})

        page = text(response)
        assert "LEMAIRE Josiane" in page
        assert "adresse : 3 rue des Lilas → 5 rue des Lilas" in page
        assert "date de naissance : (vide) → 03/02/1971" in page
        assert "valeur masquée" not in page

    def test_each_person_shown_is_a_read_of_that_person(self, login, coordinator_orienting, person, departement):
        login(coordinator_orienting).get(CHANGE_URL)

        read = AccessLog.objects.get(object_type="people.person", object_id=str(person.public_id))
        assert (read.user, read.structure, read.action) == (coordinator_orienting, departement, "view")
        assert read.detail == "historique des modifications"

    def test_the_pathway_and_the_team_of_a_person_follow_the_same_rule(
        self, login, coordinator, coordinator_orienting, person
    ):
        assert ChangeLog.objects.filter(object_type="pathway.pathway").exists()

        hidden = login(coordinator).get(CHANGE_URL, {"objet": "pathway.pathway"})
        shown = login(coordinator_orienting).get(CHANGE_URL, {"objet": "pathway.pathway"})

        assert "Parcours de LEMAIRE Josiane" not in text(hidden)
        assert "parcours (identité masquée)" in text(hidden)
        assert "Parcours de LEMAIRE Josiane" in text(shown)


class TestReadingTheJournalsIsJournalled:
    @pytest.mark.parametrize(
        ("url", "label"), [(CHANGE_URL, "Historique des modifications"), (ACCESS_URL, "Journal des accès")]
    )
    def test_every_page_read(self, login, coordinator, departement, url, label):
        login(coordinator).get(url, {"utilisateur": "pro.a", "page": "1"})

        read = AccessLog.objects.get(object_label=label)
        assert (read.user, read.structure, read.action) == (coordinator, departement, "view")
        assert read.detail == "page 1 ; filtres : utilisateur = pro.a"

    def test_the_page_stays_within_its_query_budget(
        self, login, coordinator, person, membership_a, django_assert_max_num_queries
    ):
        with acting_as(membership_a.user, membership_a.structure):
            for index in range(30):
                PersonFactory(birth_name=f"Personne{index}", followed_by=membership_a)
        client = login(coordinator)

        # One query per type of record on the page (people, pathways, teams), one for who may be seen, one per
        # type of record named in the changes (users, structures, communes): never one per entry.
        for url in (CHANGE_URL, ACCESS_URL):
            with django_assert_max_num_queries(17):
                response = client.get(url)
            assert response.status_code == 200


@pytest.fixture
def membership_a(professional_a):
    return professional_a.memberships.get()
