"""Identity fields of a person: NIR validation, masking and matching keys for names."""

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as nir_number

from relais.secrets import keyed_hash
from relais.text import fold


def clean_nir(value):
    """The 15-character NIR, or a French ValidationError. Accepts spaces, and Corsica's 2A/2B."""
    value = (value or "").replace(" ", "").replace(".", "").upper()
    if not value:
        return ""
    try:
        return nir_number.validate(value)
    except StdnumError:
        raise ValidationError(
            "Ce numéro de sécurité sociale n'est pas valide : 13 chiffres et une clé de 2 chiffres, "
            "la clé ne correspond pas ou le format est incorrect."
        ) from None


def nir_hash(value):
    return keyed_hash(value, "nir") if value else ""


def mask_nir(value):
    """« 2 95 10 ** *** *** 93 »: sex, year and month of birth and key only."""
    if not value or len(value) != 15:
        return ""
    return f"{value[0]} {value[1:3]} {value[3:5]} ** *** *** {value[13:]}"


def name_tokens(*names):
    return [token for name in names for token in fold(name).split() if token]


def name_key(*names):
    """Folded, joined names: « Dupont-Martin » → « dupont martin »."""
    return " ".join(name_tokens(*names))


# A small French phonetic key: enough to bring « Dupond » next to « Dupont », « Lefebvre » next to « Lefèvre ».
_PHONETIC_RULES = [
    ("eaux", "o"),
    ("eau", "o"),
    ("aux", "o"),
    ("au", "o"),
    ("ph", "f"),
    ("qu", "k"),
    ("ck", "k"),
    ("ch", "s"),
    ("sch", "s"),
    ("gu", "g"),
    ("ge", "je"),
    ("gi", "ji"),
    ("ce", "se"),
    ("ci", "si"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("z", "s"),
    ("ei", "e"),
    ("ai", "e"),
    ("bv", "v"),
    ("th", "t"),
    ("h", ""),
]


def phonetic(value):
    text = fold(value).replace(" ", "")
    for source, target in _PHONETIC_RULES:
        text = text.replace(source, target)
    # Silent endings and doubled letters.
    for ending in ("ds", "ts", "d", "t", "s", "x", "e"):
        if len(text) > 3 and text.endswith(ending):
            text = text[: -len(ending)]
            break
    collapsed = []
    for char in text:
        if not collapsed or collapsed[-1] != char:
            collapsed.append(char)
    return "".join(collapsed)[:12]


def nir_matches_identity(nir, sex, birth_date):
    """Messages when the NIR disagrees with the sex or birth date typed (French, empty when coherent)."""
    errors = []
    if not nir or len(nir) != 15:
        return errors
    if sex and nir[0] in "12" and {"1": "M", "2": "F"}[nir[0]] != sex:
        errors.append("Le premier chiffre du NIR ne correspond pas au sexe indiqué.")
    if birth_date and nir[1:3].isdigit() and nir[1:3] != f"{birth_date.year % 100:02d}":
        errors.append("L'année de naissance du NIR ne correspond pas à la date de naissance.")
    if birth_date and nir[3:5].isdigit() and int(nir[3:5]) <= 12 and int(nir[3:5]) != birth_date.month:
        errors.append("Le mois de naissance du NIR ne correspond pas à la date de naissance.")
    return errors


__all__ = ["clean_nir", "nir_hash", "mask_nir", "name_key", "phonetic", "nir_matches_identity"]
