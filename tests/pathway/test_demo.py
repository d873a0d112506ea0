"""The demo carnets: every accompanied person has an intervenant of another structure, written through the actions
(so the timeline tells it), once."""

import pytest

from accounts.models import Structure
from pathway.demo_carnet import seed_follow_up, seed_teams
from pathway.models import Pathway, TeamMember, TimelineEvent
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(orient):
    agency = StructureFactory(name="France Travail Massy", france_travail=True)
    referent = MembershipFactory(structure=agency, user__email="conseiller.massy@demo.relais.test")
    MembershipFactory(structure=agency, user__email="collegue.massy@demo.relais.test")
    MembershipFactory(
        structure=StructureFactory(name="Logement d'Abord 91", kind=Structure.Kind.ASSOCIATION),
        user__email="logement@demo.relais.test",
    )
    people = []
    for _ in range(4):
        person = PersonFactory(followed_by=referent, created_by=referent.user)
        orient(person, agency, referent=referent, notify=False)
        people.append(person)
    return people


def test_every_accompanied_demo_person_has_an_intervenant_of_another_structure(demo):
    assert seed_teams() == 4
    assert seed_teams() == 0  # idempotent

    for person in demo:
        pathway = Pathway.objects.get(person=person)
        partner = TeamMember.objects.get(pathway=pathway, structure__name="Logement d'Abord 91", ended_at=None)
        assert partner.mission == "accompagnement logement"
        assert TimelineEvent.objects.filter(person=person, kind="pathway.team_joined", summary__contains="Logement")


def test_some_leave_the_pathway_and_one_is_handed_over(demo):
    seed_teams()
    seed_follow_up()
    seed_follow_up()

    assert Pathway.objects.filter(status=Pathway.Status.EXITED).count() == 2
    assert TimelineEvent.objects.filter(kind="pathway.handed_over").count() == 1
