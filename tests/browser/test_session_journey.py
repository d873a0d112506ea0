"""A diagnostic survives the session's end, in the browser: the page warns before the idle timeout, « Prolonger la
session » extends it on the server, and a submit after it ended is kept as a draft found again after logging in.

The idle timeout and the warning are settings: a few seconds here, so that the journey runs in seconds."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Structure
from entry.models import Diagnostic, DiagnosticDraft
from tests.factories import MembershipFactory, StructureFactory

pytestmark = pytest.mark.browser

IDLE_SECONDS = 8
WARNING_SECONDS = 4
EMAIL = "lea.girard@exemple.fr"


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    settings.RELAIS_SESSION_WARNING_SECONDS = WARNING_SECONDS
    settings.RELAIS_SESSION_REFRESH_SECONDS = 0  # every request renews the idle period, as a minute does in real use


def test_a_diagnostic_survives_the_end_of_the_session(page, axe_check, log_in, password, short_sessions):
    mds = StructureFactory(name="Maison des solidarités d'Évry", kind=Structure.Kind.MAISON_SOLIDARITES)
    MembershipFactory(structure=mds, user__email=EMAIL, user__first_name="Léa")
    # The timers run on the page: the warning and the end are waited for a little longer than they take.
    later = (IDLE_SECONDS + 2) * 1000

    # A prescriber creates the person, then starts her diagnostic.
    log_in(page, EMAIL)
    page.goto(reverse("entry:person_create"))
    page.get_by_label("Nom de naissance").fill("Durand")
    page.get_by_label("Prénoms").fill("Lucie")
    page.get_by_label("Date de naissance").fill(datetime.date(1991, 6, 3).isoformat())
    page.get_by_label("Sexe").select_option(label="femme")
    page.get_by_label("Commune de résidence").select_option(label="Évry-Courcouronnes (91228)")
    page.get_by_role("button", name="Créer la personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("DURAND Lucie")
    page.get_by_role("link", name="Faire le diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic socio-professionnel de DURAND Lucie")
    diagnostic_url = page.url

    page.get_by_label("Activité professionnelle récente").select_option(
        label="A travaillé au cours des 24 derniers mois"
    )
    page.get_by_label("Niveau de qualification").select_option(
        label="Sans diplôme, avec une formation qualifiante (certificat, attestation de compétences…)"
    )
    expect(page.locator("#draft-status")).to_contain_text("Brouillon enregistré à")

    # A few seconds before the end, the page warns; « Prolonger la session » extends it on the server.
    warning = page.locator("#session-warning")
    expect(warning).to_contain_text("Votre session va expirer dans moins d'une minute", timeout=later)
    extend = warning.get_by_role("button", name="Prolonger la session")
    expect(extend).to_be_focused()
    extend.click()
    expect(warning).to_be_hidden()
    # Warned again when the first period ends: the server still knows the session, and extends it again.
    expect(warning).to_contain_text("Votre session va expirer", timeout=later)
    axe_check(page)
    page.wait_for_timeout(500)
    extend.click()
    expect(warning).to_be_hidden()

    # Then the professional leaves the page alone: the session ends, and the page says so.
    expect(warning).to_contain_text("Votre session a expiré", timeout=later)
    expect(extend).to_be_hidden()
    page.wait_for_timeout(500)
    # Typed after the end, then submitted: kept as her draft, not refused as an expired form.
    page.get_by_label("Aspiration de la personne").select_option(label="Retrouver rapidement un emploi")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()

    expect(page).to_have_url(re.compile(r"/connexion/\?next="))
    expect(page.get_by_text("tout ce que vous aviez saisi est gardé en brouillon")).to_be_visible()
    expect(page.get_by_text("Le formulaire a expiré")).to_have_count(0)
    axe_check(page)
    assert not Diagnostic.objects.exists()
    assert DiagnosticDraft.objects.get(author__email=EMAIL).data["q_aspiration"] == ["quick_return_to_work"]

    # Logged in again, she is back on the diagnostic with everything she typed, and records it.
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(diagnostic_url)
    expect(page.get_by_label("Activité professionnelle récente")).to_have_value("worked_last_24_months")
    expect(page.get_by_label("Niveau de qualification")).to_have_value("qualifying_training")
    expect(page.get_by_label("Aspiration de la personne")).to_have_value("quick_return_to_work")
    axe_check(page)
    page.get_by_role("button", name="Enregistrer le diagnostic").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Diagnostic enregistré. Orientation proposée : parcours professionnel."
    )
    diagnostic = Diagnostic.objects.get()
    assert diagnostic.referential_version == 2
    assert diagnostic.answers["professional_situation"] == {
        "recent_activity": "worked_last_24_months",
        "qualification_level": "qualifying_training",
        "aspiration": "quick_return_to_work",
    }
    assert not DiagnosticDraft.objects.exists()
