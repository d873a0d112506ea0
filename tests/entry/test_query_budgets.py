"""Query budgets of the person pages: each reads what it shows in a fixed number of queries, for 5 rows as for 40.

The bound is the same for both counts: a page that queries once per row (N+1) fails with 40. The pages guarded
elsewhere: the worklist, the caseload, the search and the person's record (``test_worklist.py``), the minutes and
the list of commissions (``test_commission.py``).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from entry.models import Commission, Orientation
from pathway import actions as pathway_actions
from pathway.models import AccessRequest, TeamMember
from people.merge import merge_persons
from people.models import PersonMerge
from relais.templatetags.relais_format import accord
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[5, 40], ids=["5 rows", "40 rows"])
def count(request):
    return request.param


def requester():
    """A professional of a structure of their own: every request names another user and another structure."""
    return MembershipFactory(structure=StructureFactory())


class TestAccessRequests:
    def test_the_list_to_answer(self, login, orientation_manager, membership_a, count, django_assert_max_num_queries):
        for index in range(count):
            person = PersonFactory(followed_by=membership_a)
            pathway_actions.request_access(person, by=requester(), reason=f"Motif {index}")
        client = login(orientation_manager)

        with django_assert_max_num_queries(11):
            response = client.get(reverse("entry:access_request_list"))

        page = text(response)
        assert page.count("Accorder") == min(count, 25)
        assert all(f"Motif {index} " in page for index in range(min(count, 25)))

    def test_the_answer(self, login, orientation_manager, membership_a, count, django_assert_max_num_queries):
        """Answering one request of a person others wait on too, whose team is large."""
        person = PersonFactory(followed_by=membership_a)
        for index in range(count):
            pathway_actions.request_access(person, by=requester(), reason=f"Motif {index}")
            TeamMember.objects.create(pathway=person.pathway, user=requester().user, structure=StructureFactory())
        answered = AccessRequest.objects.order_by("pk").first()
        client = login(orientation_manager)

        with django_assert_max_num_queries(29):
            response = client.post(
                reverse("entry:answer_access_request", args=[answered.public_id]), {"decision": "accorder"}
            )

        assert response.status_code == 302
        answered.refresh_from_db()
        assert answered.status == AccessRequest.Status.GRANTED
        assert AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).count() == count - 1


class TestDiagnostics:
    @pytest.fixture
    def diagnosed(self, membership_a, count):
        """A person diagnosed ``count`` times, each time by another professional of another structure."""
        person = PersonFactory(followed_by=membership_a)
        for number in range(1, count + 1):
            member = requester()
            diagnostic = DiagnosticFactory(
                person=person, number=number, structure=member.structure, done_by=member.user
            )
            OrientationFactory(
                person=person,
                diagnostic=diagnostic,
                status=Orientation.Status.CANCELLED,
                proposed_by=member.user,
                proposed_for=member.structure,
            )
        return person

    def test_the_history(self, login, professional_a, diagnosed, count, django_assert_max_num_queries):
        client = login(professional_a)

        with django_assert_max_num_queries(10):
            response = client.get(reverse("entry:diagnostic_history", args=[diagnosed.public_id]))

        page = text(response)
        assert page.count("n° ") == min(count, 25)
        assert f"n° {count} " in page

    def test_the_detail(self, login, professional_a, diagnosed, count, django_assert_max_num_queries):
        latest = diagnosed.diagnostics.get(number=count)
        client = login(professional_a)

        with django_assert_max_num_queries(10):
            response = client.get(reverse("entry:diagnostic_detail", args=[diagnosed.public_id, latest.public_id]))

        assert f"Diagnostic n° {count} de {diagnosed}" in text(response)


class TestMerges:
    @pytest.fixture
    def merges(self, count):
        """``count`` merges, each by another coordinator."""
        for _ in range(count):
            coordinator = MembershipFactory(coordinator=True)
            merge_persons(
                survivor=PersonFactory(followed_by=None), merged=PersonFactory(followed_by=None), by=coordinator
            )
        return PersonMerge.objects.all()

    def test_the_list(self, login, coordinator, merges, count, django_assert_max_num_queries):
        client = login(coordinator)

        with django_assert_max_num_queries(9):
            response = client.get(reverse("entry:merge"))

        assert text(response).count("Annuler la fusion de") == min(count, 25)

    def test_the_comparison(self, login, coordinator, merges, count, django_assert_max_num_queries):
        pair = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
        client = login(coordinator)

        with django_assert_max_num_queries(12):
            response = client.get(
                reverse("entry:merge"), {"dossier_1": str(pair[0].public_id), "dossier_2": str(pair[1].public_id)}
            )

        page = text(response)
        assert all(f"{person.full_name}, {accord(person, 'né')} le" in page for person in pair)
        assert page.count("Annuler la fusion de") == min(count, 25)


def test_the_commission_detail(login, manager, membership_a, propose, count, django_assert_max_num_queries):
    """``count`` people examined, each with a proposal, and ``count`` others waiting to be added."""
    commission = Commission.objects.create(
        title="Commission d'orientation",
        held_on=timezone.localdate(),
        structure=manager.structure,
        created_by=manager.user,
    )
    for _ in range(count):
        examined = PersonFactory(rsa=True, followed_by=membership_a)
        propose(examined, requester())
        commission.persons.add(examined)
        PersonFactory(rsa=True, followed_by=membership_a)
    client = login(manager.user)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("entry:commission_detail", args=[commission.public_id]))

    body = response.content.decode()
    assert body.count('name="parcours-') == count
    assert body.count('name="personnes"') == count
