"""The report of a run, line by line, as the CSV download and the command write it."""

from imports.fields import FIELDS
from imports.models import ImportRow

HEADERS = ["ligne", "résultat", "colonne", "motif", "champs modifiés", "dossier"]


def report_rows(run):
    """The header, then one list of cells per row of the file (the dossier number of the person, when any)."""
    yield HEADERS
    rows = (
        ImportRow.objects.filter(run=run)
        .order_by("line")
        .values_list("line", "outcome", "column", "reason", "changed", "person__dossier_number")
    )
    labels = dict(ImportRow.Outcome.choices)
    names = {**FIELDS, "commune_id": "commune", "jobseeker_registered": "inscrit à France Travail", "nir": "NIR"}
    for line, outcome, column, reason, changed, dossier in rows.iterator(chunk_size=2000):
        yield [
            line,
            labels[outcome],
            column,
            reason,
            ", ".join(names.get(name, name) for name in changed or []),
            dossier or "",
        ]
