"""Normalising the values of a row: dates, names, NIR, phone numbers, communes. Each function returns the clean
value or raises ``Invalid`` with a French reason."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from people.identity import clean_nir, too_young
from relais.phone import normalise_phone
from relais.text import fold, place_key
from territory.models import Commune, Postcode

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d%m%Y",  # never read the other way: its fifth and sixth digits, a century (19, 20), are no month
)
# A date whose year has two digits: « 04/03/65 », « 040365 », « 4 mars 65 ».
_SHORT_YEAR = re.compile(r"(?:^|\D)\d{2}$|^\d{6}$")


# A child of the household on a CAF list: not a person Relais follows (the rights and duties of the RSA are the
# applicant's and their partner's); the engine leaves the row out with its reason.
CHILD = "child"


class Invalid(Exception):
    """A value that cannot be taken in; the message says why, in French."""


def text(value):
    return " ".join(str(value).split()) if value is not None else ""


# What files write in a cell they have nothing for: « NC », « néant », « - », « #N/A », « 00 00 00 00 00 »…
_PLACEHOLDERS = {
    *("nc", "n/c", "n.c.", "na", "n/a", "#n/a", "sans", "néant", "neant", "inconnu", "inconnue"),
    *("non renseigné", "non renseigne", "non communiqué", "non communique"),
}
_NOTHING = re.compile(r"[\W_0]+")


def unwrap(value):
    """The text of a cell written so that a spreadsheet keeps it as text: « ="0812345" », « '0812345 »."""
    if isinstance(value, str) and value[:2].lstrip()[:1] in ("=", "'"):
        stripped = value.strip()
        if stripped.startswith('="') and stripped.endswith('"') and len(stripped) >= 3:
            return stripped[2:-1]
        if stripped.startswith("'"):
            return stripped[1:]
    return value


def is_placeholder(value):
    """A cell that says there is no value (never asked of a name: « Na » is one). Run on every cell: kept cheap."""
    if not isinstance(value, str):
        return value == 0 and not isinstance(value, bool)
    raw = value.strip()
    return bool(raw) and (raw.casefold() in _PLACEHOLDERS or _NOTHING.fullmatch(raw) is not None)


# Months as French files write them out: « 2 novembre 2026 », « 15 nov. 2026 », « 1er févr. 1990 ».
_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "jan"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev"), 2),
    **dict.fromkeys(("mars", "mar"), 3),
    **dict.fromkeys(("avril", "avr"), 4),
    "mai": 5,
    "juin": 6,
    **dict.fromkeys(("juillet", "juil"), 7),
    **dict.fromkeys(("aout",), 8),
    **dict.fromkeys(("septembre", "sept", "sep"), 9),
    **dict.fromkeys(("octobre", "oct"), 10),
    **dict.fromkeys(("novembre", "nov"), 11),
    **dict.fromkeys(("decembre", "dec"), 12),
}
_WRITTEN_OUT = re.compile(
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim) )?"
    r"(\d{1,2}) ?(?:er)? ([a-z]+)\.? (\d{4}|\d{2})"
)
# Day, month, year with any one separator, spaces around it allowed: « 14 03 1988 », « 14 / 03 / 1988 ».
_SPACED = re.compile(r"(\d{1,2}) ?([/.-]|\s) ?(\d{1,2}) ?\2 ?(\d{4})")
# A time after the date (« 2026-11-02T10:00:00+01:00 », « 14/03/1988 00:00 »), left out.
_TIME = re.compile(r"[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?$")
# Excel counts days from 30/12/1899: a number below 2101 is more likely a year, or nothing, than a date of 1900-1905.
_FIRST_SERIAL, _LAST_SERIAL = 2101, 2958465


def _year(digits):
    """A year of four digits, or of two as ``strptime`` reads them (« 85 »: 1985, « 26 »: 2026)."""
    return int(digits) if len(digits) == 4 else datetime.datetime.strptime(digits, "%y").year


def _not_a_date(value):
    return Invalid(f"« {text(value)} » n'est pas une date : écrivez-la jj/mm/aaaa ou aaaa-mm-jj.")


def _serial(value, number):
    if 1900 <= number <= 2100:
        raise Invalid(f"« {text(value)} » n'est qu'une année : la date entière est nécessaire (jj/mm/aaaa).")
    if not _FIRST_SERIAL <= number <= _LAST_SERIAL:
        raise _not_a_date(value)
    return EXCEL_EPOCH + datetime.timedelta(days=number)


