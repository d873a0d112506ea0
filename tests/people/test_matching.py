"""Find before create: the same person is found however her name or birth date was typed, with a
visible reason; a likely duplicate asks for a confirmation; an identical NIR is refused outright."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLog
from people import matching
from people.models import Person
from tests.entry.posts import person_data
from tests.pages import text
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1984, 3, 7)


def find(**query):
    return matching.find(matching.Query(**query))


def best(**query):
    found = find(**query)
    assert found, "personne trouvée"
    return found[0]


@pytest.fixture
def decoys(db):
    """People who look alike without being the one sought."""
    return [
        PersonFactory(birth_name="Dupuis", first_names="Marie", birth_date=BIRTH),
        PersonFactory(birth_name="Dupont", first_names="Martine", birth_date=datetime.date(1961, 10, 2)),
        PersonFactory(birth_name="Dupontel", first_names="Marc", birth_date=datetime.date(1984, 3, 8)),
        PersonFactory(birth_name="Lefort", first_names="Jean", birth_date=datetime.date(1992, 1, 30)),
    ]


def test_the_same_nir_wins_whatever_the_names(decoys):
    nir = make_nir(birth_date=BIRTH)
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH, nir=nir)

    match = best(last_name="Tout autre nom", first_names="Autre", nir=nir)

    assert (match.person, match.score) == (person, 100)
    assert match.reasons == ["Même numéro de sécurité sociale"]
    assert len(find(nir=nir)) == 1


def test_the_same_caf_number_with_the_same_identity_is_the_same_person(decoys):
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH, caf_number="7654321")

    match = best(last_name="Dupond", first_names="Marie", birth_date=BIRTH, caf_number=" 7654321 ")

    assert (match.person, match.score) == (person, 95)
    assert match.reasons[0] == "Même numéro d'allocataire CAF"
    assert match.is_likely_duplicate and match.is_strong and not match.same_household


def test_the_same_caf_number_with_the_same_first_names_and_birth_date_is_the_same_person_whatever_the_name(decoys):
    """Married since: a new last name, the same household's number."""
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH, caf_number="7654321")

    match = best(last_name="Lefort", first_names="Marie", birth_date=BIRTH, caf_number="7654321")

    assert match.person == person
    assert match.is_likely_duplicate and not match.same_household
    assert match.reasons == [
        "Même numéro d'allocataire CAF",
        "Nom différent",
        "Mêmes prénoms",
        "Même date de naissance",
    ]


def test_the_same_caf_number_with_other_first_names_is_the_household_never_the_same_person(decoys):
    """The CAF number identifies a household: the applicant's partner shares it."""
    applicant = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH, caf_number="7654321")

    match = best(last_name="Dupont", first_names="Paul", birth_date=datetime.date(1981, 11, 2), caf_number="7654321")

    assert match.person == applicant
    assert match.same_household
    assert not match.is_likely_duplicate
    assert match.reasons[:3] == ["Même foyer (même numéro d'allocataire CAF)", "Même nom", "Autres prénoms"]


def test_the_same_caf_number_alone_lists_the_household(decoys):
    household = [
        PersonFactory(birth_name="Dupont", first_names=first_names, caf_number="7654321")
        for first_names in ("Marie", "Paul")
    ]

    found = find(caf_number="7654321")

    assert {match.person for match in found} == set(household)
    assert all(match.same_household and not match.is_likely_duplicate for match in found)


