"""Loading of the shipped territory files (Etalab's découpage administratif) into the database."""

import csv
import gzip
from pathlib import Path

from django.db import transaction

from relais.text import place_key
from territory.models import Commune, Departement, Epci, Ept, Postcode

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name):
    path = DATA_DIR / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def known_departements():
    return {row["code"]: row for row in _rows("departements.csv")}


@transaction.atomic
def load_departement(code):
    """Load (or refresh) one département's communes, EPCI and EPT. Returns counts. Idempotent."""
    departements = known_departements()
    if code not in departements:
        raise ValueError(f"Département inconnu : « {code} ». Exemples de codes valides : 91, 2A, 974.")
    row = departements[code]
    Departement.objects.update_or_create(code=code, defaults={"name": row["nom"], "region_code": row["region"]})

    communes = [
        row for row in _rows("communes.csv.gz") if row["departement"] == code and row["type"] == "commune-actuelle"
    ]
    epci_codes = {row["epci"] for row in communes if row["epci"]}
    ept_codes = {row["ept"] for row in communes if row["ept"]}

    epcis = [
        Epci(siren=row["code_siren"], name=row["nom"], kind=row["type"], population=int(row["population"] or 0))
        for row in _rows("epci.csv")
        if row["code_siren"] in epci_codes
    ]
    Epci.objects.bulk_create(
        epcis, update_conflicts=True, unique_fields=["siren"], update_fields=["name", "kind", "population"]
    )
    epts = [Ept(code=row["code"], name=row["nom"]) for row in _rows("ept.csv") if row["code"] in ept_codes]
    Ept.objects.bulk_create(epts, update_conflicts=True, unique_fields=["code"], update_fields=["name"])

    objects = [
        Commune(
            code=row["code_insee"],
            name=row["nom"],
            search_name=place_key(row["nom"]),
            departement_id=code,
            epci_id=row["epci"] or None,
            ept_id=row["ept"] or None,
            population=int(row["population"] or 0),
        )
        for row in communes
    ]
    Commune.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "search_name", "departement", "epci", "ept", "population"],
    )
    postcodes = [
        Postcode(commune_id=row["code_insee"], code=postcode)
        for row in communes
        for postcode in row["codes_postaux"].split()
    ]
    Postcode.objects.bulk_create(postcodes, ignore_conflicts=True)
    return {"communes": len(objects), "epci": len(epcis), "ept": len(epts), "codes_postaux": len(postcodes)}
