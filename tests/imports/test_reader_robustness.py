"""The reader on files that are almost right: a stray quote, mixed encodings, UTF-16, data on a later sheet."""

import io

import pytest
from openpyxl import Workbook

from imports import readers
from imports.readers import UnreadableFile, open_table

HEADER = "NOM;PRENOM;DATE_NAISSANCE;CODE_POSTAL;ADRESSE"


def csv_file(*lines, encoding="utf-8"):
    return io.BytesIO("\r\n".join([HEADER, *lines, ""]).encode(encoding))


def normal_rows(count, start=0):
    return [f"NOM{index};Prénom;01/02/1990;91000;{index} rue de la Paix" for index in range(start, start + count)]


def read(binary, name="liste.csv"):
    """The rows read, and the message of the ``UnreadableFile`` met after them (None when the file reads whole)."""
    table = open_table(binary, name)
    rows = []
    try:
        for line, cells in table.rows:
            rows.append((line, cells))
    except UnreadableFile as error:
        return rows, str(error)
    return rows, None


# --- An unclosed quote ------------------------------------------------------------------------------------------


def test_an_unclosed_quote_stops_the_reading_at_its_line_after_the_rows_before_it():
    binary = csv_file(
        "DUPONT;Marie;03/04/1975;91000;2 rue Haute",
        'QUOTE;Jean;01/01/1980;91000;"Résidence Les Pins, bât A',
        *normal_rows(200),
    )
    rows, error = read(binary)
    assert rows == [(2, ["DUPONT", "Marie", "03/04/1975", "91000", "2 rue Haute"])]
    assert error == (
        "Ligne 3 : un guillemet ouvert n'est pas refermé ; les lignes 3 à 203 du fichier ont été lues comme une "
        "seule cellule. Les lignes avant la ligne 3 sont traitées ; fermez le guillemet (ou retirez-le) puis "
        "importez le fichier de nouveau : les lignes déjà importées ne seront pas créées une seconde fois."
    )


def test_an_unclosed_quote_on_the_first_row():
    rows, error = read(csv_file('QUOTE;Jean;01/01/1980;91000;"Résidence Les Pins, bât A', *normal_rows(200)))
    assert rows == []
    assert error == (
        "Ligne 2 : un guillemet ouvert n'est pas refermé ; les lignes 2 à 202 du fichier ont été lues comme une "
        "seule cellule. Fermez le guillemet (ou retirez-le) puis importez le fichier de nouveau."
    )


def test_an_unclosed_quote_in_a_middle_cell_names_the_line_it_opens_on():
    binary = csv_file('QUOTE;"Jean\nMarc";01/01/1980;"91000;rue', *normal_rows(5))
    assert read(binary)[1].startswith("Ligne 3 : un guillemet ouvert n'est pas refermé ; les lignes 3 à 8 ")


def test_an_unclosed_quote_swallowing_only_the_last_row_is_seen():
    binary = csv_file('QUOTE;Jean;01/01/1980;91000;"Résidence Les Pins', *normal_rows(1))
    assert read(binary)[1].startswith("Ligne 2 : un guillemet ouvert n'est pas refermé ; les lignes 2 à 3 ")


def test_an_unclosed_quote_in_the_header_line():
    binary = io.BytesIO(('NOM;PRENOM;DATE_NAISSANCE;CODE_POSTAL;"ADRESSE\r\n' + "\r\n".join(normal_rows(5))).encode())
    with pytest.raises(UnreadableFile, match="^Ligne 1 : un guillemet ouvert n'est pas refermé ; les lignes 1 à 6 "):
        open_table(binary, "liste.csv")


