"""Bad files and bad rows: a clear French message, nothing half-imported, the valid rows kept."""

import datetime
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportRun
from people.models import Person
from relais.cells import safe_cell, safe_row
from tests.factories import MembershipFactory
from tests.imports.helpers import RSA_HEADERS, csv_bytes, rsa_row, run_import
from tests.people.factories import make_nir

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(departement):
    return MembershipFactory(structure=departement, orientation_manager=True, user__email="import@exemple.fr")


def failed_with(run, message):
    assert run.status == ImportRun.Status.FAILED
    assert message in run.error
    assert Person.objects.count() == 0


def test_empty_file(importer):
    failed_with(run_import(b"", membership=importer), "Le fichier est vide.")
    failed_with(run_import(b"\r\n  \r\n", membership=importer), "Le fichier est vide.")


def test_headers_only(importer):
    failed_with(run_import(csv_bytes([]), membership=importer), "aucune ligne de données")


def test_binary_file_posing_as_csv(importer):
    failed_with(run_import(b"\x00\x01\x02binary" * 100, membership=importer), "pas un fichier texte")
    failed_with(run_import(b"%PDF-1.7 ...", membership=importer), "un document PDF")


def test_zip_posing_as_csv(importer):
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("liste.csv", "NOM;PRENOMS\n")
    failed_with(run_import(content.getvalue(), membership=importer), "archive compressée (zip)")


def test_missing_required_columns_are_named(importer):
    run = run_import(csv_bytes([["A", "B"]], headers=["NOM", "VILLE_X"]), membership=importer)
    failed_with(run, "Colonnes obligatoires absentes")
    assert "prénoms" in run.error and "date de naissance" in run.error


def test_bad_rows_are_rejected_with_line_column_and_reason_and_valid_rows_are_kept(importer):
    future = (datetime.date.today() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    bad_nir = make_nir("F", datetime.date(1988, 3, 14))[:-2] + "00"
    rows = [
        rsa_row(),
        [*rsa_row(NOM="PETIT", PRENOMS="Lucas"), "en trop"],
        rsa_row(NOM="PETIT", PRENOMS="Lucas")[:4],
        rsa_row(NOM="ROUSSEL", PRENOMS="Théo", NIR=bad_nir),
        rsa_row(NOM="GARNIER", PRENOMS="Océane", DATE_NAISSANCE=future),
        rsa_row(NOM="FONTAINE", PRENOMS="Inès", CODE_POSTAL="", COMMUNE="Atlantide"),
        rsa_row(NOM="MOREAU", PRENOMS="Chloé", CODE_POSTAL="99999"),
        rsa_row(NOM="", PRENOMS="Chloé"),
        rsa_row(NOM="BLANC", PRENOMS="Jeanne", DATE_NAISSANCE="12/05/1992", NUM_ALLOCATAIRE="42"),
    ]
    run = run_import(csv_bytes(rows), membership=importer)
    assert run.status == ImportRun.Status.DONE
    assert (run.created, run.rejected) == (2, 7)
    assert set(Person.objects.values_list("birth_name", flat=True)) == {"MARTINEZ", "BLANC"}
    reasons = {row.line: (row.column, row.reason) for row in run.rows.filter(outcome="rejected")}
    assert reasons[3] == ("", f"La ligne a 12 colonnes, l'en-tête en a {len(RSA_HEADERS)}.")
    assert reasons[4] == ("", f"La ligne a 4 colonnes, l'en-tête en a {len(RSA_HEADERS)}.")
    assert reasons[5][0] == "NIR" and "n'est pas valide" in reasons[5][1]
    assert reasons[6][0] == "DATE_NAISSANCE" and "dans le futur" in reasons[6][1]
    assert reasons[7] == ("COMMUNE", "La commune « Atlantide » est inconnue.")
    assert reasons[8][0] == "CODE_POSTAL" and "aucune commune connue" in reasons[8][1]
    assert reasons[9] == ("NOM", "Le champ « nom de naissance » est vide.")


def test_nir_without_its_key(importer):
    run = run_import(csv_bytes([rsa_row(NIR="2880391228012")]), membership=importer)
    assert run.rows.get().reason == "Le NIR n'a que 13 chiffres : il manque la clé (2 chiffres)."


def test_oversized_file_is_refused_by_the_command(importer, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "gros.csv"
    path.write_bytes(csv_bytes([rsa_row()] * 20))
    with pytest.raises(CommandError, match="la limite est de 0 Mo"):
        call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret, apply=True)
    assert not ImportRun.objects.exists()


def test_command_dry_run_then_apply(importer, tmp_path, capsys):
    path = tmp_path / "rsa.csv"
    path.write_bytes(csv_bytes([rsa_row(), rsa_row(NOM="ROUSSEL", PRENOMS="Théo", DATE_NAISSANCE="31/13/1990")]))
    report = tmp_path / "rapport.csv"
    call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret, report=str(report))
    out = capsys.readouterr().out
    assert "Simulation" in out and "créées : 1" in out and "rejetées : 1" in out
    assert "ligne 3 (colonne « DATE_NAISSANCE »)" in out
    assert Person.objects.count() == 0
    text = report.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "ligne;résultat;colonne;motif;champs modifiés;dossier"
    call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret, apply=True)
    assert Person.objects.count() == 1
    call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret, apply=True)
    assert "créées : 0, mises à jour : 0, inchangées : 1" in capsys.readouterr().out


