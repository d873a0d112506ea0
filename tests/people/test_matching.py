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


def test_the_same_caf_number_wins(decoys):
    person = PersonFactory(birth_name="Dupont", caf_number="7654321")

    match = best(last_name="Martin", caf_number=" 7654321 ")

    assert (match.person, match.score, match.reasons) == (person, 100, ["Même numéro d'allocataire CAF"])


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
        pytest.param(("Da Silva", "", "Ana"), ("Silva", "Ana"), "Nom composé en commun", id="part of a compound"),
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
    @pytest.fixture
    def known(self, professional_b):
        return PersonFactory(
            birth_name="Moreau",
            first_names="Camille",
            birth_date=datetime.date(1990, 5, 17),
            followed_by=professional_b.memberships.get(),
        )

    def test_without_confirmation_the_form_comes_back_with_the_candidates(self, login, professional_a, known):
        response = login(professional_a).post(reverse("entry:person_create"), person_data(first_names="Camille"))

        page = text(response)
        assert response.status_code == 200
        assert "Cette personne est peut-être déjà connue" in page
        assert "Une personne déjà suivie ( demander l'accès )" in page
        assert reverse("entry:request_access", args=[known.public_id]) in response.content.decode()
        assert "Même nom ; Mêmes prénoms ; Même date de naissance" in page
        assert 'name="confirm_not_duplicate"' in response.content.decode()
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
            person_data(first_names="Camille", confirm_not_duplicate="on", confirmation_affichee="1"),
        )

        created = Person.objects.exclude(pk=known.pk).get()
        assert response.status_code == 302
        log = AccessLog.objects.get(object_id=str(created.public_id))
        assert (log.user, log.structure) == (professional_a, structure_a)
        assert log.detail == "création confirmée malgré 1 doublon(s) possible(s)"

    def test_a_candidate_i_follow_is_named_with_a_link(self, login, professional_b, known):
        response = login(professional_b).post(reverse("entry:person_create"), person_data(first_names="Camille"))

        assert "MOREAU Camille , née le 17/05/1990" in text(response)
        assert reverse("entry:person_detail", args=[known.public_id]) in response.content.decode()

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
        assert "Cette personne est déjà connue (même identifiant) : ouvrez son dossier ci-dessous." in page
        assert "Même numéro de sécurité sociale" in page
        assert 'name="confirm_not_duplicate"' not in response.content.decode()
        assert Person.objects.count() == 1

    def test_a_partner_sharing_the_household_caf_number_can_be_created_once_confirmed(
        self, login, professional_a, known
    ):
        known.caf_number = "1234567"
        known.save()
        client = login(professional_a)
        partner = person_data(birth_name="Moreau", first_names="Luc", sex="M", birth_date="1988-01-09")

        shown = client.post(reverse("entry:person_create"), {**partner, "household_role": "partner"})
        created = client.post(
            reverse("entry:person_create"),
            {**partner, "household_role": "partner", "confirm_not_duplicate": "on", "confirmation_affichee": "1"},
        )

        assert "Même numéro d'allocataire CAF" in text(shown)
        assert 'name="confirm_not_duplicate"' in shown.content.decode()
        assert created.status_code == 302
        assert Person.objects.filter(caf_number="1234567").count() == 2


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
