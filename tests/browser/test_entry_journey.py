"""The entry into the pathway, in the browser: search, creation, diagnostic, orientation from the worklist (most
urgent first), the new référent's inbox and email, need-to-know, and an access request answered from the inbox."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Structure
from pathway.models import AccessRequest
from people.models import Person
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.browser

BIRTH_DATE = datetime.date(1987, 3, 12)


@pytest.fixture
def console_errors(page):
    """The browser console's errors, printed; a script error or a Content Security Policy block fails the test."""
    errors, failures = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: failures.append(f"Erreur JavaScript : {error}"))
    yield errors
    for text in errors:
        print(f"console : {text}")
        if "violates the following Content Security Policy" in text:
            failures.append(f"Bloqué par la politique de sécurité du contenu : {text}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def consortium():
    """A maison des solidarités, the Département's orientation team, two organismes référents, a mission locale."""
    mds = StructureFactory(name="Maison des solidarités d'Évry", kind=Structure.Kind.MAISON_SOLIDARITES)
    departement = StructureFactory(name="Département de l'Essonne – Orientation", departement=True)
    agency = StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True, email="evry@exemple.fr")
    association = StructureFactory(name="Tremplin Emploi 91", email="contact@tremplin.exemple.fr")
    mission = StructureFactory(name="Mission locale Nord Essonne", kind=Structure.Kind.MISSION_LOCALE)
    MembershipFactory(structure=mds, user__email="lea.girard@exemple.fr", user__first_name="Léa")
    MembershipFactory(structure=departement, orientation_manager=True, user__email="orientation@exemple.fr")
    MembershipFactory(structure=agency, job_title="Conseiller", user__first_name="Karim", user__last_name="Benali")
    MembershipFactory(
        structure=association,
        job_title="Chargée d'accompagnement",
        user__email="ines.rolland@exemple.fr",
        user__first_name="Inès",
        user__last_name="Rolland",
    )
    MembershipFactory(structure=association, user__first_name="Paul", user__last_name="Vidal")
    MembershipFactory(structure=mission, user__email="hugo.lambert@exemple.fr")


def _search(page, axe_check, last_name, first_names, birth_date):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Personnes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnes")
    axe_check(page)
    search = page.get_by_role("search")
    search.get_by_label("Nom (de naissance ou d'usage)").fill(last_name)
    search.get_by_label("Prénom(s)").fill(first_names)
    search.get_by_label("Date de naissance").fill(birth_date.isoformat())
    search.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="Résultats")).to_be_visible()
    # Posted: nothing of the identity in the address.
    assert last_name.lower() not in page.url.lower()
    axe_check(page)


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))


