import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Structure
from territory.models import Commune, Departement
from tests.factories import MembershipFactory, StructureFactory, valid_siret
from tests.pages import field_error, input_value, text

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("accounts:structure_create")
LIST_URL = reverse("accounts:structure_list")
HOME_URL = reverse("home")
OUTSIDE = "Cette commune n'est pas dans le territoire du service."


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def structure_data(**overrides):
    data = {
        "name": "Association Tremplin Massy",
        "kind": Structure.Kind.ASSOCIATION,
        "siret": valid_siret(777),
        "address": "12 rue de Paris",
        "commune": "91377",  # Massy
        "email": "contact@tremplin.example",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_validated_structure(coordinator):
    client = logged_in(coordinator)

    response = client.post(CREATE_URL, structure_data(siret="732 829 320 00074"), follow=True)

    structure = Structure.objects.get(name="Association Tremplin Massy")
    assert response.request["PATH_INFO"] == reverse("accounts:structure_detail", args=[structure.public_id])
    assert "La structure « Association Tremplin Massy » est créée." in text(response)
    assert structure.siret == "73282932000074"  # spaces removed
    assert structure.commune.name == "Massy"
    assert structure.is_validated and structure.validated_by == coordinator
    # Anyone in the consortium finds it in the directory.
    assert "Association Tremplin Massy" in text(logged_in(MembershipFactory().user).get(LIST_URL))


def test_zone_of_intervention_is_saved(coordinator):
    evry = Commune.objects.get(code="91228")
    client = logged_in(coordinator)

    client.post(CREATE_URL, structure_data(zone_communes=["91228"], zone_epcis=[evry.epci_id]))

    structure = Structure.objects.get(name="Association Tremplin Massy")
    assert list(structure.zone_communes.all()) == [evry]
    assert list(structure.zone_epcis.all()) == [evry.epci]
    assert structure.covers(evry)
    assert not structure.covers(Commune.objects.get(code="91377"))  # Massy, outside the zone


def test_siret_with_a_wrong_check_digit_is_refused_next_to_the_field(coordinator):
    siret = valid_siret(777)
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)

    response = logged_in(coordinator).post(CREATE_URL, structure_data(siret=wrong))

    assert response.status_code == 200
    assert field_error(response, "siret") == (
        "Ce numéro SIRET n'est pas valide : il faut 14 chiffres dont le dernier est une clé de contrôle."
    )
    # What was typed is kept.
    assert input_value(response, "name") == "Association Tremplin Massy"
    assert input_value(response, "siret") == wrong
    assert input_value(response, "address") == "12 rue de Paris"
    assert input_value(response, "email") == "contact@tremplin.example"
    assert 'value="91377" selected' in response.content.decode()
    assert not Structure.objects.filter(name="Association Tremplin Massy").exists()


@pytest.mark.parametrize("siret", ["1234", "ABCDEFGHIJKLMN"])
def test_siret_must_have_fourteen_digits(coordinator, siret):
    response = logged_in(coordinator).post(CREATE_URL, structure_data(siret=siret))

    assert field_error(response, "siret").startswith("Ce numéro SIRET n'est pas valide")


def test_commune_that_is_not_loaded_is_refused(coordinator):
    response = logged_in(coordinator).post(CREATE_URL, structure_data(commune="75056"))  # Paris

    assert field_error(response, "commune") == OUTSIDE
    assert input_value(response, "name") == "Association Tremplin Massy"
    assert not Structure.objects.filter(name="Association Tremplin Massy").exists()


def test_commune_of_another_departement_is_refused(coordinator):
    seine_et_marne = Departement.objects.create(code="77", name="Seine-et-Marne", region_code="11")
    Commune.objects.create(code="77288", name="Meaux", departement=seine_et_marne)

    response = logged_in(coordinator).post(CREATE_URL, structure_data(commune="77288"))

    assert field_error(response, "commune") == OUTSIDE
    assert not Structure.objects.filter(name="Association Tremplin Massy").exists()


def test_model_refuses_a_commune_outside_the_territory_and_a_bad_siret():
    meaux = Commune.objects.create(
        code="77288", name="Meaux", departement=Departement.objects.create(code="77", name="Seine-et-Marne")
    )
    structure = StructureFactory.build(commune=meaux, siret="12345678901234")

    with pytest.raises(ValidationError) as error:
        structure.full_clean()

    assert error.value.message_dict["commune"] == [OUTSIDE]
    assert error.value.message_dict["siret"] == ["Ce numéro SIRET n'est pas valide (14 chiffres et clé de contrôle)."]


def test_only_a_coordinator_creates_structures(structure_admin_a):
    response = logged_in(structure_admin_a).post(CREATE_URL, structure_data())

    assert response.status_code == 403
    assert not Structure.objects.filter(name="Association Tremplin Massy").exists()


def test_validation_by_a_coordinator_lets_the_members_act(coordinator):
    pending = StructureFactory(name="Association en attente", pending=True)
    member = MembershipFactory(structure=pending, admin=True).user
    client = logged_in(member)
    home = client.get(HOME_URL)
    assert "Aucune structure active" in text(home)
    assert client.get(reverse("accounts:invite", args=[pending.public_id])).status_code == 404

    response = logged_in(coordinator).post(
        reverse("accounts:structure_validate", args=[pending.public_id]), follow=True
    )

    assert "La structure « Association en attente » est validée : ses membres ont accès à Relais." in text(response)
    home = client.get(HOME_URL)
    assert "Vous agissez pour Association en attente" in text(home)
    assert client.get(reverse("accounts:invite", args=[pending.public_id])).status_code == 200


