"""The follow-up, in the browser: a référent opens a carnet from « Mes personnes », filters its timeline, adds an
intervenant of another structure, and hands the person over to a colleague with a note."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Structure
from entry import actions as entry_actions
from pathway import actions
from pathway.models import Pathway, TeamMember
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.factories import MembershipFactory, StructureFactory

pytestmark = pytest.mark.browser

NOTE = "Cherche un CAP cuisine ; rendez-vous CAF le 12 pour la prime d'activité."


@pytest.fixture
def carnet():
    """Karim Benali (France Travail Évry) is the référent of Nadège Leroy; Julie Lefèvre is his colleague; Inès
    Rolland works for a housing association."""
    agency = StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True)
    departement = StructureFactory(name="Département de l'Essonne – Orientation", departement=True)
    association = StructureFactory(name="Logement d'Abord 91", kind=Structure.Kind.ASSOCIATION)
    karim = MembershipFactory(
        structure=agency,
        job_title="Conseiller",
        user__email="karim.benali@exemple.fr",
        user__first_name="Karim",
        user__last_name="Benali",
    )
    julie = MembershipFactory(
        structure=agency,
        job_title="Conseillère",
        user__email="julie.lefevre@exemple.fr",
        user__first_name="Julie",
        user__last_name="Lefèvre",
    )
    MembershipFactory(
        structure=association,
        job_title="Conseillère logement",
        user__first_name="Inès",
        user__last_name="Rolland",
        user__email="ines.rolland@exemple.fr",
    )
    manager = MembershipFactory(structure=departement, orientation_manager=True)
    today = timezone.localdate()
    person = actions.enter_person(
        by=karim,
        identity={
            "birth_name": "Leroy",
            "first_names": "Nadège",
            "birth_date": datetime.date(1987, 3, 12),
            "sex": "F",
            "email": "nadege.leroy@exemple.fr",
            "commune_id": "91228",
            "rsa_since": today - datetime.timedelta(days=40),
        },
        entered_at=today - datetime.timedelta(days=40),
    )
    diagnostic = DiagnosticFactory(person=person, structure=agency, done_by=karim.user)
    proposal = OrientationFactory(person=person, diagnostic=diagnostic, proposed_by=karim.user, proposed_for=agency)
    entry_actions.decide_orientation(
        proposal,
        by=manager,
        pathway_type="professional",
        referent_structure=agency,
        referent=karim,
        reason="",
        notify=False,
    )
    actions.update_person(person, by=karim, version=None, changes={"phone": "+33612345678"})
    return {"person": person, "karim": karim, "julie": julie}


def test_a_referent_follows_a_carnet_adds_an_intervenant_and_hands_over(page, axe_check, log_in, carnet, mailoutbox):
    person = carnet["person"]

    # 1. « Mes personnes », then the carnet.
    log_in(page, "karim.benali@exemple.fr")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mes personnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes personnes")
    expect(page.get_by_role("row", name=re.compile("LEROY Nadège.*accompagné.*Karim Benali"))).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="LEROY Nadège").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEROY Nadège")
    expect(page.get_by_role("heading", name="Fil du carnet")).to_be_visible()
    timeline = page.locator("#fil-du-carnet")
    expect(timeline.get_by_text("Informations de la personne modifiées")).to_be_visible()
    axe_check(page)

    # 2. The timeline, filtered by kind: htmx swaps the list, the address keeps the filter.
    kinds = page.get_by_role("group", name="Afficher seulement")
    kinds.get_by_text("orientation", exact=True).click()
    expect(timeline.get_by_text("Informations de la personne modifiées")).to_have_count(0)
    expect(timeline.get_by_text(re.compile("Orientation décidée : parcours professionnel"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?nature=orientation$"))
    expect(kinds.get_by_label("orientation", exact=True)).to_be_checked()
    axe_check(page)

    # 3. An intervenant of another structure joins the team: the structure first, then its members.
    page.get_by_role("link", name="Ajouter un intervenant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un intervenant à l'équipe de LEROY Nadège")
    axe_check(page)
    page.get_by_label("Structure", exact=False).select_option(label="Logement d'Abord 91")
    member = page.get_by_label("Professionnel", exact=True)
    expect(member.locator("option")).to_have_text(["Choisir un professionnel", "Inès Rolland – Conseillère logement"])
    # (A locator, not a script: the pages' Content Security Policy forbids evaluating strings.)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    member.select_option(label="Inès Rolland – Conseillère logement")
    page.get_by_label("Rôle dans l'accompagnement (Optionnel)").fill("accompagnement logement")
    axe_check(page)
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    expect(page.get_by_role("status")).to_contain_text("Inès Rolland (Logement d'Abord 91) rejoint l'équipe")
    expect(
        page.get_by_text("Inès Rolland – Logement d'Abord 91 (intervenant : accompagnement logement)")
    ).to_be_visible()
    axe_check(page)
    assert "ines.rolland@exemple.fr" in [address for message in mailoutbox for address in message.to]

    # 4. Karim hands Nadège over to Julie, with a note the team reads on the timeline.
    page.get_by_role("link", name="Changer de référent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer le référent unique de LEROY Nadège")
    axe_check(page)
    page.get_by_role("button", name="Confier l'accompagnement").click()
    note = page.get_by_label("Note de passation")
    expect(note).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    page.get_by_label("Nouveau référent unique").select_option(label="Julie Lefèvre – Conseillère")
    note.fill(NOTE)
    page.get_by_role("button", name="Confier l'accompagnement").click()
    expect(page.get_by_role("status")).to_contain_text("Julie Lefèvre est le nouveau référent unique de LEROY Nadège.")
    expect(page.locator("#fil-du-carnet").get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Karim Benali – France Travail Évry-Courcouronnes (intervenant)")).to_be_visible()
    axe_check(page)

    pathway = Pathway.objects.get(person=person)
    assert pathway.referent == carnet["julie"].user
    assert TeamMember.objects.get(pathway=pathway, user=carnet["karim"].user, ended_at=None).role == "intervenant"
    recipients = [address for message in mailoutbox for address in message.to]
    assert {"julie.lefevre@exemple.fr", "karim.benali@exemple.fr", "nadege.leroy@exemple.fr"} <= set(recipients)
