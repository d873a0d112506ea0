"""Factories for the consortium (factory-boy, traits rather than subclasses).

Default values are fixed, never drawn at random: names are fictional (a root followed by the object's sequence
number spelt in syllables, « Quidambacedi »), so that a name a test asserts on (present or absent) can never be
one a factory made up; the sequences restart at 0 in every test (``tests/conftest.py``), so a test sees the same
data whatever the order in which the suite runs. A test that asserts on a name gives it explicitly.
"""

import datetime

import factory
from stdnum import luhn

from accounts.models import Membership, Role, Structure, User
from territory.models import Commune

PASSWORD = "Mot-de-passe-de-test-2026"

# Ten syllables, one per digit: no real first or last name is made of them behind the roots below.
SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ja", "ke", "lo", "mu", "ni")


def fictional(root, n):
    """``root`` followed by ``n`` spelt in syllables, three at least (``fictional("Yvo", 7)`` is « Yvobabalo »):
    distinct for each ``n``, and none is the beginning of another below 1,000 objects of a kind in one test."""
    return root + "".join(SYLLABLES[int(digit)] for digit in f"{n:03d}")


def valid_siret(n):
    siren_body = f"{41000000 + n:08d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = f"{siren}{n % 10000:04d}"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pro{n}@exemple.fr")
    first_name = factory.Sequence(lambda n: fictional("Yvo", n))
    last_name = factory.Sequence(lambda n: fictional("Kaleo", n))
    password = factory.django.Password(PASSWORD)

    class Params:
        staff = factory.Trait(is_staff=True, is_superuser=True)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure {fictional('Zeph', n)}")
    kind = Structure.Kind.ASSOCIATION
    siret = factory.Sequence(valid_siret)
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="91228"))
    is_validated = True

    class Params:
        pending = factory.Trait(is_validated=False)
        departement = factory.Trait(kind=Structure.Kind.DEPARTEMENT, covers_departement=True)
        france_travail = factory.Trait(kind=Structure.Kind.FRANCE_TRAVAIL)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = Role.PROFESSIONAL

    class Params:
        admin = factory.Trait(role=Role.STRUCTURE_ADMIN)
        orientation_manager = factory.Trait(is_orientation_manager=True)
        coordinator = factory.Trait(is_coordinator=True)
        inactive = factory.Trait(is_active=False)


def enter_people_born_apart(count, *, name, first_names, born, entered_at, **identity):
    """``count`` people entered together (``enter_people``, as an import's batch): ``name`` followed by their number,
    the same first names, born a day apart from ``born``, in Évry-Courcouronnes; ``identity`` may give each a value
    made from its number (a callable) or the same value for all."""
    from pathway.actions import enter_people
    from relais.actions import SYSTEM

    def entry(number):
        extra = {key: value(number) if callable(value) else value for key, value in identity.items()}
        return {
            "identity": {
                "birth_name": f"{name}{number:03d}",
                "first_names": first_names,
                "birth_date": born + datetime.timedelta(days=number),
                "commune_id": "91228",
                **extra,
            },
            "entered_at": entered_at,
        }

    return enter_people(by=SYSTEM, entries=[entry(number) for number in range(count)])
