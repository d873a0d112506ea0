"""Reading the files partners send, row by row (the file is never loaded whole).

``open_table(binary_file, file_name)`` gives a ``Table``: its headers and an iterator of ``(line, cells)``, where
``line`` is the number of the line the row starts on in the file (the headers are line 1), as a spreadsheet
shows it. A file that is no table raises ``UnreadableFile`` with a French message.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
from dataclasses import dataclass

SAMPLE_SIZE = 64 * 1024
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# No Relais field comes near this: a longer cell is the rest of the file, read into it after an unclosed quote.
MAX_CELL_CHARS = 2000
LINE_BREAK = re.compile(r"\r\n|\r|\n")
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


def _decode_as_cp1252(error):
    """Codec error handler: bytes that are no UTF-8 are read as Windows-1252 (Latin-1 for the few it leaves
    undefined). A UTF-8 file may hold rows pasted from an older Windows-1252 one after the sample the encoding is
    guessed from: their accents are read rather than replaced."""
    part = error.object[error.start : error.end]
    try:
        return part.decode("cp1252"), error.end
    except UnicodeDecodeError:
        return part.decode("latin_1"), error.end


codecs.register_error("relais-cp1252", _decode_as_cp1252)


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


def _stopped(line, message, fix="corrigez le fichier"):
    """The message of a row the reading stops at, saying what becomes of the rows read before it."""
    then = f"{fix} puis importez le fichier de nouveau"
    if line <= 2:
        return f"{message} {then[0].upper()}{then[1:]}."
    return (
        f"{message} Les lignes avant la ligne {line} sont traitées ; {then} : "
        "les lignes déjà importées ne seront pas créées une seconde fois."
    )


def _unclosed_quote(line, end):
    """The message of a quote opened on ``line`` and left open: the lines up to ``end`` made one cell."""
    return _stopped(
        line,
        f"Ligne {line} : un guillemet ouvert n'est pas refermé ; les lignes {line} à {end} du fichier ont été lues "
        "comme une seule cellule.",
        "fermez le guillemet (ou retirez-le)",
    )


def _csv_error(error, line, end):
    """The French message of a ``csv.Error`` met on the row starting at ``line`` (the reader was at ``end``)."""
    if "field larger than field limit" in str(error):
        return _unclosed_quote(line, end)
    return _stopped(line, f"La ligne {line} du fichier n'a pas pu être lue comme une ligne de tableau CSV.")


def _looks_like_rows(lines, separator, width):
    """Whether the lines after the first of a quoted cell are rows of the file: three or more hold the separator,
    or one holds as many as a row of ``width`` cells (a postal address spread over lines holds neither)."""
    counts = [line.count(separator) for line in lines if separator in line]
    return len(counts) >= 3 or any(count >= max(width - 1, 2) for count in counts)


def _check_cells(cells, line, last, separator, width):
    """Refuse a row (on lines ``line`` to ``last``) no file means: a cell an unclosed quote ran on over the following
    rows (up to the end of the file, often), or one far longer than any Relais field. Each would hide rows, or stop
    the import later on."""
    for cell in cells:
        lines = LINE_BREAK.split(cell) if "\n" in cell or "\r" in cell else [cell]
        end = min(line + len(lines) - 1, last)  # a cell run on to the end of the file ends with its last line break
        if len(cell) > MAX_CELL_CHARS and end == line:
            raise UnreadableFile(
                _stopped(
                    line,
                    f"Ligne {line} : une cellule compte {len(cell)} caractères, alors qu'aucune donnée de Relais "
                    "n'en dépasse quelques centaines.",
                    "vérifiez cette ligne",
                )
            )
        if len(cell) > MAX_CELL_CHARS or _looks_like_rows(lines[1:], separator, width):
            raise UnreadableFile(_unclosed_quote(line, end))
        line = end


def _csv_rows(reader, text, width):
    """The rows with the line each starts on; the text layer is detached at the end (the caller closes the file)."""
    previous = 1
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise UnreadableFile(_csv_error(error, previous + 1, reader.line_num)) from None
            start = previous + 1
            previous = reader.line_num
            if previous > start or sum(map(len, cells)) > MAX_CELL_CHARS:  # the rare rows worth a closer look
                _check_cells(cells, start, previous, reader.dialect.delimiter, width)
            yield start, cells
    finally:
        if not text.closed:  # a run stopped mid-file: its file may be closed before the rows are let go
            text.detach()


def _count_lines(binary, encoding):
    """The file's lines, for progress. UTF-16 ones are counted on the text: a byte 0x0A may be half a character."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace") if encoding == "utf-16" else None
    newline = "\n" if decoder else b"\n"
    lines, last = 0, newline
    while chunk := binary.read(1024 * 1024):
        if decoder:
            chunk = decoder.decode(chunk)
        lines += chunk.count(newline)
        last = chunk[-1:] or last
    binary.seek(0)
    return lines + (last != newline)


