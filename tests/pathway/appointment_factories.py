"""Appointments for tests: the factory writes rows directly (test data); tests of behaviour go through the actions."""

from datetime import timedelta

import factory
import pytest
from django.utils import timezone

from pathway import actions as pathway_actions
from pathway.models import Appointment
from people.models import Person
from relais.actions import SYSTEM
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.people.factories import PersonFactory

__all__ = ["AppointmentFactory", "colleague_a", "followed", "membership_a", "membership_b"]


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    person = factory.SubFactory(PersonFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda appointment: appointment.starts_at + timedelta(minutes=45))
    mode = Appointment.Mode.IN_PERSON
    place = "3 rue de l'Église, Évry-Courcouronnes"
    purpose = "Point d'étape"
    professional = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)

    class Params:
        past = factory.Trait(starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=3)))


@pytest.fixture
def membership_a(professional_a):
    return professional_a.memberships.get()


@pytest.fixture
def membership_b(professional_b):
    return professional_b.memberships.get()


@pytest.fixture
def followed(membership_a):
    """A person in professional A's team, oriented to A's structure (the organisme référent), reachable by email
    and by SMS."""
    person = PersonFactory(
        first_names="Camille Louise",
        birth_name="Moreau",
        email="camille.moreau@exemple.fr",
        phone="+33612345678",
        followed_by=membership_a,
    )
    pathway_actions.mark_oriented(person, by=SYSTEM, pathway_type="professional", structure=membership_a.structure)
    return Person.objects.select_related("pathway").get(pk=person.pk)


@pytest.fixture
def colleague_a(structure_a):
    return MembershipFactory(structure=structure_a, user__first_name="Inès", user__last_name="Rolland")