def parse_date(value):
    """dd/mm/yyyy, yyyy-mm-dd (with a time or not), dd-mm-yyyy, dd.mm.yyyy, a month written out (« 2 novembre
    2026 ») or an Excel serial number; the reason it is no date quotes the whole cell."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value, int(value))
    raw = text(value)
    if not raw:
        return None
    if len(raw) == 10 and raw[2] == raw[5] == "/" and raw[:2].isdigit() and raw[3:5].isdigit():
        # The commonest form, dd/mm/yyyy, read without ``strptime`` (the same date, or the same refusal).
        try:
            return datetime.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        except ValueError:
            raise _not_a_date(value) from None
    raw = _TIME.sub("", raw)
    if raw.isdigit() and len(raw) in (6, 7):
        # A day and a month of two digits each, and the year (« 140388 »); seven digits: a day of one digit whose
        # zero a spreadsheet dropped (« 1121988 », 01/12/1988). Never an Excel serial number, which has five.
        day, rest = (raw[:1], raw[1:]) if len(raw) == 7 else (raw[:2], raw[2:])
        try:
            return datetime.date(_year(rest[2:]), int(rest[:2]), int(day))
        except ValueError:
            raise _not_a_date(value) from None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    day = month = year = None
    if spaced := _SPACED.fullmatch(raw):
        day, month, year = int(spaced[1]), int(spaced[3]), int(spaced[4])
    elif (written := _WRITTEN_OUT.fullmatch(fold(raw).lower())) and written[2] in _MONTHS:
        day, month, year = int(written[1]), _MONTHS[written[2]], _year(written[3])
    if year is not None:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise _not_a_date(value) from None
    if raw.isdigit() and len(raw) <= 5:
        return _serial(value, int(raw))
    raise _not_a_date(value)


def birth_date(value, today=None):
    """``today``: the day of the import (by default, today)."""
    date = parse_date(value)
    if date is None:
        return None
    today = today or timezone.localdate()
    if date > today and _SHORT_YEAR.search(text(value)):
        date = date.replace(year=date.year - 100)  # « 04/03/65 »: born in 1965, not 2065
    if date > today:
        raise Invalid(f"La date de naissance {date:%d/%m/%Y} est dans le futur.")
    if date.year < today.year - 120:
        raise Invalid(f"La date de naissance {date:%d/%m/%Y} est trop ancienne.")
    if too_young(date, today):
        raise Invalid(
            f"Avec une date de naissance au {date:%d/%m/%Y}, la personne a moins de {settings.RELAIS_MINIMUM_AGE} "
            "ans : Relais accompagne "
            f"à partir de {settings.RELAIS_MINIMUM_AGE} ans. Vérifiez la date de naissance."
        )
    return date


def email(value):
    raw = text(value).lower()
    if raw:
        try:
            validate_email(raw)
        except ValidationError:
            raise Invalid(f"« {text(value)} » n'est pas une adresse électronique valide.") from None
    return raw


# A date of the pathway (the RSA, an entry) before this year is a date misread, or typed wrong.
OLDEST_PATHWAY_YEAR = 1980


def past_date(value, what, today=None):
    date = parse_date(value)
    if date is not None and date > (today or timezone.localdate()) + datetime.timedelta(days=366):
        raise Invalid(f"La {what} {date:%d/%m/%Y} est trop loin dans le futur.")
    if date is not None and date.year < OLDEST_PATHWAY_YEAR:
        raise Invalid(f"La {what} {date:%d/%m/%Y} est trop ancienne : vérifiez-la.")
    return date


_PARTICLES = {"de", "du", "des", "la", "le", "d", "l", "van", "von", "da", "dos", "di"}


def _capitalise(word):
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def last_name(value):
    """Trimmed, in capitals as files mostly give them: « dupont-martin » → « DUPONT-MARTIN »."""
    return text(value).upper()


def first_names(value):
    """Trimmed, each name capitalised: « JEAN-PIERRE marie » → « Jean-Pierre Marie »; commas become spaces, spaces
    around a hyphen go (« jean - pierre » → « Jean-Pierre »)."""
    cleaned = text(str(value).replace(",", " "))
    if "-" in cleaned:
        cleaned = re.sub(r"\s*-\s*", "-", cleaned)
    words = cleaned.split(" ")
    return " ".join(_capitalise(word) for word in words if word)


_SCIENTIFIC = re.compile(r"\d[.,]\d+E\+?\d+", re.IGNORECASE)


def nir(value):
    """The NIR with its key; spaces, dots, and a slash or a dash before the key (« … 012 / 04 ») left out."""
    raw = text(value).replace(" ", "")
    if not raw:
        return ""
    if _SCIENTIFIC.fullmatch(raw):
        raise Invalid(
            f"« {raw} » : le tableur a changé le NIR en nombre et en a perdu les derniers chiffres. Mettez la colonne "
            "au format texte dans le fichier d'origine, puis exportez-le de nouveau."
        )
    if not re.fullmatch(r"\d+\.0", raw):
        raw = raw.replace(".", "")  # « 1.88.03.91.228.017-49 »; not the « .0 » a spreadsheet adds to a number
    if re.fullmatch(r"[\dAB]{13}[/-]\d{2}", raw, re.IGNORECASE):  # Corsica's 2A and 2B too
        raw = raw[:13] + raw[14:]
    if re.fullmatch(r"\d+(\.0)?", raw) and len(raw.split(".")[0]) == 13:
        raise Invalid("Le NIR n'a que 13 chiffres : il manque la clé (2 chiffres).")
    try:
        return clean_nir(raw.split(".")[0] if raw.endswith(".0") else raw)
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None


# Two numbers in one cell: « 06 12 34 56 78 / 01 69 20 30 40 », « 06… ou 07… ».
_PHONES = re.compile(r"\s*(?:[/;,|]|\bou\b|\bet\b)\s*")


def phone(value):
    """The number in E.164; of two numbers in one cell, the first."""
    raw = text(value)
    if isinstance(value, int) and len(str(value)) == 9:  # a spreadsheet dropped the leading zero
        raw = f"0{value}"
    try:
        return normalise_phone(raw)
    except ValidationError as error:
        message = error.messages[0]
    parts = [part for part in _PHONES.split(raw) if part]
    if len(parts) > 1:
        try:
            return normalise_phone(parts[0])
        except ValidationError:
            pass
    raise Invalid(f"« {raw} » : {message[:1].lower()}{message[1:]}")


def sex(value):
    key = fold(text(value))
    if not key:
        return ""
    if key in {"f", "femme", "feminin", "mme", "madame", "mlle", "melle", "mademoiselle", "2"}:
        return "F"
    if key in {"m", "h", "homme", "masculin", "m.", "mr", "monsieur", "1"}:
        return "M"
    raise Invalid(f"« {text(value)} » n'est pas un sexe reconnu : F ou M.")


def household_role(value):
    key = fold(text(value))
    if not key:
        return ""
    if key.startswith(("dem", "allocataire", "applicant", "beneficiaire", "responsable", "titulaire")):
        return "applicant"
    if key.startswith(("cjt", "conj", "partner", "partenaire", "concubin", "epou", "pacs", "compagn")):
        return "partner"
    if key.startswith(("enf", "personne a charge")) or key == "pac":
        return CHILD
    if key in {"autre", "rdp"}:
        return ""
    raise Invalid(f"« {text(value)} » n'est pas un rôle dans le foyer reconnu : DEM (demandeur) ou CJT (conjoint).")


def identifier(value):
    raw = text(value).replace(" ", "").upper()
    return raw[:-2] if raw.endswith(".0") and raw[:-2].isdigit() else raw


def caf_number(value):
    """A CAF number has seven digits: a spreadsheet that took it for a number dropped its leading zeros."""
    raw = identifier(value)
    return raw.zfill(7) if raw.isdigit() and len(raw) < 7 else raw


def code(value, length=5):
    raw = identifier(value)
    if raw.isdigit() and len(raw) < length:  # a spreadsheet dropped the leading zero
        raw = raw.zfill(length)
    return raw


# Words of a commune's name that say nothing of which one it is, and a postal suffix.
_MINOR_WORDS = {"le", "la", "les", "l", "st", "sur", "sous", "en", "de", "du", "des", "d", "et", "lès", "cedex"}


def _without_cedex(key):
    """A commune name's key without « Cedex » (« evry cedex » → « evry »)."""
    return " ".join(word for word in key.split() if word != "cedex")


