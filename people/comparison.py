"""How two identities compare, part by part: last name, first names, birth date.

Each comparison gives a credit from 0 to 100 and the reason a professional reads. A credit of 0 is a
contradiction: what was typed says another person (another birth date that is no plausible typo, other first
names, another last name). The rules:

- **Birth date**: the same date, or a plausible typing error of it: one digit wrong, two neighbouring digits
  swapped, or day and month swapped in the same year. Anything else is another person (a homonym born decades
  apart, a parent, a sibling).
- **First names** are compared as names, one by one, in any order: the same name, another form of it (Cathy for
  Catherine, Mohammed for Mohamed), or a typo (one letter replaced, missed, added or two swapped) of a name that
  is not itself another common first name: Marie and Marine, Louis and Louise, Julie and Julien are two names.
  Some names may be missing on one side (a person known by her second first name, the part of a compound name);
  a name on each side that matches nothing is another person (twins, siblings).
- **Last name**: the same name, the same without its article (Da Silva and Silva), a typo or the same sound,
  or a part of a double name (Dupont for Dupont-Martin). A part never gets the credit of the whole, and a name is
  not a part of the name it ends (Martin and Saint-Martin share little).
"""

import datetime
from functools import lru_cache

from rapidfuzz.distance import OSA

from people.first_names import are_variants, forms_of, is_known
from people.identity import last_name_key, last_name_parts, phonetic
from relais.text import fold

SAME_LAST_NAME = "Même nom"
# Credits of a last name, by how it compares.
LAST_NAME_WITHOUT_ARTICLE = 90
LAST_NAME_TYPO = 85
# A part of a double name gets less than the whole with a typo: « Giacomoni-Fquchiard » is Giacomoni-Fauchiard
# rather than Giacomoni.
LAST_NAME_PART = 80
LAST_NAME_PART_TYPO = 70
LAST_NAME_TWO_TYPOS = 70
LAST_NAME_SHARED_PART = 65
LAST_NAME_PREFIXED = 65
# Credits of first names.
FIRST_NAME_VARIANT = 90
FIRST_NAME_TYPO = 85
FIRST_NAMES_MISSING = 10  # Taken off when some first names are on one side only…
COMPOUND_PART_MISSING = 25  # … or part of a compound name.
# Credits of a birth date.
DAY_MONTH_SWAPPED = 85
ONE_DIGIT = 80
DIGITS_SWAPPED = 80


def is_typo(first, second):
    """One typo apart: a letter replaced, missed or added, or two neighbouring letters swapped (« Ga » for « Ba »,
    not « G » for « Ba »)."""
    if first == second or min(len(first), len(second)) < 2:
        return False
    return OSA.distance(first, second, score_cutoff=1) <= 1


# --- Last names --------------------------------------------------------------------------------------------------


class LastName:
    """A last name typed, ready to be compared with many on file: ``LastName(typed)(on_file)`` → (credit, reason)."""

    def __init__(self, typed):
        self.whole = last_name_key(typed)
        self.parts = last_name_parts(typed)
        self.core = "".join(part for part, _ in self.parts)
        self.names = {part for part, _ in self.parts}
        self.bare = {bare for part, bare in self.parts if bare != part}
        self.sound = None

    def __call__(self, on_file):
        whole = last_name_key(on_file)
        if not self.whole or not whole:
            return 0, ""
        if whole == self.whole:
            return 100, SAME_LAST_NAME
        parts = last_name_parts(on_file)
        core = "".join(part for part, _ in parts)
        if core == self.core:
            return LAST_NAME_WITHOUT_ARTICLE, "Même nom, sans l'article"
        if is_typo(self.whole, whole) or is_typo(self.core, core):
            return LAST_NAME_TYPO, "Nom proche (une lettre de différence)"
        if min(len(self.whole), len(whole)) >= 4:
            if self.sound is None:
                self.sound = phonetic(self.whole)
            if phonetic(whole) == self.sound:
                return LAST_NAME_TYPO, "Nom proche (même prononciation)"
        names = {part for part, _ in parts}
        if self.names & names:
            if len(self.names) == 1 or len(names) == 1:
                return LAST_NAME_PART, "Nom composé en commun"
            return LAST_NAME_SHARED_PART, "Nom en partie commun"
        if len(self.names) == 1 or len(names) == 1:
            single, other = (
                (next(iter(self.names)), names) if len(self.names) == 1 else (next(iter(names)), self.names)
            )
            if len(other) > 1 and any(is_typo(single, part) for part in other):
                return LAST_NAME_PART_TYPO, "Nom composé en commun, à une lettre près"
            bare = {bare for part, bare in parts if bare != part}
            if bare & self.names or self.bare & names:
                return LAST_NAME_PREFIXED, "Nom en partie commun"
        if min(len(self.whole), len(whole)) >= 8 and OSA.distance(self.whole, whole, score_cutoff=2) <= 2:
            return LAST_NAME_TWO_TYPOS, "Nom proche (deux lettres de différence)"
        return 0, "Nom différent"


