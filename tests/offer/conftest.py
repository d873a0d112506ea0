import pytest

from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory


@pytest.fixture
def membership_a(professional_a):
    """A counsellor of France Travail Évry-Courcouronnes (structure A)."""
    return professional_a.memberships.get()


@pytest.fixture
def admin_a(structure_admin_a):
    return structure_admin_a.memberships.get()


@pytest.fixture
def association(db):
    """The receiving association, with a structure admin and a professional."""
    return StructureFactory(name="Tremplin Emploi 91", email="contact@tremplin.exemple.fr")


@pytest.fixture
def association_admin(association):
    return MembershipFactory(structure=association, admin=True, user__email="nadia@tremplin.exemple.fr")


@pytest.fixture
def association_pro(association):
    return MembershipFactory(structure=association, user__email="ines@tremplin.exemple.fr")


@pytest.fixture
def person(membership_a):
    """A person in professional A's team, living in Massy."""
    return PersonFactory(commune_id="91377", followed_by=membership_a, rsa=True)