@pytest.mark.parametrize(
    ("on_file", "typed", "reason"),
    [
        pytest.param(("Lefèvre", "", "Hélène"), ("lefevre", "helene"), "Même nom", id="accents and case"),
        pytest.param(("Lefebvre", "", "Hélène"), ("LEFÈVRE", "Hélène"), "Nom proche", id="Lefebvre or Lefèvre"),
        pytest.param(("Dupont", "", "Jean-Marc"), ("dupont", "jean marc"), "Mêmes prénoms", id="hyphen"),
        pytest.param(
            ("Dupont", "", "Marie Claire"),
            ("Dupont", "Claire Marie"),
            "Prénoms identiques, dans un autre ordre",
            id="first names swapped",
        ),
        pytest.param(
            ("Martin", "Durand", "Sophie"), ("Durand", "Sophie"), "Correspond au nom d'usage", id="married name"
        ),
        pytest.param(
            ("Martin", "Durand", "Sophie"), ("Martin", "Sophie"), "Même nom", id="birth name of a married woman"
        ),
        pytest.param(("Dupont", "", "Marie"), ("Dupnot", "Marie"), "Nom proche", id="typo"),
        pytest.param(("Da Silva", "", "Ana"), ("Silva", "Ana"), "Même nom, sans l'article", id="article dropped"),
        pytest.param(
            ("Dupont-Martin", "", "Ana"), ("Dupont", "Ana"), "Nom composé en commun", id="part of a double name"
        ),
        pytest.param(("Durand", "", "Catherine"), ("Durand", "Cathy"), "Prénom sous une autre forme", id="diminutive"),
        pytest.param(("Durand", "", "Mohamed"), ("Durand", "Mohammed"), "Prénom sous une autre forme", id="variant"),
        pytest.param(("Durand", "", "Mathilde"), ("Durand", "Mahtilde"), "Prénom proche", id="first name typo"),
        pytest.param(("Durand", "", "Marie Sophie"), ("Durand", "Sophie"), "Un des prénoms", id="second first name"),
        pytest.param(
            ("Durand", "", "Marie-Christine"),
            ("Durand", "Christine"),
            "Partie d'un prénom composé",
            id="compound part",
        ),
    ],
)
def test_names_are_found_however_typed(decoys, on_file, typed, reason):
    birth_name, usage_name, first_names = on_file
    person = PersonFactory(birth_name=birth_name, usage_name=usage_name, first_names=first_names, birth_date=BIRTH)

    match = best(last_name=typed[0], first_names=typed[1], birth_date=BIRTH)

    assert match.person == person
    assert match.is_likely_duplicate
    assert any(reason in shown for shown in match.reasons), match.reasons


def test_day_and_month_swapped_are_found(decoys):
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=datetime.date(1984, 7, 3))

    match = best(last_name="Dupont", first_names="Marie", birth_date=BIRTH)

    assert match.person == person
    assert match.is_likely_duplicate
    assert "Date de naissance avec jour et mois inversés" in match.reasons


def test_the_true_person_comes_first(decoys):
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH)

    found = find(last_name="Dupont", first_names="Marie", birth_date=BIRTH)

    assert found[0].person == person
    assert found[0].score > found[1].score
    assert found[0].reasons == ["Même nom", "Mêmes prénoms", "Même date de naissance"]
    assert person not in [match.person for match in find(last_name="Lefort", first_names="Jean")]


def test_a_merged_record_is_not_found(decoys):
    person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH)
    PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH, merged_into=person)

    found = find(last_name="Dupont", first_names="Marie", birth_date=BIRTH)

    assert [match.person for match in found].count(person) == 1
    assert all(match.person.merged_into_id is None for match in found)


def test_the_search_page_shows_the_reason(login, professional_a):
    membership = professional_a.memberships.get()
    PersonFactory(birth_name="Lefèvre", first_names="Hélène", birth_date=BIRTH, followed_by=membership)

    response = login(professional_a).post(
        reverse("entry:person_list"), {"last_name": "lefevre", "first_names": "helene", "birth_date": "1984-07-03"}
    )

    page = text(response)
    assert "LEFÈVRE Hélène" in page
    assert "Même nom ; Mêmes prénoms ; Date de naissance avec jour et mois inversés" in page


def test_the_search_asks_for_something_to_search(login, professional_a):
    response = login(professional_a).post(reverse("entry:person_list"), {"first_names": "Marie"})

    assert (
        "Indiquez aussi le nom, ou un identifiant (NIR, numéro d'allocataire CAF, identifiant France Travail) : "
        "une date de naissance ou un prénom seuls ne suffisent pas pour rechercher."
    ) in text(response)


