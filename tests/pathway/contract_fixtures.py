"""Fixtures of the contract's tests (imported by each ``test_contract*`` module): a référent of France Travail
Évry (professional A), a colleague of the same organisme référent, an outsider (professional B), people
accompanied, a draft and a signed contract."""

import datetime

import pytest
from django.utils import timezone

from pathway import actions as pathway_actions
from pathway import contract_actions as actions
from pathway.models import Pathway
from relais.actions import SYSTEM
from tests.factories import MembershipFactory
from tests.people.factories import PersonFactory


@pytest.fixture
def referent(professional_a):
    """Professional A (France Travail Évry), référent unique of the people accompanied here."""
    return professional_a.memberships.get()


@pytest.fixture
def colleague(referent):
    """Another member of the organisme référent, not the référent."""
    return MembershipFactory(structure=referent.structure, user__email="collegue.a@exemple.fr")


@pytest.fixture
def outsider(professional_b):
    """Professional B (mission locale): not in the team, not the organisme référent."""
    return professional_b.memberships.get()


@pytest.fixture
def accompany():
    """``accompany(membership, pathway_type=..., entered_at=...)``: a person oriented to the membership's
    structure, with the membership's user as référent unique."""

    def _accompany(membership, pathway_type="professional", entered_at=None, **person):
        person = PersonFactory(followed_by=membership, followed_by__entered_at=entered_at, **person)
        pathway_actions.mark_oriented(person, by=SYSTEM, pathway_type=pathway_type, structure=membership.structure)
        pathway_actions.designate_referent(person, by=SYSTEM, referent=membership)
        return Pathway.objects.select_related("person").get(person=person)

    return _accompany


@pytest.fixture
def pathway(accompany, referent):
    return accompany(referent)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def draft(pathway, referent, today):
    """A draft from today, reviewed in six months, with one referential objective and one action."""
    contract = actions.draft_contract(
        pathway, by=referent, starts_on=today, review_on=today + datetime.timedelta(days=182)
    )
    objective = actions.add_objective(contract, by=referent, referential_key="obtain_driving_licence")
    actions.add_action(
        objective,
        by=referent,
        referential_key="driving_school_enrolment",
        who="person",
        due_on=today + datetime.timedelta(days=30),
    )
    return contract


@pytest.fixture
def signed(draft, referent, today):
    return actions.sign_contract(draft, by=referent, signed_on=today, agreement_mode="in_person")