def compare_last_names(typed, on_file):
    """(credit, reason) of the last name typed against one on file, as typed (folded here)."""
    return LastName(typed)(on_file)


# --- First names -------------------------------------------------------------------------------------------------


def first_name_tokens(value):
    """[(name, compound number)]: « Marie-Claire Sophie » → (marie, 0), (claire, 0), (sophie, 1)."""
    tokens = []
    for number, name in enumerate(str(value or "").replace(",", " ").split()):
        tokens += [(token, number) for token in fold(name).split()]
    return tokens


def _feminine_of(first, second):
    """Whether one name is the other's masculine or feminine form, the shorter being a known name: Gaëtan and
    Gaëtane, Léo and Léa (« Mari » is a typo of Marie: not a name)."""
    if len(first) == len(second):
        # Kenzo and Kenza, whichever is typed: one of the two known is enough.
        return (
            (is_known(first) or is_known(second))
            and first[:-1] == second[:-1]
            and {first[-1], second[-1]} <= {"a", "e", "o"}
        )
    short, long = sorted((first, second), key=len)
    if not is_known(short):
        return False
    ending = long[len(short) :]
    if long.startswith(short) and ending in {"e", "le", "ne", "n", "a", "te", "tte"}:
        # « Vanessaa » is Vanessa with its last letter doubled, not a name.
        return not (len(ending) == 1 and ending == short[-1])
    return False


def _name_credit(typed, on_file):
    """(credit, how) of one first name against another, or (0, None)."""
    if typed == on_file:
        return 100, "same"
    if are_variants(typed, on_file):
        return FIRST_NAME_VARIANT, "variant"
    if _feminine_of(typed, on_file) or (is_known(typed) and is_known(on_file)):
        return 0, None
    # A typo of a name that is not another known name: « Mraie », « Éic », « Vanessaa ».
    if is_typo(typed, on_file):
        return FIRST_NAME_TYPO, "typo"
    return 0, None


