"""Names with letters that folding now writes out are found again after the migration that works their keys out."""

import datetime
import importlib

import pytest
from django.apps import apps

from people import matching
from people.models import Person
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

refold = importlib.import_module("people.migrations.0005_fold_letters_without_accents").refold


def test_a_turkish_name_on_file_is_found_when_typed_on_a_french_keyboard():
    born = datetime.date(1990, 4, 12)
    person = PersonFactory(birth_name="Yılmaz", first_names="Elif", birth_date=born)
    # As an older version of Relais wrote its keys: the dotless i dropped.
    Person.objects.filter(pk=person.pk).update(birth_name_key="y lmaz", name_search="y lmaz elif")
    refold(apps, None)
    found = matching.find(matching.Query(last_name="YILMAZ", first_names="Elif", birth_date=born), limit=5)
    assert [match.person.pk for match in found if match.is_likely_duplicate] == [person.pk]
    assert Person.objects.get(pk=person.pk).birth_name_key == "yilmaz"


def test_a_saint_typed_short_is_found_and_the_keys_on_file_follow():
    born = datetime.date(1979, 8, 30)
    person = PersonFactory(birth_name="SAINT-LOUIS", first_names="Wilfried", birth_date=born)
    other = PersonFactory(birth_name="ST ELOI", first_names="Marc", birth_date=born)
    Person.objects.filter(pk=other.pk).update(birth_name_key="steloi")
    refold(apps, None)
    assert Person.objects.get(pk=other.pk).birth_name_key == "sainteloi"
    found = matching.find(matching.Query(last_name="St Louis", first_names="Wilfried", birth_date=born), limit=5)
    assert [match.person.pk for match in found if match.is_likely_duplicate] == [person.pk]
