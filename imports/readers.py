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
import zipfile
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
# The row naming the columns holds this many cells or more: the title lines some files put above it (« Liste des
# bénéficiaires du RSA — novembre 2026 », a blank line) hold fewer. It is looked for among the first rows only.
HEADER_MIN_CELLS = 3
HEADER_SEARCH_ROWS = 10


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


def _logical_lines(text, count):
    """The first ``count`` non-blank lines of ``text``, the quoted parts left out (a line break inside quotes is no end
    of line)."""
    lines, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            if current:
                lines.append("".join(current))
                current = []
                if len(lines) == count:
                    return lines
        elif not quoted:
            current.append(char)
    if current:
        lines.append("".join(current))
    return lines


def _best_separator(line):
    counts = {separator: line.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best, counts[best]


def _detect_separator(text):
    """The separator of the table, quotes left out: the most frequent of ; , tab | on the line of the first ones
    that holds the most of one (a title line above the names of the columns may hold a few commas)."""
    lines = _logical_lines(text, HEADER_SEARCH_ROWS)
    best, count = max((_best_separator(line) for line in lines), key=lambda found: found[1], default=(";", 0))
    return best if count else ";"


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


def _filled(cells):
    """The positions of the cells of a row that hold something."""
    return [index for index, cell in enumerate(cells) if str(_cell(cell)).strip()]


_DIGITS = re.compile(r"\d{4}")


def _looks_like_data(cells):
    """Whether a row holds values rather than names of columns: a number, a date, or four digits in a row (a year, a
    postcode, an identifier)."""
    return any(
        isinstance(cell, (int, float, datetime.date)) and not isinstance(cell, bool) or _DIGITS.search(str(cell))
        for cell in cells
    )


def _find_header(rows, names_columns=None):
    """The position, among ``rows`` (the first non-empty rows of a table, as (line, cells)), of the row naming the
    columns, and whether one looks so: the first row holding ``HEADER_MIN_CELLS`` cells or more (title lines may
    come first) that the next row does not outnumber over its span with other names (a row of merged group titles
    above the names of the columns: « Dossier », « Identité », « Adresse »); else the first row. ``names_columns``,
    when given (the profile's: whether a row names the columns it requires), is asked first."""
    if names_columns is not None:
        for position, (_, cells) in enumerate(rows):
            if names_columns([str(_cell(cell)) for cell in cells]):
                return position, True
        return _find_header(rows)[0], False  # no row names them: the likeliest one, for the message
    for position, (_, cells) in enumerate(rows):
        filled = _filled(cells)
        if len(filled) < HEADER_MIN_CELLS:
            continue
        if position + 1 < len(rows):
            cells_after = rows[position + 1][1]
            following = [index for index in _filled(cells_after) if index <= filled[-1]]
            if len(following) > len(filled) and not _looks_like_data(cells_after):
                continue
        return position, True
    return 0, False


def _csv_header(reader, names_columns=None):
    """The row naming the columns, the line it starts on, and the rows read after it while looking for it
    (``_find_header``), with the line each ends on. ``StopIteration`` for an empty file."""
    rows, ends, previous = [], [], 0
    while len(rows) < HEADER_SEARCH_ROWS:
        try:
            cells = next(reader)
        except StopIteration:
            break
        start, previous = previous + 1, reader.line_num
        if _filled(cells):
            rows.append((start, cells))
            ends.append(previous)
            if names_columns is not None and names_columns(cells):
                break
            if names_columns is None and len(rows) >= 2 and _find_header(rows[-2:]) == (0, True):
                break
    if not rows:
        raise StopIteration
    position, _ = _find_header(rows, names_columns)
    line, headers = rows[position]
    _check_cells(headers, line, ends[position], reader.dialect.delimiter, len(headers))
    return headers, line, [(*row, end) for row, end in zip(rows[position + 1 :], ends[position + 1 :], strict=True)]


def _csv_rows(reader, text, width, read, previous):
    """The rows with the line each starts on (those ``read`` already first, then from line ``previous`` + 1); the
    text layer is detached at the end (the caller closes the file)."""
    try:
        for start, cells, end in read:
            if end > start or sum(map(len, cells)) > MAX_CELL_CHARS:
                _check_cells(cells, start, end, reader.dialect.delimiter, width)
            yield start, cells
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


def _open_csv(binary, sample, names_columns=None):
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
        headers, header_line, read = _csv_header(reader, names_columns)
    except StopIteration:
        text.detach()
        raise UnreadableFile("Le fichier est vide.") from None
    except csv.Error as error:
        text.detach()
        raise UnreadableFile(_csv_error(error, 1, reader.line_num)) from None
    except UnreadableFile:
        text.detach()
        raise
    headers = [" ".join(header.split()) for header in headers]  # « DATE DE↵NAISSANCE »: the name on one line
    names = {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8",
        "utf-16": "UTF-16",
        "cp1252": "Windows-1252",
        "latin_1": "Latin-1",
    }
    separator_name = "tabulation" if separator == "\t" else f"« {separator} »"
    kind = f"CSV ({names.get(encoding, encoding)}, séparateur {separator_name})"
    if header_line > 1:
        kind += f", noms des colonnes ligne {header_line}"
    return Table(headers, _csv_rows(reader, text, len(headers), read, reader.line_num), kind, lines)


def _cell(value):
    """An Excel cell as the engine reads it: text, a date, or a number (dates may come as serial numbers)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class _Sheet:
    """A sheet of a workbook, read (``open``) only when it is looked at: a workbook of a year's lists holds twelve."""

    name: str
    hidden: bool
    load: object  # () → (iterator of its rows from A1, its last line)
    rows: object = None
    lines: int = 0

    def open(self):
        if self.rows is None:
            self.rows, self.lines = self.load()
        return self.rows


def _sheet_header(sheet, names_columns=None):
    """The row naming the columns of ``sheet`` as (its cells, its line, the rows read after it, the last line read),
    and whether it looks like one (``_find_header``); ``None`` for an empty sheet."""
    rows, last = [], 0
    for line, cells in enumerate(sheet.open(), start=1):
        last = line
        if _filled(cells):
            rows.append((line, cells))
            if names_columns is not None:
                if names_columns([str(_cell(cell)) for cell in cells]) or len(rows) == HEADER_SEARCH_ROWS:
                    break
            elif len(rows) == HEADER_SEARCH_ROWS or len(rows) >= 2 and _find_header(rows[-2:]) == (0, True):
                break
    if not rows:
        return None, False
    position, is_table = _find_header(rows, names_columns)
    line, cells = rows[position]
    return (cells, line, rows[position + 1 :], last), is_table


def _filled_down(rows, merged):
    """The rows of a sheet, a cell merged over several rows given on each of them (a household's address and commune
    merged over the lines of its people: Excel shows the value on each line, the file holds it on the first only)."""
    fills, wanted = {}, {}  # row → [(column, first row)]; first row → [column]
    for (top, column), (bottom, last) in merged or ():
        if last == column and bottom > top:
            wanted.setdefault(top, []).append(column)
            for row in range(top + 1, bottom + 1):
                fills.setdefault(row, []).append((column, top))
    if not fills:
        yield from rows
        return
    kept = {}
    for index, cells in enumerate(rows):
        for column in wanted.get(index, ()):
            kept[(index, column)] = cells[column] if column < len(cells) else ""
        if index in fills:
            cells = list(cells)
            for column, top in fills[index]:
                cells.extend([""] * (column + 1 - len(cells)))
                cells[column] = kept.get((top, column), "")
        yield cells


def _active_sheet(binary):
    """The position of the sheet the workbook opens on (the one its author last looked at), or 0."""
    try:
        binary.seek(0)
        with zipfile.ZipFile(binary) as archive:
            workbook = archive.read("xl/workbook.xml")[:10_000]
    except (zipfile.BadZipFile, KeyError, OSError):
        return 0
    found = re.search(rb'activeTab="(\d+)"', workbook)
    return int(found.group(1)) if found else 0


def _choose_sheet(sheets, active=0, names_columns=None):
    """The sheet to read, the row naming its columns, its line, the rows read after it, and what to say of the
    others: the visible sheet with a row naming columns, the one the workbook opens on first, then the others in
    order; else the first visible sheet with data (the data may come after empty sheets, a sheet of notes, a hidden
    sheet of last month). The sheets after the one chosen are not read."""
    chosen = fallback = None
    for sheet in sheets[active : active + 1] + sheets[:active] + sheets[active + 1 :]:
        if sheet.hidden:
            continue
        header, is_table = _sheet_header(sheet, names_columns)
        if header is None:
            continue
        if is_table:
            chosen = (sheet, header)
            break
        if fallback is None:
            fallback = (sheet, header)
    chosen = chosen or fallback
    if chosen is None:
        return None
    sheet, header = chosen
    others = [other for other in sheets if other is not sheet]
    note = ""
    if others:
        left = [f"« {other.name} »{' (masquée)' if other.hidden else ''}" for other in others]
        plural = "s" if len(left) > 1 else ""
        note = f", feuille « {sheet.name} » ; autre{plural} feuille{plural} non lue{plural} : {', '.join(left)}"
    return sheet, header, note


def _open_xlsx(binary, names_columns=None):
    try:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum
    except ImportError:  # pragma: no cover - the package is in the requirements
        return _open_xlsx_openpyxl(binary, names_columns)
    try:
        workbook = CalamineWorkbook.from_filelike(binary)

        def loader(index):
            def load():
                sheet = workbook.get_sheet_by_index(index)
                # Rows are given from A1; ``end`` is the sheet's last cell, counted from 0.
                rows = _filled_down(sheet.iter_rows(), getattr(sheet, "merged_cell_ranges", None))
                return rows, sheet.end[0] + 1 if sheet.end else 0

            return load

        sheets = [
            _Sheet(metadata.name, metadata.visible != SheetVisibleEnum.Visible, loader(index))
            for index, metadata in enumerate(workbook.sheets_metadata)
        ]
        chosen = _choose_sheet(sheets, _active_sheet(binary), names_columns)
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    return _xlsx_table(chosen)


def _open_xlsx_openpyxl(binary, names_columns=None):  # used only without python-calamine
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(
            "Ce fichier est une archive compressée (zip) et non un classeur Excel lisible : "
            "envoyez un fichier CSV ou XLSX."
        ) from None
    sheets = [
        _Sheet(
            sheet.title,
            sheet.sheet_state != "visible",
            lambda sheet=sheet: (sheet.iter_rows(values_only=True), sheet.max_row or 0),
        )
        for sheet in workbook.worksheets
    ]
    return _xlsx_table(_choose_sheet(sheets, names_columns=names_columns))


def _xlsx_table(chosen):
    if chosen is None:
        raise UnreadableFile("Le classeur est vide.")
    sheet, (headers, header_line, read, last), note = chosen
    headers = [" ".join(str(_cell(header)).split()) for header in headers]
    while headers and not headers[-1]:
        headers.pop()
    if header_line > 1:
        note += f", noms des colonnes ligne {header_line}"

    def numbered():
        # A spreadsheet's columns cannot shift: a cell beyond the named columns (a note) is left out.
        for line, cells in itertools.chain(read, enumerate(sheet.rows, start=last + 1)):
            cells = [_cell(value) for value in cells[: len(headers)]]
            if any(cell != "" for cell in cells):
                yield line, cells

    kind = f"Excel (XLSX){note}"
    return Table(headers, numbered(), kind if len(kind) <= 100 else f"{kind[:99]}…", sheet.lines)


def open_table(binary, file_name="", names_columns=None):
    """The table in ``binary`` (a binary file object, positioned at its start). ``names_columns``: whether a row
    names the columns a profile requires, to find that row (under title lines) and the sheet that holds it."""
    sample = binary.read(SAMPLE_SIZE)
    binary.seek(0)
    if not sample.strip():
        raise UnreadableFile("Le fichier est vide.")
    if sample.startswith(ZIP_MAGIC):
        return _open_xlsx(binary, names_columns)
    for magic, what in BINARY_MAGICS.items():
        if sample.startswith(magic):
            raise UnreadableFile(f"Ce fichier est {what}, pas un tableau CSV ou Excel (.xlsx).")
    return _open_csv(binary, sample, names_columns)
