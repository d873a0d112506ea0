"""Find before create, when a name's keys select many people: the person born on the date typed is never left
out, and the people listed are read in the same single query as the candidates."""

import datetime

import pytest

from people import matching
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1984, 3, 7)


def find(**query):
    return matching.find(matching.Query(**query))


def test_the_person_born_on_the_date_typed_is_found_when_the_name_keys_select_too_many(monkeypatch):
    for index in range(6):
        PersonFactory(birth_name="Bernard", first_names=f"Autre{index}", birth_date=datetime.date(1970, 1, index + 1))
    sought = PersonFactory(birth_name="Bernard", first_names="Sophie", birth_date=BIRTH)
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 3)

    found = find(last_name="Bernadr", first_names="Sophie", birth_date=BIRTH)

    assert found[0].person == sought
    assert found[0].reasons == ["Nom proche (une lettre de différence)", "Mêmes prénoms", "Même date de naissance"]


def test_the_people_listed_come_with_the_candidates_query(django_assert_num_queries):
    people = [
        PersonFactory(birth_name="Dupont", usage_name="Martin", first_names=first_names, birth_date=BIRTH)
        for first_names in ("Marie", "Marie Claire", "Marie-Anne")
    ]

    with django_assert_num_queries(1):
        found = find(last_name="Dupond", first_names="Marie")
        shown = [(match.person.full_name, match.person.birth_date, match.person.public_id) for match in found]

    assert shown == [(person.full_name, BIRTH, person.public_id) for person in people]
    assert shown[0][0] == "MARTIN (née DUPONT) Marie"


def test_equal_scores_are_listed_by_name_then_first_names():
    PersonFactory(birth_name="Durand", first_names="Zoé", birth_date=BIRTH)
    PersonFactory(birth_name="Durand", first_names="Anne", birth_date=BIRTH)

    found = find(birth_date=BIRTH)

    assert [match.person.first_names for match in found] == ["Anne", "Zoé"]
    assert {match.score for match in found} == {100}