def _open_csv(binary, sample):
    """A CSV table. Excel's « Texte Unicode » is UTF-16 (with a BOM): its NUL bytes are no sign of a binary file."""
    if sample.startswith(UTF16_BOMS):
        encoding = "utf-16"
    elif b"\x00" in sample:
        raise UnreadableFile("Ce fichier n'est pas un fichier texte (CSV) ni un classeur Excel (.xlsx).")
    else:
        encoding = _detect_encoding(sample)
    lines = _count_lines(binary, encoding)
    text_sample = sample.decode(encoding, errors="ignore")
    separator = _detect_separator(text_sample.lstrip("\ufeff"))
    errors = "relais-cp1252" if encoding in ("utf-8", "utf-8-sig") else "replace"
    text = io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="")
    reader = csv.reader(text, delimiter=separator, quotechar='"')
    try:
        headers = next(reader)
        _check_cells(headers, 1, reader.line_num, separator, len(headers))
    except StopIteration:
        text.detach()
        raise UnreadableFile("Le fichier est vide.") from None
    except csv.Error as error:
        text.detach()
        raise UnreadableFile(_csv_error(error, 1, reader.line_num)) from None
    except UnreadableFile:
        text.detach()
        raise
    headers = [header.strip() for header in headers]
    if not any(headers):
        text.detach()
        raise UnreadableFile("La première ligne du fichier doit porter les noms des colonnes : elle est vide.")
    names = {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8",
        "utf-16": "UTF-16",
        "cp1252": "Windows-1252",
        "latin_1": "Latin-1",
    }
    separator_name = "tabulation" if separator == "\t" else f"« {separator} »"
    kind = f"CSV ({names.get(encoding, encoding)}, séparateur {separator_name})"
    return Table(headers, _csv_rows(reader, text, len(headers)), kind, lines)


def _cell(value):
    """An Excel cell as the engine reads it: text, a date, or a number (dates may come as serial numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _first_filled(sheets):
    """The rows of the first sheet holding a non-empty cell, and its last line: the data may come after empty sheets
    (the first one Excel makes, a blank template). A workbook with no such sheet gives no rows."""
    for rows, lines in sheets:
        rows, empty = iter(rows), []
        for cells in rows:
            if any(_cell(value) != "" for value in cells):
                return itertools.chain(empty, [cells], rows), lines
            empty.append(cells)
    return iter(()), 0


def _open_xlsx(binary):
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - the package is in the requirements
        return _open_xlsx_openpyxl(binary)
    try:
        workbook = CalamineWorkbook.from_filelike(binary)
        sheets = map(workbook.get_sheet_by_index, range(len(workbook.sheet_names)))
        # Rows are given from A1; ``end`` is the sheet's last cell, counted from 0.
        rows, lines = _first_filled((sheet.iter_rows(), sheet.end[0] + 1 if sheet.end else 0) for sheet in sheets)
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    return _xlsx_table(rows, lines)


def _open_xlsx_openpyxl(binary):  # used only without python-calamine
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    sheets = ((sheet.iter_rows(values_only=True), sheet.max_row or 0) for sheet in workbook.worksheets)
    return _xlsx_table(*_first_filled(sheets))


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