class TestCreatingALikelyDuplicate:
    """A likely duplicate (here a birth date one digit away) asks for a confirmation and shows what lets the
    professional decide without opening the record; the same birth date and names, or the same number, refuse the
    creation: the way forward is the access request."""

    # One digit away from the known person's birth date: a plausible typo, not a strong match.
    TYPO_DATE = "1990-05-18"

    @pytest.fixture
    def known(self, professional_b):
        return PersonFactory(
            birth_name="Moreau",
            first_names="Camille",
            sex="F",
            birth_date=datetime.date(1990, 5, 17),
            followed_by=professional_b.memberships.get(),
        )

    def test_without_confirmation_the_form_comes_back_with_the_candidates(self, login, professional_a, known):
        response = login(professional_a).post(
            reverse("entry:person_create"), person_data(first_names="Camille", birth_date=self.TYPO_DATE)
        )

        page = text(response)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Cette personne est probablement déjà connue" in page
        # Initials, birth year, commune, who follows her, the reasons: not her name nor her birth date.
        assert f"C. M. , née en 1990, {known.commune.name}" in page
        assert "Suivie par : Mission locale Nord Essonne" in page
        assert "Rapprochement : Même nom ; Mêmes prénoms ;" in page
        assert "MOREAU" not in page and "17/05/1990" not in page
        # The access request is posted from the warning, for that candidate.
        assert f'action="{reverse("entry:request_access", args=[known.public_id])}"' in content
        assert "Demander l'accès à ce dossier" in page
        assert 'name="confirm_not_duplicate"' in content
        assert "J'ai vérifié : aucune des personnes proposées n'est celle que je crée." in page
        assert "Créer quand même" in page
        # The checkbox appears without an error: nobody has been asked yet.
        assert "Confirmez que la personne n'est pas déjà connue" not in page
        assert Person.objects.count() == 1

    def test_confirmed_it_is_created_and_the_confirmation_is_journalled(
        self, login, professional_a, structure_a, known
    ):
        response = login(professional_a).post(
            reverse("entry:person_create"),
            person_data(
                first_names="Camille",
                birth_date=self.TYPO_DATE,
                confirm_not_duplicate="on",
                confirmation_affichee="1",
            ),
        )

        created = Person.objects.exclude(pk=known.pk).get()
        assert response.status_code == 302
        log = AccessLog.objects.get(object_id=str(created.public_id))
        assert (log.user, log.structure) == (professional_a, structure_a)
        assert log.detail == "création confirmée malgré 1 doublon(s) possible(s)"
        # Its creator is in the new record's team, not in the other one's.
        assert list(known.pathway.team.values_list("user", flat=True)) != [professional_a.pk]
        assert not known.pathway.team.filter(user=professional_a).exists()
        assert created.pathway.team.filter(user=professional_a).exists()

    def test_a_candidate_i_follow_is_named_with_a_link(self, login, professional_b, known):
        response = login(professional_b).post(
            reverse("entry:person_create"), person_data(first_names="Camille", birth_date=self.TYPO_DATE)
        )

        assert "MOREAU Camille , née le 17/05/1990" in text(response)
        assert reverse("entry:person_detail", args=[known.public_id]) in response.content.decode()
        assert "Demander l'accès à ce dossier" not in text(response)

    def test_the_same_birth_date_and_names_refuse_the_creation_even_confirmed(self, login, professional_a, known):
        response = login(professional_a).post(
            reverse("entry:person_create"),
            person_data(first_names="Camille", confirm_not_duplicate="on", confirmation_affichee="1"),
        )

        page = text(response)
        assert response.status_code == 200
        assert "Cette personne est déjà connue" in page
        assert "elle ne peut pas être créée une seconde fois. Demandez l'accès à son dossier." in page
        assert 'name="confirm_not_duplicate"' not in response.content.decode()
        assert "Demander l'accès à ce dossier" in page
        assert Person.objects.count() == 1

    def test_the_action_refuses_a_strong_duplicate_too(self, professional_a, known):
        from pathway.actions import AlreadyKnown, enter_person

        identity = {
            "birth_name": "MOREAU",
            "first_names": "camille",
            "birth_date": datetime.date(1990, 5, 17),
            "commune": known.commune,
        }
        with pytest.raises(AlreadyKnown) as refused:
            enter_person(by=professional_a.memberships.get(), identity=identity, entered_at=datetime.date.today())

        assert [match.person.pk for match in refused.value.matches] == [known.pk]
        assert Person.objects.count() == 1

    def test_the_action_given_the_search_it_was_shown_refuses_a_strong_duplicate_too(self, professional_a, known):
        from pathway.actions import AlreadyKnown, creation_matches, enter_person

        identity = {
            "birth_name": "Moreau",
            "first_names": "Camille",
            "birth_date": datetime.date(1990, 5, 17),
            "commune": known.commune,
        }
        found = creation_matches(identity)
        with pytest.raises(AlreadyKnown) as refused:
            enter_person(
                by=professional_a.memberships.get(), identity=identity, entered_at=datetime.date.today(), matches=found
            )

        assert [match.person.pk for match in refused.value.matches] == [known.pk]
        assert Person.objects.count() == 1

    def test_the_request_access_button_asks_for_access(self, login, professional_a, known):
        client = login(professional_a)
        client.post(reverse("entry:person_create"), person_data(first_names="Camille"))

        response = client.post(
            reverse("entry:request_access", args=[known.public_id]), {"reason": "Je la reçois demain."}
        )

        assert response.status_code == 302
        assert known.access_requests.get().requested_by == professional_a

    def test_the_same_nir_is_refused_outright(self, login, professional_a, known):
        nir = make_nir()
        known.set_nir(nir)
        known.save()

        response = login(professional_a).post(
            reverse("entry:person_create"),
            person_data(
                birth_name="Autre", first_names="Nom", nir=nir, confirm_not_duplicate="on", confirmation_affichee="1"
            ),
        )

        page = text(response)
        assert "elle ne peut pas être créée une seconde fois" in page
        assert "Même numéro de sécurité sociale" in page
        assert 'name="confirm_not_duplicate"' not in response.content.decode()
        assert Person.objects.count() == 1

    def test_a_partner_sharing_the_household_caf_number_is_no_duplicate(self, login, professional_a, known):
        """Same CAF number, other first names and birth date: the same household, never the same person."""
        known.caf_number = "1234567"
        known.save()
        client = login(professional_a)
        partner = person_data(birth_name="Moreau", first_names="Luc", sex="M", birth_date="1988-01-09")

        created = client.post(reverse("entry:person_create"), {**partner, "household_role": "partner"})
        searched = client.post(reverse("entry:person_list"), {"caf_number": "1234567"})

        assert created.status_code == 302
        assert Person.objects.filter(caf_number="1234567").count() == 2
        assert "Même foyer (même numéro d'allocataire CAF)" in text(searched)

    def test_a_household_member_is_shown_as_such_next_to_a_likely_duplicate(self, login, professional_a, known):
        PersonFactory(birth_name="Moreau", first_names="Luc", sex="M", caf_number="1234567")

        response = login(professional_a).post(
            reverse("entry:person_create"), person_data(first_names="Camille", birth_date=self.TYPO_DATE)
        )

        page = text(response)
        assert "Même foyer" in page
        assert "Une autre personne du même foyer, pas un doublon." in page


