"""Building files and running imports in tests."""

import csv
import io

from imports.models import ImportRun
from imports.runs import carry_out

RSA_HEADERS = [
    "NUM_ALLOCATAIRE",
    "ROLE",
    "NOM",
    "PRENOMS",
    "DATE_NAISSANCE",
    "SEXE",
    "NIR",
    "CODE_POSTAL",
    "COMMUNE",
    "TELEPHONE",
    "DATE_OUVERTURE_DROIT",
]


def csv_bytes(rows, headers=RSA_HEADERS, separator=";", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def rsa_row(**values):
    row = {
        "NUM_ALLOCATAIRE": "0912345",
        "ROLE": "DEM",
        "NOM": "MARTINEZ",
        "PRENOMS": "Sofia",
        "DATE_NAISSANCE": "14/03/1988",
        "SEXE": "F",
        "NIR": "",
        "CODE_POSTAL": "91000",
        "COMMUNE": "Évry-Courcouronnes",
        "TELEPHONE": "06 12 34 56 78",
        "DATE_OUVERTURE_DROIT": "02/11/2026",
    }
    row.update(values)
    return [row[header] for header in RSA_HEADERS]


def run_import(content, *, membership, profile="rsa", apply=True, name="liste.csv"):
    run = ImportRun.objects.create(
        structure=membership.structure,
        started_by=membership.user,
        membership=membership,
        profile_name=profile,
        file_name=name,
        apply=apply,
        size=len(content),
    )
    return carry_out(run, io.BytesIO(content), by=membership)
