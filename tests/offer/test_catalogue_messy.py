"""Catalogues as producers really publish them: the same identifier twice, values the schema lets through but a
service cannot hold, services dropped from one month to the next, a file with a byte-order mark."""

import json

import pytest
from django.core.management import CommandError, call_command

from offer import exchange
from offer.models import Service
from tests.offer.test_data_inclusion import SERVICE, STRUCTURES, catalogue

pytestmark = pytest.mark.django_db


def imported(tmp_path, services, structures=STRUCTURES):
    return exchange.import_catalogue(catalogue(tmp_path, services, structures), source="data-inclusion")


def test_the_same_identifier_twice_keeps_the_first_and_says_so(tmp_path):
    report = imported(tmp_path, [SERVICE, {**SERVICE, "nom": "Une autre version"}])
    assert report.services_created == 1
    assert report.refused == [
        "service dora--service-1 : identifiant « dora--service-1 » en double dans le fichier : seul le premier est "
        "importé"
    ]
    assert Service.objects.get().name == SERVICE["nom"]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"volume_horaire_hebdomadaire": 1e12}, "volume horaire"),
        ({"nombre_semaines": 10**20}, "nombre de semaines"),
        ({"courriel": "jöhn@exemple.fr"}, "adresse électronique"),
    ],
)
def test_a_service_the_schema_accepts_but_relais_cannot_hold_is_refused_and_the_others_imported(
    tmp_path, values, reason
):
    bad = {**SERVICE, "id": "dora--bad", **values}
    report = imported(tmp_path, [SERVICE, bad])
    assert report.services_created == 1
    assert len(report.refused) == 1 and report.refused[0].startswith("service dora--bad : ")
    assert reason in report.refused[0].lower()
    assert list(Service.objects.values_list("source_id", flat=True)) == ["dora--service-1"]


def test_a_change_that_makes_a_service_invalid_is_refused_and_the_last_version_kept(tmp_path):
    imported(tmp_path, [SERVICE])
    report = imported(tmp_path, [{**SERVICE, "courriel": "jöhn@exemple.fr"}])
    assert report.services_updated == 0 and len(report.refused) == 1
    assert Service.objects.get().email == SERVICE["courriel"]


def test_a_service_dropped_from_the_catalogue_leaves_the_search(tmp_path):
    other = {**SERVICE, "id": "dora--service-2", "nom": "Aide au permis de conduire"}
    imported(tmp_path, [SERVICE, other])
    report = imported(tmp_path, [SERVICE])
    assert report.services_withdrawn == 1
    assert "Services retirés de la recherche, absents du catalogue (archivés) : 1." in report.lines()
    statuses = dict(Service.objects.values_list("source_id", "status"))
    assert statuses == {"dora--service-1": "published", "dora--service-2": "archived"}
    # Listed but refused next time: its last version stays as it was, rather than leaving the search.
    imported(tmp_path, [SERVICE, other])
    report = imported(tmp_path, [SERVICE, {**other, "thematiques": []}])
    assert report.services_withdrawn == 0
    assert Service.objects.get(source_id="dora--service-2").status == "published"


def test_a_structures_only_file_withdraws_no_service(tmp_path):
    imported(tmp_path, [SERVICE])
    (tmp_path / "only.json").write_text(json.dumps(STRUCTURES), encoding="utf-8")
    report = exchange.import_catalogue(tmp_path / "only.json", source="data-inclusion")
    assert report.services_withdrawn == 0
    assert Service.objects.get().status == "published"


def test_a_list_of_services_without_their_structure_is_not_taken_for_structures(tmp_path):
    orphan = {name: value for name, value in SERVICE.items() if name != "structure_id"}
    (tmp_path / "services.json").write_text(json.dumps([orphan]), encoding="utf-8")
    structures, services = exchange.read(tmp_path / "services.json")
    assert (structures, len(services)) == ([], 1)


def test_an_empty_text_is_an_absent_value_and_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "catalogue.json"
    content = json.dumps({"structures": STRUCTURES, "services": [{**SERVICE, "courriel": ""}]})
    path.write_bytes(b"\xef\xbb\xbf" + content.encode())
    report = exchange.import_catalogue(path, source="data-inclusion")
    assert (report.services_created, report.refused) == (1, [])


def test_a_refused_structure_says_so_on_its_services(tmp_path):
    broken = [{**STRUCTURES[0], "site_web": "www.exemple.org"}]
    with pytest.raises(CommandError):
        call_command("import_data_inclusion", catalogue(tmp_path, [SERVICE], broken), "--source", "data-inclusion")
    report = imported(tmp_path, [SERVICE], broken)
    assert report.refused[-1].endswith(f"sa structure « {SERVICE['structure_id']} » est refusée (voir plus haut)")


def test_a_zone_code_that_is_no_code_is_refused(tmp_path):
    report = imported(tmp_path, [{**SERVICE, "zone_eligibilite": ["91228", "abc"]}])
    assert report.services_created == 0
    assert report.refused[0].endswith(
        "code de zone illisible (ni commune, ni département, ni intercommunalité) : « abc »"
    )


def test_a_text_no_record_holds_is_refused_and_a_missing_source_told_in_french(tmp_path):
    report = imported(tmp_path, [SERVICE, {**SERVICE, "id": "dora--long", "horaires_accueil": "lu-ve " * 5_000}])
    assert report.services_created == 1
    assert report.refused == [
        "service dora--long : « horaires_accueil » compte 30\u202f000 caractères, bien plus qu'aucune fiche n'en tient"
    ]
    with pytest.raises(CommandError, match=r"Indiquez le nom de la source \(--source\)"):
        call_command("import_data_inclusion", catalogue(tmp_path, [SERVICE]))
