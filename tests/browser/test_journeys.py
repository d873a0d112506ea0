"""The main journeys of a professional, a structure admin and a coordinator, in the browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation, JoinRequest, Structure
from tests.factories import MembershipFactory, StructureFactory

pytestmark = pytest.mark.browser


def test_professional_logs_in_with_the_keyboard_and_switches_structure(page, axe_check, password):
    agency = StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True)
    mission = StructureFactory(name="Mission locale Centre Essonne", kind=Structure.Kind.MISSION_LOCALE)
    user = MembershipFactory(structure=agency, user__email="karim.benali@exemple.fr", user__first_name="Karim").user
    MembershipFactory(structure=mission, user=user)

    page.goto("/connexion/")
    axe_check(page)
    # The email field has the focus on arrival; the rest of the form is reached with Tab.
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type("karim.benali@exemple.fr")
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Karim")
    expect(page.locator("main .fr-text--lead")).to_contain_text("Vous agissez pour France Travail Évry-Courcouronnes")
    axe_check(page)

    # The first stop of the keyboard is the skip link to the content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Contenu", exact=True)
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()

    page.get_by_label("Vous agissez pour").select_option(label="Mission locale Centre Essonne – professionnel")
    page.get_by_role("button", name="Changer de structure").click()

    expect(page.get_by_role("status")).to_contain_text("Vous agissez maintenant pour : Mission locale Centre Essonne.")
    expect(page.locator("main .fr-text--lead")).to_contain_text("Vous agissez pour Mission locale Centre Essonne")
    expect(page.get_by_label("Vous agissez pour")).to_have_value(
        str(user.memberships.get(structure=mission).public_id)
    )
    axe_check(page)


def test_wrong_password_is_refused_and_the_email_kept(page, axe_check, log_in):
    MembershipFactory(user__email="sophie.martin@exemple.fr")

    log_in(page, "sophie.martin@exemple.fr", "Pas-le-bon-mot-de-passe")

    expect(page).to_have_url(re.compile(r"/connexion/$"))
    # Announced: the error summary takes the focus, the message is an alert, both fields are marked invalid.
    expect(page.locator("#erreurs-du-formulaire")).to_be_focused()
    expect(page.get_by_role("alert")).to_have_text("Adresse électronique ou mot de passe incorrect.")
    expect(page).to_have_title(re.compile(r"^Erreur : Connexion"))
    expect(page.get_by_label("Adresse électronique")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Adresse électronique")).to_have_value("sophie.martin@exemple.fr")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    axe_check(page)


def test_structure_admin_invites_a_member(page, axe_check, log_in, mailoutbox):
    structure = StructureFactory(name="Tremplin Emploi 91")
    MembershipFactory(structure=structure, admin=True, user__email="nadia.haddad@exemple.fr")
    MembershipFactory(structure=structure, user__first_name="Bruno", user__last_name="Durand")

    log_in(page, "nadia.haddad@exemple.fr")
    expect(page.get_by_role("heading", name="Équipe de Tremplin Emploi 91 (2 membres)")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Gérer l'équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tremplin Emploi 91")
    expect(page.get_by_role("cell", name="Bruno Durand", exact=True)).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Inviter un membre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter un membre")
    axe_check(page)
    page.get_by_label("Adresse électronique du nouveau membre").fill("Nouvelle.Recrue@exemple.fr")
    page.get_by_label("Rôle").select_option(label="professionnel")
    page.get_by_role("button", name="Envoyer l'invitation").click()

    expect(page.get_by_role("status")).to_contain_text("Invitation envoyée à nouvelle.recrue@exemple.fr.")
    expect(page.get_by_text(re.compile(r"^nouvelle\.recrue@exemple\.fr – professionnel, expire le"))).to_be_visible()
    expect(page.get_by_role("button", name="Annuler l'invitation de nouvelle.recrue@exemple.fr")).to_be_visible()
    axe_check(page)
    assert Invitation.objects.pending().filter(structure=structure, email="nouvelle.recrue@exemple.fr").exists()
    assert [message.to for message in mailoutbox] == [["nouvelle.recrue@exemple.fr"]]


def test_coordinator_reads_partners_and_audit_journal(page, axe_check, log_in):
    departement = StructureFactory(name="Département de l'Essonne – Direction de l'insertion", departement=True)
    MembershipFactory(structure=departement, coordinator=True, admin=True, user__email="claire.moreau@exemple.fr")
    partner = StructureFactory(name="Mission locale Nord Essonne", kind=Structure.Kind.MISSION_LOCALE)
    MembershipFactory(structure=partner, admin=True, user__first_name="Thomas", user__last_name="Nguyen")
    StructureFactory(name="Lire et Écrire en Essonne", pending=True)
    JoinRequest.objects.create(
        structure_name="Association Fantôme",
        siret="73282932000074",
        first_name="Awa",
        last_name="Traoré",
        email="awa@exemple.fr",
        refused_at=timezone.now(),
        refusal_reason="Ce SIRET est celui d'une autre association.",
    )

    log_in(page, "claire.moreau@exemple.fr")
    expect(page.get_by_role("heading", name="Coordination du SPIE")).to_be_visible()
    axe_check(page)

    navigation = page.get_by_role("navigation", name="Menu principal")
    navigation.get_by_role("link", name="Partenaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partenaires du SPIE")
    # Coordinators also see the structure awaiting validation.
    expect(page.get_by_text("3 structures.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Lire et Écrire en Essonne.*à valider"))).to_be_visible()
    axe_check(page)

    # The requests it refused, with their reason.
    page.get_by_role("link", name="Demandes d'inscription refusées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'inscription refusées")
    expect(page.get_by_role("row", name=re.compile("Association Fantôme.*autre association"))).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Partenaires du SPIE").click()

    page.get_by_role("link", name="Mission locale Nord Essonne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission locale Nord Essonne")
    expect(page.get_by_role("cell", name="Thomas Nguyen", exact=True)).to_be_visible()
    axe_check(page)

    navigation.get_by_role("button", name="Pilotage").click()
    navigation.get_by_role("link", name="Journal des accès").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal des accès aux données personnelles")
    axe_check(page)

    navigation.get_by_role("button", name="Pilotage").click()
    navigation.get_by_role("link", name="Historique des modifications").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main table tbody tr").first).to_be_visible()
    axe_check(page)


def test_public_pages_are_reached_from_the_footer(page, axe_check):
    page.goto("/connexion/")
    footer = page.get_by_role("contentinfo")
    for link, title in [
        ("Accessibilité : partiellement conforme", re.compile("accessibilité", re.IGNORECASE)),
        ("Mentions légales", re.compile("mentions légales", re.IGNORECASE)),
        ("Données personnelles", re.compile("données personnelles", re.IGNORECASE)),
    ]:
        footer.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        axe_check(page)

    page.goto("/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
