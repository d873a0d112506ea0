"""Demo contracts: every accompanied demo person has one, with objectives and actions; a second run adds nothing."""

import pytest

from pathway.contract_models import Action, EngagementContract
from pathway.demo import seed_contracts
from pathway.models import Pathway
from people.models import Person
from tests.factories import MembershipFactory
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_every_accompanied_demo_person_has_a_contract_with_objectives_and_actions(accompany):
    referents = [
        MembershipFactory(user__email=f"referent{n}@demo.relais.test", structure__name=f"Structure démo {n}")
        for n in range(3)
    ]
    for index in range(24):
        pathway = accompany(
            referents[index % 3], pathway_type=["professional", "socio_professional", "social"][index % 3]
        )
        Person.objects.filter(pk=pathway.person_id).update(created_by=referents[index % 3].user)
    outside = PersonFactory(followed_by=referents[0])  # Entered, not accompanied: no contract yet.
    Person.objects.filter(pk=outside.pk).update(created_by=referents[0].user)

    assert seed_contracts() == 24
    for pathway in Pathway.objects.filter(status="accompanied"):
        contract = pathway.contracts.order_by("-number").first()
        assert contract is not None, pathway
        assert contract.objectives.exists()
        assert Action.objects.filter(objective__contract=contract).exists()
    assert not EngagementContract.objects.filter(pathway__person=outside).exists()
    statuses = set(EngagementContract.objects.values_list("status", flat=True))
    assert {"signed", "draft"} <= statuses
    created = EngagementContract.objects.count()
    assert seed_contracts() == 24 and EngagementContract.objects.count() == created
