"""The commune list of a form, narrowed as one types a name or a postcode (htmx), alphabetical without accents."""

import re

import pytest
from django.urls import reverse

from entry.forms import PersonForm

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("territory:commune_search")


def options(response):
    return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', response.content.decode())


def test_typing_a_name_without_accent_narrows_the_list_and_chooses_the_only_commune(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "evry", "liste": "id_commune"}, HTTP_HX_REQUEST="true")

    assert options(response) == [
        ("", "", "Choisir parmi la commune trouvée"),
        ("91228", " selected", "Évry-Courcouronnes (91228)"),
    ]
    assert 'id="id_commune-nombre"' in response.content.decode()
    assert "Une commune trouvée, choisie dans la liste." in response.content.decode()


def test_a_postcode_prefix_lists_its_communes_alphabetically_and_keeps_the_choice(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "910", "liste": "id_commune", "commune": "91228"}, HTTP_HX_REQUEST="true")

    found = options(response)
    assert ("91228", " selected", "Évry-Courcouronnes (91228)") in found
    names = [name for _, _, name in found[1:]]
    assert names == sorted(names, key=lambda name: name.replace("É", "E"))


def test_an_emptied_search_gives_back_every_commune(client, professional_a):
    client.force_login(professional_a)

    response = client.get(SEARCH_URL, {"q": "", "liste": "id_commune"}, HTTP_HX_REQUEST="true")

    assert len(options(response)) > 100


def test_the_person_form_lists_evry_among_the_e_and_offers_the_filter():
    html = str(PersonForm()["commune"].as_field_group())

    names = re.findall(r'<option value="\d+"[^>]*>([^<(]*) \(', html)
    first_after_e = next(name for name in names if name[0] in "EÉ")
    assert names.index("Évry-Courcouronnes") < names.index(next(name for name in names if name[0] == "F"))
    assert first_after_e[0] in "EÉ"
    assert 'label class="fr-label fr-text--sm" for="id_commune_filtre"' in html
    assert 'role="status"' in html
