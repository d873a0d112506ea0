"""What a browser keeps of a session: no page seen by a signed-in user stays in its cache or a proxy's (every page of
the access matrix: ``test_no_cache_of_signed_in_pages``), and a NIR typed in a form never comes back in clear in the
page (nor in its history of form values)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from people.identity import mask_nir
from people.models import Person
from tests.entry.posts import in_error, person_data
from tests.pages import text
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db


def tomorrow():
    """Read when the test runs: a run may cross midnight in Paris."""
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def followed(professional_a):
    return PersonFactory(
        birth_name="Moreau",
        first_names="Camille",
        birth_date=datetime.date(1990, 5, 17),
        followed_by=professional_a.memberships.get(),
    )


@pytest.fixture
def membership_b(professional_b):
    return professional_b.memberships.get()


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def nir_inputs(response):
    return [tag for tag in re.findall(r"<input[^>]*>", response.content.decode()) if 'name="nir"' in tag]


def nir_traces(nir):
    """The NIR as it could be written back in a page: whole, grouped, without its key."""
    grouped = " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
    return [nir, nir[:13], grouped, grouped[:-3]]


def assert_not_echoed(response, nir):
    body = response.content.decode()
    for trace in nir_traces(nir):
        assert trace not in body, trace


def test_the_search_results_and_the_carnet_are_not_kept(login, professional_a, followed):
    client = login(professional_a)

    for response in (
        client.post(reverse("entry:person_list"), {"last_name": "Moreau"}),
        client.get(reverse("entry:person_detail", args=[followed.public_id])),
    ):
        assert no_store(response)


def test_a_page_refused_or_not_found_is_not_kept_either(login, professional_b, followed):
    response = login(professional_b).get(reverse("entry:person_detail", args=[followed.public_id]))

    assert response.status_code == 404
    assert no_store(response)


def test_public_pages_may_be_kept(client):
    """Nothing personal on them: the browser may keep the accessibility statement or the login page."""
    assert not no_store(client.get(reverse("accessibility")))


# The NIR typed is never sent back


class TestTheSearch:
    def test_the_nir_input_is_not_remembered_by_the_browser(self, login, professional_a):
        response = login(professional_a).get(reverse("entry:person_list"))

        [tag] = nir_inputs(response)
        assert 'autocomplete="off"' in tag

    def test_a_nir_typed_with_a_mistake_elsewhere_comes_back_empty(self, login, professional_a):
        nir = make_nir(order=123)

        response = login(professional_a).post(
            reverse("entry:person_list"), {"last_name": "Moreau", "nir": nir, "birth_date": tomorrow()}
        )

        assert "La date de naissance ne peut pas être dans le futur." in text(response)
        assert_not_echoed(response, nir)
        [tag] = nir_inputs(response)
        assert "value=" not in tag
        assert 'autocomplete="off"' in tag

    def test_a_wrong_nir_is_not_echoed_either(self, login, professional_a):
        wrong = make_nir(order=123)[:13] + "00"

        response = login(professional_a).post(reverse("entry:person_list"), {"last_name": "Moreau", "nir": wrong})

        assert "Ce numéro de sécurité sociale n'est pas valide" in text(response)
        assert_not_echoed(response, wrong)

    def test_after_a_search_by_nir_the_page_says_so_masked(self, login, professional_a, followed):
        nir = make_nir(order=123)
        followed.set_nir(nir)
        followed.save()

        response = login(professional_a).post(reverse("entry:person_list"), {"nir": nir})

        assert "MOREAU Camille" in text(response)
        assert_not_echoed(response, nir)
        assert mask_nir(nir) in text(response)


class TestThePersonForm:
    def test_the_nir_input_is_not_remembered_by_the_browser(self, login, professional_a):
        [tag] = nir_inputs(login(professional_a).get(reverse("entry:person_create")))

        assert 'autocomplete="off"' in tag

    def test_a_valid_nir_is_kept_masked_while_another_field_is_corrected(self, login, professional_a):
        nir = make_nir(order=321)
        client = login(professional_a)

        wrong = client.post(reverse("entry:person_create"), person_data(nir=nir, email="camille@"))

        assert "Saisissez une adresse de courriel valide." in in_error(wrong, "email")
        assert_not_echoed(wrong, nir)
        assert mask_nir(nir) in text(wrong)
        [tag] = nir_inputs(wrong)
        assert "value=" not in tag
        kept = re.search(r'name="kept_nir" value="([^"]+)"', wrong.content.decode()).group(1)

        created = client.post(reverse("entry:person_create"), person_data(nir="", kept_nir=kept))

        assert created.status_code == 302
        assert Person.objects.get().nir == nir

    def test_a_nir_confirmed_past_a_likely_duplicate_is_kept(self, login, professional_a, membership_b):
        # Born one digit away from the date typed: a likely duplicate to confirm (the same date would be refused).
        PersonFactory(birth_name="Moreau", first_names="Camille", birth_date="1990-05-18", followed_by=membership_b)
        nir = make_nir(order=321)
        client = login(professional_a)

        shown = client.post(reverse("entry:person_create"), person_data(first_names="Camille", nir=nir))

        assert "Cette personne est probablement déjà connue" in text(shown)
        assert_not_echoed(shown, nir)
        kept = re.search(r'name="kept_nir" value="([^"]+)"', shown.content.decode()).group(1)
        client.post(
            reverse("entry:person_create"),
            person_data(
                first_names="Camille", nir="", kept_nir=kept, confirm_not_duplicate="on", confirmation_affichee="1"
            ),
        )
        assert Person.objects.get(first_names="Camille", created_by=professional_a).nir == nir

    def test_a_forged_kept_nir_is_ignored(self, login, professional_a):
        response = login(professional_a).post(
            reverse("entry:person_create"), person_data(nir="", kept_nir=make_nir(order=5))
        )

        assert response.status_code == 302
        assert Person.objects.get().nir == ""

    def test_an_edit_with_a_mistake_keeps_the_new_nir_masked(self, login, professional_a, followed):
        nir = make_nir(order=77)
        client = login(professional_a)

        response = client.post(
            reverse("entry:person_edit", args=[followed.public_id]),
            person_data(nir=nir, phone="06", version=str(followed.version)),
        )

        assert "Ce numéro de téléphone n'est pas valide." in in_error(response, "phone")
        assert_not_echoed(response, nir)
        assert mask_nir(nir) in text(response)
