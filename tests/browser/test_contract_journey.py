"""The contrat d'engagement, in the browser: a référent drafts it with the person, adds objectives and actions,
records the signature, follows an action and prints the contract (axe on every page)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Structure
from pathway.contract_models import EngagementContract
from tests.entry.factories import DiagnosticFactory
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory, accompany

pytestmark = pytest.mark.browser


@pytest.fixture
def accompanied():
    """Sophie, travailleuse sociale of a maison des solidarités, is the référent of Awa Diallo, a family carer."""
    mds = StructureFactory(name="Maison des solidarités d'Évry", kind=Structure.Kind.MAISON_SOLIDARITES)
    sophie = MembershipFactory(
        structure=mds, user__email="sophie.martin@exemple.fr", user__first_name="Sophie", user__last_name="Martin"
    )
    person = PersonFactory(birth_name="Diallo", first_names="Awa", followed_by=sophie)
    person = accompany(person, sophie, "socio_professional")
    DiagnosticFactory(
        person=person,
        structure=mds,
        done_by=sophie.user,
        answers={
            "professional_situation": {"recent_activity": "never_worked"},
            "barriers": {
                "caring_for_relative": {"level": "fort", "situations": ["family_carer"]},
                "housing": {"level": "moyen", "situations": ["hosted_by_third_party"]},
            },
        },
    )
    return person


def test_a_referent_drafts_signs_follows_and_prints_a_contract(page, axe_check, log_in, accompanied):
    today = timezone.localdate()
    log_in(page, "sophie.martin@exemple.fr")
    page.goto(f"/personnes/{accompanied.public_id}/")
    axe_check(page)
    page.get_by_role("link", name="Rédiger le contrat d'engagement").click()

    # The period and the activity target: lowered for a ground the diagnostic suggests.
    expect(page.get_by_role("heading", level=1)).to_have_text("Rédiger le contrat d'engagement")
    expect(page.get_by_text("relève : aidant d'un proche")).to_be_visible()
    axe_check(page)
    page.get_by_label("Objectif d'activité (heures par semaine)").fill("40")
    page.get_by_role("button", name="Commencer le contrat").click()
    expect(page.get_by_text("L'objectif d'activité doit être compris entre 0 et 35 heures").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Objectif d'activité (heures par semaine)").fill("10")
    page.get_by_role("combobox", name="Motif de la réduction ou de la dispense").select_option(
        label="aidant d'un proche"
    )
    page.get_by_label("Explication de la réduction").fill("Aide sa mère chaque matin ; relais à domicile demandé.")
    page.get_by_role("button", name="Commencer le contrat").click()

    # An objective from the referential, the diagnostic's themes first, and its actions.
    expect(page.get_by_text("Le contrat est en préparation")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Ajouter un objectif").click()
    axe_check(page)
    page.get_by_role("combobox", name="Objectif du référentiel").select_option(label="Trouver un hébergement")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter une action")
    axe_check(page)
    page.get_by_role("combobox", name="Action du référentiel").select_option(label="Demande d'hébergement (SIAO)")
    page.get_by_text("la personne et le référent", exact=True).click()
    page.get_by_label("Échéance").fill((today - datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Enregistrer et ajouter une autre action").click()
    expect(page.get_by_text("L'échéance ne peut pas précéder le début du contrat").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Échéance").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Enregistrer et ajouter une autre action").click()
    expect(page.get_by_text("Action « Demande d'hébergement (SIAO) » ajoutée")).to_be_visible()
    page.get_by_role("textbox", name="Ou une action libre").fill("Rendez-vous avec l'assistante sociale du bailleur")
    page.get_by_text("un partenaire", exact=True).click()
    page.get_by_role("textbox", name="Partenaire").fill("Logement d'Abord 91")
    page.get_by_label("Échéance").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    # A free objective of its own.
    page.get_by_role("link", name="Ajouter un objectif").click()
    page.get_by_role("textbox", name="Ou un objectif libre").fill("Reprendre confiance pour chercher un emploi")
    page.get_by_role("combobox", name="Thème de l'objectif libre").select_option(label="Emploi")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("textbox", name="Action", exact=True).fill("Atelier collectif « confiance en soi »")
    page.get_by_text("la personne", exact=True).click()
    page.get_by_label("Échéance").fill((today + datetime.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("heading", name="2. Reprendre confiance pour chercher un emploi")).to_be_visible()
    axe_check(page)

    # The signature: the date and how the person agreed.
    page.get_by_role("link", name="Enregistrer la signature").click()
    axe_check(page)
    page.get_by_label("Date de la signature").fill(today.isoformat())
    page.get_by_text("signé sur papier", exact=True).click()
    page.get_by_role("button", name="Le contrat est signé").click()
    expect(page.get_by_text("Le contrat est signé. Imprimez-le")).to_be_visible()
    expect(page.get_by_text("signé, en vigueur")).to_be_visible()
    axe_check(page)
    contract = EngagementContract.objects.get(pathway__person=accompanied)
    assert (contract.status, contract.weekly_hours, contract.agreement_mode) == ("signed", 10, "paper")
    assert contract.objectives.count() == 2

    # Following an action (htmx redraws its line only).
    page.get_by_label("État de l'action « Demande d'hébergement (SIAO) »").select_option(label="en cours")
    page.get_by_role("button", name="Enregistrer l'état de l'action « Demande d'hébergement (SIAO) »").click()
    expect(page.get_by_text("État enregistré : en cours")).to_be_visible()
    axe_check(page)

    # The print-out, in plain French.
    page.get_by_role("link", name="Version à imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contrat d'engagement")
    expect(page.get_by_text("Vous consacrez 10 heures par semaine")).to_be_visible()
    expect(page.get_by_role("cell", name="Logement d'Abord 91")).to_be_visible()
    expect(page.get_by_text("Vous avez donné votre accord le")).to_be_visible()
    axe_check(page)
