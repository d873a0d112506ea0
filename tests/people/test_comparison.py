"""Identities compared part by part: first names as names, last names by parts, the birth date decisive but for a
plausible typing error. No database: the rules alone."""

import datetime

import pytest

from people.comparison import (
    compare_birth_dates,
    compare_first_names,
    compare_last_names,
    first_name_beginnings,
    first_names_key,
    plausible_birth_dates,
)
from people.identity import last_name_variants

BIRTH = datetime.date(1984, 3, 7)


def credit(result):
    return result[0]


class TestFirstNames:
    @pytest.mark.parametrize(
        ("typed", "on_file"),
        [
            pytest.param("Mohamed", "Mamadou", id="Mohamed is not Mamadou"),
            pytest.param("Inès", "Christine", id="Inès is not Christine"),
            pytest.param("Fatima", "Fatoumata", id="Fatima is not Fatoumata"),
            pytest.param("Jean", "Jeanne", id="Jean is not Jeanne"),
        ],
    )
    def test_unrelated_first_names_are_not_similar(self, typed, on_file):
        assert compare_first_names(typed, on_file) == (0, ("Autres prénoms",))

    @pytest.mark.parametrize(
        ("typed", "on_file"),
        [
            pytest.param("Marie", "Marine", id="Marie and Marine"),
            pytest.param("Louis", "Louise", id="Louis and Louise"),
            pytest.param("Julie", "Julien", id="Julie and Julien"),
            pytest.param("Lina", "Léna", id="Lina and Léna"),
            pytest.param("Céline", "Cécile", id="Céline and Cécile"),
            pytest.param("Pascal", "Pascale", id="Pascal and Pascale"),
        ],
    )
    def test_two_first_names_one_letter_apart_are_two_names_not_a_typo(self, typed, on_file):
        assert credit(compare_first_names(typed, on_file)) == 0

    @pytest.mark.parametrize(
        ("typed", "on_file"),
        [
            pytest.param("Cathy", "Catherine", id="diminutive"),
            pytest.param("Mohammed", "Mohamed", id="spelling"),
            pytest.param("Natalie", "Nathalie", id="spelling without h"),
            pytest.param("Youssef", "Youssouf", id="transliteration"),
        ],
    )
    def test_another_form_of_the_same_first_name_is_credited(self, typed, on_file):
        assert compare_first_names(typed, on_file) == (90, ("Prénom sous une autre forme (diminutif, variante)",))

    @pytest.mark.parametrize(
        ("typed", "on_file"),
        [
            pytest.param("Mraie", "Marie", id="letters swapped"),
            pytest.param("Vanessaa", "Vanessa", id="last letter doubled"),
            pytest.param("Éic", "Éric", id="letter missed in a short name"),
            pytest.param("Mathikde", "Mathilde", id="neighbouring key"),
        ],
    )
    def test_a_typo_that_makes_no_other_name_is_credited(self, typed, on_file):
        assert compare_first_names(typed, on_file) == (85, ("Prénom proche (une lettre de différence)",))

    def test_the_same_first_names_in_another_order(self):
        assert compare_first_names("Claire Marie", "Marie Claire") == (
            100,
            ("Prénoms identiques, dans un autre ordre",),
        )

    def test_hyphens_spaces_accents_and_case_do_not_count(self):
        assert compare_first_names("JEAN MARC", "Jean-Marc") == (100, ("Mêmes prénoms",))
        assert compare_first_names("helene", "Hélène") == (100, ("Mêmes prénoms",))

    def test_one_of_several_first_names(self):
        assert compare_first_names("Sophie", "Marie Sophie") == (90, ("Un des prénoms",))
        assert compare_first_names("Marie Sophie", "Marie") == (90, ("Un des prénoms",))

    def test_the_part_of_a_compound_first_name_gets_less(self):
        assert compare_first_names("Christine", "Marie-Christine") == (75, ("Partie d'un prénom composé",))

    def test_one_first_name_in_common_and_others_that_differ_is_another_person(self):
        """Sisters are often « Marie Sophie » and « Marie Claire »."""
        assert compare_first_names("Marie Claire", "Marie Sophie") == (
            0,
            ("Un prénom en commun, les autres diffèrent",),
        )

    def test_the_look_up_reads_first_names_by_how_they_begin_and_their_other_forms(self):
        assert first_names_key("Marie-Hélène Sophie") == " marie helene sophie "
        assert set(first_name_beginnings("Cathy")) == {" cat", " kat"}


