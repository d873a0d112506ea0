"""``make run`` loads the demo consortium, and the demo tells the truth.

The command says what it loaded and prints the logins, not the messages the demo's actions would send to fictional
people. Its offer covers every category, zone level and status; about 70 % of its people have a NIR, as in a
département's files (and the bench), each valid and agreeing with the person's sex and birth date; and the
coordinators find probable duplicates to examine.

Seeding the demo takes tens of seconds: it is seeded once, in a transaction rolled back at the end, and checked by a
single test (one test process seeds it), each check reported apart.
"""

import contextlib
import io
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from offer import schema
from offer.models import Referral, Service
from people.duplicates import proposed_pairs
from people.identity import clean_nir, nir_matches_identity
from people.models import Person
from relais.sms import ConsoleSmsBackend

pytestmark = pytest.mark.django_db


@dataclass
class Seeded:
    output: str  # what the command wrote
    printed: str  # what reached the standard output by other ways
    emails: list
    sms: list


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out, printed = io.StringIO(), io.StringIO()
            mail.outbox = []
            ConsoleSmsBackend.sent.clear()
            with contextlib.redirect_stdout(printed):
                call_command("seed_demo", stdout=out)
            yield Seeded(out.getvalue(), printed.getvalue(), list(mail.outbox), list(ConsoleSmsBackend.sent))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _prints_the_logins_and_sends_nothing(seeded):
    assert "coordination@demo.relais.test" in seeded.output
    assert len(seeded.output.splitlines()) < 20
    assert seeded.emails == []
    assert seeded.sms == []
    assert "[SMS]" not in seeded.printed


def _offer_covers_every_category_zone_level_and_status(seeded):
    services = list(Service.objects.filter(structure__isnull=False))
    published = [service for service in services if service.status == Service.Status.PUBLISHED]
    assert 140 <= len(services) <= 170
    assert {schema.category_of(value) for service in published for value in service.thematiques} == {
        category.value for category in schema.Categorie
    }
    levels = {len(code) for service in published for code in service.zone}
    assert levels == {2, 5, 9}  # département, commune, EPCI
    assert any(service.capacity == Service.Capacity.FULL for service in published)
    assert any(service.capacity == Service.Capacity.WAITING_LIST for service in published)
    assert any(service.suspended_today for service in published)
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert Referral.objects.filter(receiver_structure__name="Tremplin Emploi 91", status="sent").exists()


def _seeding_again_adds_nothing(seeded):
    counts = (Person.objects.count(), Service.objects.count(), Referral.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert (Person.objects.count(), Service.objects.count(), Referral.objects.count()) == counts


def _about_seventy_percent_of_people_have_a_valid_nir_of_their_own(seeded):
    people = list(Person.objects.filter(created_by__email__endswith="@demo.relais.test"))
    with_nir = [person for person in people if person.nir_digest]

    assert len(people) >= 300
    assert 0.60 <= len(with_nir) / len(people) <= 0.80, f"{len(with_nir)} NIR sur {len(people)} personnes"
    for person in with_nir:
        nir = person.nir
        assert clean_nir(nir) == nir, nir[:5]
        assert nir_matches_identity(nir, person.sex, person.birth_date) == [], person.public_id
        assert nir[0] == {"F": "2", "M": "1"}[person.sex]
        assert (nir[1:3], nir[3:5]) == (f"{person.birth_date.year % 100:02d}", f"{person.birth_date.month:02d}")
    assert len({person.nir_digest for person in with_nir}) == len(with_nir)


def _coordinators_find_duplicates_to_examine(seeded):
    pairs = list(proposed_pairs().select_related("first", "second"))
    assert len(pairs) >= 3
    # Entered twice by two partners, neither pair is one the creation would have refused.
    assert all(not pair.strong for pair in pairs)
    assert all(pair.first.created_for != pair.second.created_for for pair in pairs)


# Seeding takes tens of seconds: its checks are one test, so that a single test process seeds it (tests of one
# module may be shared out between processes). Each check runs, and each failure is reported with its name; seeding
# again comes last, as it adds to the data the others read.
CHECKS = [
    _prints_the_logins_and_sends_nothing,
    _offer_covers_every_category_zone_level_and_status,
    _about_seventy_percent_of_people_have_a_valid_nir_of_their_own,
    _coordinators_find_duplicates_to_examine,
    _seeding_again_adds_nothing,
]


def test_the_demo_tells_the_truth(seeded):
    failures = []
    for check in CHECKS:
        try:
            with transaction.atomic():
                check(seeded)
        except AssertionError as failure:
            failures.append(f"{check.__name__.strip('_').replace('_', ' ')} : {failure}")

    assert not failures, "\n".join(failures)
