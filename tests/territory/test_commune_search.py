import pytest
from django.urls import reverse

from territory.loading import load_departement
from territory.models import Commune
from tests.pages import text

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("territory:commune_search")


def names(query):
    return [commune.name for commune in Commune.objects.search(query).order_by("name")]


@pytest.mark.parametrize("query", ["evry", "Évry", "EVRY-COURCOURONNES", "évry courcouronnes", "courcouronnes"])
def test_evry_is_found_whatever_the_spelling(query):
    assert names(query) == ["Évry-Courcouronnes"]


@pytest.mark.parametrize(
    "query", ["SAINTE GENEVIEVE", "ste-genevieve", "Sainte-Geneviève-des-Bois", "st genevieve", "genevieve"]
)
def test_saint_and_sainte_are_written_any_way(query):
    assert names(query) == ["Sainte-Geneviève-des-Bois"]


def test_search_by_postcode():
    assert names("91000") == ["Évry-Courcouronnes"]
    # A postcode shared by several communes finds them all.
    assert len(names("91150")) > 1
    assert "Étampes" in names("91150")


def test_search_by_start_of_postcode():
    found = names("9100")

    assert "Évry-Courcouronnes" in found
    assert all(
        commune.postcodes.filter(code__startswith="9100").exists() for commune in Commune.objects.search("9100")
    )


def test_search_by_insee_code():
    assert names("91228") == ["Évry-Courcouronnes"]


@pytest.mark.parametrize("query", ["", "   ", "zzz", "75001"])
def test_nothing_matches(query):
    assert names(query) == []


def test_each_commune_is_found_once_even_with_several_postcodes():
    assert names("evry") == ["Évry-Courcouronnes"]
    assert Commune.objects.search("910").filter(code="91228").count() == 1


def test_view_answers_json_with_postcodes_and_epci(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "evry"})

    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "code": "91228",
                "nom": "Évry-Courcouronnes",
                "codes_postaux": ["91000", "91080"],
                "epci": "CA Grand Paris Sud Seine Essonne Sénart",
            }
        ]
    }


def test_view_lists_the_most_populated_communes_first(client, professional_a):
    client.force_login(professional_a)

    results = client.get(SEARCH_URL, {"q": "91"}).json()["results"]

    assert len(results) == 15
    assert results[0]["nom"] == "Évry-Courcouronnes"


def test_view_answers_an_html_fragment_to_htmx(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "ste genevieve"}, headers={"HX-Request": "true"})

    assert response["Content-Type"].startswith("text/html")
    assert "<html" not in response.content.decode()
    assert text(response) == "Sainte-Geneviève-des-Bois (91700) – code INSEE 91549"


def test_htmx_fragment_says_when_nothing_is_found(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "Ajaccio"}, headers={"HX-Request": "true"})

    assert text(response) == "Aucune commune du territoire ne correspond à « Ajaccio »."


def test_view_stays_within_the_territory(client, professional_a):
    load_departement("2A")
    client.force_login(professional_a)

    assert client.get(SEARCH_URL, {"q": "ajaccio"}).json() == {"results": []}
    assert client.get(SEARCH_URL, {"q": "2A004"}).json() == {"results": []}


def test_view_query_count_does_not_grow_with_results(client, professional_a, django_assert_max_num_queries):
    client.force_login(professional_a)

    with django_assert_max_num_queries(8):
        many = client.get(SEARCH_URL, {"q": "91"}, headers={"HX-Request": "true"})

    assert many.content.decode().count('role="option"') == 15


def test_view_needs_a_login(client):
    response = client.get(SEARCH_URL, {"q": "evry"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
