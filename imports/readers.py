"""Reading the files partners send, row by row (the file is never loaded whole).

``open_table(binary_file, file_name)`` gives a ``Table``: its headers and an iterator of ``(line, cells)``, where
``line`` is the number of the line the row starts on in the file (the headers are line 1), as a spreadsheet
shows it. A file that is no table raises ``UnreadableFile`` with a French message.
"""

import codecs
import csv
import datetime
import io
from dataclasses import dataclass

SAMPLE_SIZE = 64 * 1024
SEPARATORS = (";", ",", "\t", "|")
ZIP_MAGIC = b"PK\x03\x04"
# Formats that are no table: recognised to say so plainly.
BINARY_MAGICS = {
    b"%PDF": "un document PDF",
    b"\xd0\xcf\x11\xe0": "un ancien classeur Excel (.xls) ou un document Office",
    b"\x89PNG": "une image",
    b"\xff\xd8\xff": "une image",
    b"\x1f\x8b": "une archive compressée (gzip)",
    b"Rar!": "une archive compressée (rar)",
    b"7z\xbc\xaf": "une archive compressée (7z)",
}
csv.field_size_limit(1024 * 1024)


class UnreadableFile(Exception):
    """The file is no table Relais can read; the message says why, in French."""


@dataclass
class Table:
    headers: list
    rows: object  # iterator of (line, cells)
    kind: str  # « CSV (UTF-8, « ; ») » or « Excel »
    lines: int = 0  # the file's last line (an estimate for a CSV whose fields hold line breaks), for progress


def _detect_encoding(sample):
    """UTF-8 (with or without BOM) when the sample decodes so; otherwise what charset-normalizer finds among the
    encodings of French files (Windows-1252, Latin-1), Windows-1252 by default."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - the package is in the requirements
        best = None
    else:
        best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "mac_roman", "cp850"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding == "cp1252":
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:  # bytes undefined in Windows-1252 (0x81, 0x8d…): Latin-1 reads them all
            encoding = "latin_1"
    return encoding


def _detect_separator(text):
    """The separator of the header line, quotes left out: the most frequent of ; , tab |."""
    header, quoted = [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted:
            header.append(char)
    counts = {separator: header.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ";"


def _csv_rows(reader, text):
    """The rows with the line each starts on; the text layer is detached at the end (the caller closes the file)."""
    previous = 1
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise UnreadableFile(
                    f"La ligne {previous + 1} du fichier est illisible ({error}) : les lignes précédentes "
                    "ont été traitées, corrigez le fichier puis importez-le de nouveau."
                ) from None
            start = previous + 1
            previous = reader.line_num
            yield start, cells
    finally:
        if not text.closed:  # a run stopped mid-file: its file may be closed before the rows are let go
            text.detach()


def _count_lines(binary):
    lines, last = 0, b""
    while chunk := binary.read(1024 * 1024):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    binary.seek(0)
    return lines + (last not in (b"\n", b""))


def _open_csv(binary, sample):
    if b"\x00" in sample:
        raise UnreadableFile("Ce fichier n'est pas un fichier texte (CSV) ni un classeur Excel (.xlsx).")
    encoding = _detect_encoding(sample)
    lines = _count_lines(binary)
    text_sample = sample.decode(encoding, errors="ignore")
    separator = _detect_separator(text_sample.lstrip("\ufeff"))
    text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=separator, quotechar='"')
    try:
        headers = next(reader)
    except (StopIteration, csv.Error) as error:
        text.detach()
        if isinstance(error, StopIteration):
            raise UnreadableFile("Le fichier est vide.") from None
        raise UnreadableFile(f"Le fichier n'a pas pu être lu comme un tableau CSV : {error}.") from None
    headers = [header.strip() for header in headers]
    if not any(headers):
        text.detach()
        raise UnreadableFile("La première ligne du fichier doit porter les noms des colonnes : elle est vide.")
    names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin_1": "Latin-1"}
    separator_name = "tabulation" if separator == "\t" else f"« {separator} »"
    kind = f"CSV ({names.get(encoding, encoding)}, séparateur {separator_name})"
    return Table(headers, _csv_rows(reader, text), kind, lines)


def _cell(value):
    """An Excel cell as the engine reads it: text, a date, or a number (dates may come as serial numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _open_xlsx(binary):
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - the package is in the requirements
        return _open_xlsx_openpyxl(binary)
    try:
        workbook = CalamineWorkbook.from_filelike(binary)
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        lines = sheet.height
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    return _xlsx_table(rows, lines)


def _open_xlsx_openpyxl(binary):  # pragma: no cover - used only without python-calamine
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    sheet = workbook.worksheets[0]
    return _xlsx_table(sheet.iter_rows(values_only=True), sheet.max_row or 0)


def _xlsx_table(rows, lines):
    rows = iter(rows)
    try:
        headers = next(rows)
    except StopIteration:
        raise UnreadableFile("Le classeur est vide.") from None
    headers = [str(_cell(header)).strip() for header in headers]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise UnreadableFile("La première ligne du classeur doit porter les noms des colonnes : elle est vide.")

    def numbered():
        for index, cells in enumerate(rows, start=2):
            cells = [_cell(value) for value in cells]
            while len(cells) > len(headers) and cells[-1] == "":
                cells.pop()
            if any(cell != "" for cell in cells):
                yield index, cells

    return Table(headers, numbered(), "Excel (XLSX)", lines)


def open_table(binary, file_name=""):
    """The table in ``binary`` (a binary file object, positioned at its start)."""
    sample = binary.read(SAMPLE_SIZE)
    binary.seek(0)
    if not sample.strip():
        raise UnreadableFile("Le fichier est vide.")
    if sample.startswith(ZIP_MAGIC):
        return _open_xlsx(binary)
    for magic, what in BINARY_MAGICS.items():
        if sample.startswith(magic):
            raise UnreadableFile(f"Ce fichier est {what}, pas un tableau CSV ou Excel (.xlsx).")
    return _open_csv(binary, sample)
