"""The orientation managers' worklist: who to orient, who is late, whose contract is awaited; filters; and
the query counts of the entry pages, which must not grow with the number of people shown."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from entry.models import Orientation
from entry.summary import home_summary
from pathway import actions as pathway_actions
from pathway.models import TeamMember
from people.merge import merge_persons
from tests.entry.factories import OrientationFactory
from tests.factories import MembershipFactory, UserFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def entered(days_ago, name, **kwargs):
    today = timezone.localdate()  # read at each call: a suite may run across midnight
    return PersonFactory(
        birth_name=name,
        first_names="Alex",
        birth_date=datetime.date(1980, 1, 1),
        followed_by__entered_at=today - datetime.timedelta(days=days_ago),
        rsa_since=today - datetime.timedelta(days=days_ago),
        **kwargs,
    )


@pytest.fixture
def people(structure_a, structure_b, orient):
    """One person per situation of the worklist."""
    today = timezone.localdate()
    oriented = entered(60, "Oriente", created_for=structure_a)
    orient(oriented, structure_b)
    return {
        "late": entered(49, "Retard"),
        "soon": entered(35, "Bientot", commune_id="91377"),
        "fresh": entered(0, "Nouveau", rqth=True),
        "young": PersonFactory(
            birth_name="Jeune", first_names="Alex", birth_date=today.replace(year=today.year - 20, day=1)
        ),
        "oriented": oriented,
    }


def shown(client, **params):
    page = text(client.get(reverse("entry:worklist"), params))
    names = {"late": "RETARD", "soon": "BIENTOT", "fresh": "NOUVEAU", "young": "JEUNE", "oriented": "ORIENTE"}
    return {key for key, name in names.items() if f"{name} Alex" in page}


class TestSections:
    def test_to_orient_lists_everyone_entered(self, login, orientation_manager, people):
        response = login(orientation_manager).get(reverse("entry:worklist"))

        page = text(response)
        assert "À orienter (4)" in page
        assert "Échéance dans 14 jours (1)" in page
        assert "En retard (1)" in page
        assert "Contrat d'engagement attendu (1)" in page
        assert shown(login(orientation_manager)) == {"late", "soon", "fresh", "young"}

    def test_rsa_entered_seven_weeks_ago_is_late(self, login, orientation_manager, people):
        client = login(orientation_manager)

        page = text(client.get(reverse("entry:worklist"), {"vue": "en_retard"}))

        due = people["late"].pathway.entered_at + datetime.timedelta(weeks=6)
        assert (
            f"RETARD Alex Évry-Courcouronnes {people['late'].pathway.entered_at:%d/%m/%Y} {due:%d/%m/%Y} en retard"
            in page
        )
        assert shown(client, vue="en_retard") == {"late"}

    def test_due_soon(self, login, orientation_manager, people):
        assert shown(login(orientation_manager), vue="echeance_proche") == {"soon"}

    def test_contract_awaited(self, login, orientation_manager, people):
        client = login(orientation_manager)

        page = text(client.get(reverse("entry:worklist"), {"vue": "contrat_attendu"}))

        assert shown(client, vue="contrat_attendu") == {"oriented"}
        assert "Mission locale Nord Essonne" in page

    def test_an_unknown_view_shows_the_people_to_orient(self, login, orientation_manager, people):
        assert shown(login(orientation_manager), vue="nimporte") == {"late", "soon", "fresh", "young"}

    def test_a_proposal_is_shown(self, login, orientation_manager, people, membership_a, propose):
        propose(people["fresh"], membership_a, "social")

        page = text(login(orientation_manager).get(reverse("entry:worklist")))

        assert "NOUVEAU Alex Évry-Courcouronnes" in page
        assert "social" in page
        assert "diagnostic à faire" in page


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"epci": "200056232"}, {"soon"}),
            ({"epci": "200059228"}, {"late", "fresh", "young"}),
            ({"commune": "91377"}, {"soon"}),
            ({"public": "rsa"}, {"late", "soon", "fresh"}),
            ({"public": "young"}, {"young"}),
            ({"public": "disabled"}, {"fresh"}),
        ],
    )
    def test_filters(self, login, orientation_manager, people, params, expected):
        assert shown(login(orientation_manager), **params) == expected

    def test_by_structure_who_created_or_who_is_referent(
        self, login, orientation_manager, people, structure_a, structure_b
    ):
        people["late"].created_for = structure_a
        people["late"].save()
        client = login(orientation_manager)

        assert shown(client, structure=str(structure_a.public_id)) == {"late"}
        assert shown(client, structure=str(structure_a.public_id), vue="contrat_attendu") == {"oriented"}
        assert shown(client, structure=str(structure_b.public_id), vue="contrat_attendu") == {"oriented"}
        assert shown(client, structure=str(structure_b.public_id)) == set()

    def test_a_malformed_structure_is_ignored(self, login, orientation_manager, people):
        response = login(orientation_manager).get(reverse("entry:worklist"), {"structure": "pas-un-identifiant"})

        assert response.status_code == 200
        assert "À orienter (4)" in text(response)

    def test_filters_combine_with_the_view(self, login, orientation_manager, people):
        assert shown(login(orientation_manager), vue="en_retard", public="young") == set()


def test_the_zone_of_the_manager_bounds_the_list(login, people, departement):
    zoned = MembershipFactory(orientation_manager=True).structure
    zoned.zone_communes.add("91377")

    manager = zoned.memberships.get().user
    assert shown(login(manager)) == {"soon"}


def test_a_merged_record_leaves_the_list_and_the_counts(login, orientation_manager, coordinator, people):
    """The zone of a Département manager is read on the pathways; a merged record must still drop out."""
    merge_persons(survivor=people["soon"], merged=people["late"], by=coordinator.memberships.get())
    client = login(orientation_manager)

    assert shown(client) == {"soon", "fresh", "young"}
    assert shown(client, vue="en_retard") == set()
    page = text(client.get(reverse("entry:worklist")))
    assert "À orienter (3)" in page
    assert "En retard (0)" in page
    summary = home_summary(orientation_manager.memberships.get())
    assert (summary["to_orient_count"], summary["overdue_count"]) == (3, 0)


def test_a_professional_is_refused(login, professional_a, people):
    assert login(professional_a).get(reverse("entry:worklist")).status_code == 403


class TestQueryCounts:
    """Each page reads what it shows in a fixed number of queries, for 5 people as for 40."""

    @pytest.fixture(params=[5, 40], ids=["5 people", "40 people"])
    def count(self, request):
        return request.param

    def test_worklist(self, login, orientation_manager, structure_b, orient, count, django_assert_max_num_queries):
        for index in range(count):
            person = entered(index * 2, f"Personne{index}")
            if index % 4 == 0:
                orient(person, structure_b)
        client = login(orientation_manager)

        oriented = len(range(0, count, 4))
        for view, rows in (("a_orienter", min(count - oriented, 25)), ("contrat_attendu", oriented)):
            with django_assert_max_num_queries(19):
                response = client.get(reverse("entry:worklist"), {"vue": view})
            assert text(response).count(" Alex ") == rows

    def test_caseload(self, login, professional_a, membership_a, count, django_assert_max_num_queries):
        for index in range(count):
            PersonFactory(birth_name=f"Personne{index}", followed_by=membership_a)
        client = login(professional_a)

        with django_assert_max_num_queries(9):
            response = client.get(reverse("entry:person_list"))

        assert text(response).count("entré dans le parcours") == min(count, 25)

    def test_search_results(self, login, professional_a, membership_a, count, django_assert_max_num_queries):
        for index in range(count):
            PersonFactory(
                birth_name="Dupont", first_names=f"Prénom{index}", followed_by=membership_a if index % 2 else None
            )
        client = login(professional_a)

        with django_assert_max_num_queries(9):
            response = client.post(reverse("entry:person_list"), {"last_name": "Dupont"})

        page = text(response)
        assert page.count("dans votre suivi") + page.count("Déjà suivie : demander l'accès") == min(count, 20)

    def test_person_detail(
        self,
        login,
        orientation_manager,
        manager,
        membership_a,
        structure_b,
        propose,
        count,
        django_assert_max_num_queries,
    ):
        person = PersonFactory(followed_by=membership_a, rsa=True)
        for index in range(count):
            TeamMember.objects.create(
                pathway=person.pathway, user=UserFactory(), structure=structure_b, started_at=timezone.now()
            )
            pathway_actions.request_access(person, by=MembershipFactory(), reason=f"Demande {index}")
            OrientationFactory(
                person=person,
                status=Orientation.Status.DECIDED,
                pathway_type="social",
                referent_structure=structure_b,
                decided_by=orientation_manager,
                decided_at=timezone.now(),
            )
        propose(person, membership_a)
        client = login(orientation_manager)

        # With the appointments' section (one query for the next and the past ones) and the person's referrals to
        # services (offer), whatever their number.
        with django_assert_max_num_queries(21):
            response = client.get(reverse("entry:person_detail", args=[person.public_id]))

        page = text(response)
        assert page.count("Demande d'accès de") == count
        assert page.count("Mission locale Nord Essonne (intervenant)") == count


def test_a_structure_without_a_commune_still_has_its_worklist(login, people):
    membership = MembershipFactory(orientation_manager=True, structure__commune=None)

    response = login(membership.user).get(reverse("entry:worklist"))

    assert response.status_code == 200
    assert "Massy" in text(response)


class TestDailyUse:
    def test_most_urgent_first_and_without_deadline_last(self, login, orientation_manager):
        entered(60, "RETARD")
        entered(35, "BIENTOT")
        PersonFactory(birth_name="SANSDELAI", first_names="Alex", followed_by=None)  # not on RSA: no deadline

        page = text(login(orientation_manager).get(reverse("entry:worklist")))

        assert page.index("RETARD Alex") < page.index("BIENTOT Alex") < page.index("SANSDELAI Alex")

    def test_a_name_search_is_posted_and_kept_with_the_filters(self, login, orientation_manager, people):
        client = login(orientation_manager)

        response = client.post(reverse("entry:worklist"), {"nom": "Retard", "filtres": "vue=a_orienter&public=rsa"})

        assert response["Location"] == reverse("entry:worklist") + "?vue=a_orienter&public=rsa"
        assert "retard" not in response["Location"].lower().split("?")[0]
        assert shown(client, vue="a_orienter", public="rsa") == {"late"}
        client.post(reverse("entry:worklist"), {"nom": ""})
        assert shown(client, vue="a_orienter", public="rsa") == {"late", "soon", "fresh"}

    def test_after_a_decision_from_the_list_the_manager_is_back_on_the_same_view(
        self, login, orientation_manager, people, structure_b, propose, membership_a
    ):
        propose(people["late"], membership_a)
        client = login(orientation_manager)
        client.get(reverse("entry:worklist"), {"vue": "en_retard", "public": "rsa", "page": "1"})
        decide = reverse("entry:decide", args=[people["late"].public_id]) + "?depuis=liste"

        response = client.post(decide, {"pathway_type": "professional", "referent_structure": structure_b.pk})

        assert response["Location"] == reverse("entry:worklist") + "?vue=en_retard&public=rsa&page=1"