def test_pending_structures_are_listed_for_the_coordinator(coordinator):
    StructureFactory(name="Association en attente", pending=True)
    client = logged_in(coordinator)

    assert "Association en attente" in text(client.get(HOME_URL))
    page = client.get(LIST_URL, {"statut": "a_valider"})
    assert [structure.name for structure in page.context["page"]] == ["Association en attente"]


def test_structure_admin_edits_the_structure(structure_a, structure_admin_a):
    url = reverse("accounts:structure_edit", args=[structure_a.public_id])
    client = logged_in(structure_admin_a)
    assert input_value(client.get(url), "name") == "France Travail Évry-Courcouronnes"

    response = client.post(
        url, structure_data(name="France Travail Évry", kind=Structure.Kind.FRANCE_TRAVAIL, siret=structure_a.siret)
    )

    assert response.status_code == 302
    structure_a.refresh_from_db()
    assert structure_a.name == "France Travail Évry"
    assert structure_a.commune.code == "91377"


class TestDirectory:
    @pytest.fixture
    def directory(self):
        StructureFactory(name="CCAS de Sainte-Geneviève-des-Bois", commune=Commune.objects.get(code="91549"))
        StructureFactory(name="Mission locale des Ulis", commune=Commune.objects.get(code="91692"))
        StructureFactory(name="Épicerie solidaire", commune=Commune.objects.get(code="91228"))
        return MembershipFactory(
            structure__name="Département",
            structure__departement=True,
            structure__commune=Commune.objects.get(code="91377"),
        ).user

    def names(self, user, **query):
        response = logged_in(user).get(LIST_URL, query)
        return [structure.name for structure in response.context["page"]]

    @pytest.mark.parametrize("query", ["mission", "MISSION LOCALE", "des Ulis"])
    def test_search_by_name(self, directory, query):
        assert self.names(directory, q=query) == ["Mission locale des Ulis"]

    @pytest.mark.parametrize("query", ["sainte-genevieve", "Sainte Geneviève", "ste genevieve", "St-Geneviève"])
    def test_search_by_commune_whatever_the_spelling(self, directory, query):
        assert self.names(directory, q=query) == ["CCAS de Sainte-Geneviève-des-Bois"]

    def test_search_by_commune_without_accents(self, directory):
        assert self.names(directory, q="evry") == ["Épicerie solidaire"]

    def test_search_by_siret(self, directory):
        structure = Structure.objects.get(name="Mission locale des Ulis")

        assert self.names(directory, q=structure.siret[:9]) == ["Mission locale des Ulis"]

    def test_search_by_kind(self, directory):
        assert self.names(directory, type=Structure.Kind.DEPARTEMENT) == ["Département"]

    def test_nothing_found_is_said(self, directory):
        response = logged_in(directory).get(LIST_URL, {"q": "introuvable"})

        assert "Aucune structure ne correspond à cette recherche." in text(response)

    def test_directory_hides_structures_awaiting_validation(self, directory):
        StructureFactory(name="Association en attente", pending=True)

        assert "Association en attente" not in self.names(directory)


def test_directory_is_paginated(professional_a):
    StructureFactory.create_batch(30)
    client = logged_in(professional_a)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert "31 structures." in text(first)
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 6
    assert "Page 2 sur 2" in text(second)
    assert not {s.pk for s in first.context["page"]} & {s.pk for s in second.context["page"]}


# Query counts do not grow with the number of structures or members shown.


@pytest.mark.parametrize("count", [5, 40])
def test_directory_query_count_is_bounded(django_assert_max_num_queries, coordinator, count):
    for structure in StructureFactory.create_batch(count):
        MembershipFactory.create_batch(2, structure=structure)
    client = logged_in(coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)

    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 40])
def test_structure_page_query_count_is_bounded(django_assert_max_num_queries, structure_a, structure_admin_a, count):
    MembershipFactory.create_batch(count, structure=structure_a, job_title="Conseiller")
    client = logged_in(structure_admin_a)

    with django_assert_max_num_queries(15):
        response = client.get(reverse("accounts:structure_detail", args=[structure_a.public_id]))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 40])
def test_home_query_count_is_bounded(django_assert_max_num_queries, coordinator, count):
    membership = coordinator.memberships.get()
    MembershipFactory.create_batch(count, structure=membership.structure)
    StructureFactory.create_batch(count, pending=True)
    client = logged_in(coordinator)

    # The home is the inbox: six sections of what to act on, one query each, on top of the coordination's counts.
    with django_assert_max_num_queries(20):
        response = client.get(HOME_URL)

    assert response.status_code == 200


def test_directory_search_ignores_accents(login, professional_a):
    StructureFactory(name="Épicerie solidaire de Grigny")

    response = login(professional_a).get(reverse("accounts:structure_list"), {"q": "epicerie"})

    assert "Épicerie solidaire de Grigny" in response.content.decode()
