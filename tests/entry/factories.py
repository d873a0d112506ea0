"""Factories for people, pathways and orientations (factory-boy, traits rather than subclasses)."""

import datetime

import factory
from django.utils import timezone

from entry.models import Diagnostic, Orientation, Person
from pathway.models import Pathway, TeamMember
from territory.models import Commune
from tests.factories import StructureFactory, UserFactory


def make_nir(sex="F", birth_date=datetime.date(1990, 5, 17), place="91228", order=1):
    """A valid NIR (key included) agreeing with ``sex`` and ``birth_date``: born in ``place``."""
    body = f"{'1' if sex == 'M' else '2'}{birth_date.year % 100:02d}{birth_date.month:02d}{place}{order:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    birth_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name", locale="fr_FR")
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=64)
    sex = Person.Sex.FEMALE
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="91228"))
    entry_date = factory.LazyFunction(timezone.localdate)

    class Params:
        rsa = factory.Trait(rsa_since=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30)))
        young = factory.Trait(birth_date=factory.Faker("date_of_birth", minimum_age=18, maximum_age=24))

    @factory.post_generation
    def nir(person, create, value, **kwargs):
        if value:
            person.set_nir(value)
            person.save()

    @factory.post_generation
    def followed_by(person, create, membership, **kwargs):
        """``followed_by=membership``: the person has a pathway with this professional in the team."""
        pathway = Pathway.objects.create(
            person=person, entered_at=person.entry_date, orientation_due_on=person.orientation_due_on
        )
        if membership is not None:
            TeamMember.objects.create(pathway=pathway, user=membership.user, structure=membership.structure)


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
