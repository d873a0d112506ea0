"""Imports at the département's scale: a generated monthly RSA list taken in by the import engine, end to end
(reading, normalising, identity matching, writing through the actions, report), compared in the same run with
PostgreSQL's raw ``COPY`` of the same file into an unindexed table, and with a naive import that reads and writes
one row at a time through the ORM.

The file mixes what a real list holds: mostly new beneficiaries (a valid NIR for about 70 %), people already known
by their NIR (half with a new phone number) or by their CAF number and identity, a few likely duplicates (a typo
in the last name, no identifier) and a few bad rows. The people the engine creates are deleted afterwards, so that
the bench database stays as generated.
"""

import csv
import random
import resource
import tempfile
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models.signals import post_delete

from accounts.models import Structure
from bench.generate.identities import NameDrawer, nir
from imports.models import ImportedIdentity, ImportRow, ImportRun
from imports.runs import carry_out
from pathway.models import EntrySource, Pathway, orientation_due_on
from people.identity import nir_hash
from people.models import Person
from relais.actions import SYSTEM
from territory.models import Postcode

HEADERS = [
    "NUM_ALLOCATAIRE",
    "ROLE",
    "NOM",
    "PRENOMS",
    "DATE_NAISSANCE",
    "SEXE",
    "NIR",
    "ADRESSE",
    "CODE_POSTAL",
    "COMMUNE",
    "TELEPHONE",
    "DATE_OUVERTURE_DROIT",
]
SHARES = {"nir": 0.08, "caf": 0.04, "duplicate": 0.02, "bad": 0.01}


def _typo(name, rng):
    index = rng.randrange(1, max(2, len(name) - 1))
    letter = rng.choice("aeiourstln")
    return (name[:index] + letter + name[index + 1 :]).upper()


def write_file(path, rows, seed=91):
    """The RSA list of ``rows`` rows, in Windows-1252 with semicolons as a CAF export; returns its composition."""
    rng = random.Random(seed)
    drawer = NameDrawer(rng)
    places = list(
        Postcode.objects.filter(commune__departement_id="91").values_list("code", "commune__name").order_by("code")
    )
    known = list(
        Person.objects.filter(merged_into__isnull=True)
        .exclude(nir_encrypted="")
        .order_by("?")
        .values_list("pk", flat=True)[: int(rows * SHARES["nir"]) + 1]
    )
    by_caf = list(
        Person.objects.filter(merged_into__isnull=True, nir_digest="")
        .exclude(caf_number="")
        .order_by("?")[: int(rows * (SHARES["caf"] + SHARES["duplicate"])) + 2]
    )
    known_people = Person.objects.in_bulk(known)
    composition = {"new": 0, "nir": 0, "caf": 0, "duplicate": 0, "bad": 0}
    received = date(2026, 11, 2)
    with open(path, "w", encoding="cp1252", errors="replace", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        for index in range(rows):
            draw = rng.random()
            postcode, commune = rng.choice(places)
            opened = (received + timedelta(days=rng.randrange(28))).strftime("%d/%m/%Y")
            phone = (
                f"06 {rng.randrange(10, 39)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}"
            )
            if draw < SHARES["nir"] and known:
                person = known_people[known.pop()]
                kind = "nir"
                row = [
                    person.caf_number,
                    "DEM",
                    person.birth_name.upper(),
                    person.first_names,
                    person.birth_date.strftime("%d/%m/%Y"),
                    person.sex,
                    person.nir,
                    person.address,
                    postcode,
                    commune,
                    phone if rng.random() < 0.5 else person.phone,
                    opened,
                ]
            elif draw < SHARES["nir"] + SHARES["caf"] + SHARES["duplicate"] and by_caf:
                person = by_caf.pop()
                kind = "caf" if draw < SHARES["nir"] + SHARES["caf"] else "duplicate"
                row = [
                    person.caf_number if kind == "caf" else "",
                    "DEM",
                    person.birth_name.upper() if kind == "caf" else _typo(person.birth_name, rng),
                    person.first_names,
                    person.birth_date.strftime("%d/%m/%Y"),
                    person.sex,
                    "",
                    person.address,
                    postcode,
                    commune,
                    person.phone,
                    opened,
                ]
            else:
                sex = rng.choice("FM")
                born = date(1960, 1, 1) + timedelta(days=rng.randrange(48 * 365))
                surname, origin = drawer.surname()
                kind = "bad" if draw > 1 - SHARES["bad"] else "new"
                row = [
                    f"{rng.randrange(10**6, 10**7)}",
                    "DEM",
                    surname.upper(),
                    drawer.first_names(sex, born.year, origin),
                    born.strftime("%d/%m/%Y") if kind == "new" else "31/02/1990",
                    sex,
                    nir(rng, sex, born, f"91{rng.randrange(1, 700):03d}", rng.randrange(1, 999))
                    if rng.random() < 0.7
                    else "",
                    f"{rng.randrange(1, 200)} rue de la République",
                    postcode,
                    commune,
                    phone,
                    opened,
                ]
            composition[kind] += 1
            writer.writerow(row)
            if index % 20_000 == 0:
                out.flush()
    return composition


def raw_copy(path):
    """Seconds PostgreSQL takes to COPY the file into an unindexed table of text columns (dropped afterwards)."""
    columns = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute(f"CREATE TABLE bench_import_copy ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as source,
            cursor.cursor.copy(
                "COPY bench_import_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
            ) as copy,
        ):
            while block := source.read(1024 * 1024):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_import_copy")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_import_copy")
    return elapsed, copied


