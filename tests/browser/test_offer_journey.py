"""The offer in the browser: an association describes and publishes a service; a counsellor finds it from a
person's carnet and orients her; the association accepts and starts; the counsellor sees the loop close."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from offer.models import Referral, Service
from pathway.models import TimelineEvent
from tests.entry.factories import DiagnosticFactory
from tests.factories import MembershipFactory, StructureFactory
from tests.offer.factories import ServiceFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def partners():
    agency = StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True)
    association = StructureFactory(name="Tremplin Emploi 91", email="contact@tremplin.exemple.fr")
    counsellor = MembershipFactory(
        structure=agency, user__email="karim.benali@exemple.fr", user__first_name="Karim", user__last_name="Benali"
    )
    MembershipFactory(
        structure=association,
        admin=True,
        user__email="nadia.haddad@exemple.fr",
        user__first_name="Nadia",
        user__last_name="Haddad",
    )
    MembershipFactory(
        structure=association,
        user__email="ines.rolland@exemple.fr",
        user__first_name="Inès",
        user__last_name="Rolland",
    )
    return counsellor, association


def _nav(page, name):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name).click()


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))


def test_an_association_describes_and_publishes_a_service(page, axe_check, log_in, partners):
    log_in(page, "nadia.haddad@exemple.fr")
    _nav(page, "Offre")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offre du territoire")
    axe_check(page)
    page.get_by_role("link", name="Les services de Tremplin Emploi 91").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services de Tremplin Emploi 91")
    axe_check(page)
    page.get_by_role("link", name="Ajouter un service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau service")
    axe_check(page)

    page.get_by_label("Nom du service").fill("Coaching vers l'emploi")
    page.get_by_label("Description").fill("Trois mois d'accompagnement individuel : CV, entretiens, confiance en soi.")
    page.get_by_label("Type de service").select_option(label="Accompagnement")
    page.get_by_role("group", name="Préparer sa candidature").get_by_text("Valoriser ses compétences").click()
    page.get_by_role("group", name="Publics").get_by_text("Demandeurs d’emploi").click()
    page.get_by_role("group", name="Frais").get_by_text("Gratuit").click()
    page.get_by_role("group", name="Modes d'accueil").get_by_text("En présentiel").click()
    page.get_by_label("Commune du lieu d'accueil").select_option(label="Évry-Courcouronnes (91228)")
    page.get_by_label("Adresse électronique").fill("coaching@tremplin")
    page.get_by_role("group", name="Disponibilité", exact=True).get_by_text("places disponibles").click()
    page.get_by_role("button", name="Enregistrer").click()

    # Refused: the zone is missing and the address malformed; each error next to its field, nothing lost.
    summary = page.locator("#erreurs-du-formulaire")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Le service n'est pas enregistré")
    expect(page.locator(".fr-alert--error")).to_have_count(1)  # one summary, not a second beside it
    email = page.get_by_label("Adresse électronique")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email-desc-error")).to_contain_text("Cette adresse électronique n'est pas valide.")
    expect(page.locator("#id_zone_departement-desc-error")).to_contain_text("Indiquez où le service est ouvert")
    expect(page.get_by_label("Nom du service")).to_have_value("Coaching vers l'emploi")
    axe_check(page)

    email.fill("coaching@tremplin.exemple.fr")
    page.locator("label[for=id_zone_departement]").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("est enregistré comme brouillon")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching vers l'emploi")
    axe_check(page)
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_contain_text("Le service est publié")
    axe_check(page)

    service = Service.objects.get()
    assert (service.status, service.zone, service.thematiques) == (
        "published",
        ["91"],
        ["preparer-sa-candidature--valoriser-ses-competences"],
    )


def test_a_counsellor_orients_a_person_and_sees_the_loop_close(page, axe_check, log_in, partners, mailoutbox):
    counsellor, association = partners
    person = PersonFactory(birth_name="Leroy", first_names="Nadège", commune_id="91228", followed_by=counsellor)
    DiagnosticFactory(
        person=person,
        number=1,
        structure=counsellor.structure,
        done_by=counsellor.user,
        answers={"barriers": {"mobility": {"level": "fort", "situations": ["no_means_of_transport"]}}},
    )
    ServiceFactory(structure=association, name="Auto-école sociale", thematiques=["mobilite--preparer-un-permis"])
    ServiceFactory(structure=association, name="Atelier cuisine", thematiques=["remobilisation--lien-social"])

    # 1. From the carnet, « Trouver une offre »: the person's commune and barrier, and why each service.
    log_in(page, "karim.benali@exemple.fr")
    page.goto(f"/personnes/{person.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    page.get_by_role("link", name="Trouver une offre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver une offre pour LEROY Nadège")
    assert page.url.endswith(f"/offre/pour/{person.public_id}/")
    expect(page.get_by_label("Commune")).to_have_value("91228")
    results = page.get_by_role("list").filter(has=page.get_by_role("heading", name="Auto-école sociale"))
    expect(results).to_contain_text("Pourquoi ce service : Frein « Mobilité » (fort)")
    expect(page.get_by_role("heading", name="Atelier cuisine")).to_have_count(0)
    axe_check(page)

    page.get_by_role("link", name="Orienter vers ce service : Auto-école sociale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orienter LEROY Nadège vers « Auto-école sociale »")
    axe_check(page)
    page.get_by_label("Message à la structure").fill("Permis B pour accéder à un emploi en horaires décalés.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_role("status")).to_contain_text("L'orientation est envoyée à Tremplin Emploi 91")
    expect(page.get_by_text("envoyée", exact=True)).to_be_visible()
    axe_check(page)
    assert ["contact@tremplin.exemple.fr"] in [message.to for message in mailoutbox]
    _log_out(page)

    # 2. The association finds it in its inbox, accepts it, then records the start.
    log_in(page, "ines.rolland@exemple.fr")
    _nav(page, "Prescriptions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prescriptions reçues")
    axe_check(page)
    page.get_by_role("link", name="LEROY Nadège").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Orientation de LEROY Nadège vers « Auto-école sociale »"
    )
    expect(page.get_by_text("Permis B pour accéder à un emploi en horaires décalés.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Message au prescripteur").fill("Premier cours de code lundi à 9 h.")
    page.get_by_role("button", name="Accepter l'orientation").click()
    expect(page.get_by_role("status")).to_contain_text("Vous avez accepté l'orientation")
    axe_check(page)
    page.get_by_label("Commencé le").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Enregistrer le début").click()
    expect(page.get_by_role("status")).to_contain_text("L'accompagnement est commencé.")
    expect(page.get_by_role("listitem").filter(has_text="commencée par Inès Rolland")).to_be_visible()
    axe_check(page)
    _log_out(page)

    # 3. The counsellor sees the loop close on the carnet; it is on the timeline, and they were told.
    log_in(page, "karim.benali@exemple.fr")
    page.goto(f"/personnes/{person.public_id}/")
    row = page.get_by_role("row", name=re.compile("Auto-école sociale"))
    expect(row).to_contain_text("commencée")
    expect(page.get_by_text("Inès Rolland – Tremplin Emploi 91 (intervenant)")).to_be_visible()
    axe_check(page)
    referral = Referral.objects.get()
    assert referral.status == Referral.Status.STARTED
    assert list(TimelineEvent.objects.filter(person=person).order_by("at").values_list("kind", flat=True)) == [
        "offer.referral_sent",
        "offer.referral_accepted",
        "pathway.team_joined",
        "offer.referral_started",
    ]
    subjects = [message.subject for message in mailoutbox if message.to == ["karim.benali@exemple.fr"]]
    assert subjects == [
        "Relais – Votre orientation vers « Auto-école sociale » : acceptée",
        "Relais – Votre orientation vers « Auto-école sociale » : commencée",
    ]
