"""Referral lists as CSV or XLSX files. A cell that a spreadsheet would read as a formula is neutralised."""

import csv
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "Référence",
    "Envoyée le",
    "Personne",
    "Date de naissance",
    "Service",
    "Structure prescriptrice",
    "Prescripteur",
    "Structure destinataire",
    "État",
    "Motif",
    "Réponse attendue au plus tard le",
    "Répondue le",
    "Commencée le",
    "Close le",
]


def neutralise(value):
    """Text a spreadsheet shows as typed: « =1+1 » becomes « '=1+1 »."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _date(value):
    if value is None:
        return None
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def rows(referrals):
    for referral in referrals:
        reason = ""
        if referral.refusal_reason:
            reason = referral.get_refusal_reason_display()
        elif referral.end_reason:
            reason = referral.get_end_reason_display()
        yield [
            str(referral.public_id),
            _date(referral.sent_at),
            referral.person.full_name,
            referral.person.birth_date,
            referral.service.name,
            referral.sender_structure.name,
            str(referral.sender),
            referral.receiver_structure.name if referral.receiver_structure_id else referral.service.provider_name,
            referral.get_status_display(),
            reason,
            referral.due_on,
            _date(referral.answered_at),
            referral.started_on,
            _date(referral.ended_at),
        ]


def as_csv(referrals):
    """UTF-8 with a byte order mark and semicolons, as a French spreadsheet opens it; dates dd/mm/yyyy."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows(referrals):
        writer.writerow(
            [value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else neutralise(value or "") for value in row]
        )
    return buffer.getvalue().encode("utf-8")


def _cell(sheet, value):
    if hasattr(value, "strftime"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    return neutralise(value) if value != "" else None


def as_xlsx(referrals):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orientations")
    sheet.append(COLUMNS)
    for row in rows(referrals):
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