def naive(path, rows, commune_by_postcode):
    """A naive import of the first ``rows`` rows: one row, one look-up and one write through the ORM (rolled back).
    Returns the seconds taken."""
    started = time.perf_counter()
    with transaction.atomic():
        with open(path, encoding="cp1252", newline="") as source:
            reader = csv.DictReader(source, delimiter=";")
            for index, row in enumerate(reader):
                if index >= rows:
                    break
                try:
                    day, month, year = row["DATE_NAISSANCE"].split("/")
                    born = date(int(year), int(month), int(day))
                except ValueError:
                    continue
                value = row["NIR"].replace(" ", "")
                existing = (
                    Person.objects.filter(nir_digest=nir_hash(value)).first()
                    if value
                    else Person.objects.filter(
                        birth_name=row["NOM"], first_names=row["PRENOMS"], birth_date=born
                    ).first()
                )
                if existing is not None:
                    existing.phone = row["TELEPHONE"]
                    existing.save()
                    continue
                person = Person(
                    birth_name=row["NOM"],
                    first_names=row["PRENOMS"],
                    birth_date=born,
                    sex=row["SEXE"],
                    caf_number=row["NUM_ALLOCATAIRE"],
                    commune_id=commune_by_postcode[row["CODE_POSTAL"]],
                    rsa_since=received_on(row),
                )
                person.set_nir(value)
                person.save()
                Pathway.objects.create(
                    person=person,
                    entered_at=person.rsa_since,
                    entry_source=EntrySource.CAF,
                    orientation_due_on=orientation_due_on(person, person.rsa_since),
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def received_on(row):
    day, month, year = row["DATE_OUVERTURE_DROIT"].split("/")
    return date(int(year), int(month), int(day))


def _max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine(path, structure):
    """Seconds the engine takes for the file, its run, how much the process's peak memory grew, and the seconds of
    processor the process itself used (the rest of the time, it waited on PostgreSQL)."""
    run = ImportRun.objects.create(
        structure=structure, profile_name="rsa", file_name=Path(path).name, apply=True, size=Path(path).stat().st_size
    )
    before = _max_rss_mb()
    started, processor = time.perf_counter(), time.process_time()
    with open(path, "rb") as binary:
        carry_out(run, binary, by=SYSTEM)
    return time.perf_counter() - started, run, _max_rss_mb() - before, time.process_time() - processor


@contextmanager
def _without_delete_entries():
    """The change history's delete entries left out while the bench removes what it created itself: with no
    receiver of ``post_delete``, Django deletes each cascade in one statement (``DELETE … WHERE person_id IN …``)
    rather than collecting every row to send it its signal (56 s for 8,500 people, against 9 s)."""
    receivers = post_delete.receivers
    post_delete.receivers = []
    post_delete.sender_receivers_cache.clear()
    try:
        yield
    finally:
        post_delete.receivers = receivers
        post_delete.sender_receivers_cache.clear()


def clean_up(runs):
    """Delete what the runs created: the bench database stays as generated (the bench's own rows, without a delete
    entry in the change history each)."""
    created = ImportRow.objects.filter(run__in=runs, outcome=ImportRow.Outcome.CREATED).values("person_id")
    found = ImportRow.objects.filter(run__in=runs, person__isnull=False).values("person_id")
    with transaction.atomic(), _without_delete_entries():
        # The identities the runs gave of the people they found (none on file before: the bench writes none).
        ImportedIdentity.objects.filter(person_id__in=found).delete()
        Person.objects.filter(pk__in=created).delete()
        ImportRun.objects.filter(pk__in=[run.pk for run in runs]).delete()


def run(rows=100_000, naive_rows=2_000, seed=91):
    structure = Structure.objects.filter(kind=Structure.Kind.DEPARTEMENT).order_by("pk").first()
    people = Person.objects.filter(merged_into__isnull=True).count()
    commune_by_postcode = dict(Postcode.objects.values_list("code", "commune_id"))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "rsa.csv"
        started = time.perf_counter()
        composition = write_file(path, rows, seed)
        generated = time.perf_counter() - started
        size = path.stat().st_size
        copy_seconds, copied = raw_copy(path)
        naive_rows = min(naive_rows, rows)
        naive_seconds = naive(path, naive_rows, commune_by_postcode)
        first_seconds, first, memory, first_processor = engine(path, structure)
        second_seconds, second, _, second_processor = engine(path, structure)
        result = {
            "people": people,
            "rows": rows,
            "file_mb": round(size / 1e6, 1),
            "generated_s": round(generated, 1),
            "composition": composition,
            "copy": {"seconds": round(copy_seconds, 2), "rows_per_s": round(copied / copy_seconds)},
            "naive": {
                "rows": naive_rows,
                "seconds": round(naive_seconds, 2),
                "rows_per_s": round(naive_rows / naive_seconds),
            },
            "engine": {
                "seconds": round(first_seconds, 1),
                "rows_per_s": round(rows / first_seconds),
                "counts": first.counts,
                "status": first.status,
                "peak_memory_growth_mb": round(memory, 1),
                **_split(rows, first_seconds, first_processor),
            },
            "engine_again": {
                "seconds": round(second_seconds, 1),
                "rows_per_s": round(rows / second_seconds),
                "counts": second.counts,
                **_split(rows, second_seconds, second_processor),
            },
        }
        clean_up([first, second])
    # Some 85,000 people written then deleted leave their dead rows behind: the pages measured after this one (and
    # the next bench) would read through them until autovacuum passes (the home page twice as slow meanwhile). The
    # identities and report lines too: the next run's look-ups by identity would read the dead ones of the structure
    # (the statistics saying the table is empty, PostgreSQL reads all of a structure's identities for each batch).
    vacuum(
        [
            "people_person",
            "pathway_pathway",
            "pathway_timelineevent",
            "audit_changelog",
            "pathway_alert",
            "imports_importedidentity",
            "imports_importrow",
        ]
    )
    return result


def _split(rows, seconds, processor):
    """The run's time split between the engine's own processor time and its waiting on PostgreSQL, and the ceiling
    the waiting alone sets: the rows per second of an engine whose Python cost nothing, writing the same records."""
    waiting = max(seconds - processor, 0.001)
    return {
        "processor_s": round(processor, 1),
        "waiting_s": round(waiting, 1),
        "ceiling_rows_per_s": round(rows / waiting),
    }


def vacuum(tables):
    """``VACUUM ANALYZE`` of ``tables`` (outside any transaction, as PostgreSQL requires)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def lines(result):
    engine_rate = result["engine"]["rows_per_s"]
    copy_rate, naive_rate = result["copy"]["rows_per_s"], result["naive"]["rows_per_s"]
    counts = result["engine"]["counts"]
    return [
        f"Import d'une liste RSA de {result['rows']:,} lignes ({result['file_mb']} Mo) dans un département de "
        f"{result['people']:,} personnes :".replace(",", "\u202f"),
        f"  moteur d'import, de bout en bout : {result['engine']['seconds']} s, {engine_rate} lignes/s "
        f"(créées {counts['created']}, mises à jour {counts['updated']}, inchangées {counts['unchanged']}, "
        f"mises de côté {counts['set_aside']}, rejetées {counts['rejected']}) ; "
        f"mémoire de pointe +{result['engine']['peak_memory_growth_mb']} Mo",
        _split_line(result["engine"]),
        f"  même fichier une seconde fois : {result['engine_again']['seconds']} s, "
        f"{result['engine_again']['rows_per_s']} lignes/s, créées {result['engine_again']['counts']['created']}",
        _split_line(result["engine_again"]),
        f"  COPY brut dans une table sans index : {result['copy']['seconds']} s, {copy_rate} lignes/s "
        f"(le moteur : {engine_rate / copy_rate:.3f} × COPY)",
        f"  import naïf ligne à ligne par l'ORM ({result['naive']['rows']} lignes) : {naive_rate} lignes/s "
        f"(le moteur : {engine_rate / naive_rate:.1f} × le naïf)",
    ]


def _split_line(measured):
    return (
        f"    dont {measured['processor_s']} s de processeur pour Python et {measured['waiting_s']} s d'attente de "
        f"PostgreSQL : sans rien de Python, au plus {measured['ceiling_rows_per_s']} lignes/s"
    )