def test_command_says_the_values_left_out(importer, tmp_path, capsys):
    path = tmp_path / "rsa.csv"
    path.write_bytes(csv_bytes([rsa_row(TELEPHONE="06 12"), rsa_row(NOM="ROUSSEL", PRENOMS="Théo")]))
    call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret, apply=True)
    out = capsys.readouterr().out
    assert "créées : 2" in out and "rejetées : 0 ; dont 1 avec une valeur non reprise" in out
    assert "ligne 2 (colonne « TELEPHONE ») : « 06 12 » : ce numéro de téléphone n'est pas valide" in out
    assert Person.objects.count() == 2


def test_command_fails_on_an_unreadable_file(importer, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    with pytest.raises(SystemExit):
        call_command("import_people", str(path), profile="rsa", structure=importer.structure.siret)


def test_sample_file_imports(importer):
    from pathlib import Path

    import imports

    content = (Path(imports.__file__).parent / "samples" / "rsa-novembre-2026.csv").read_bytes()
    run = run_import(content, membership=importer)
    assert (run.created, run.rejected, run.set_aside) == (10, 0, 0), list(run.rows.values("line", "reason"))
    assert run.ignored_columns == ["CODE_AGENCE"]


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+33 6", "-2+3", "@SUM(A1)", "\tcmd"])
def test_formula_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value


def test_other_cells_are_left_alone():
    assert safe_row(["Dupont", 12, -3, None, "", "a=b"]) == ["Dupont", 12, -3, None, "", "a=b"]


def test_a_file_without_the_names_of_its_columns_does_not_keep_a_persons_data_in_its_message(importer):
    """Its first row is someone's identity: the message kept with the run, shown and printed, does not repeat it."""
    nir = make_nir("F", datetime.date(1988, 3, 14))
    rows = [rsa_row(NIR=nir), rsa_row(NOM="ROUSSEL", PRENOMS="Théo")]
    content = csv_bytes(rows[1:], headers=rows[0])
    run = run_import(content, membership=importer)
    failed_with(run, "semble porter des données : le fichier doit commencer par les noms de ses colonnes")
    assert nir not in run.error and "14/03/1988" not in run.error and "0912345" not in run.error


def test_a_padded_total_line_and_the_names_of_the_columns_given_again_with_spaces(importer):
    headers = [f"{header} " for header in RSA_HEADERS]
    total = ["Total : 2 allocataires"] + [""] * (len(RSA_HEADERS) - 1)
    rows = [rsa_row(), total, [f" {header}" for header in RSA_HEADERS], rsa_row(NOM="ROUSSEL", PRENOMS="Théo")]
    run = run_import(csv_bytes(rows, headers=headers), membership=importer)
    lines = list(run.rows.order_by("line").values_list("line", "outcome", "reason"))
    assert lines == [
        (2, "created", ""),
        (3, "rejected", "Une seule cellule remplie, « Total : 2 allocataires » : un total ou une note, non importée."),
        (5, "created", ""),
    ]
