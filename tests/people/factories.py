"""Factories for people and their pathway (factory-boy, traits rather than subclasses)."""

import datetime

import factory
from django.utils import timezone

from pathway.models import Pathway, TeamMember, orientation_due_on
from people.models import Person
from territory.models import Commune
from tests.factories import fictional


def make_nir(sex="F", birth_date=datetime.date(1990, 5, 17), place="91228", order=1):
    """A valid NIR (key included) agreeing with ``sex`` and ``birth_date``: born in ``place``."""
    body = f"{'1' if sex == 'M' else '2'}{birth_date.year % 100:02d}{birth_date.month:02d}{place}{order:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def born_on_the_28th(n, age):
    """A birth date ``age`` or ``age - 1`` years ago, on the 28th of a month chosen by ``n``.

    Every default birth date falls on a 28th: a test that asserts on a date (shown, hidden, matched, with day
    and month swapped) takes another day, and no person of the factory can share it. Adults are 34 to 49 (never
    under 26, the age of the young public), the ``young`` trait 19 or 20.
    """
    return datetime.date(timezone.localdate().year - age, 1 + n % 12, 28)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    birth_name = factory.Sequence(lambda n: fictional("Quidam", n))
    first_names = factory.Sequence(lambda n: fictional("Ysa", n))
    birth_date = factory.Sequence(lambda n: born_on_the_28th(n, age=35 + (n // 12) % 15))
    sex = Person.Sex.FEMALE
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="91228"))

    class Params:
        rsa = factory.Trait(rsa_since=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30)))
        young = factory.Trait(birth_date=factory.Sequence(lambda n: born_on_the_28th(n, age=20)))

    @factory.post_generation
    def nir(person, create, value, **kwargs):
        if value:
            person.set_nir(value)
            person.save()

    @factory.post_generation
    def followed_by(person, create, membership, **kwargs):
        """``followed_by=membership``: the person has a pathway with this professional in the team.
        ``entered_at`` (a date) sets the day the person entered the pathway (today by default)."""
        entered_at = kwargs.get("entered_at") or timezone.localdate()
        pathway = Pathway.objects.create(
            person=person, entered_at=entered_at, orientation_due_on=orientation_due_on(person, entered_at)
        )
        if membership is not None:
            TeamMember.objects.create(pathway=pathway, user=membership.user, structure=membership.structure)


def accompany(person, membership, pathway_type="professional"):
    """Orient ``person`` to ``membership``'s structure and make its user the référent, through the actions; the
    person is read again (their pathway changed)."""
    from pathway import actions as pathway_actions
    from relais.actions import SYSTEM

    pathway_actions.mark_oriented(person, by=SYSTEM, pathway_type=pathway_type, structure=membership.structure)
    pathway_actions.designate_referent(person, by=SYSTEM, referent=membership)
    return Person.objects.select_related("pathway").get(pk=person.pk)
