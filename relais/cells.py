"""Cells of the spreadsheets Relais writes (CSV, XLSX): a text that a spreadsheet would run as a formula is
neutralised (formula injection, « CSV injection »)."""

# What a spreadsheet takes for the start of a formula, or of a command on some (tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as written in a cell: a text starting like a formula is prefixed with an apostrophe, which
    spreadsheets show as text. Numbers, dates and empty values are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]