class FirstNames:
    """First names typed, ready to be compared with many on file: ``FirstNames(typed)(on_file)`` →
    (credit, reasons)."""

    def __init__(self, typed):
        self.tokens = first_name_tokens(typed)
        self.credits = {}  # Of each name typed against each name on file, computed once.

    def _credit(self, typed_index, name):
        key = (typed_index, name)
        credit = self.credits.get(key)
        if credit is None:
            credit = self.credits[key] = _name_credit(self.tokens[typed_index][0], name)
        return credit

    def __call__(self, on_file):
        typed_tokens, file_tokens = self.tokens, first_name_tokens(on_file)
        if not typed_tokens or not file_tokens:
            return 0, ("Autres prénoms",)
        # Each name typed takes the best unused name on file: the same first, then another form, then a typo.
        candidates = sorted(
            (-credit, typed_index, file_index, how)
            for typed_index in range(len(typed_tokens))
            for file_index, (other, _) in enumerate(file_tokens)
            for credit, how in [self._credit(typed_index, other)]
            if credit
        )
        pairs, matched_typed, used = [], set(), set()
        for negative, typed_index, file_index, how in candidates:
            if typed_index in matched_typed or file_index in used:
                continue
            matched_typed.add(typed_index)
            used.add(file_index)
            pairs.append((typed_index, file_index, -negative, how))
        if not pairs:
            return 0, ("Autres prénoms",)
        missing_typed = [index for index in range(len(typed_tokens)) if index not in matched_typed]
        missing_file = [index for index in range(len(file_tokens)) if index not in used]
        if missing_typed and missing_file:
            return 0, ("Un prénom en commun, les autres diffèrent",)
        credit = min(value for _, _, value, _ in pairs)
        hows = {how for _, _, _, how in pairs}
        reasons = []
        if missing_typed or missing_file:
            tokens, missing, matched = (
                (typed_tokens, missing_typed, matched_typed) if missing_typed else (file_tokens, missing_file, used)
            )
            compounds = {tokens[index][1] for index in matched}
            if any(tokens[index][1] in compounds for index in missing):
                credit -= COMPOUND_PART_MISSING
                reasons.append("Partie d'un prénom composé")
            else:
                credit -= FIRST_NAMES_MISSING
                reasons.append("Un des prénoms")
        elif hows == {"same"}:
            in_order = [file_index for _, file_index, _, _ in sorted(pairs)] == sorted(used)
            reasons.append("Mêmes prénoms" if in_order else "Prénoms identiques, dans un autre ordre")
        if "variant" in hows:
            reasons.append("Prénom sous une autre forme (diminutif, variante)")
        if "typo" in hows:
            reasons.append("Prénom proche (une lettre de différence)")
        return credit, tuple(reasons)


@lru_cache(maxsize=32_768)
def first_names_key(value):
    """The folded first names between spaces, for a look-up by how a name begins: « Marie-Claire » → « marie
    claire »."""
    return f" {' '.join(token for token, _ in first_name_tokens(value))} "


def first_name_beginnings(typed):
    """How the first names on file that may be those typed begin: the first three letters of each name typed and
    of its other forms, as in ``first_names_key`` (« Cathy » → « cat », « kat »)."""
    return sorted({f" {form[:3]}" for token, _ in first_name_tokens(typed) for form in forms_of(token)})


def compare_first_names(typed, on_file):
    """(credit, reasons) of the first names typed against those on file."""
    return FirstNames(typed)(on_file)


# --- Birth dates -------------------------------------------------------------------------------------------------


def plausible_birth_dates(typed):
    """Every date that ``compare_birth_dates`` credits against ``typed``: itself, day and month swapped, one digit
    wrong, two neighbouring digits swapped. Each variant built so is credited (a test checks it over a century):
    they are not compared again."""
    digits = f"{typed.day:02d}{typed.month:02d}{typed.year:04d}"
    variants = {digits, digits[2:4] + digits[:2] + digits[4:]}
    for index in range(8):
        variants.update(digits[:index] + digit + digits[index + 1 :] for digit in "0123456789")
        if index < 7:
            variants.add(digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :])
    dates = set()
    for value in variants:
        if not "1900" <= value[4:] <= "2100":
            continue
        try:
            dates.add(datetime.date(int(value[4:]), int(value[2:4]), int(value[:2])))
        except ValueError:
            continue
    return sorted(dates)


def compare_birth_dates(typed, on_file):
    """(credit, reason) of the birth date typed against the one on file."""
    if typed == on_file:
        return 100, "Même date de naissance"
    if typed.year == on_file.year and typed.day == on_file.month and typed.month == on_file.day:
        return DAY_MONTH_SWAPPED, "Date de naissance avec jour et mois inversés"
    first = f"{typed.day:02d}{typed.month:02d}{typed.year:04d}"
    second = f"{on_file.day:02d}{on_file.month:02d}{on_file.year:04d}"
    different = [index for index in range(8) if first[index] != second[index]]
    if len(different) == 1:
        return ONE_DIGIT, "Date de naissance à un chiffre près"
    if (
        len(different) == 2
        and different[1] == different[0] + 1
        and first[different[0]] == second[different[1]]
        and first[different[1]] == second[different[0]]
    ):
        return DIGITS_SWAPPED, "Date de naissance avec deux chiffres inversés"
    return 0, "Autre date de naissance"