def test_quoted_addresses_over_two_or_three_lines_are_read_as_before():
    binary = csv_file(
        'MARTIN;Paul;01/01/1980;91000;"Résidence Les Pins\r\nbât A"',
        'DURAND;Léa;02/02/1982;91000;"Chez M. Petit\nBâtiment B ; escalier 2\n12 rue Haute"',
        *normal_rows(1),
    )
    rows, error = read(binary)
    assert error is None
    assert rows == [
        (2, ["MARTIN", "Paul", "01/01/1980", "91000", "Résidence Les Pins\r\nbât A"]),
        (4, ["DURAND", "Léa", "02/02/1982", "91000", "Chez M. Petit\nBâtiment B ; escalier 2\n12 rue Haute"]),
        (7, ["NOM0", "Prénom", "01/02/1990", "91000", "0 rue de la Paix"]),
    ]


def test_a_cell_far_longer_than_any_field_is_refused():
    rows, error = read(csv_file(*normal_rows(2), "LONG;Jean;01/01/1980;91000;" + "x" * 2500))
    assert [line for line, _ in rows] == [2, 3]
    assert error == (
        "Ligne 4 : une cellule compte 2500 caractères, alors qu'aucune donnée de Relais n'en dépasse quelques "
        "centaines. Les lignes avant la ligne 4 sont traitées ; vérifiez cette ligne puis importez le fichier "
        "de nouveau : les lignes déjà importées ne seront pas créées une seconde fois."
    )


def test_a_quote_left_open_over_the_csv_field_limit_gets_a_french_message():
    rows, error = read(csv_file(*normal_rows(5), 'QUOTE;Jean;01/01/1980;91000;"Résidence', *normal_rows(40_000)))
    assert [line for line, _ in rows] == [2, 3, 4, 5, 6]
    assert error.startswith("Ligne 7 : un guillemet ouvert n'est pas refermé ; les lignes 7 à ")
    assert "Les lignes avant la ligne 7 sont traitées" in error
    assert "field" not in error


# --- Encodings ----------------------------------------------------------------------------------------------------


