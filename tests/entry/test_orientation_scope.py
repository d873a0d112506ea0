"""Who orients whom: an orientation manager delegated for some publics orients only those, in their zone."""

import pytest
from django.urls import reverse

from accounts.models import OrientationPublic
from entry import access
from pathway.access import persons_visible_to
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission_locale_manager():
    structure = StructureFactory(name="Mission locale Centre Essonne", covers_departement=True)
    return MembershipFactory(
        structure=structure, orientation_manager=True, orientation_publics=[OrientationPublic.YOUNG]
    )


def test_a_manager_delegated_for_young_people_orients_them_only(mission_locale_manager):
    young = PersonFactory(young=True, followed_by=None)
    adult_on_rsa = PersonFactory(rsa=True, birth_date="1980-03-02", followed_by=None)

    assert access.can_orient(mission_locale_manager, young)
    assert not access.can_orient(mission_locale_manager, adult_on_rsa)
    visible = set(persons_visible_to(mission_locale_manager).values_list("pk", flat=True))
    assert young.pk in visible
    assert adult_on_rsa.pk not in visible


def test_the_worklist_of_a_delegated_manager_lists_their_public(client, mission_locale_manager):
    PersonFactory(young=True, birth_name="Jeunesse", followed_by=None)
    PersonFactory(rsa=True, birth_name="Adulte", birth_date="1975-01-01", followed_by=None)
    client.force_login(mission_locale_manager.user)

    page = client.get(reverse("entry:worklist")).content.decode()

    assert "JEUNESSE" in page
    assert "ADULTE" not in page


def test_only_a_coordinator_delegates_publics(client, coordinator, structure_admin_a, professional_a):
    membership = professional_a.memberships.get()
    url = reverse("accounts:membership_edit", args=[membership.structure.public_id, membership.public_id])
    data = {"role": "professional", "is_orientation_manager": "on", "orientation_publics": ["young", "rsa"]}

    client.force_login(structure_admin_a)
    client.post(url, data)
    membership.refresh_from_db()
    assert membership.orientation_publics == []

    client.force_login(coordinator)
    client.post(url, data)
    membership.refresh_from_db()
    assert membership.is_orientation_manager
    assert sorted(membership.orientation_publics) == ["rsa", "young"]


def test_an_empty_zone_covers_no_one(propose):
    """Emptying a structure's zone no longer widens it to the whole département (issue: scope widening)."""
    manager = MembershipFactory(structure=StructureFactory(name="Sans zone"), orientation_manager=True)
    person = PersonFactory(rsa=True, followed_by=None)

    assert not access.can_orient(manager, person)
    assert person not in persons_visible_to(manager)
