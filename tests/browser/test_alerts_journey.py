"""The carnet's follow-up in the browser: a rupture alert found in « Mes alertes », taken in charge and closed with a
note; a sensitive note kept for its author; the person's objection, after which a colleague of another structure in
the team no longer finds the carnet."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Structure
from pathway import ruptures
from pathway.models import Alert, Note, Pathway
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def console_errors(page):
    """A script error or a Content Security Policy block fails the test."""
    errors, failures = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: failures.append(f"Erreur JavaScript : {error}"))
    yield errors
    for text in errors:
        if "violates the following Content Security Policy" in text:
            failures.append(f"Bloqué par la politique de sécurité du contenu : {text}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def carnet():
    """Nadia Haddad, accompanied for three months by Rachida Benali (maison des solidarités) without any individual
    contact; Hugo Lambert of the mission locale is in her team. The daily computation has run."""
    solidarity = StructureFactory(name="Maison des solidarités d'Évry", kind=Structure.Kind.MAISON_SOLIDARITES)
    mission = StructureFactory(name="Mission locale Centre Essonne", kind=Structure.Kind.MISSION_LOCALE)
    referent = MembershipFactory(
        structure=solidarity,
        user__email="rachida.benali@exemple.fr",
        user__first_name="Rachida",
        user__last_name="Benali",
    )
    intervenant = MembershipFactory(
        structure=mission, user__email="hugo.lambert@exemple.fr", user__first_name="Hugo", user__last_name="Lambert"
    )
    person = PersonFactory(
        birth_name="Haddad",
        first_names="Nadia",
        followed_by=intervenant,
        followed_by__entered_at=timezone.localdate() - datetime.timedelta(days=120),
    )
    pathway = person.pathway
    pathway.status = Pathway.Status.ACCOMPANIED
    pathway.referent_structure, pathway.referent = solidarity, referent.user
    pathway.oriented_at = timezone.now() - datetime.timedelta(days=90)
    pathway.save()
    pathway.team.create(user=referent.user, structure=solidarity, role="referent")
    ruptures.compute()
    return person


def test_an_alert_handled_a_note_kept_private_and_an_objection_that_narrows_access(
    page, axe_check, log_in, console_errors, carnet
):
    # The référent finds the alert in « Mes alertes », with the rule's threshold.
    log_in(page, "rachida.benali@exemple.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Alertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes alertes")
    expect(page.get_by_role("status")).to_have_text("1 alerte ouverte")
    row = page.get_by_role("row").filter(has_text="HADDAD Nadia")
    expect(row).to_contain_text("Aucun contact individuel")
    axe_check(page)
    page.get_by_role("button", name="Les règles d'alerte et leurs seuils").click()
    expect(page.get_by_text("depuis 60 jours avec une personne orientée ou accompagnée")).to_be_visible()

    # She takes it in charge, then closes it with a note of the call she made.
    row.get_by_role("button", name=re.compile("^Prendre en charge")).click()
    expect(page.get_by_text("Vous avez pris l'alerte en charge")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="HADDAD Nadia")).to_contain_text("confiée à Rachida Benali")
    axe_check(page)
    page.get_by_role("row").filter(has_text="HADDAD Nadia").get_by_role("link", name=re.compile("^Clore")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clore une alerte")
    axe_check(page)
    page.get_by_text("contact individuel avec la personne", exact=True).click()
    page.get_by_label("Date du contact").fill(timezone.localdate().isoformat())
    page.get_by_label("Mode de contact").select_option(label="téléphone")
    page.get_by_label("Note de clôture : ce qui a été fait").fill("Appel : Mme Haddad reprend ses recherches lundi.")
    page.get_by_role("button", name="Clore l'alerte").click()
    expect(page.get_by_text("L'alerte est close ; la note de clôture est sur le carnet.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="alerte ouverte")).to_have_text("0 alerte ouverte")
    assert Alert.objects.get(person=carnet).status == Alert.Status.CLOSED

    # On the carnet, the closing note; a sensitive note stays hers alone.
    page.goto(f"/personnes/{carnet.public_id}/")
    expect(page.get_by_text("Appel : Mme Haddad reprend ses recherches lundi.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Ajouter une note").click()
    axe_check(page)
    page.get_by_label("Texte de la note").fill("Suivi médical en cours : rendez-vous courts.")
    page.locator("label[for=id_sensitive]").click()
    expect(page.get_by_label("Moi seulement : vous seul")).to_be_checked()
    expect(page.locator("input[name=visibility][value=team]")).to_be_disabled()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La note est enregistrée ; moi seulement la lit.")).to_be_visible()
    assert Note.objects.get(sensitive=True).visibility == "author"

    # The person objects to the sharing: the carnet says so.
    page.get_by_role("link", name="Enregistrer une information, une opposition ou un retrait").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partage du carnet et droit d'opposition")
    axe_check(page)
    page.get_by_text("La personne s'oppose au partage de son carnet", exact=True).click()
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("De quelle manière").select_option(label="en entretien")
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("heading", name=re.compile("Cette personne s'oppose au partage de son carnet"))
    ).to_be_visible()
    expect(
        page.get_by_text("Seul l'organisme référent, Maison des solidarités d'Évry, accède à son carnet.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The mission locale's counsellor, in the team until now, no longer finds the carnet.
    log_in(page, "hugo.lambert@exemple.fr")
    response = page.goto(f"/personnes/{carnet.public_id}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_text("Haddad")).to_have_count(0)
    axe_check(page)
