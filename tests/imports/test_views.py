"""The imports' pages: upload, progress, report and CSV, review of the rows set aside, saved profiles."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from imports import tasks
from imports.engine import Engine
from imports.models import ImportedIdentity, ImportProfile, ImportRow, ImportRun
from people.models import Person
from tests.imports.helpers import csv_bytes, rsa_row, run_import
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(orientation_manager):
    return orientation_manager.memberships.get()


def upload(client, content, name="rsa.csv", profile="rsa", apply="1"):
    return client.post(
        reverse("imports:run_list"),
        {"file": SimpleUploadedFile(name, content, "text/csv"), "profile": profile, "apply": apply},
    )


def test_upload_runs_in_the_background_and_shows_the_report(login, orientation_manager):
    client = login(orientation_manager)
    response = upload(client, csv_bytes([rsa_row(), rsa_row(NOM="PETIT", PRENOMS="Lucas", DATE_NAISSANCE="99/99")]))
    run = ImportRun.objects.get()
    assert response.url == reverse("imports:run_detail", args=[run.public_id])
    assert (run.status, run.created, run.rejected) == ("done", 1, 1)
    assert not run.file  # the file received is deleted once the run is over
    page = client.get(response.url).content.decode()
    assert "Import terminé" in page and "Créée : 1" in page and "DATE_NAISSANCE" in page
    assert "n&#x27;est pas une date" in page


def test_the_report_shows_the_people_created_whose_row_had_a_value_left_out(login, orientation_manager):
    client = login(orientation_manager)
    rows = [rsa_row(TELEPHONE="06 12"), rsa_row(NOM="PETIT", PRENOMS="Lucas", NUM_ALLOCATAIRE="0912399")]
    response = upload(client, csv_bytes(rows))
    assert ImportRun.objects.get().created == 2
    page = client.get(response.url).content.decode()
    assert "« 06 12 » : ce numéro de téléphone n&#x27;est pas valide" in page and "Valeur non reprise." in page
    assert page.count("<td>Créée</td>") == 1  # the row taken in whole is not listed by default
    assert "Dont 1 ligne prise en compte sans une valeur fausse" in page
    assert ImportRun.objects.get().left_out == 1


def test_progress_is_polled_while_running_and_refreshes_the_page_at_the_end(login, orientation_manager, manager):
    run = ImportRun.objects.create(
        structure=manager.structure, membership=manager, profile_name="rsa", file_name="a.csv", lines=201
    )
    run.status, run.processed = ImportRun.Status.RUNNING, 101
    run.save()
    client = login(orientation_manager)
    page = client.get(reverse("imports:run_detail", args=[run.public_id])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "50 %" in page
    run.status = ImportRun.Status.DONE
    run.save()
    response = client.get(reverse("imports:run_progress", args=[run.public_id]), headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"


def test_oversized_upload_is_refused_with_a_clear_message(login, orientation_manager, settings):
    settings.IMPORT_MAX_BYTES = 2_000_000
    response = upload(login(orientation_manager), b"x" * 2_100_000)
    assert "la limite est de 2 Mo" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_report_csv_neutralises_formulas(login, orientation_manager, manager):
    run = run_import(csv_bytes([rsa_row(NOM="=HYPERLINK(1)", DATE_NAISSANCE="")]), membership=manager)
    assert run.rejected == 1
    ImportRow.objects.filter(run=run).update(column="=cmd|' /C calc'!A0")
    response = login(orientation_manager).get(reverse("imports:report_csv", args=[run.public_id]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=cmd" in text and "\n=cmd" not in text and ";=cmd" not in text


def test_review_a_likely_duplicate_same_person_then_the_same_file_changes_nothing(
    login, orientation_manager, manager, django_assert_max_num_queries
):
    person = PersonFactory(
        birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14), followed_by=None
    )
    content = csv_bytes([rsa_row(NUM_ALLOCATAIRE="")])
    run = run_import(content, membership=manager)
    assert run.set_aside == 1
    client = login(orientation_manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("imports:review", args=[run.public_id])).content.decode()
    assert "MARTINES Sofia" in page and person.dossier_number in page
    row = run.rows.get()
    response = client.post(reverse("imports:decide", args=[row.public_id]), {"decision": str(person.public_id)})
    assert response.status_code == 302
    row.refresh_from_db()
    run.refresh_from_db()
    assert (row.outcome, row.person, row.values) == ("updated", person, {})
    assert (run.set_aside, run.updated) == (0, 1)
    assert ImportedIdentity.objects.get().person == person
    again = run_import(content, membership=manager)
    assert (again.unchanged, again.set_aside, again.created) == (1, 0, 0)
    assert Person.objects.count() == 1
    # Deciding twice is refused.
    client.post(reverse("imports:decide", args=[row.public_id]), {"decision": "autre"})
    assert Person.objects.count() == 1


def test_review_another_person_creates_it(login, orientation_manager, manager):
    PersonFactory(birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14), followed_by=None)
    run = run_import(csv_bytes([rsa_row(NUM_ALLOCATAIRE="")]), membership=manager)
    row = run.rows.get()
    login(orientation_manager).post(reverse("imports:decide", args=[row.public_id]), {"decision": "autre"})
    row.refresh_from_db()
    assert row.outcome == "created" and row.person.birth_name == "MARTINEZ"
    assert row.person.pathway.entry_source == "caf"


def test_a_decision_names_one_of_the_candidates(login, orientation_manager, manager):
    PersonFactory(birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14), followed_by=None)
    other = PersonFactory(followed_by=None)
    run = run_import(csv_bytes([rsa_row(NUM_ALLOCATAIRE="")]), membership=manager)
    row = run.rows.get()
    response = login(orientation_manager).post(
        reverse("imports:decide", args=[row.public_id]), {"decision": str(other.public_id)}, follow=True
    )
    assert "ne fait pas partie des candidats" in response.content.decode()
    row.refresh_from_db()
    assert row.outcome == "set_aside"


def test_saved_profile_maps_the_headers_then_imports(login, orientation_manager):
    client = login(orientation_manager)
    sample = "Nom;Prénom;Né le;Ville\nMOREAU;Chloé;17/04/1984;Corbeil-Essonnes\n".encode()
    response = client.post(
        reverse("imports:profile_list"),
        {"step": "headers", "file": SimpleUploadedFile("ccas.csv", sample, "text/csv")},
    )
    page = response.content.decode()
    assert "Colonne « Né le »" in page and "Colonne « Ville »" in page
    data = {"name": "Liste du CCAS", "entry_source": "import"}
    for index, (header, field) in enumerate(
        [("Nom", "birth_name"), ("Prénom", "first_names"), ("Né le", "birth_date"), ("Ville", "commune_name")]
    ):
        data[f"header_{index}"] = header
        data[f"column_{index}"] = field
    client.post(reverse("imports:profile_list"), data)
    profile = ImportProfile.objects.get()
    assert profile.mapping["Né le"] == "birth_date"
    upload(client, sample, profile="Liste du CCAS")
    assert ImportRun.objects.get().created == 1
    assert Person.objects.get().commune_id == "91174"


def test_mapping_must_cover_the_required_fields(login, orientation_manager):
    data = {"name": "Incomplet", "entry_source": "import", "header_0": "Nom", "column_0": "birth_name"}
    response = login(orientation_manager).post(reverse("imports:profile_list"), data)
    assert "Associez une colonne à chacun de ces champs" in response.content.decode()
    assert not ImportProfile.objects.exists()


def test_lists_query_budgets(login, orientation_manager, manager, django_assert_max_num_queries):
    run = None
    for index in range(3):
        run = run_import(
            csv_bytes([rsa_row(NOM="PETIT", PRENOMS=f"Lucas{index}", DATE_NAISSANCE="")]), membership=manager
        )
    client = login(orientation_manager)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("imports:run_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("imports:run_detail", args=[run.public_id]) + "?resultat=rejected").status_code == 200
        )
    with django_assert_max_num_queries(10):
        assert client.get(reverse("imports:profile_list")).status_code == 200


def test_other_structures_imports_are_not_found(login, structure_admin_a, manager):
    run = run_import(csv_bytes([rsa_row()]), membership=manager)
    client = login(structure_admin_a)
    assert client.get(reverse("imports:run_detail", args=[run.public_id])).status_code == 404
    assert run.file_name not in client.get(reverse("imports:run_list")).content.decode()


def test_a_professional_cannot_import_even_through_the_engine(professional_a):
    run = run_import(csv_bytes([rsa_row()]), membership=professional_a.memberships.get())
    assert run.status == "failed" and "Vous n'avez pas accès" in run.error
    assert not Person.objects.exists()


def test_structure_admin_imports_for_their_structure(login, structure_admin_a):
    upload(login(structure_admin_a), csv_bytes([rsa_row()]))
    run = ImportRun.objects.get()
    assert run.structure == structure_admin_a.memberships.get().structure and run.created == 1


def test_a_stuck_run_is_resumed_from_its_page_without_duplicates(
    login, orientation_manager, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("imports.engine.BATCH_SIZE", 2)
    names = ["DUPONT", "KOWALSKI", "NGUYEN", "OLIVEIRA", "SCHMITT"]
    content = csv_bytes(
        [rsa_row(NOM=name, NUM_ALLOCATAIRE=str(index), PRENOMS="Alex") for index, name in enumerate(names)]
    )
    run = ImportRun(
        structure=manager.structure,
        started_by=orientation_manager,
        membership=manager,
        profile_name="rsa",
        file_name="rsa.csv",
        apply=True,
        size=len(content),
    )
    run.file.save(f"{run.public_id}.bin", ContentFile(content), save=False)
    run.save()
    original = Engine.batch
    calls = []

    def killed_at_the_second_batch(engine, pending):
        calls.append(pending)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the worker is stopped mid-file
        return original(engine, pending)

    monkeypatch.setattr(Engine, "batch", killed_at_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        tasks.run_import.call(run.pk)
    monkeypatch.setattr(Engine, "batch", original)
    client = login(orientation_manager)
    url = reverse("imports:run_detail", args=[run.public_id])
    assert "Reprendre l'import" not in client.get(url).content.decode()  # it may still be working
    ImportRun.objects.filter(pk=run.pk).update(progressed_at=timezone.now() - datetime.timedelta(minutes=30))
    page = client.get(url).content.decode()
    assert "L'import semble arrêté" in page and "Reprendre l'import" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:resume", args=[run.public_id]))
    assert response.url == url
    run.refresh_from_db()
    assert (run.status, run.created, run.processed) == (ImportRun.Status.DONE, 5, 6)
    assert Person.objects.count() == 5
    assert list(run.rows.values_list("line", flat=True)) == [2, 3, 4, 5, 6]
    assert not run.file
    assert "Import terminé" in client.get(url).content.decode()


def test_a_run_still_moving_is_not_resumed(login, orientation_manager, manager):
    run = ImportRun.objects.create(
        structure=manager.structure,
        membership=manager,
        profile_name="rsa",
        file_name="a.csv",
        file="imports/a.csv",
        status=ImportRun.Status.RUNNING,
        progressed_at=timezone.now(),
    )
    client = login(orientation_manager)
    response = client.post(reverse("imports:resume", args=[run.public_id]), follow=True)
    assert "Cet import avance encore" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.RUNNING
