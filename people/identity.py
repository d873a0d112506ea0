"""Identity fields of a person: NIR validation, masking and matching keys for names."""

from functools import lru_cache

from dateutil.relativedelta import relativedelta
from django.conf import settings
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


# Articles often dropped or glued: « Da Silva » is also typed « Silva » or « Dasilva », « Le Gall » « Legall ».
ARTICLES = frozenset(
    ["d", "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du", "el", "al", "l", "la", "le"]
    + ["les", "van", "von", "ter", "ten"]
)
# Words that make another surname of the one they precede: « Saint-Martin » is not « Martin », « Ben Ali » not
# « Ali ». Kept glued to the word that follows, as a single letter is (« N'Diaye »).
PREFIXES = frozenset(["saint", "sainte", "st", "ste", "ben", "bin", "ait"])


# « St Louis » and « Ste-Rose » are typed for Saint-Louis and Sainte-Rose.
SAINTS = {"st": "saint", "ste": "sainte"}


def _last_name_tokens(value):
    return [SAINTS.get(token, token) for token in fold(value).split()]


@lru_cache(maxsize=32_768)
def last_name_key(value):
    """The last name folded without separators: « Da Silva », « DA-SILVA » and « Dasilva » share « dasilva »;
    « St Louis » and « Saint-Louis » « saintlouis »."""
    return "".join(_last_name_tokens(value))


def last_name_parts(value):
    """The names a last name is made of, articles left out, each as (name, name without its prefix):
    « Dupont-Martin » → (dupont, dupont), (martin, martin); « Da Silva » → (silva, silva); « Saint-Martin » →
    (saintmartin, martin); « N'Diaye » → (ndiaye, diaye)."""
    tokens = _last_name_tokens(value)
    core = [token for token in tokens if token not in ARTICLES] or tokens
    parts, pending = [], ""
    for token in core:
        if token in PREFIXES or len(token) == 1:
            pending += token
        else:
            parts.append((pending + token, token))
            pending = ""
    if pending:
        parts.append((pending, pending))
    return parts


def _one_letter_less(word):
    """The word and each way of leaving one of its letters out (from three letters: « ba » would give « b »)."""
    keys = {word}
    if len(word) >= 3:
        keys.update(word[:index] + word[index + 1 :] for index in range(len(word)))
    return keys


def last_name_variants(value):
    """The keys under which a last name is looked up: the whole name and each of its parts, each also with one
    letter left out. Two names one typo apart (a letter replaced, missed, added, or two letters swapped) share a
    key; so do a double name and each of its parts, « Da Silva » and « Silva », « Saint-Martin » and « Martin »
    (the comparison then tells how much each is worth)."""
    whole = last_name_key(value)
    if not whole:
        return set()
    keys = _one_letter_less(whole)
    for part, bare in last_name_parts(value):
        for name in {part, bare}:
            if name != whole and len(name) >= 3:
                keys |= _one_letter_less(name)
    return keys


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


@lru_cache(maxsize=32_768)
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


def too_young(birth_date, today):
    """Whether someone born on ``birth_date`` is under the minimum age Relais follows people from
    (``RELAIS_MINIMUM_AGE``) on ``today``: the rule the person form and the imports share."""
    return birth_date > _born_at_the_latest(today, settings.RELAIS_MINIMUM_AGE)


@lru_cache(maxsize=4)
def _born_at_the_latest(today, minimum_age):
    """The last birth date of someone ``minimum_age`` years old ``today`` (worked out once a day, not per row)."""
    return today - relativedelta(years=minimum_age)


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


__all__ = [
    "clean_nir",
    "nir_hash",
    "mask_nir",
    "name_key",
    "last_name_key",
    "last_name_parts",
    "last_name_variants",
    "phonetic",
    "nir_matches_identity",
    "too_young",
]
