"""A coordinator imports the monthly RSA list in the browser: progress, review of a likely duplicate, re-upload."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

import imports
from imports import tasks
from imports.models import ImportRun
from people.models import Person
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.browser

SAMPLE = Path(imports.__file__).parent / "samples" / "rsa-novembre-2026.csv"


@pytest.fixture
def queued(monkeypatch):
    """The uploads wait in the queue until the test runs the task, as a worker would: the page shows the wait."""

    class Queue:
        @staticmethod
        def enqueue(run_id):
            """Left in the queue."""

    monkeypatch.setattr("imports.views.run_import", Queue)

    def work():
        for run in ImportRun.objects.filter(status=ImportRun.Status.PENDING):
            tasks.run_import.func(run.pk)

    return work


def _upload(page, axe_check):
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports de listes")
    axe_check(page)
    page.get_by_label("Fichier").set_input_files(str(SAMPLE))
    page.get_by_label("Type de liste (profil de colonnes)").select_option("rsa")
    page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de rsa-novembre-2026.csv")


def test_coordinator_imports_reviews_and_reimports(page, log_in, axe_check, queued):
    departement = StructureFactory(name="Département de l'Essonne", departement=True)
    MembershipFactory(structure=departement, coordinator=True, admin=True, user__email="coordination@exemple.fr")
    known = PersonFactory(birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14))
    log_in(page, "coordination@exemple.fr")

    _upload(page, axe_check)
    expect(page.get_by_text("En attente de traitement")).to_be_visible()
    expect(page.get_by_label("Avancement de l'import")).to_be_visible()
    axe_check(page)
    queued()
    # The page polls its progress and reloads itself once the run is over.
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Créée : 9")).to_be_visible()
    expect(page.get_by_text("Mise de côté : 1")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Vérifier les 1 ligne mise de côté").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lignes à vérifier")
    axe_check(page)
    page.get_by_text("La même personne que MARTINES Sofia").click()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("le dossier existant a été rapproché")).to_be_visible()
    expect(page.get_by_text("Aucune ligne ne reste à vérifier.")).to_be_visible()
    axe_check(page)
    known.refresh_from_db()
    assert known.caf_number == "0912345" and known.nir_digest
    assert Person.objects.count() == 10

    _upload(page, axe_check)
    queued()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Créée : 0")).to_be_visible()
    expect(page.get_by_text("Inchangée : 10")).to_be_visible()
    expect(page.get_by_text("Mise de côté : 0")).to_be_visible()
    axe_check(page)
    assert Person.objects.count() == 10