def test_windows_1252_bytes_after_the_sample_of_a_utf8_file_are_read_as_windows_1252():
    rows = normal_rows(1750)
    assert len("\r\n".join(rows).encode()) > readers.SAMPLE_SIZE
    content = csv_file(*rows).getvalue() + "LEFÈVRE;Hélène;01/01/1980;91000;Œuvre\r\n".encode("cp1252")
    content += "GARÇON;Zoé;01/01/1980;91000;ok\r\n".encode()
    table = open_table(io.BytesIO(content), "liste.csv")
    assert table.kind == "CSV (UTF-8, séparateur « ; »)"
    *_, (line, lefevre), (_, garcon) = table.rows
    assert (line, lefevre[:2], lefevre[4]) == (1752, ["LEFÈVRE", "Hélène"], "Œuvre")
    assert garcon[:2] == ["GARÇON", "Zoé"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_text_file_from_excel_is_read(encoding):
    text = "NOM\tPRENOM\tCOMMUNE\r\nLEFÈVRE\tHélène\tÉvry\r\nĊARO\tĊ\tEvry\r\n"  # Ċ: a byte 0x0A in UTF-16
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    table = open_table(io.BytesIO(bom + text.encode(encoding)), "liste.txt")
    assert table.kind == "CSV (UTF-16, séparateur tabulation)"
    assert table.headers == ["NOM", "PRENOM", "COMMUNE"]
    assert list(table.rows) == [(2, ["LEFÈVRE", "Hélène", "Évry"]), (3, ["ĊARO", "Ċ", "Evry"])]
    assert table.lines == 3


def test_nul_bytes_without_a_utf16_bom_are_still_refused():
    with pytest.raises(UnreadableFile, match="n'est pas un fichier texte"):
        open_table(io.BytesIO("NOM;PRENOM\r\n".encode("utf-16-le")), "liste.csv")


# --- Workbooks ----------------------------------------------------------------------------------------------------


def workbook(*sheets):
    """An XLSX file with a sheet per list of rows (an empty list: an empty sheet)."""
    book = Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Feuille {index + 1}")
        for row in rows:
            sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    return content


def open_xlsx(content, reader):
    return open_table(content, "liste.xlsx") if reader == "calamine" else readers._open_xlsx_openpyxl(content)


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_the_data_may_be_on_a_later_sheet(reader):
    content = workbook([], [["NOM", "PRENOM"], ["DUPONT", "Marie"], ["MARTIN", "Paul"]], [["AUTRE"], ["x"]])
    table = open_xlsx(content, reader)
    assert table.headers == ["NOM", "PRENOM"]
    assert list(table.rows) == [(2, ["DUPONT", "Marie"]), (3, ["MARTIN", "Paul"])]
    assert table.lines == 3


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_workbook_with_only_empty_sheets_is_empty(reader):
    with pytest.raises(UnreadableFile, match="^Le classeur est vide.$"):
        open_xlsx(workbook([], [], [[None, ""]]), reader)


# --- Where the table starts --------------------------------------------------------------------------------------

ROW = ["DUPONT", "Marie", "03/04/1975", "91000", "2 rue Haute"]


def test_title_lines_above_the_names_of_the_columns_are_passed_over():
    lines = ["Liste des bénéficiaires du RSA, novembre 2026", "", HEADER, ";".join(ROW), ";".join(ROW)]
    table = open_table(io.BytesIO("\r\n".join(lines).encode()), "liste.csv")
    assert table.headers == HEADER.split(";")
    assert list(table.rows) == [(4, ROW), (5, ROW)]
    assert table.kind == "CSV (UTF-8, séparateur « ; »), noms des colonnes ligne 3"


def test_the_separator_is_that_of_the_names_of_the_columns_under_a_title_line():
    lines = ["Liste RSA; novembre 2026", HEADER.replace(";", ","), ",".join(ROW)]
    table = open_table(io.BytesIO("\n".join(lines).encode()), "liste.csv")
    assert table.headers == HEADER.split(";")
    assert list(table.rows) == [(3, ROW)]


def test_commas_in_a_title_line_do_not_make_the_separator():
    lines = ["Liste des allocataires du RSA, Caf de l'Essonne, novembre 2026", HEADER, ";".join(ROW)]
    table = open_table(io.BytesIO("\n".join(lines).encode()), "liste.csv")
    assert table.headers == HEADER.split(";")
    assert list(table.rows) == [(3, ROW)]


def test_the_lines_of_the_rows_count_the_line_breaks_inside_the_names_of_the_columns():
    header = 'NOM;PRENOM;"DATE DE\nNAISSANCE";"CODE\nPOSTAL";ADRESSE'
    table = open_table(io.BytesIO("\n".join([header, ";".join(ROW), ";".join(ROW)]).encode()), "liste.csv")
    assert [line for line, _ in table.rows] == [4, 5]
    assert table.headers == ["NOM", "PRENOM", "DATE DE NAISSANCE", "CODE POSTAL", "ADRESSE"]


def test_a_row_with_two_cells_under_the_names_of_the_columns_is_a_row():
    """The search for the names of the columns looks at the row after them: a short data row is no title."""
    lines = [HEADER, "DUPONT;Marie", ";".join(ROW)]
    table = open_table(io.BytesIO("\n".join(lines).encode()), "liste.csv")
    assert table.headers == HEADER.split(";")
    assert list(table.rows) == [(2, ["DUPONT", "Marie"]), (3, ROW)]


def named_workbook(*sheets, active=0, hidden=()):
    """An XLSX file with a sheet per (name, rows); ``hidden``: the names of the sheets to hide."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = "hidden" if name in hidden else "visible"
        for row in rows:
            sheet.append(row)
    book.active = active
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    return content


HEADERS = HEADER.split(";")


def test_a_workbook_title_and_blank_rows_above_the_names_of_the_columns():
    content = named_workbook(("Liste", [["Liste des bénéficiaires du RSA"], [], HEADERS, ROW, [], ROW]))
    table = open_table(content, "liste.xlsx")
    assert table.headers == HEADERS
    assert list(table.rows) == [(4, ROW), (6, ROW)]
    assert table.kind == "Excel (XLSX), noms des colonnes ligne 3"


def test_merged_group_titles_above_the_names_of_the_columns():
    groups = ["Identité", None, None, "Adresse", None]
    table = open_table(named_workbook(("Liste", [groups, HEADERS, ROW])), "liste.xlsx")
    assert table.headers == HEADERS
    assert list(table.rows) == [(3, ROW)]


def test_names_of_columns_with_a_blank_cell_above_full_rows_stay_the_names():
    headers = ["NOM", "PRENOM", None, "CODE_POSTAL", "ADRESSE"]
    table = open_table(named_workbook(("Liste", [headers, ROW])), "liste.xlsx")
    assert table.headers == ["NOM", "PRENOM", "", "CODE_POSTAL", "ADRESSE"]
    assert list(table.rows) == [(2, ROW)]


def test_a_hidden_sheet_is_not_read_and_the_sheet_read_is_named():
    content = named_workbook(
        ("Octobre", [HEADERS, ["ANCIEN", "Paul", "01/01/1980", "91000", "1 rue"]]),
        ("Novembre", [HEADERS, ROW]),
        active=1,
        hidden={"Octobre"},
    )
    table = open_table(content, "liste.xlsx")
    assert list(table.rows) == [(2, ROW)]
    assert table.kind == "Excel (XLSX), feuille « Novembre » ; autre feuille non lue : « Octobre » (masquée)"


def test_the_sheet_the_workbook_opens_on_is_read_first():
    content = named_workbook(
        ("Octobre", [HEADERS, ["ANCIEN", "Paul", "01/01/1980", "91000", "1 rue"]]),
        ("Novembre", [HEADERS, ROW]),
        active=1,
    )
    assert list(open_table(content, "liste.xlsx").rows) == [(2, ROW)]


def test_a_sheet_of_notes_before_the_table_is_passed_over():
    content = named_workbook(
        ("Notice", [["Fichier transmis par la CAF de l'Essonne"], ["Contact : 01 02"]]), ("Données", [HEADERS, ROW])
    )
    table = open_table(content, "liste.xlsx")
    assert list(table.rows) == [(2, ROW)]
    assert table.kind == "Excel (XLSX), feuille « Données » ; autre feuille non lue : « Notice »"


def test_a_note_beside_the_named_columns_of_a_sheet_is_left_out():
    table = open_table(named_workbook(("Liste", [HEADERS, [*ROW, None, "à rappeler"]])), "liste.xlsx")
    assert list(table.rows) == [(2, ROW)]


def test_a_cell_merged_over_the_rows_of_a_household_is_read_on_each():
    book = Workbook()
    sheet = book.active
    people = [ROW, ["DUPONT", "Paul", "01/01/1970", None, None], ["MARTIN", "Léa", "02/02/1980", "91300", "1 rue"]]
    for row in (HEADERS, *people):
        sheet.append(row)
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("E2:E3")
    sheet.merge_cells("B4:C4")  # over columns, not rows: left as Excel gives it
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    rows = list(open_table(content, "liste.xlsx").rows)
    assert rows[1] == (3, ["DUPONT", "Paul", "01/01/1970", "91000", "2 rue Haute"])
    assert rows[2] == (4, ["MARTIN", "Léa", "", "91300", "1 rue"])


def test_the_sheets_after_the_one_read_are_not_loaded():
    loaded = []

    def sheet(name, rows):
        return readers._Sheet(name, False, lambda: (loaded.append(name) or iter(rows), len(rows)))

    sheets = [sheet("Notice", [["Transmis par la CAF"]]), sheet("Novembre", [HEADERS, ROW]), sheet("Octobre", [])]
    chosen, _, note = readers._choose_sheet(sheets)
    assert chosen.name == "Novembre" and loaded == ["Notice", "Novembre"]
    assert note == ", feuille « Novembre » ; autres feuilles non lues : « Notice », « Octobre »"
