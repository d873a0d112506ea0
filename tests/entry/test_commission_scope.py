"""A commission orients only people of the manager's orientation scope, not people seen through a team."""

import pytest
from django.urls import reverse

from entry import actions
from entry.models import Commission, Orientation
from relais.actions import Forbidden
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def young_manager():
    """An orientation manager of a mission locale, delegated for young people only."""
    structure = StructureFactory(name="Mission locale Centre Essonne", covers_departement=True)
    return MembershipFactory(structure=structure, orientation_manager=True, orientation_publics=["young"])


@pytest.fixture
def adult_in_their_team(young_manager, propose):
    """An adult on RSA whom the manager sees through a team, outside their delegated publics."""
    person = PersonFactory(birth_name="Lefort", rsa=True, birth_date="1975-01-01", followed_by=young_manager)
    propose(person, young_manager)
    return person


@pytest.fixture
def commission(young_manager):
    return Commission.objects.create(
        title="Séance", held_on="2026-03-12", structure=young_manager.structure, created_by=young_manager.user
    )


def test_adding_to_a_commission_applies_the_orientation_scope(client, young_manager, adult_in_their_team, commission):
    client.force_login(young_manager.user)

    response = client.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {"action": "ajouter", "personnes": [str(adult_in_their_team.public_id)]},
        follow=True,
    )

    assert "0 personne(s) ajoutée(s) à la séance." in text(response)
    assert not commission.persons.exists()


def test_deciding_in_a_commission_applies_the_orientation_scope(
    client, young_manager, adult_in_their_team, commission
):
    commission.persons.add(adult_in_their_team)  # added before the rule, or by a forged request
    client.force_login(young_manager.user)
    key = adult_in_their_team.public_id

    response = client.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {
            "action": "decider",
            f"parcours-{key}": "professional",
            f"structure-{key}": str(young_manager.structure.pk),
            f"motif-{key}": "",
        },
        follow=True,
    )

    assert "LEFORT" in text(response)
    assert "n'est pas dans votre périmètre d'orientation" in text(response)
    assert Orientation.objects.get(person=adult_in_their_team).status == Orientation.Status.PROPOSED


def test_the_decision_action_refuses_outside_the_scope(young_manager, adult_in_their_team):
    orientation = Orientation.objects.get(person=adult_in_their_team)
    with pytest.raises(Forbidden):
        actions.decide_orientation(
            orientation, by=young_manager, pathway_type="professional", referent_structure=young_manager.structure
        )
