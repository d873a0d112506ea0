"""Searching for a person: a name or an identifier is needed, and every search leaves a trace in the access
log, with the number of people outside the searcher's need-to-know it revealed, never what was typed."""

import datetime
import re

import pytest
from django.urls import reverse

from audit.models import AccessLog
from tests.entry.posts import person_data
from tests.pages import field_error, input_value, text
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db

NAME_NEEDED = (
    "Indiquez aussi le nom, ou un identifiant (NIR, numéro d'allocataire CAF, identifiant France Travail) : "
    "une date de naissance ou un prénom seuls ne suffisent pas pour rechercher."
)


def searches():
    return list(AccessLog.objects.filter(action=AccessLog.Action.SEARCH, object_type="search").order_by("pk"))


def journalled(row):
    """Everything a journal row holds, as one text."""
    return " ".join(str(value) for value in (row.object_type, row.object_id, row.object_label, row.detail))


@pytest.fixture
def hidden(membership_b):
    """A person followed by structure B only: outside professional A's need-to-know."""
    return PersonFactory(
        birth_name="Lemaire",
        first_names="Josiane",
        birth_date=datetime.date(1971, 2, 3),
        nir=make_nir(birth_date=datetime.date(1971, 2, 3)),
        caf_number="7654321",
        france_travail_id="1234567A",
        followed_by=membership_b,
    )


class TestWhatIsASearch:
    def test_a_birth_date_alone_is_not_a_search(self, login, professional_a, hidden):
        response = login(professional_a).post(reverse("entry:person_list"), {"birth_date": "1971-02-03"})

        assert field_error(response, "last_name") == NAME_NEEDED
        assert input_value(response, "birth_date") == "1971-02-03"
        assert "Résultats" not in text(response)
        assert "L… J…" not in text(response)
        assert not searches()

    def test_first_names_and_a_birth_date_are_not_a_search_either(self, login, professional_a, hidden):
        response = login(professional_a).post(
            reverse("entry:person_list"), {"first_names": "Josiane", "birth_date": "1971-02-03"}
        )

        assert field_error(response, "last_name") == NAME_NEEDED
        assert input_value(response, "first_names") == "Josiane"
        assert "Résultats" not in text(response)

    def test_an_empty_search_asks_for_a_name_or_an_identifier(self, login, professional_a):
        response = login(professional_a).post(reverse("entry:person_list"), {})

        assert field_error(response, "last_name") == (
            "Indiquez un nom, ou un identifiant : NIR, numéro d'allocataire CAF ou identifiant France Travail."
        )

    @pytest.mark.parametrize(
        "typed",
        [
            {"last_name": "Lemaire"},
            {"caf_number": "7654321"},
            {"france_travail_id": "1234567a"},
        ],
        ids=["name", "caf", "france-travail"],
    )
    def test_a_name_or_an_identifier_is_a_search(self, login, professional_a, hidden, typed):
        response = login(professional_a).post(reverse("entry:person_list"), typed)

        assert "L… J…" in text(response)
        assert "Déjà suivie : demander l'accès" in text(response)

    def test_a_nir_is_a_search(self, login, professional_a, hidden):
        response = login(professional_a).post(reverse("entry:person_list"), {"nir": hidden.nir})

        assert "L… J…" in text(response)


class TestEverySearchIsJournalled:
    def test_a_nir_outside_my_need_to_know_is_traced_without_the_nir(self, login, professional_a, structure_a, hidden):
        login(professional_a).post(reverse("entry:person_list"), {"nir": hidden.nir, "birth_date": "1971-02-03"})

        [search] = searches()
        assert (search.user, search.structure) == (professional_a, structure_a)
        assert search.object_label == "Recherche de personnes"
        assert search.detail == (
            "Critères : date de naissance, numéro de sécurité sociale. "
            "Résultats : 0 dans le besoin d'en connaître, 1 hors du besoin d'en connaître."
        )
        for typed in (hidden.nir, hidden.nir[:5], "1971", "03/02", "Lemaire", "LEMAIRE", "Josiane"):
            assert typed not in journalled(search)

    def test_a_caf_number_search_counts_the_people_revealed(
        self, login, professional_a, membership_a, membership_b, hidden
    ):
        PersonFactory(birth_name="Lemaire", first_names="Paul", caf_number="7654321", followed_by=membership_a)
        PersonFactory(birth_name="Lemaire", first_names="Léon", caf_number="7654321", followed_by=membership_b)

        login(professional_a).post(reverse("entry:person_list"), {"caf_number": "7654321"})

        [search] = searches()
        assert search.detail == (
            "Critères : numéro d'allocataire CAF. "
            "Résultats : 1 dans le besoin d'en connaître, 2 hors du besoin d'en connaître."
        )
        assert "7654321" not in journalled(search)

    def test_a_search_that_finds_nobody_is_journalled_too(self, login, professional_a):
        login(professional_a).post(reverse("entry:person_list"), {"last_name": "Personne", "first_names": "Inconnue"})

        [search] = searches()
        assert search.detail == (
            "Critères : nom (de naissance ou d'usage), prénom(s). "
            "Résultats : 0 dans le besoin d'en connaître, 0 hors du besoin d'en connaître."
        )
        assert "Personne" not in journalled(search) and "Inconnue" not in journalled(search)

    def test_the_journal_offers_searches_in_its_filter(self, login, coordinator):
        response = login(coordinator).get(reverse("audit:access_log"))

        assert re.search(r'<option value="search"\s*>recherche de personnes</option>', response.content.decode())

    def test_the_duplicate_check_of_a_creation_is_a_search(self, login, professional_a, hidden):
        login(professional_a).post(
            reverse("entry:person_create"),
            person_data(birth_name="Lemaire", first_names="Josiane", birth_date="1971-02-03", caf_number=""),
        )

        [search] = searches()
        assert search.object_label == "Recherche de doublons avant une création"
        assert search.detail.endswith("Résultats : 0 dans le besoin d'en connaître, 1 hors du besoin d'en connaître.")
        assert "Lemaire" not in journalled(search) and "1971" not in journalled(search)