def test_the_second_page_of_my_caseload_is_not_a_search(login, professional_a):
    membership = professional_a.memberships.get()
    for index in range(27):
        PersonFactory(birth_name=f"Suivi{index:02d}", followed_by=membership)

    response = login(professional_a).get(reverse("entry:person_list"), {"page": "2"})

    page = text(response)
    assert "Page 2 sur 2" in page
    assert "SUIVI26" in page
    assert "Indiquez un nom" not in page and "Indiquez aussi le nom" not in page


def test_the_search_keeps_identities_out_of_the_address(login, professional_a):
    """Names and NIR are posted: no URL, history or server log carries them; a creation is pre-filled."""
    client = login(professional_a)

    response = client.post(reverse("entry:person_list"), {"last_name": "Lefèvre", "first_names": "Hélène"})
    creation = client.get(reverse("entry:person_create"))

    assert reverse("entry:person_create") + '"' in response.content.decode()
    assert "Lef" not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")
    assert 'value="Lefèvre"' in creation.content.decode()


class TestDuplicatesCaughtPrecisely:
    """The « probable duplicate » flag: what a professional types when creating a person, against who is on file."""

    def flagged(self, on_file, **typed):
        """The match of ``on_file`` for what is typed, or None when not listed."""
        return next((match for match in find(**typed) if match.person == on_file), None)

    def test_a_homonym_born_30_years_apart_is_listed_not_flagged(self, decoys):
        father = PersonFactory(birth_name="Martin", first_names="Jean", birth_date=datetime.date(1962, 9, 14))

        match = self.flagged(father, last_name="Martin", first_names="Jean", birth_date=datetime.date(1992, 3, 1))

        assert not match.is_likely_duplicate
        assert match.reasons == ["Même nom", "Mêmes prénoms", "Autre date de naissance"]
        assert match.score < matching.LIKELY_DUPLICATE

    def test_a_one_digit_birth_date_typo_is_flagged(self, decoys):
        person = PersonFactory(birth_name="Martin", first_names="Jean", birth_date=datetime.date(1962, 9, 14))

        match = self.flagged(person, last_name="Martin", first_names="Jean", birth_date=datetime.date(1962, 9, 24))

        assert match.is_likely_duplicate
        assert "Date de naissance à un chiffre près" in match.reasons

    def test_day_and_month_swapped_is_flagged_only_in_the_same_year(self, decoys):
        person = PersonFactory(birth_name="Moreau", first_names="Camille", birth_date=datetime.date(1990, 5, 7))

        same_year = self.flagged(
            person, last_name="Moreau", first_names="Camille", birth_date=datetime.date(1990, 7, 5)
        )
        other_year = self.flagged(
            person, last_name="Moreau", first_names="Camille", birth_date=datetime.date(1984, 7, 5)
        )

        assert same_year.is_likely_duplicate
        assert not other_year.is_likely_duplicate

    def test_twins_are_not_flagged_as_the_same_person(self, decoys):
        twin = PersonFactory(birth_name="Petit", first_names="Louis", birth_date=datetime.date(2001, 3, 18))

        sister = self.flagged(twin, last_name="Petit", first_names="Louise", birth_date=twin.birth_date)
        brother = self.flagged(twin, last_name="Petit", first_names="Hugo", birth_date=twin.birth_date)

        assert not sister.is_likely_duplicate
        assert not brother.is_likely_duplicate
        assert "Autres prénoms" in brother.reasons

    def test_mohamed_is_not_flagged_for_mamadou(self, decoys):
        person = PersonFactory(birth_name="Diallo", first_names="Mohamed", birth_date=BIRTH)

        match = self.flagged(person, last_name="Diallo", first_names="Mamadou", birth_date=BIRTH)

        assert not match.is_likely_duplicate

    def test_a_sibling_is_neither_flagged_nor_listed(self, decoys):
        sister = PersonFactory(birth_name="Girard", first_names="Julie", birth_date=datetime.date(1996, 10, 10))

        assert (
            self.flagged(sister, last_name="Girard", first_names="Thomas", birth_date=datetime.date(1999, 2, 1))
            is None
        )

    def test_typing_martin_puts_martin_before_saint_martin(self, decoys):
        saint_martin = PersonFactory(birth_name="Saint-Martin", first_names="Paul", birth_date=BIRTH)
        martin = PersonFactory(birth_name="Martin", first_names="Paul", birth_date=BIRTH)

        found = find(last_name="Martin", first_names="Paul", birth_date=BIRTH)

        assert [match.person for match in found[:2]] == [martin, saint_martin]
        assert found[0].score == 100 > found[1].score
        assert "Nom en partie commun" in found[1].reasons

    def test_two_variations_at_once_are_still_flagged(self, decoys):
        person = PersonFactory(
            birth_name="Lefebvre",
            usage_name="Durand",
            first_names="Marie Hélène",
            birth_date=datetime.date(1971, 2, 3),
        )

        match = self.flagged(person, last_name="Lefevbre", first_names="Hélène", birth_date=datetime.date(1971, 2, 8))

        assert match.is_likely_duplicate
        assert match.reasons == [
            "Nom proche (une lettre de différence)",
            "Un des prénoms",
            "Date de naissance à un chiffre près",
        ]

    def test_another_nir_on_file_is_another_person(self, decoys):
        person = PersonFactory(
            birth_name="Dupont", first_names="Marie", birth_date=BIRTH, nir=make_nir(birth_date=BIRTH)
        )

        match = self.flagged(
            person, last_name="Dupont", first_names="Marie", birth_date=BIRTH, nir=make_nir(birth_date=BIRTH, order=2)
        )

        assert not match.is_likely_duplicate
        assert "Autre numéro de sécurité sociale" in match.reasons

    def test_the_same_birth_date_and_names_leave_little_doubt(self, decoys):
        person = PersonFactory(birth_name="Dupont", first_names="Marie", birth_date=BIRTH)

        exact = self.flagged(person, last_name="DUPONT", first_names="marie", birth_date=BIRTH)
        with_typo = self.flagged(person, last_name="Dupont", first_names="Marie", birth_date=datetime.date(1984, 3, 8))

        assert exact.is_strong
        assert with_typo.is_likely_duplicate and not with_typo.is_strong

    def test_a_short_name_with_a_typo_in_its_first_letters_is_found_without_a_birth_date(self, decoys):
        person = PersonFactory(birth_name="Petit", first_names="Sophie", birth_date=BIRTH)

        found = find(last_name="Pteit", first_names="Sophie")

        assert found[0].person == person
