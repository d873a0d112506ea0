"""The main pages at 320 px wide (no sideways scroll, axe clean), the worklist at 200 % text, and the journey from
creating a person to deciding her orientation with the keyboard only."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from people.models import Person
from tests.browser.conftest import assert_no_sideways_scroll
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.browser


def propose(person, membership):
    diagnostic = DiagnosticFactory(
        person=person,
        number=1,
        structure=membership.structure,
        done_by=membership.user,
        proposed_pathway="professional",
    )
    return OrientationFactory(
        person=person,
        diagnostic=diagnostic,
        proposed_pathway="professional",
        proposed_by=membership.user,
        proposed_for=membership.structure,
    )


@pytest.fixture
def camille(professional_a):
    membership = professional_a.memberships.get()
    person = PersonFactory(
        birth_name="Moreau", first_names="Camille", sex="F", commune_id="91228", rsa=True, followed_by=membership
    )
    propose(person, membership)
    return person


def test_the_main_pages_read_at_320_px(
    narrow_page, axe_check, log_in, professional_a, orientation_manager, coordinator, camille
):
    page = narrow_page
    log_in(page, "pro.a@exemple.fr")
    person_url = f"/personnes/{camille.public_id}/"
    for url in ("/", "/personnes/", "/personnes/nouvelle/", person_url, f"{person_url}diagnostics/"):
        page.goto(url)
        axe_check(page)
        assert_no_sideways_scroll(page)
    # The « Menu » skip link leads to the menu's button, the menu itself being folded at this width.
    page.goto("/")
    page.keyboard.press("Tab")
    page.get_by_role("navigation", name="Accès rapide").get_by_role("link", name="Menu").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#bouton-menu-mobile")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    page.context.clear_cookies()  # logged out

    log_in(page, "orient@exemple.fr")
    for url in ("/orientations/", f"{person_url}orientation/"):
        page.goto(url)
        axe_check(page)
        assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Décider et notifier").click()  # no structure chosen: the errors
    expect(page.locator("#erreurs-du-formulaire")).to_be_focused()
    axe_check(page)
    assert_no_sideways_scroll(page)
    page.context.clear_cookies()  # logged out

    log_in(page, "coord@exemple.fr")
    for url in ("/audit/modifications/", "/audit/acces/"):
        page.goto(url)
        axe_check(page)
        assert_no_sideways_scroll(page)


def test_the_worklist_filter_stays_on_screen_at_200_percent_text(
    page, axe_check, log_in, orientation_manager, camille
):
    log_in(page, "orient@exemple.fr")
    page.goto("/orientations/")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    button = page.get_by_role("button", name="Filtrer")
    box = button.bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert_no_sideways_scroll(page)


def tab_to(page, locator, limit=150):
    """Press Tab until ``locator`` has the focus, as a keyboard user does."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => element === document.activeElement", target):
            return
    pytest.fail(f"Introuvable au clavier : {locator}")


def type_date(page, field, day):
    """Type a date in a date field, in the order of the browser's language (jj/mm/aaaa in French)."""
    page.keyboard.type(day.strftime("%d%m%Y"))
    if field.input_value() != day.isoformat():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(day.strftime("%m%d%Y"))
    expect(field).to_have_value(day.isoformat())


def log_in_with_keyboard(page, email, password):
    page.goto("/connexion/")
    expect(page.get_by_label("Adresse électronique")).to_be_focused()
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_create_a_person_and_decide_her_orientation_with_the_keyboard_only(
    page, axe_check, password, professional_a, orientation_manager, structure_a
):
    # The prescriber searches, then creates the person.
    log_in_with_keyboard(page, "pro.a@exemple.fr", password)
    tab_to(
        page, page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Personnes", exact=True)
    )
    page.keyboard.press("Enter")
    search = page.get_by_role("search")
    tab_to(page, search.get_by_label("Nom (de naissance ou d'usage)"))
    page.keyboard.type("Leroy")
    tab_to(page, search.get_by_label("Prénom(s)"))
    page.keyboard.type("Nadège")
    tab_to(page, search.get_by_label("Date de naissance"))
    type_date(page, search.get_by_label("Date de naissance"), datetime.date(1987, 3, 12))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Aucune personne trouvée.")
    expect(page).to_have_title(re.compile(r"^Recherche : aucune personne trouvée"))
    tab_to(page, page.get_by_role("link", name="Créer une nouvelle personne"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    expect(page.get_by_label("Date de naissance")).to_have_value("1987-03-12")
    tab_to(page, page.get_by_label("Sexe"))
    page.keyboard.type("femme")
    # Submitted without a commune: the summary of the errors takes the focus and leads to the field.
    tab_to(page, page.get_by_role("button", name="Créer la personne"))
    page.keyboard.press("Enter")
    summary = page.locator("#erreurs-du-formulaire")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    axe_check(page)
    link = summary.get_by_role("link", name=re.compile("^Commune de résidence"))
    tab_to(page, link)
    page.keyboard.press("Enter")
    commune = page.get_by_label("Commune de résidence")
    expect(commune).to_be_focused()
    # The list is narrowed by typing the name without its accent in the filter just above it.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Réduire la liste : début du nom ou code postal")).to_be_focused()
    page.keyboard.type("evry")
    expect(page.get_by_role("status").filter(has_text="commune")).to_have_text(
        "Une commune trouvée, choisie dans la liste."
    )
    expect(commune).to_have_value("91228")
    tab_to(page, page.get_by_role("button", name="Créer la personne"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    expect(page.get_by_role("status")).to_contain_text("LEROY Nadège est enregistrée.")
    person = Person.objects.get(birth_name="Leroy")
    propose(person, professional_a.memberships.get())
    tab_to(page, page.get_by_role("button", name="Se déconnecter"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/connexion/$"))

    # The orientation manager decides from the worklist.
    log_in_with_keyboard(page, "orient@exemple.fr", password)
    tab_to(page, page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Orientations"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Décider de l'orientation de LEROY Nadège"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Décider l'orientation de LEROY Nadège")
    tab_to(page, page.get_by_role("button", name="Décider et notifier"))
    page.keyboard.press("Enter")
    summary = page.locator("#erreurs-du-formulaire")
    expect(summary).to_be_focused()
    tab_to(page, summary.get_by_role("link", name=re.compile("^Organisme référent")))
    page.keyboard.press("Enter")
    structure = page.get_by_label("Organisme référent", exact=True)
    expect(structure).to_be_focused()
    page.keyboard.type(structure_a.name)
    expect(structure).to_have_value(str(structure_a.pk))
    # The structure's members are offered as référents (htmx) once it is chosen.
    expect(page.get_by_label("Référent (Optionnel)").locator("option")).to_have_count(2)
    tab_to(page, page.get_by_role("button", name="Décider et notifier"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("L'orientation est décidée")
    axe_check(page)
