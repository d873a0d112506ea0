import datetime

import pytest

from entry import actions
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.people.factories import PersonFactory


@pytest.fixture
def membership_a(professional_a):
    return professional_a.memberships.get()


@pytest.fixture
def membership_b(professional_b):
    return professional_b.memberships.get()


@pytest.fixture
def manager(orientation_manager):
    return orientation_manager.memberships.get()


@pytest.fixture
def followed(membership_a):
    """A person in professional A's team (France Travail), living in Massy, on RSA."""
    return PersonFactory(
        birth_name="Moreau",
        first_names="Camille",
        birth_date=datetime.date(1990, 5, 17),
        commune_id="91377",
        rsa=True,
        followed_by=membership_a,
    )


@pytest.fixture
def propose():
    """``propose(person, membership)``: a diagnostic by ``membership`` and its orientation proposal."""

    def _propose(person, membership, pathway="professional"):
        diagnostic = DiagnosticFactory(
            person=person,
            number=person.diagnostics.count() + 1,
            structure=membership.structure,
            done_by=membership.user,
            proposed_pathway=pathway,
        )
        return OrientationFactory(
            person=person,
            diagnostic=diagnostic,
            proposed_pathway=pathway,
            proposed_by=membership.user,
            proposed_for=membership.structure,
        )

    return _propose


@pytest.fixture
def orient(propose, manager):
    """``orient(person, structure, referent=None)``: proposed then decided by the orientation manager."""

    def _orient(person, structure, referent=None, pathway="professional", notify=True):
        proposal = propose(person, manager, pathway)
        return actions.decide_orientation(
            proposal,
            by=manager,
            pathway_type=pathway,
            referent_structure=structure,
            referent=referent,
            reason="",
            notify=notify,
        )

    return _orient
