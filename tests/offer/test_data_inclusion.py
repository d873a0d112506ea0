"""data·inclusion in and out: the export validates against the package's models; the import upserts by source
and identifier, reports invalid records with their reason, changes nothing on a second run, and refuses broken
JSON with nothing imported. Imported services are found and can be referred to."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from offer import actions, schema
from offer.models import ExternalStructure, Referral, Service
from relais.actions import Forbidden
from tests.offer.factories import ServiceFactory


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestExport:
    def test_files_validate_against_the_schema_models(self, tmp_path, structure_a, association):
        ServiceFactory(
            structure=structure_a,
            name="Atelier CV",
            thematiques=["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
            publics=["demandeurs-emploi", "jeunes"],
            phone="+33160123456",
            email="atelier@exemple.fr",
            weekly_hours="3.5",
            weeks=6,
            documents="Pièce d'identité",
            mobilisation_modes=["envoyer-un-courriel"],
            mobilisable_by=["professionnels"],
        )
        ServiceFactory(structure=association, zone=["200059228", "91377"], kind="", fees="")
        ServiceFactory(structure=association, name="Brouillon", draft=True)

        output = run("export_data_inclusion", "--out", str(tmp_path))

        structures = json.loads((tmp_path / "structures.json").read_text(encoding="utf-8"))
        services = json.loads((tmp_path / "services.json").read_text(encoding="utf-8"))
        assert "2 structure(s) et 2 service(s)" in output
        for record in structures:
            schema.v1.Structure.model_validate(record, context={"ignore_warnings": False})
        for record in services:
            schema.v1.Service.model_validate(record, context={"ignore_warnings": False})
        assert {service["structure_id"] for service in services} == {structure["id"] for structure in structures}
        atelier = next(service for service in services if service["nom"] == "Atelier CV")
        assert atelier["source"] == "relais-91"
        assert atelier["zone_eligibilite"] == ["91"]
        assert atelier["telephone"] == "+33160123456"
        assert atelier["volume_horaire_hebdomadaire"] == 3.5
        assert atelier["conditions_acces"] == "Justificatifs à fournir : Pièce d'identité"
        assert atelier["date_maj"] == timezone.localdate().isoformat()
        assert "Brouillon" not in {service["nom"] for service in services}


STRUCTURES = [
    {
        "source": "dora",
        "id": "dora--asso-1",
        "nom": "Association Solidarités Nouvelles",
        "date_maj": "2025-03-01",
        "siret": None,
        "commune": "Paris",
        "code_postal": "75011",
        "code_insee": "75111",
        "adresse": "5 rue Oberkampf",
        "courriel": "contact@solidarites.exemple.fr",
    }
]
SERVICE = {
    "source": "dora",
    "structure_id": "dora--asso-1",
    "id": "dora--service-1",
    "nom": "Accompagnement au logement",
    "description": "Un accompagnement pour trouver et garder un logement, avec des permanences chaque semaine.",
    "date_maj": "2025-03-01",
    "type": "accompagnement",
    "thematiques": ["logement-hebergement--louer-un-logement"],
    "publics": ["tous-publics"],
    "frais": "gratuit",
    "modes_accueil": ["en-presentiel"],
    "zone_eligibilite": ["91", "75"],
    "courriel": "logement@solidarites.exemple.fr",
    "volume_horaire_hebdomadaire": 0.1,
}


def catalogue(tmp_path, services, structures=STRUCTURES):
    (tmp_path / "structures.json").write_text(json.dumps(structures), encoding="utf-8")
    (tmp_path / "services.json").write_text(json.dumps(services), encoding="utf-8")
    return str(tmp_path)


@pytest.mark.django_db
class TestImport:
    def test_upserted_by_source_and_id_idempotent(self, tmp_path):
        path = catalogue(tmp_path, [SERVICE])

        first = run("import_data_inclusion", path, "--source", "data-inclusion")
        second = run("import_data_inclusion", path, "--source", "data-inclusion")

        assert "Services : 1 créé(s), 0 mis à jour, 0 inchangé(s)." in first
        assert "Structures : 0 créée(s), 0 mise(s) à jour, 1 inchangée(s)." in second
        assert "Services : 0 créé(s), 0 mis à jour, 1 inchangé(s)." in second
        service = Service.objects.get()
        assert (service.source, service.source_id, service.status) == (
            "data-inclusion",
            "dora--service-1",
            "published",
        )
        assert service.external_structure.name == "Association Solidarités Nouvelles"
        assert service.structure is None and service.receiving_structure is None

        changed = {**SERVICE, "nom": "Accompagnement vers le logement"}
        third = run("import_data_inclusion", catalogue(tmp_path, [changed]), "--source", "data-inclusion")
        assert "Services : 0 créé(s), 1 mis à jour, 0 inchangé(s)." in third
        assert Service.objects.get().name == "Accompagnement vers le logement"

    def test_invalid_records_reported_with_their_reason_the_others_imported(self, tmp_path):
        unknown_value = {**SERVICE, "id": "dora--2", "thematiques": ["logement-hebergement--chateau-en-espagne"]}
        no_zone = {**SERVICE, "id": "dora--3", "zone_eligibilite": None}
        bad_email = {**SERVICE, "id": "dora--4", "courriel": "pas-une-adresse"}
        orphan = {**SERVICE, "id": "dora--5", "structure_id": "dora--inconnue"}

        with pytest.raises(CommandError, match="4 enregistrement"):
            call_command(
                "import_data_inclusion",
                catalogue(tmp_path, [SERVICE, unknown_value, no_zone, bad_email, orphan]),
                "--source",
                "data-inclusion",
                stdout=(out := io.StringIO()),
            )

        report = out.getvalue()
        assert "service dora--2 : thématiques : valeur inconnue « logement-hebergement--chateau-en-espagne »" in report
        assert "service dora--3 : zone d'éligibilité absente" in report
        assert "service dora--4 : adresse électronique : adresse électronique invalide « pas-une-adresse »" in report
        assert "service dora--5 : structure « dora--inconnue » inconnue" in report
        assert list(Service.objects.values_list("source_id", flat=True)) == ["dora--service-1"]

    def test_a_structure_too_short_a_name_is_refused(self, tmp_path):
        broken = {**STRUCTURES[0], "nom": "AB"}

        with pytest.raises(CommandError):
            call_command(
                "import_data_inclusion",
                catalogue(tmp_path, [], [broken]),
                "--source",
                "dora",
                stdout=(out := io.StringIO()),
            )

        assert "structure dora--asso-1 : nom : trop court (au moins 3)" in out.getvalue()
        assert not ExternalStructure.objects.exists()

    def test_broken_json_refused_with_nothing_imported(self, tmp_path):
        (tmp_path / "structures.json").write_text(json.dumps(STRUCTURES), encoding="utf-8")
        (tmp_path / "services.json").write_text('[{"source": "dora", "id": ', encoding="utf-8")

        with pytest.raises(
            CommandError, match=r"n'est pas du JSON valide \(ligne 1, colonne 27\)\. Rien n'a été importé"
        ):
            call_command("import_data_inclusion", str(tmp_path), "--source", "dora")

        assert not ExternalStructure.objects.exists()
        assert not Service.objects.exists()

    def test_a_dry_run_writes_nothing(self, tmp_path):
        output = run("import_data_inclusion", catalogue(tmp_path, [SERVICE]), "--source", "dora", "--dry-run")

        assert "Services : 1 créé(s)" in output
        assert not Service.objects.exists()

    def test_a_relais_structure_is_recognised_by_its_siret(self, tmp_path, association):
        structure = {**STRUCTURES[0], "siret": association.siret}

        run("import_data_inclusion", catalogue(tmp_path, [SERVICE], [structure]), "--source", "dora")

        assert Service.objects.get().receiving_structure == association

    def test_round_trip_of_relais_own_export(self, tmp_path, association):
        ServiceFactory(structure=association, name="Atelier mobilité")
        run("export_data_inclusion", "--out", str(tmp_path))

        output = run("import_data_inclusion", str(tmp_path), "--source", "relais-voisin")

        assert "Services : 1 créé(s)" in output
        imported = Service.objects.get(source="relais-voisin")
        assert imported.name == "Atelier mobilité"
        assert imported.receiving_structure == association


@pytest.mark.django_db
class TestImportedServices:
    @pytest.fixture
    def imported(self, tmp_path):
        run("import_data_inclusion", catalogue(tmp_path, [SERVICE]), "--source", "data-inclusion")
        return Service.objects.get()

    def test_found_by_the_search_and_marked_with_their_source(self, login, professional_a, imported):
        response = login(professional_a).get(
            reverse("offer:search"), {"commune": "91228", "categories": "logement-hebergement"}
        )

        assert "Accompagnement au logement" in response.content.decode()
        assert "source : data-inclusion" in response.content.decode()

    def test_a_referral_to_a_structure_not_on_relais_is_recorded_and_the_structure_told(
        self, imported, person, membership_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            referral = actions.send_referral(person, imported, by=membership_a, message="Bonjour")

        assert referral.receiver_structure is None
        assert [message.to for message in mailoutbox] == [["logement@solidarites.exemple.fr"]]
        assert membership_a.user.email in mailoutbox[0].body
        # The prescriber's structure records the answer it was given.
        accepted = actions.accept_referral(referral, by=admin_a)
        assert accepted.status == Referral.Status.ACCEPTED and accepted.handled_by is None

    def test_read_only_in_relais(self, imported, admin_a):
        with pytest.raises(Forbidden):
            actions.archive_service(imported, by=admin_a)


def test_thematique_categories_come_from_the_package():
    categories = {category.value for category in schema.Categorie}

    assert {schema.category_of(thematique.value) for thematique in schema.Thematique} <= categories
    assert sum(len(values) for _, values in schema.grouped_thematiques()) == len(schema.Thematique)
    assert schema.choices(schema.Frais) == [("gratuit", "Gratuit"), ("payant", "Payant")]
