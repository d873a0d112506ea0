"""The follow-up from end to end, in the browser: a référent drafts and signs the contrat d'engagement, invites the
person to a first appointment, records two missed appointments; the rupture alert they raise is in « Mes alertes »,
she takes it in charge and hands the person over to a colleague with a note; the person objects to the sharing, and
the mission locale's counsellor of the team no longer finds the carnet. An axe scan on every page."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Structure
from pathway.models import Alert, Appointment, EngagementContract, Pathway
from tests.factories import MembershipFactory, StructureFactory
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory, accompany

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
HANDOVER_NOTE = "Deux absences de suite : reprendre contact par téléphone, le contrat est signé depuis ce jour."


@pytest.fixture
def console_errors(page):
    """A script error or a Content Security Policy block fails the test."""
    failures = []
    page.on("pageerror", lambda error: failures.append(f"Erreur JavaScript : {error}"))
    page.on(
        "console",
        lambda message: (
            failures.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield
    assert not failures, "\n".join(failures)


@pytest.fixture
def awa():
    """Awa Diallo, entered by Hugo Lambert (mission locale, who stays in her team), oriented to the maison des
    solidarités where Sophie Martin is her référent and Julie Lefèvre her colleague; two appointments of last week
    wait for their attendance."""
    mds = StructureFactory(name="Maison des solidarités d'Évry", kind=Structure.Kind.MAISON_SOLIDARITES)
    mission = StructureFactory(name="Mission locale Centre Essonne", kind=Structure.Kind.MISSION_LOCALE)
    sophie = MembershipFactory(
        structure=mds, user__email="sophie.martin@exemple.fr", user__first_name="Sophie", user__last_name="Martin"
    )
    MembershipFactory(
        structure=mds,
        user__email="julie.lefevre@exemple.fr",
        user__first_name="Julie",
        user__last_name="Lefèvre",
        job_title="Travailleuse sociale",
    )
    hugo = MembershipFactory(
        structure=mission, user__email="hugo.lambert@exemple.fr", user__first_name="Hugo", user__last_name="Lambert"
    )
    person = PersonFactory(birth_name="Diallo", first_names="Awa", email="awa.diallo@exemple.fr", followed_by=hugo)
    person = accompany(person, sophie)
    for days, purpose in [(8, "Atelier CV"), (4, "Point sur la recherche d'emploi")]:
        start = datetime.combine(timezone.localdate() - timedelta(days=days), time(10), tzinfo=PARIS)
        AppointmentFactory(
            person=person,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            purpose=purpose,
            professional=sophie.user,
            structure=mds,
        )
    return person


def test_contract_appointments_alert_handover_and_objection(page, axe_check, log_in, console_errors, awa):
    today = timezone.localdate()
    carnet = f"/personnes/{awa.public_id}/"
    log_in(page, "sophie.martin@exemple.fr")
    page.goto(carnet)
    for section in ["Rendez-vous", "Contrat d'engagement", "Alertes de rupture", "Notes"]:
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    axe_check(page)

    # 1. The contrat d'engagement: drafted from the carnet, one objective and its action, signed.
    page.get_by_role("link", name="Rédiger le contrat d'engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rédiger le contrat d'engagement")
    axe_check(page)
    page.get_by_role("button", name="Commencer le contrat").click()
    expect(page.get_by_text("Le contrat est en préparation")).to_be_visible()
    page.get_by_role("link", name="Ajouter un objectif").click()
    page.get_by_role("textbox", name="Ou un objectif libre").fill("Retrouver un emploi dans la logistique")
    page.get_by_role("combobox", name="Thème de l'objectif libre").select_option(label="Emploi")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("textbox", name="Action", exact=True).fill("Atelier CV à la mission locale")
    page.get_by_text("la personne", exact=True).click()
    page.get_by_label("Échéance").fill((today + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("link", name="Enregistrer la signature").click()
    axe_check(page)
    page.get_by_label("Date de la signature").fill(today.isoformat())
    page.get_by_text("signé sur papier", exact=True).click()
    page.get_by_role("button", name="Le contrat est signé").click()
    expect(page.get_by_text("Le contrat est signé. Imprimez-le")).to_be_visible()
    axe_check(page)
    assert EngagementContract.objects.get(pathway__person=awa).status == EngagementContract.Status.SIGNED

    # 2. The first appointment, invited from the carnet's section.
    page.goto(carnet)
    expect(page.get_by_text(re.compile(r"Version 1 signée le"))).to_be_visible()
    page.get_by_role("link", name="Inviter à un premier rendez-vous").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter à un premier rendez-vous")
    axe_check(page)
    page.get_by_label("Date").fill((today + timedelta(days=7)).isoformat())
    page.get_by_label("Heure de début").fill("10:00")
    page.get_by_label("Heure de fin").fill("10:45")
    page.get_by_role("button", name="Prévoir et envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Le premier rendez-vous est prévu et l'invitation envoyée")
    axe_check(page)

    # 3. The two appointments of last week were missed: recorded one after the other.
    for purpose in ["Atelier CV", "Point sur la recherche d'emploi"]:
        page.goto(carnet)
        page.get_by_role("link", name="Tous les rendez-vous").click()
        page.get_by_role("row", name=re.compile(purpose)).get_by_role("link").click()
        expect(page.get_by_text("présence à noter")).to_be_visible()
        axe_check(page)
        page.get_by_role("button", name="Non honoré").click()
        expect(page.get_by_role("status")).to_contain_text("Rendez-vous noté « non honoré »")
    assert awa.appointments.filter(status=Appointment.Status.MISSED).count() == 2
    alert = Alert.objects.get(person=awa, rule="missed_appointments")
    assert alert.is_open

    # 4. The alert, in « Mes alertes »: she takes it in charge.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Alertes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes alertes")
    row = page.get_by_role("row").filter(has_text="DIALLO Awa").filter(has_text="Rendez-vous manqués")
    expect(row).to_be_visible()
    axe_check(page)
    row.get_by_role("button", name=re.compile("^Prendre en charge")).click()
    expect(page.get_by_text("Vous avez pris l'alerte en charge")).to_be_visible()
    expect(
        page.get_by_role("row").filter(has_text="DIALLO Awa").filter(has_text="Rendez-vous manqués")
    ).to_contain_text("confiée à Sophie Martin")
    axe_check(page)
    alert.refresh_from_db()
    assert alert.taken_by.email == "sophie.martin@exemple.fr"

    # 5. She hands Awa over to Julie, with a note the team reads on the carnet's timeline.
    page.goto(carnet)
    expect(page.get_by_role("heading", name=re.compile("Rendez-vous manqués"))).to_be_visible()
    page.get_by_role("link", name="Changer de référent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer le référent unique de DIALLO Awa")
    axe_check(page)
    page.get_by_label("Nouveau référent unique").select_option(label="Julie Lefèvre – Travailleuse sociale")
    page.get_by_label("Note de passation").fill(HANDOVER_NOTE)
    page.get_by_role("button", name="Confier l'accompagnement").click()
    expect(page.get_by_role("status")).to_contain_text("Julie Lefèvre est le nouveau référent unique de DIALLO Awa.")
    expect(page.locator("#fil-du-carnet").get_by_text(HANDOVER_NOTE)).to_be_visible()
    axe_check(page)
    assert Pathway.objects.get(person=awa).referent.email == "julie.lefevre@exemple.fr"

    # 6. Awa objects to the sharing: only the organisme référent keeps her carnet.
    page.get_by_role("link", name="Enregistrer une information, une opposition ou un retrait").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partage du carnet et droit d'opposition")
    axe_check(page)
    page.get_by_text("La personne s'oppose au partage de son carnet", exact=True).click()
    page.get_by_label("Date").fill(today.isoformat())
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

    # The mission locale's counsellor, in her team until now, finds neither her carnet nor her in his people.
    log_in(page, "hugo.lambert@exemple.fr")
    response = page.goto(carnet)
    assert response.status == 404
    expect(page.get_by_text("Diallo")).to_have_count(0)
    axe_check(page)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mes personnes").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("DIALLO")).to_have_count(0)
    axe_check(page)
