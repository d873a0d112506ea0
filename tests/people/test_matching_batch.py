"""Matching many identities at once (an import's batch): the same likely duplicates as ``find``, one by one."""

import datetime

import pytest

from bench import measure_matching
from bench.identity_pairs import draw_pairs
from people import matching
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def likely(matches):
    return [(match.person.pk, match.score, match.reasons, match.strong) for match in matches]


def test_the_same_likely_duplicates_as_find_on_the_labelled_pairs(django_assert_max_num_queries):
    pairs = draw_pairs(seed=91)
    measure_matching._write(pairs)
    queries = [pair.typed.query() for pair in pairs]
    one_by_one = [[match for match in matching.find(query, limit=5) if match.is_likely_duplicate] for query in queries]
    assert sum(bool(found) for found in one_by_one) > len(pairs) / 3
    batch = matching.Batch(matching.Index())
    with django_assert_max_num_queries(1):
        batch.prefetch(queries)
    with django_assert_max_num_queries(0):
        together = [batch.likely_duplicates(query) for query in queries]
    assert [likely(found) for found in together] == [likely(found) for found in one_by_one]


def test_someone_entered_meanwhile_is_matched_before_being_written():
    born = datetime.date(1988, 3, 14)
    PersonFactory(birth_name="MARTIN", first_names="Sofia", birth_date=datetime.date(1988, 3, 15))
    index = matching.Index()
    index.add("ligne 2", birth_name="MARTINEZ", first_names="Sofia", birth_date=born)
    batch = matching.Batch(index)
    query = matching.Query(last_name="MARTINES", first_names="Sofia", birth_date=born)
    batch.prefetch([query])
    found = batch.likely_duplicates(query)
    assert [(match.ref, match.person) for match in found] == [("ligne 2", None)]
    index.forget_recent()
    assert matching.Batch(index).likely_duplicates(query)[0].ref == "ligne 2"  # still held, until settled


def test_a_day_already_read_finds_who_is_added_to_it_afterwards():
    born = datetime.date(1991, 6, 2)
    PersonFactory(birth_name="MARTIN", first_names="Sofia", birth_date=born)
    index = matching.Index()
    query = matching.Query(last_name="DURAND", first_names="Léa", birth_date=born)
    assert index.candidates(query) == []  # the day read: its only person shares no first name with Léa
    index.add("ligne 2", birth_name="DURAND", first_names="Lea", birth_date=born)
    index.forget_recent()
    assert [entry[0] for entry in index.candidates(query)] == ["ligne 2"]


def test_a_first_name_one_typo_away_is_not_passed_over_with_its_day():
    born = datetime.date(1979, 11, 23)
    person = PersonFactory(birth_name="BERNARD", first_names="Mathilde", birth_date=born)
    index = matching.Index()
    for typed in ("Matilde", "Mathidle", "Mathilde Anne", "Mathildee"):
        query = matching.Query(last_name="BERNARD", first_names=typed, birth_date=born)
        assert [entry[0] for entry in index.candidates(query)] == [person.pk], typed