class TestLastNames:
    def test_martin_does_not_get_the_credit_of_saint_martin(self):
        assert compare_last_names("Martin", "Saint-Martin") == (65, "Nom en partie commun")
        assert compare_last_names("Saint-Martin", "Martin") == (65, "Nom en partie commun")

    def test_a_part_of_a_double_name_never_gets_the_credit_of_the_whole(self):
        assert compare_last_names("Dupont", "Dupont-Martin") == (80, "Nom composé en commun")
        assert compare_last_names("Martin", "Dupont Martin") == (80, "Nom composé en commun")
        assert (
            compare_last_names("Giacomoni-Fquchiard", "Giacomoni-Fauchiard")[0]
            > compare_last_names("Giacomoni-Fquchiard", "Giacomoni")[0]
        )
        assert compare_last_names("Dupont-Martin", "Dupont-Martin") == (100, "Même nom")

    def test_two_double_names_sharing_one_part_get_little(self):
        assert compare_last_names("Dupont-Martin", "Dupont-Durand") == (65, "Nom en partie commun")

    def test_an_article_dropped_or_glued(self):
        assert compare_last_names("Silva", "Da Silva") == (90, "Même nom, sans l'article")
        assert compare_last_names("Legall", "Le Gall") == (100, "Même nom")

    def test_a_typo_or_the_same_sound(self):
        assert compare_last_names("Dupnot", "Dupont") == (85, "Nom proche (une lettre de différence)")
        assert compare_last_names("Pteit", "Petit") == (85, "Nom proche (une lettre de différence)")
        assert compare_last_names("Lefèvre", "Lefebvre") == (85, "Nom proche (une lettre de différence)")

    def test_another_name_is_a_contradiction(self):
        assert compare_last_names("Dupuis", "Dupont") == (0, "Nom différent")
        assert compare_last_names("Dupont", "Dupontel") == (0, "Nom différent")

    def test_names_one_typo_apart_share_a_look_up_key(self):
        for typed, on_file in [
            ("Pteit", "Petit"),
            ("Bernadr", "Bernard"),
            ("Silva", "Da Silva"),
            ("Martin", "Saint-Martin"),
        ]:
            assert last_name_variants(typed) & last_name_variants(on_file), (typed, on_file)
        assert not last_name_variants("Dupont") & last_name_variants("Durand")


class TestBirthDates:
    def test_the_same_date(self):
        assert compare_birth_dates(BIRTH, BIRTH) == (100, "Même date de naissance")

    @pytest.mark.parametrize(
        "on_file",
        [
            pytest.param(datetime.date(1984, 3, 8), id="day"),
            pytest.param(datetime.date(1984, 8, 7), id="month"),
            pytest.param(datetime.date(1994, 3, 7), id="decade"),
            pytest.param(datetime.date(1986, 3, 7), id="year"),
        ],
    )
    def test_one_digit_typo_is_credited(self, on_file):
        assert compare_birth_dates(BIRTH, on_file) == (80, "Date de naissance à un chiffre près")

    def test_two_neighbouring_digits_swapped(self):
        assert compare_birth_dates(datetime.date(1948, 3, 7), BIRTH) == (
            80,
            "Date de naissance avec deux chiffres inversés",
        )
        assert compare_birth_dates(datetime.date(1984, 3, 13), datetime.date(1984, 3, 31))[0] == 80

    def test_day_and_month_swapped_only_in_the_same_year(self):
        assert compare_birth_dates(BIRTH, datetime.date(1984, 7, 3)) == (
            85,
            "Date de naissance avec jour et mois inversés",
        )
        assert compare_birth_dates(BIRTH, datetime.date(1985, 7, 3)) == (0, "Autre date de naissance")
        assert compare_birth_dates(BIRTH, datetime.date(1990, 7, 3)) == (0, "Autre date de naissance")

    def test_a_date_decades_apart_is_another_person(self):
        assert compare_birth_dates(BIRTH, datetime.date(2014, 9, 21)) == (0, "Autre date de naissance")
        assert compare_birth_dates(BIRTH, datetime.date(1984, 4, 8)) == (0, "Autre date de naissance")

    def test_the_plausible_dates_are_those_credited(self):
        dates = plausible_birth_dates(BIRTH)

        assert {BIRTH, datetime.date(1984, 7, 3), datetime.date(1994, 3, 7), datetime.date(1948, 3, 7)} <= set(dates)
        assert datetime.date(1985, 7, 3) not in dates
        assert all(compare_birth_dates(BIRTH, day)[0] for day in dates)
        assert len(dates) < 80

    def test_every_plausible_date_is_credited_over_a_century(self):
        day = datetime.date(1925, 1, 1)
        while day < datetime.date(2026, 1, 1):
            assert all(compare_birth_dates(day, other)[0] for other in plausible_birth_dates(day)), day
            day += datetime.timedelta(days=5)
