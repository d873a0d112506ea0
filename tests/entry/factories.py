"""Factories for diagnostics and orientations (factory-boy, traits rather than subclasses)."""

import factory

from entry.models import Diagnostic, Orientation
from tests.factories import StructureFactory, UserFactory
from tests.people.factories import PersonFactory


def answers(**levels):
    """Diagnostic answers with the given barrier levels, every other theme « non abordé »."""
    return {
        "professional_situation": {"recent_activity": "worked_last_12_months", "aspiration": "quick_return_to_work"},
        "barriers": {theme: {"level": level, "situations": []} for theme, level in levels.items()},
    }


class DiagnosticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnostic

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: n + 1)
    referential_version = 1
    answers = factory.LazyFunction(answers)
    proposed_pathway = "professional"
    proposal_reasons = factory.LazyFunction(lambda: ["Activité récente"])
    done_by = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)


class OrientationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Orientation

    person = factory.SubFactory(PersonFactory)
    proposed_pathway = "professional"
    proposal_reasons = factory.LazyFunction(lambda: ["Activité récente"])
    proposed_by = factory.SubFactory(UserFactory)
    proposed_for = factory.SubFactory(StructureFactory)
