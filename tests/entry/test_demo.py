"""The demo data tells the truth: as in a département's files (and the bench), about 70 % of the people have a
NIR, each valid and agreeing with the person's sex and birth date."""

import io

import pytest
from django.core.management import call_command

from people.identity import clean_nir, nir_matches_identity
from people.models import Person

pytestmark = pytest.mark.django_db


def test_about_seventy_percent_of_demo_people_have_a_valid_nir_of_their_own():
    call_command("seed_demo", stdout=io.StringIO())

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


def test_the_coordinators_find_demo_duplicates_to_examine():
    from people.duplicates import proposed_pairs

    call_command("seed_demo", stdout=io.StringIO())

    pairs = list(proposed_pairs().select_related("first", "second"))
    assert len(pairs) >= 3
    # Entered twice by two partners, neither pair is one the creation would have refused.
    assert all(not pair.strong for pair in pairs)
    assert all(pair.first.created_for != pair.second.created_for for pair in pairs)
