"""A partner not yet on Relais asks to join from the login page; the coordination validates it; the one who asked is
invited as its first administrator."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invitation, Role, Structure
from tests.factories import MembershipFactory, StructureFactory, valid_siret

pytestmark = pytest.mark.browser


def test_a_partner_asks_to_join_and_the_coordination_validates_it(page, axe_check, log_in, mailoutbox):
    departement = StructureFactory(name="Département de l'Essonne – Direction de l'insertion", departement=True)
    MembershipFactory(structure=departement, coordinator=True, admin=True, user__email="claire.moreau@exemple.fr")
    siret = valid_siret(4321)

    page.goto("/connexion/")
    page.get_by_role("link", name="Demandez son inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscrire sa structure sur Relais")
    axe_check(page)
    page.get_by_label("Nom", exact=True).fill("Les Jardins de Cocagne d'Étampes")
    page.get_by_label("Type").select_option(label="Structure d'insertion par l'activité économique (SIAE)")
    page.get_by_label("SIRET").fill(siret)
    page.locator("#id_address").fill("2 chemin des Potagers")
    page.get_by_label("Commune", exact=True).select_option(label="Étampes (91223)")
    page.get_by_label("Adresse électronique de contact").fill("contact@jardins.exemple.fr")
    page.get_by_label("Votre prénom").fill("Awa")
    page.get_by_label("Votre nom").fill("Traoré")
    page.get_by_label("Votre adresse électronique professionnelle").fill("awa.traore@jardins.exemple.fr")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande d'inscription envoyée")
    axe_check(page)

    structure = Structure.objects.get(siret=siret)
    log_in(page, "claire.moreau@exemple.fr")
    page.goto(f"/structures/{structure.public_id}/")
    expect(page.get_by_text(re.compile("par Awa Traoré"))).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Valider la structure").click()
    expect(page.get_by_role("status")).to_contain_text("awa.traore@jardins.exemple.fr est invité")

    invitation = Invitation.objects.get(structure=structure)
    assert invitation.role == Role.STRUCTURE_ADMIN
    # The coordination was told of the request; the one who asked gets the invitation.
    assert [message.to for message in mailoutbox] == [["claire.moreau@exemple.fr"], ["awa.traore@jardins.exemple.fr"]]