def test_person_found_or_created_diagnosed_oriented_and_protected(
    page, axe_check, log_in, console_errors, consortium, mailoutbox
):
    today = timezone.localdate()

    # 1. A professional of a maison des solidarités searches the person, then creates her.
    log_in(page, "lea.girard@exemple.fr")
    axe_check(page)
    _search(page, axe_check, "Leroy", "Nadège", BIRTH_DATE)
    expect(page.get_by_text("Aucune personne connue ne correspond.")).to_be_visible()
    page.get_by_role("link", name="Créer une nouvelle personne").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle personne")
    axe_check(page)
    # The form starts from the search.
    expect(page.get_by_label("Nom de naissance")).to_have_value("Leroy")
    expect(page.get_by_label("Prénoms")).to_have_value("Nadège")
    expect(page.get_by_label("Date de naissance")).to_have_value(BIRTH_DATE.isoformat())
    page.get_by_label("Sexe").select_option(label="femme")
    nir = make_nir("F", BIRTH_DATE)
    wrong_nir = nir[:-2] + f"{(int(nir[-2:]) + 1) % 100:02d}"
    page.get_by_label("Numéro de sécurité sociale (NIR)").fill(wrong_nir)
    page.get_by_label("Adresse électronique").fill("nadege.leroy@exemple.fr")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Adresse (Optionnel)").fill("12 rue des Tilleuls")
    page.get_by_label("Commune de résidence").select_option(label="Évry-Courcouronnes (91228)")
    rsa_since = today - datetime.timedelta(days=10)
    page.get_by_label("Bénéficiaire du RSA depuis le").fill(rsa_since.isoformat())
    page.get_by_role("button", name="Créer la personne").click()

    # Refused: the error is next to the NIR, what was typed is kept.
    nir_field = page.get_by_label("Numéro de sécurité sociale (NIR)")
    expect(nir_field).to_have_attribute("aria-invalid", "true")
    error_id = nir_field.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{error_id[-1]}")).to_contain_text("Ce numéro de sécurité sociale n'est pas valide")
    expect(page.get_by_label("Nom de naissance")).to_have_value("Leroy")
    expect(page.get_by_label("Téléphone")).to_have_value("06 12 34 56 78")
    expect(page.get_by_label("Commune de résidence")).to_have_value("91228")
    expect(page.get_by_label("Bénéficiaire du RSA depuis le")).to_have_value(rsa_since.isoformat())
    assert not Person.objects.exists()
    axe_check(page)

    nir_field.fill(nir)
    page.get_by_role("button", name="Créer la personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    expect(page.get_by_role("status")).to_contain_text("est enregistrée. Vous faites partie de son équipe.")
    expect(page.get_by_text(f"RSA depuis le {rsa_since:%d/%m/%Y}")).to_be_visible()
    axe_check(page)

    # 2. The common diagnostic: professional situation, then two themes opened in their accordions.
    page.get_by_role("link", name="Faire le diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic socio-professionnel de LEROY Nadège")
    axe_check(page)
    page.get_by_label("Activité professionnelle récente").select_option(
        label="A travaillé au cours des 24 derniers mois"
    )
    page.get_by_label("Niveau de qualification").select_option(label="Niveau 3 (CAP, BEP)")
    page.get_by_label("Aspiration de la personne").select_option(label="Retrouver rapidement un emploi")

    # Housing, with the keyboard only: open the accordion, choose the level, tick a situation.
    housing_button = page.get_by_role("button", name="Logement", exact=True)
    housing_button.focus()
    page.keyboard.press("Enter")
    expect(housing_button).to_have_attribute("aria-expanded", "true")
    housing_level = page.get_by_role("group", name="Logement : niveau de frein")
    expect(housing_level).to_be_visible()
    housing_level.get_by_label("Fort").focus()
    page.keyboard.press("Space")
    expect(housing_level.get_by_label("Fort")).to_be_checked()
    housing_situations = page.get_by_role("group", name="Logement : situations")
    housing_situations.get_by_label("Hébergé(e) chez un tiers").focus()
    page.keyboard.press("Space")
    expect(housing_situations.get_by_label("Hébergé(e) chez un tiers")).to_be_checked()

    # Mobility, with the mouse.
    page.get_by_role("button", name="Mobilité", exact=True).click()
    mobility_level = page.get_by_role("group", name="Mobilité : niveau de frein")
    mobility_level.get_by_text("Moyen", exact=True).click()
    expect(mobility_level.get_by_label("Moyen")).to_be_checked()
    mobility_situations = page.get_by_role("group", name="Mobilité : situations")
    mobility_situations.get_by_text("Dépend des transports en commun").click()
    expect(mobility_situations.get_by_label("Dépend des transports en commun")).to_be_checked()
    page.get_by_label("Mobilité : commentaire").fill("Pas de bus le dimanche.")
    axe_check(page)
    page.get_by_role("button", name="Enregistrer le diagnostic").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Diagnostic enregistré. Orientation proposée : parcours socio-professionnel."
    )
    proposal = page.locator(".fr-callout")
    expect(proposal.get_by_role("heading")).to_have_text("Orientation proposée : parcours socio-professionnel")
    expect(proposal.get_by_text("Pourquoi :")).to_be_visible()
    expect(proposal.get_by_role("listitem").first).to_be_visible()
    expect(proposal.get_by_text("Un chargé d'orientation du territoire décidera.")).to_be_visible()
    axe_check(page)
    _log_out(page)

    # 4. Seven weeks after her entry into the RSA, another person is still to be oriented: she is overdue.
    PersonFactory(
        birth_name="Marchand",
        first_names="Sylvie",
        birth_date=datetime.date(1979, 9, 2),
        rsa_since=today - datetime.timedelta(weeks=7),
        followed_by__entered_at=today - datetime.timedelta(weeks=7),
        followed_by=None,
    )

    # 3. The orientation manager finds her in the worklist and decides.
    log_in(page, "orientation@exemple.fr")
    axe_check(page)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Orientations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientations à décider")
    tabs = page.get_by_role("navigation", name="Vues de la liste")
    expect(tabs.get_by_role("link", name="À orienter (2)")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("row", name=re.compile("LEROY Nadège.*socio-professionnel"))).to_be_visible()
    # Most urgent first: the overdue person before the one whose deadline is weeks away.
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").nth(0)).to_contain_text("MARCHAND Sylvie")
    expect(page.locator("tbody tr").nth(1)).to_contain_text("LEROY Nadège")
    axe_check(page)

    tabs.get_by_role("link", name="En retard (1)").click()
    expect(tabs.get_by_role("link", name="En retard (1)")).to_have_attribute("aria-current", "page")
    overdue = page.get_by_role("row", name=re.compile("MARCHAND Sylvie"))
    expect(overdue).to_contain_text("en retard")
    expect(page.get_by_role("link", name="LEROY Nadège", exact=True)).to_have_count(0)
    axe_check(page)

    tabs.get_by_role("link", name="À orienter (2)").click()
    page.get_by_role("link", name="LEROY Nadège", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    axe_check(page)
    page.get_by_role("link", name="Décider l'orientation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Décider l'orientation de LEROY Nadège")
    axe_check(page)
    pathway = page.get_by_role("group", name="Parcours décidé")
    expect(pathway.get_by_label("socio-professionnel")).to_be_checked()
    pathway.get_by_label("socio-professionnel").check()
    referent = page.get_by_label("Référent (Optionnel)")
    page.get_by_label("Organisme référent", exact=True).select_option(label="France Travail Évry-Courcouronnes")
    expect(referent.locator("option")).to_have_text(
        ["À désigner par l'organisme référent", "Karim Benali – Conseiller"]
    )
    page.get_by_label("Organisme référent", exact=True).select_option(label="Tremplin Emploi 91")
    expect(referent.locator("option")).to_have_text(
        ["À désigner par l'organisme référent", "Inès Rolland – Chargée d'accompagnement", "Paul Vidal"]
    )
    # Let htmx finish its swap and settle before choosing, as a person would see the list stop changing.
    # (A locator, not a script: the pages' Content Security Policy forbids evaluating strings.)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    referent.select_option(label="Inès Rolland – Chargée d'accompagnement")
    expect(referent).to_have_value(re.compile(r"^\d+$"))
    axe_check(page)
    page.get_by_role("button", name="Décider et notifier").click()

    expect(page.get_by_role("status")).to_contain_text(
        "L'orientation est décidée et notifiée à la personne et à l'organisme référent."
    )
    expect(page.get_by_text("Inès Rolland", exact=True)).to_be_visible()
    contract_due = today + relativedelta(months=1)
    expect(page.get_by_text("Contrat d'engagement attendu avant le")).to_be_visible()
    expect(page.get_by_text(f"{contract_due:%d/%m/%Y}", exact=True)).to_be_visible()
    axe_check(page)
    assert "nadege.leroy@exemple.fr" in [address for message in mailoutbox for address in message.to]
    _log_out(page)

    # The new référent is told by email, and finds the person in her inbox.
    assert "Relais – Vous êtes désigné référent unique d'une personne" in [
        message.subject for message in mailoutbox if message.to == ["ines.rolland@exemple.fr"]
    ]
    log_in(page, "ines.rolland@exemple.fr")
    inbox = page.get_by_role("region", name="À traiter")
    entrusted = inbox.locator(".fr-card").filter(
        has=page.get_by_role("heading", name=re.compile("qui vous sont confiées"))
    )
    expect(entrusted.get_by_role("heading")).to_contain_text("1")
    axe_check(page)
    entrusted.get_by_role("link", name="LEROY Nadège").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    axe_check(page)
    _log_out(page)

    # 5. A professional of another structure finds that she exists, not her record, and asks to join.
    log_in(page, "hugo.lambert@exemple.fr")
    axe_check(page)
    _search(page, axe_check, "Leroy", "Nadège", BIRTH_DATE)
    row = page.get_by_role("row", name=re.compile("Déjà suivie"))
    expect(row).to_have_count(1)
    expect(page.get_by_role("link", name="LEROY Nadège", exact=True)).to_have_count(0)
    expect(row).not_to_contain_text("Nadège")
    row.get_by_role("link", name="Déjà suivie : demander l'accès").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cette personne est déjà suivie")
    expect(page.get_by_text("Tremplin Emploi 91")).to_be_visible()
    axe_check(page)
    page.get_by_label("Motif de la demande").fill("Elle s'est présentée à la mission locale pour un atelier CV.")
    page.get_by_role("button", name="Demander l'accès").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre demande d'accès est envoyée au référent et aux chargés d'orientation."
    )
    axe_check(page)
    assert AccessRequest.objects.filter(
        person__birth_name="Leroy", requested_by__email="hugo.lambert@exemple.fr", status=AccessRequest.Status.PENDING
    ).exists()
    _log_out(page)

    # 6. The référent answers it from her inbox; the requester is told.
    assert "Relais – Une demande d'accès attend votre réponse" in [
        message.subject for message in mailoutbox if message.to == ["ines.rolland@exemple.fr"]
    ]
    log_in(page, "ines.rolland@exemple.fr")
    requests = (
        page.get_by_role("region", name="À traiter")
        .locator(".fr-card")
        .filter(has=page.get_by_role("heading", name=re.compile("Demandes d'accès à traiter")))
    )
    expect(requests).to_contain_text("Mission locale Nord Essonne")
    requests.get_by_role("link", name="LEROY Nadège").click()
    expect(page.get_by_role("heading", name=re.compile("Demande d'accès de"))).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Accorder l'accès").click()
    expect(page.get_by_role("status")).to_contain_text("Accès accordé : le professionnel rejoint l'équipe.")
    expect(page.get_by_role("heading", name=re.compile("Demande d'accès de"))).to_have_count(0)
    axe_check(page)
    assert AccessRequest.objects.get(requested_by__email="hugo.lambert@exemple.fr").status == (
        AccessRequest.Status.GRANTED
    )
    assert "Relais – Votre demande d'accès est accordée" in [
        message.subject for message in mailoutbox if message.to == ["hugo.lambert@exemple.fr"]
    ]