class Communes:
    """Communes looked up by INSEE code, postcode and name, or name alone: the whole reference read once."""

    def __init__(self):
        self.by_code = {}
        self.by_name = {}
        self.names = {}
        for commune_code, key, name in Commune.objects.values_list("code", "search_name", "name"):
            self.by_code[commune_code] = commune_code
            self.by_name.setdefault(key, []).append(commune_code)
            self.names[commune_code] = (key, name)
        self.by_postcode = {}
        for postcode, commune_code in Postcode.objects.values_list("code", "commune_id"):
            self.by_postcode.setdefault(postcode, []).append(commune_code)

    def find(self, commune_code="", postcode="", name=""):
        """The INSEE code of the commune, or ``Invalid``; ``None`` when nothing is given."""
        commune_code, postcode, name = code(commune_code), code(postcode), text(name)
        key = place_key(name)
        if commune_code:
            if commune_code not in self.by_code:
                raise Invalid(f"Le code INSEE « {commune_code} » ne correspond à aucune commune connue.")
            if postcode and commune_code not in self.by_postcode.get(postcode, ()):
                raise Invalid(
                    f"Le code postal « {postcode} » n'est pas celui de {self.names[commune_code][1]} "
                    f"(code INSEE « {commune_code} ») : vérifiez l'un ou l'autre."
                )
            self._check_name(commune_code, name, key)
            return commune_code
        if postcode:
            codes = self.by_postcode.get(postcode)
            if not codes:
                # A CEDEX code (« 91034 Évry Cedex ») is a company's, not a commune's: the name tells, in the
                # département of the code.
                if "cedex" in key.split():
                    found = self._in_departement(postcode[:2], key)
                    if found:
                        return found
                raise Invalid(f"Le code postal « {postcode} » ne correspond à aucune commune connue.")
            if len(codes) == 1:
                self._check_name(codes[0], name, key)
                return codes[0]
            whole = _without_cedex(key)
            named = [candidate for candidate in codes if candidate in self.by_name.get(whole, ())]
            if len(named) == 1:
                return named[0]
            # The name's beginning, as La Poste and files shorten it: « Corbeil » (Corbeil-Essonnes), « Gif »,
            # « Brétigny s/ Orge ». Not the whole name of another commune (« Arpajon » with the postcode of
            # Saint-Germain-lès-Arpajon), nor the end of a name (« Saint-Yon » for Boissy-sous-Saint-Yon).
            if whole not in self.by_name:
                named = [candidate for candidate in codes if self._begins(self.names[candidate][0], key)]
                if len(named) == 1:
                    return named[0]
            if not name:
                raise Invalid(f"Le code postal « {postcode} » couvre plusieurs communes : indiquez aussi le nom.")
            raise Invalid(f"Aucune commune « {name} » n'a le code postal « {postcode} ».")
        if name:
            codes = self.by_name.get(key, [])
            if len(codes) == 1:
                return codes[0]
            if codes:
                raise Invalid(f"Plusieurs communes s'appellent « {name} » : indiquez le code postal.")
            raise Invalid(f"La commune « {name} » est inconnue.")
        return None

    @staticmethod
    def _words(key):
        """The words of a name's key that tell communes apart, in order: without « Cedex » nor the small words (« s »
        of « s/ » too)."""
        return [
            word
            for word in key.split()
            if word not in _MINOR_WORDS and word != "s" and not any(letter.isdigit() for letter in word)
        ]

    def _begins(self, own, key):
        """Whether the name of key ``key`` is the beginning of the commune's name of key ``own``."""
        given = self._words(key)
        return bool(given) and self._words(own)[: len(given)] == given

    def _in_departement(self, departement, key):
        """The one commune of the département named so, wholly or by its beginning (« Évry » for
        Évry-Courcouronnes)."""
        named = [candidate for candidate in self.by_name.get(_without_cedex(key), ()) if candidate[:2] == departement]
        if not named:
            named = [
                candidate
                for candidate, (own, _) in self.names.items()
                if candidate[:2] == departement and self._begins(own, key)
            ]
        return named[0] if len(named) == 1 else None

    def _check_name(self, commune_code, name, key):
        """A name given beside a code that is another commune's name (« Massy » with Évry's postcode) says that one of
        the two is wrong. Any other is let be: that commune's name in part (« Évry » for Évry-Courcouronnes, which
        it merged into, « Évry Cedex »), or a name the reference does not hold (a former commune, La Poste's label)."""
        if not key:
            return
        own, label = self.names[commune_code]
        others = self.by_name.get(_without_cedex(key), ())
        if not others or commune_code in others:
            return
        raise Invalid(
            f"La commune « {name} » ne correspond pas au code donné, celui de {label} : vérifiez l'un ou l'autre."
        )
