"""Team membership gives access for the structure one joined the team for, and ends with the membership."""

import pytest
from django.urls import reverse

from pathway import actions as pathway_actions
from pathway.access import can_view_person, persons_visible_to
from pathway.models import Pathway, TeamMember, TimelineEvent
from relais.actions import Forbidden
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def detail(person):
    return reverse("entry:person_detail", args=[person.public_id])


class TestActingForAnotherStructure:
    def test_the_team_is_read_with_the_structure_one_acts_for(self, membership_a, login, professional_a):
        """A professional of two structures sees their caseload of structure A only while acting for A."""
        person = PersonFactory(followed_by=membership_a)
        other = MembershipFactory(user=professional_a, structure=StructureFactory(name="CCAS de Massy"))

        assert can_view_person(membership_a, person)
        assert not can_view_person(other, person)
        assert person not in persons_visible_to(other)

    def test_the_page_follows_the_structure_chosen_in_the_header(self, membership_a, login, professional_a):
        person = PersonFactory(followed_by=membership_a)
        other = MembershipFactory(user=professional_a, structure=StructureFactory(name="CCAS de Massy"))
        client = login(professional_a)
        client.post(reverse("accounts:switch_structure"), {"membership": str(membership_a.public_id)})
        assert client.get(detail(person)).status_code == 200

        client.post(reverse("accounts:switch_structure"), {"membership": str(other.public_id)})

        assert client.get(detail(person)).status_code == 404


class TestLeavingTheStructure:
    def test_deactivating_a_membership_ends_its_team_rows_with_a_reason(self, membership_a, structure_a):
        person = PersonFactory(followed_by=membership_a)

        membership_a.deactivate()

        member = TeamMember.objects.get(pathway__person=person, user=membership_a.user)
        assert member.ended_at is not None
        assert member.end_reason == f"départ de la structure {structure_a.name}"
        assert not can_view_person(membership_a, person)
        assert TimelineEvent.objects.filter(person=person, kind="pathway.team_left").exists()

    def test_people_whose_referent_leaves_go_back_to_the_structure_without_referent(
        self, followed, orient, membership_b, structure_b
    ):
        orient(followed, structure_b, referent=membership_b)
        pathway = Pathway.objects.get(person=followed)
        assert (pathway.status, pathway.referent) == (Pathway.Status.ACCOMPANIED, membership_b.user)

        membership_b.deactivate()

        pathway.refresh_from_db()
        assert (pathway.status, pathway.referent, pathway.referent_structure) == (
            Pathway.Status.ORIENTED,
            None,
            structure_b,
        )
        assert pathway.referent_history.get(user=membership_b.user).end_reason.startswith("départ de la structure")
        # The structure's admins find the person among those to designate.
        admin = MembershipFactory(structure=structure_b, admin=True)
        assert can_view_person(admin, followed)


class TestActionsCheckTheirRule:
    """A view that forgets its check opens no hole: the action refuses."""

    def test_an_outsider_cannot_designate_a_referent(self, followed, orient, structure_b, membership_a):
        orient(followed, structure_b)
        outsider = MembershipFactory()
        with pytest.raises(Forbidden):
            pathway_actions.designate_referent(followed, by=outsider, referent=outsider)

    def test_a_professional_outside_the_team_cannot_edit_a_record(self, followed):
        outsider = MembershipFactory()
        with pytest.raises(Forbidden):
            pathway_actions.update_person(followed, by=outsider, version=None, changes={"first_names": "Pirate"})
        followed.refresh_from_db()
        assert followed.first_names == "Camille"

    def test_a_professional_cannot_answer_a_request_on_a_person_they_do_not_follow(self, followed, membership_b):
        request = pathway_actions.request_access(followed, by=membership_b, reason="Je la reçois demain.")
        with pytest.raises(Forbidden):
            pathway_actions.answer_access_request(request, by=MembershipFactory(), grant=True)

    def test_a_deactivated_membership_acts_no_more(self, followed, membership_a):
        membership_a.deactivate()
        with pytest.raises(Forbidden):
            pathway_actions.update_person(followed, by=membership_a, version=None, changes={"first_names": "X"})

    def test_no_actor_no_action(self, followed):
        with pytest.raises(Forbidden):
            pathway_actions.update_person(followed, by=None, version=None, changes={"first_names": "X"})
