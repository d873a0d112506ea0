"""The import engine: profiles, encodings, matching, idempotence, the report."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import ChangeLog
from imports.engine import Engine, Row, Superseded, get_profile
from imports.models import ImportRow, ImportRun
from imports.readers import open_table
from imports.runs import carry_out
from pathway.models import EntrySource, Pathway, TimelineEvent
from people.models import Person
from tests.factories import MembershipFactory
from tests.imports.helpers import RSA_HEADERS, csv_bytes, rsa_row, run_import
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(departement):
    return MembershipFactory(structure=departement, orientation_manager=True, user__email="import@exemple.fr")


def outcomes(run):
    return list(run.rows.order_by("line").values_list("line", "outcome"))


def test_rsa_list_creates_people_entered_on_the_right_date_with_the_orientation_deadline(importer):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    run = run_import(
        csv_bytes(
            [
                rsa_row(NIR=nir),
                rsa_row(
                    NUM_ALLOCATAIRE="0923456",
                    NOM="roussel",
                    PRENOMS="THÉO jean",
                    SEXE="M",
                    DATE_NAISSANCE="1990-06-08",
                ),
            ]
        ),
        membership=importer,
    )
    assert run.status == ImportRun.Status.DONE, run.error
    assert (run.created, run.rejected, run.set_aside) == (2, 0, 0)
    sofia = Person.objects.get(birth_name="MARTINEZ")
    assert sofia.nir_digest and sofia.caf_number == "0912345" and sofia.phone == "+33612345678"
    assert sofia.household_role == "applicant" and sofia.commune_id == "91228"
    assert sofia.rsa_since == datetime.date(2026, 11, 2)
    pathway = Pathway.objects.get(person=sofia)
    assert pathway.entered_at == datetime.date(2026, 11, 2)
    assert pathway.entry_source == EntrySource.CAF
    assert pathway.orientation_due_on == datetime.date(2026, 12, 14)
    assert TimelineEvent.objects.filter(person=sofia, kind="pathway.entered").exists()
    theo = Person.objects.get(birth_name="ROUSSEL")
    assert theo.first_names == "Théo Jean" and theo.birth_date == datetime.date(1990, 6, 8)


def test_the_same_file_twice_creates_nothing_and_a_later_file_updates_what_changed(importer):
    rows = [
        rsa_row(),
        rsa_row(
            NUM_ALLOCATAIRE="0923456",
            NOM="ROUSSEL",
            PRENOMS="Théo",
            DATE_NAISSANCE="08/06/1990",
            SEXE="M",
            NIR=make_nir("M", datetime.date(1990, 6, 8)),
        ),
    ]
    run_import(csv_bytes(rows), membership=importer)
    again = run_import(csv_bytes(rows), membership=importer)
    assert (again.created, again.unchanged, again.updated, again.set_aside) == (0, 2, 0, 0)
    assert Person.objects.count() == 2
    later = run_import(csv_bytes([rsa_row(TELEPHONE="07 81 22 33 44"), rows[1]]), membership=importer)
    assert (later.created, later.updated, later.unchanged) == (0, 1, 1)
    row = later.rows.get(line=2)
    assert row.changed == ["phone"]
    sofia = Person.objects.get(birth_name="MARTINEZ")
    assert sofia.phone == "+33781223344"
    assert TimelineEvent.objects.filter(person=sofia, kind="pathway.identity_updated").exists()
    change = ChangeLog.objects.filter(object_id=str(sofia.public_id)).exclude(action="create").get()
    assert change.user_id == importer.user_id


def test_exact_nir_updates_the_person_entered_by_hand(importer):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    person = PersonFactory(birth_name="MARTINEZ", first_names="Sofia", birth_date=datetime.date(1988, 3, 14), nir=nir)
    run = run_import(
        csv_bytes([rsa_row(NIR=nir.replace("2", "2 ", 1), NUM_ALLOCATAIRE="0999999")]), membership=importer
    )
    assert outcomes(run) == [(2, "updated")]
    person.refresh_from_db()
    assert person.caf_number == "0999999"


def test_a_likely_duplicate_is_set_aside_with_its_candidates(importer):
    person = PersonFactory(birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14))
    run = run_import(csv_bytes([rsa_row(NUM_ALLOCATAIRE="")]), membership=importer)
    assert outcomes(run) == [(2, "set_aside")]
    row = run.rows.get()
    assert row.candidates[0]["id"] == str(person.public_id)
    assert row.values["birth_name"] == "MARTINEZ"
    assert Person.objects.count() == 1


def test_same_household_other_person_is_created(importer):
    run = run_import(
        csv_bytes(
            [rsa_row(), rsa_row(ROLE="CJT", NOM="BENALI", PRENOMS="Karim", SEXE="M", DATE_NAISSANCE="02/07/1985")]
        ),
        membership=importer,
    )
    assert outcomes(run) == [(2, "created"), (3, "created")]


def test_dry_run_writes_no_person_and_gives_the_same_report(importer):
    rows = [
        rsa_row(),
        rsa_row(),
        rsa_row(NOM="PETIT", PRENOMS="Lucas", DATE_NAISSANCE="03/10/1999", NUM_ALLOCATAIRE="1"),
    ]
    run = run_import(csv_bytes(rows), membership=importer, apply=False)
    assert outcomes(run) == [(2, "created"), (3, "unchanged"), (4, "created")]
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("encoding", "separator", "bom"),
    [("utf-8", ";", False), ("utf-8", ",", True), ("cp1252", ";", False), ("latin-1", "\t", False)],
)
def test_encodings_and_separators(importer, encoding, separator, bom):
    content = csv_bytes(
        [rsa_row(NOM="LEFÈVRE", PRENOMS="Océane", COMMUNE="Évry-Courcouronnes")],
        separator=separator,
        encoding=encoding,
    )
    if bom:
        content = b"\xef\xbb\xbf" + content
    run = run_import(content, membership=importer)
    assert run.created == 1, (run.error, list(run.rows.values("reason")))
    person = Person.objects.get()
    assert (person.birth_name, person.first_names) == ("LEFÈVRE", "Océane")


def test_quoted_line_breaks_and_line_numbers(importer):
    headers = [*RSA_HEADERS, "ADRESSE"]
    rows = [
        [*rsa_row(), "8, place de la Gare\nBâtiment B"],
        [*rsa_row(NOM="PETIT", PRENOMS="Lucas", NUM_ALLOCATAIRE="2", DATE_NAISSANCE="31/02/1999"), ""],
    ]
    run = run_import(csv_bytes(rows, headers=headers), membership=importer)
    assert outcomes(run) == [(2, "created"), (4, "rejected")]
    assert Person.objects.get().address == "8, place de la Gare Bâtiment B"
    rejected = run.rows.get(line=4)
    assert rejected.column == "DATE_NAISSANCE" and "n'est pas une date" in rejected.reason


def test_headers_in_any_case_accents_spacing_and_order(importer):
    headers = ["Commune", "  Prénoms ", "date de naissance", "nom", "Code Postal", "Colonne inconnue"]
    run = run_import(
        csv_bytes([["Massy", "Marie", "1979-05-21", "Durand", "91300", "x"]], headers=headers),
        membership=importer,
        profile="generic",
    )
    assert run.created == 1
    assert run.ignored_columns == ["Colonne inconnue"]
    assert Pathway.objects.get().entry_source == EntrySource.IMPORT


def test_france_travail_list_from_xlsx_with_excel_dates(importer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Identifiant", "Nom", "Prénom", "Date de naissance", "Code INSEE", "Date d'inscription"])
    sheet.append(["1234567A", "Garnier", "Océane", datetime.date(1993, 12, 25), "91589", 46330])
    sheet.append(["7654321B", "Moreau", "Chloé", "17/04/1984", 91174, "2026-11-18"])
    content = io.BytesIO()
    workbook.save(content)
    run = run_import(content.getvalue(), membership=importer, profile="france_travail", name="de.xlsx")
    assert run.created == 2, list(run.rows.values("reason"))
    assert run.file_kind == "Excel (XLSX)"
    oceane = Person.objects.get(birth_name="GARNIER")
    assert oceane.france_travail_id == "1234567A" and oceane.jobseeker_registered
    assert oceane.pathway.entered_at == datetime.date(2026, 11, 4)
    assert oceane.pathway.entry_source == EntrySource.FRANCE_TRAVAIL
    assert oceane.pathway.orientation_due_on is None
    assert Person.objects.get(birth_name="MOREAU").commune_id == "91174"
    again = run_import(content.getvalue(), membership=importer, profile="france_travail", name="de.xlsx")
    assert again.unchanged == 2


def test_batches_commit_and_a_resumed_run_skips_what_was_done(importer, monkeypatch):
    monkeypatch.setattr("imports.engine.BATCH_SIZE", 2)
    names = ["DUPONT", "KOWALSKI", "NGUYEN", "OLIVEIRA", "SCHMITT"]
    rows = [
        rsa_row(
            NOM=name, PRENOMS=first, DATE_NAISSANCE=f"0{index + 1}/0{index + 1}/198{index}", NUM_ALLOCATAIRE=str(index)
        )
        for index, (name, first) in enumerate(zip(names, ["Anne", "Piotr", "Linh", "Rui", "Hans"], strict=True))
    ]
    original = Engine.batch
    calls = []

    def killed_at_the_second_batch(engine, pending, *args, **kwargs):
        calls.append(len(pending))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(engine, pending, *args, **kwargs)

    monkeypatch.setattr(Engine, "batch", killed_at_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run_import(csv_bytes(rows), membership=importer)
    killed = ImportRun.objects.get()
    assert (killed.status, killed.processed, killed.created) == (ImportRun.Status.RUNNING, 3, 2)
    assert Person.objects.count() == 2
    monkeypatch.setattr(Engine, "batch", original)
    resumed = carry_out(killed, io.BytesIO(csv_bytes(rows)), by=importer)
    assert (resumed.status, resumed.created) == (ImportRun.Status.DONE, 5)
    assert list(resumed.rows.values_list("line", flat=True)) == [2, 3, 4, 5, 6]
    # The whole file again, as a new run: nothing created.
    again = run_import(csv_bytes(rows), membership=importer)
    assert (again.created, again.unchanged) == (0, 5)
    assert Person.objects.count() == 5


def test_a_person_met_in_an_earlier_batch_by_an_identifier_the_record_lacks_is_updated(importer, monkeypatch):
    """Found by NIR with another CAF number than their own (never replaced): a row of a later batch with that CAF
    number alone is the same person, known from the earlier row rather than from the record."""
    monkeypatch.setattr("imports.engine.BATCH_SIZE", 1)
    born = datetime.date(1988, 3, 14)
    nir = make_nir("F", born)
    person = PersonFactory(birth_name="MARTINEZ", first_names="Sofia", birth_date=born, nir=nir, caf_number="0111111")
    run = run_import(
        csv_bytes(
            [
                rsa_row(NIR=nir, NUM_ALLOCATAIRE="0999999", TELEPHONE="06 98 76 54 32"),
                rsa_row(NUM_ALLOCATAIRE="0999999", TELEPHONE="06 98 76 54 32"),
            ]
        ),
        membership=importer,
    )
    assert outcomes(run) == [(2, "updated"), (3, "unchanged")]
    assert run.rows.get(line=3).person_id == person.pk
    person.refresh_from_db()
    assert (person.caf_number, person.phone) == ("0111111", "+33698765432")
    assert Person.objects.count() == 1


def test_a_likely_duplicate_with_a_typo_in_the_birth_date_is_set_aside(importer):
    PersonFactory(birth_name="MARTINEZ", first_names="Sofia Maria", birth_date=datetime.date(1988, 3, 15))
    run = run_import(csv_bytes([rsa_row(NUM_ALLOCATAIRE="")]), membership=importer)
    assert outcomes(run) == [(2, "set_aside")]


def test_a_near_duplicate_later_in_the_same_file_is_set_aside(importer):
    rows = [rsa_row(NUM_ALLOCATAIRE=""), rsa_row(NUM_ALLOCATAIRE="", NOM="MARTINES")]
    run = run_import(csv_bytes(rows), membership=importer)
    assert outcomes(run) == [(2, "created"), (3, "set_aside")]


def test_homonyms_born_another_year_are_created(importer):
    PersonFactory(birth_name="MARTINEZ", first_names="Sofia", birth_date=datetime.date(1961, 7, 2))
    run = run_import(csv_bytes([rsa_row(NUM_ALLOCATAIRE="")]), membership=importer)
    assert outcomes(run) == [(2, "created")]


NEW_NAMES = ["ABADIE", "BERTHOLET", "CASTAGNE", "DELVAUX", "ESCUDIER", "FONTAINE", "GIRONDE", "HERBIN", "ISNARD"]
NEW_FIRST_NAMES = ["Hugo", "Léa", "Nathan", "Chloé", "Karim", "Inès", "Yanis", "Manon", "Sacha"]


def _mixed_rows(count, tag):
    """``count`` rows of each kind: new people, people on file by their NIR with a new phone, likely duplicates of
    people on file (a typo in the last name), rejected rows."""
    rows = []
    for index in range(count):
        born = datetime.date(1970 + index, 1 + index % 12, 10)
        nir = make_nir("F", born, order=index + 1 + 100 * (tag == "B"))
        PersonFactory(birth_name=f"CONNU{tag}", first_names="Anne", birth_date=born, nir=nir)
        PersonFactory(birth_name=f"LEBRETON{tag}", first_names="Claire", birth_date=datetime.date(1960 + index, 5, 20))
        rows += [
            rsa_row(
                NOM=f"{NEW_NAMES[index]}{tag}",
                PRENOMS=NEW_FIRST_NAMES[index],
                DATE_NAISSANCE=f"{1 + index * 3:02d}/{1 + index:02d}/{(1941 if tag == 'A' else 2001) + index}",
                NUM_ALLOCATAIRE=f"{tag}{index}",
            ),
            rsa_row(
                NOM=f"CONNU{tag}", PRENOMS="Anne", DATE_NAISSANCE=f"{born:%d/%m/%Y}", NIR=nir, TELEPHONE="0781223344"
            ),
            rsa_row(
                NOM=f"LEBRETIN{tag}", PRENOMS="Claire", DATE_NAISSANCE=f"20/05/{1960 + index}", NUM_ALLOCATAIRE=""
            ),
            rsa_row(NOM="FAUX", DATE_NAISSANCE="31/02/1990"),
        ]
    return rows


def test_the_queries_of_a_batch_do_not_grow_with_its_rows(importer, monkeypatch):
    """One batch of 12 rows and one of 36 (new people, updates, likely duplicates, rejections): the same queries."""
    monkeypatch.setattr("imports.engine.BATCH_SIZE", 1_000)
    counts = {}
    for tag, count in (("A", 3), ("B", 9)):
        content = csv_bytes(_mixed_rows(count, tag))
        with CaptureQueriesContext(connection) as queries:
            run = run_import(content, membership=importer)
        assert (run.created, run.updated, run.set_aside, run.rejected) == (count, count, count, count)
        counts[count] = len(queries)
    assert counts[3] == counts[9]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plan de PostgreSQL")
def test_the_nir_look_up_of_a_batch_reads_the_index_of_the_nirs(importer):
    """The unique index on the NIR digest leaves out the records without one. Beyond 100 digests, PostgreSQL no
    longer checks each against that condition: a look-up that does not state it reads the whole table (150,000
    people for each batch). With sequential reads ruled out, the statement must be read through that index."""
    run = ImportRun.objects.create(
        structure=importer.structure, membership=importer, profile_name="rsa", file_name="l.csv", apply=True
    )
    engine = Engine(run, profile=get_profile("rsa"), by=importer)
    born = datetime.date(1988, 3, 14)
    rows = [
        Row(line, values={"nir": make_nir("F", born, order=line), "birth_name": "MARTINEZ", "first_names": "Sofia"})
        for line in range(2, 150)
    ]
    for row in rows:
        row.values["birth_date"] = born
    with CaptureQueriesContext(connection) as queries:
        engine._lookups(rows)
    look_ups = [query["sql"] for query in queries if '"nir_digest" IN' in query["sql"]]
    assert len(look_ups) == 1
    with connection.cursor() as cursor:
        # A table this small offers the index on ``merged_into`` too: taken out (until the test's rollback).
        for name, index in connection.introspection.get_constraints(cursor, "people_person").items():
            if index["index"] and index["columns"] == ["merged_into_id"]:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {look_ups[0]}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "person_unique_nir" in plan, plan


def _report_of(importer, content, *, apply):
    """The report of ``content`` imported by batches of 4 rows."""
    run = ImportRun.objects.create(
        structure=importer.structure, membership=importer, profile_name="rsa", file_name="l.csv", apply=apply
    )
    Engine(run, profile=get_profile("rsa"), by=importer, batch_size=4).execute(
        open_table(io.BytesIO(content), "l.csv")
    )
    return [(row.line, row.outcome, row.column, row.reason, row.changed) for row in run.rows.order_by("line")]


def test_a_dry_run_reports_the_rows_met_again_in_a_later_batch_as_the_applied_run(importer):
    """A dry run writes nothing: a row met again in a later batch is unchanged, as the applied run reports it,
    rather than updated again against the record as it was (the dry run keeps what it changed in memory)."""
    rows = _mixed_rows(6, "A")
    content = csv_bytes([*rows, *rows[:6]])  # seven batches, the first six rows again in the last ones
    dry = _report_of(importer, content, apply=False)
    applied = _report_of(importer, content, apply=True)
    assert dry == applied
    again = ["unchanged", "unchanged", "set_aside", "rejected", "unchanged", "unchanged"]
    assert [outcome for _, outcome, *_ in dry[-6:]] == again


def test_a_worker_still_running_after_a_resumption_stops_without_writing(importer, monkeypatch):
    monkeypatch.setattr("imports.engine.BATCH_SIZE", 2)
    rows = [rsa_row(NOM=name, NUM_ALLOCATAIRE=str(index)) for index, name in enumerate(["DUPONT", "NGUYEN"])]
    run = run_import(csv_bytes(rows), membership=importer)
    assert run.created == 2
    late = Engine(run, profile=get_profile("rsa"), by=importer)
    late.processed = 0  # what it read before the run was resumed and carried on by another worker
    late.map_columns(RSA_HEADERS)
    with pytest.raises(Superseded):
        late.batch([late.parse(2, rows[0])])
    assert Person.objects.count() == 2 and run.rows.count() == 2


def _new_people(count, tag):
    """``count`` rows (32 at most) of people unknown and unlike each other: each their own first name."""
    first = [
        "Anne",
        "Piotr",
        "Linh",
        "Rui",
        "Hans",
        "Awa",
        "Emre",
        "Nadia",
        "Karim",
        "Solène",
        "Bogdan",
        "Yuki",
        "Fatou",
        "Gaspard",
        "Ines",
        "Joachim",
        "Kofi",
        "Ludivine",
        "Mehdi",
        "Noémie",
        "Oscar",
        "Priya",
        "Quentin",
        "Rosalie",
        "Samuel",
        "Tatiana",
        "Ulysse",
        "Valentin",
        "Wassim",
        "Xavier",
        "Yasmina",
        "Zoltan",
    ]
    return [
        rsa_row(
            NOM={"A": "ARCHAMBAULT", "B": "BOISSONNADE"}.get(tag, "CHAMPOLLION"),
            PRENOMS=first[index],
            DATE_NAISSANCE=f"{1 + index % 27:02d}/{1 + index % 11:02d}/{1950 + index}",
            NUM_ALLOCATAIRE=f"{tag}{index:05d}",
        )
        for index in range(count)
    ]


def test_what_an_applied_run_keeps_does_not_grow_with_its_batches(importer):
    """Once a batch is written, the identifiers met are found again in the database by the next batches: the engine
    keeps what it met in the batch only, and the people it entered as the index holds those read from the
    database."""
    retained = {}
    for tag, batches in (("A", 2), ("B", 8)):
        known = PersonFactory(
            birth_name=f"CONNU{tag}", first_names="Léa", birth_date=datetime.date(1988, 3, 14), caf_number=f"K{tag}"
        )
        rows = [*_new_people(batches * 4, tag), rsa_row(NOM=f"CONNU{tag}", PRENOMS="Léa", NUM_ALLOCATAIRE=f"K{tag}")]
        rows.append(rsa_row(NOM=f"CONNU{tag}", PRENOMS="Léa", NUM_ALLOCATAIRE=f"K{tag}"))
        content = csv_bytes(rows)
        run = ImportRun.objects.create(
            structure=importer.structure, membership=importer, profile_name="rsa", file_name="l.csv", apply=True
        )
        engine = Engine(run, profile=get_profile("rsa"), by=importer, batch_size=4)
        engine.execute(open_table(io.BytesIO(content), "l.csv"))
        assert (run.created, run.updated + run.unchanged) == (batches * 4, 2)
        assert ImportRow.objects.get(run=run, line=len(rows) + 1).person_id == known.pk
        index = engine.index.by_date
        added = [entry for entries in index.values() for entry in entries if not isinstance(entry, tuple)]
        retained[batches] = (len(engine.seen), len(added))
    assert retained[2] == retained[8] == (0, 0)


def test_a_dry_run_keeps_what_it_met(importer):
    """A dry run writes nothing: what it met is found again from memory, the rows of the same person counted once."""
    rows = _new_people(8, "C")
    run = run_import(csv_bytes([*rows, rows[0]]), membership=importer, apply=False)
    assert (run.created, run.unchanged) == (8, 1)
    assert Person.objects.count() == 0
