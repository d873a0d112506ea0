"""The demo consortium tells the truth: structures a user can edit, capabilities as the README says."""

import pytest
from django.test import Client
from django.urls import reverse
from stdnum.fr import siret

from accounts.demo import DEMO_DOMAIN, STRUCTURES, seed_consortium
from accounts.models import Membership, Structure
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def consortium():
    seed_consortium()
    return Structure.objects.filter(name__in=[name for name, *_ in STRUCTURES])


def form_as_typed(page):
    """What the browser sends back when the user saves the form without changing anything."""
    data = {}
    for field in page.context["form"]:
        value = field.value()
        if value in (None, False):
            continue
        if isinstance(value, (list, tuple)):
            data[field.html_name] = [getattr(item, "pk", item) for item in value]
        else:
            data[field.html_name] = "on" if value is True else value
    return data


def test_every_demo_structure_has_a_valid_siret(consortium):
    assert consortium.count() == len(STRUCTURES)
    for structure in consortium:
        assert len(structure.siret) == 14, structure.name
        assert siret.is_valid(structure.siret), structure.name


def test_agencies_of_one_organisation_share_their_siren(consortium):
    france_travail = {s.siren for s in consortium.filter(kind=Structure.Kind.FRANCE_TRAVAIL)}
    assert len(france_travail) == 1
    assert len({s.siret for s in consortium}) == len(STRUCTURES)


def test_every_demo_structure_saves_from_its_edit_form(consortium):
    client = Client()
    client.force_login(Membership.objects.get(user__email=f"coordination@{DEMO_DOMAIN}", is_coordinator=True).user)
    for structure in consortium:
        url = reverse("accounts:structure_edit", args=[structure.public_id])
        data = form_as_typed(client.get(url))
        data["phone"] = "01 69 00 00 00"

        response = client.post(url, data)

        assert response.status_code == 302, (structure.name, response.context["form"].errors)
        structure.refresh_from_db()
        assert structure.phone == "+33169000000"


def test_the_association_admin_saves_her_structure(consortium):
    client = Client()
    client.force_login(Membership.objects.get(user__email=f"admin.asso@{DEMO_DOMAIN}").user)
    structure = Structure.objects.get(name="Tremplin Emploi 91")
    url = reverse("accounts:structure_edit", args=[structure.public_id])

    response = client.post(url, {**form_as_typed(client.get(url)), "address": "3 place de l'Agora"}, follow=True)

    assert "Les informations de la structure sont enregistrées." in text(response)
    structure.refresh_from_db()
    assert structure.address == "3 place de l'Agora"
    assert structure.pending_change() is None


def test_the_demo_coordinator_pilots_and_does_not_orient(consortium):
    memberships = Membership.objects.filter(user__email=f"coordination@{DEMO_DOMAIN}")

    assert memberships.filter(is_coordinator=True).exists()
    assert not memberships.filter(is_orientation_manager=True).exists()
    # Orienting is the orientation manager's.
    assert Membership.objects.get(user__email=f"orientation@{DEMO_DOMAIN}").is_orientation_manager


def test_the_demo_zones_are_said(consortium):
    departement = consortium.get(kind=Structure.Kind.DEPARTEMENT)
    grigny = consortium.get(name="CCAS de Grigny")

    assert departement.covers_departement
    assert not grigny.covers_departement
    assert [commune.name for commune in grigny.zone_communes.all()] == ["Grigny"]


def test_seeding_again_repairs_an_older_demo_database(consortium):
    """A demo database seeded by an earlier version had 13-digit SIRETs and an orienting coordinator."""
    Structure.objects.filter(name__in=[name for name, *_ in STRUCTURES]).update(siret="1234567890123")
    Membership.objects.filter(user__email=f"coordination@{DEMO_DOMAIN}", is_coordinator=True).update(
        is_orientation_manager=True
    )

    seed_consortium()

    assert all(siret.is_valid(structure.siret) for structure in consortium)
    assert not Membership.objects.filter(user__email=f"coordination@{DEMO_DOMAIN}", is_orientation_manager=True)
