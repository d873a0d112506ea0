"""Malformed input typed or forged into the entry forms gets a clear answer (a form error, or a 400 page),
never a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from entry.models import Commission
from pathway import actions as pathway_actions
from tests.entry.posts import field_group
from tests.pages import field_error, text

pytestmark = pytest.mark.django_db

OVERSIZED = "9" * 30


@pytest.fixture
def browser(orientation_manager):
    """The orientation manager's browser: it gets the error pages a browser gets, rather than the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(orientation_manager)
    return client


def test_a_person_id_that_is_not_a_uuid_on_a_commission_is_a_bad_request(browser, orientation_manager, departement):
    commission = Commission.objects.create(
        title="Commission", held_on="2026-03-12", structure=departement, created_by=orientation_manager
    )

    response = browser.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {"action": "ajouter", "personnes": ["pas-un-identifiant"]},
    )

    assert response.status_code == 400
    assert "Requête invalide" in text(response)
    assert not commission.persons.exists()


def test_an_oversized_referent_structure_on_the_decision_form_is_a_form_error(
    browser, followed, membership_a, propose
):
    propose(followed, membership_a)

    response = browser.post(
        reverse("entry:decide", args=[followed.public_id]),
        {"pathway_type": "professional", "referent_structure": OVERSIZED, "referent": OVERSIZED},
    )

    assert response.status_code == 200
    assert field_error(response, "referent_structure") == (
        "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
    )
    assert OVERSIZED not in field_group(response, "referent")


def test_an_oversized_referent_structure_in_the_referent_options_offers_nobody(browser):
    response = browser.get(reverse("entry:referent_options"), {"referent_structure": OVERSIZED})

    assert response.status_code == 200
    assert "<option" not in response.content.decode().replace('<option value="">', "")


def test_a_return_address_that_is_not_a_path_sends_back_to_the_requests(
    browser, followed, membership_b, orientation_manager
):
    access_request = pathway_actions.request_access(followed, by=membership_b, reason="Je la reçois demain.")

    response = browser.post(
        reverse("entry:answer_access_request", args=[access_request.public_id]),
        {"decision": "refuser", "next": "pas-une-adresse"},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("entry:access_request_list"))


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        ("orientation_manager", reverse("entry:worklist"), {"commune": "91\x00228"}),
        ("coordinator", reverse("audit:change_log"), {"identifiant": "\x00"}),
        ("coordinator", reverse("accounts:structure_list"), {"q": "Évry\x00"}),
    ],
    ids=["worklist", "change-log", "directory"],
)
def test_a_nul_character_in_an_address_is_a_bad_request(request, role, url, params):
    """PostgreSQL refuses NUL characters in any text: a forged address is refused before it reaches a query."""
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(role))

    response = client.get(url, params)

    assert response.status_code == 400
    assert "Requête invalide" in text(response)


def test_a_nul_character_in_a_commission_reason_is_said_and_nothing_is_decided(
    browser, orientation_manager, departement, followed, membership_a, propose, structure_b
):
    propose(followed, membership_a)
    commission = Commission.objects.create(
        title="Commission", held_on="2026-03-12", structure=departement, created_by=orientation_manager
    )
    commission.persons.add(followed)
    key = followed.public_id

    response = browser.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {
            "action": "decider",
            f"parcours-{key}": "social",
            f"structure-{key}": structure_b.pk,
            f"motif-{key}": "a\x00b",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "MOREAU Camille : le motif contient un caractère non autorisé." in text(response)
    assert not commission.orientations.exists()
