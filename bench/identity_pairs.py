"""A labelled set of identity pairs: a person on file, and what a professional types when creating a person.

Either it is the same person, typed with one or two variations (accents and case, hyphens, the usage or birth
name, first names swapped or missing, a typo in the name or the first name, a wrong birth date digit, an
article dropped, a diminutive), or it is somebody else who looks alike (a homonym, a parent or child with the
same names, a twin, a sibling, the partner who shares the household's CAF number).

The identities are drawn with the bench's name drawer (``bench.generate.identities``), with a seed of their own:
they are not among the people generated. Hand-picked hard cases complete the set (``HARD_CASES``). The same
seed gives the same pairs.
"""

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bench.generate.identities import FIRST_NAMES, NameDrawer
from bench.measure import BenchError
from bench.measure_entry import typo
from people.matching import Query
from relais.text import fold

FIRST_BIRTH = date(1960, 1, 1)
LAST_BIRTH = date(2008, 12, 31)


@dataclass(frozen=True)
class Identity:
    birth_name: str
    first_names: str
    birth_date: date
    sex: str
    usage_name: str = ""
    caf_number: str = ""


@dataclass(frozen=True)
class Typed:
    """What is typed in the creation form: one last name (usage or birth), first names, birth date, CAF number."""

    last_name: str
    first_names: str
    birth_date: date
    caf_number: str = ""

    def query(self):
        return Query(
            last_name=self.last_name,
            first_names=self.first_names,
            birth_date=self.birth_date,
            caf_number=self.caf_number,
        )


@dataclass(frozen=True)
class Pair:
    kind: str
    same: bool
    on_file: Identity
    typed: Typed


# Same person: the French label of each variation, and how many pairs of it.
SAME = {
    "accents et casse": 30,
    "traits d'union et espaces": 25,
    "nom d'usage ou de naissance": 30,
    "prénoms dans un autre ordre": 25,
    "prénom manquant": 30,
    "faute de frappe dans le nom": 50,
    "faute de frappe dans le prénom": 30,
    "erreur dans la date de naissance": 40,
    "article du nom omis": 15,
    "même numéro CAF, faute dans le nom": 15,
    "deux variations à la fois": 80,
}
# Other people who look alike.
OTHER = {
    "homonyme": 40,
    "homonyme né des décennies plus tôt ou plus tard": 30,
    "parent et enfant de mêmes nom et prénom": 25,
    "jumeaux": 40,
    "frères et sœurs": 30,
    "même foyer (même numéro CAF)": 30,
}
# Variations combined two at a time.
COMBINABLE = (
    "accents et casse",
    "nom d'usage ou de naissance",
    "prénoms dans un autre ordre",
    "prénom manquant",
    "faute de frappe dans le nom",
    "faute de frappe dans le prénom",
    "erreur dans la date de naissance",
)

# Hand-picked hard cases: (kind, same person?, on file (birth name, usage name, first names, birth date, sex),
# typed (last name, first names, birth date)).
HARD_CASES = [
    (
        "diminutif ou variante du prénom",
        True,
        ("Garnier", "", "Catherine", "1968-04-12", "F"),
        ("Garnier", "Cathy", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Benali", "", "Mohamed", "1979-09-02", "M"),
        ("Benali", "Mohammed", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Roussel", "", "Nathalie", "1966-01-30", "F"),
        ("Roussel", "Natalie", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Hoarau", "", "Mickaël", "1983-07-21", "M"),
        ("Hoarau", "Michaël", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Mansouri", "", "Sarah", "1995-11-03", "F"),
        ("Mansouri", "Sara", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Traoré", "", "Youssouf", "1990-02-14", "M"),
        ("Traore", "Youssef", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Lemoine", "", "Stéphanie", "1977-06-08", "F"),
        ("Lemoine", "Steph", None),
    ),
    (
        "diminutif ou variante du prénom",
        True,
        ("Fournier", "", "Alexandre", "1988-10-19", "M"),
        ("Fournier", "Alex", None),
    ),
    ("article du nom omis", True, ("Da Silva", "", "Ana", "1981-03-15", "F"), ("Silva", "Ana", None)),
    ("article du nom omis", True, ("Le Gall", "", "Yann", "1974-12-01", "M"), ("Legall", "Yann", None)),
    ("article du nom omis", True, ("N'Diaye", "", "Awa", "1992-08-27", "F"), ("Ndiaye", "Awa", None)),
    ("faute de frappe dans le nom", True, ("Lefebvre", "", "Hélène", "1965-05-05", "F"), ("Lefèvre", "Hélène", None)),
    ("nom double, une partie", True, ("Dupont-Moreau", "", "Claire", "1986-09-09", "F"), ("Dupont", "Claire", None)),
    ("nom double, une partie", True, ("Pereira Lopes", "", "Rui", "1972-02-02", "M"), ("Lopes", "Rui", None)),
    (
        "prénom composé, une partie",
        True,
        ("Lambert", "", "Marie-Christine", "1962-11-23", "F"),
        ("Lambert", "Christine", None),
    ),
    (
        "jour et mois inversés, même année",
        True,
        ("Moreau", "", "Camille", "1990-05-07", "F"),
        ("Moreau", "Camille", "1990-07-05"),
    ),
    ("prénoms sans rapport", False, ("Diallo", "", "Mohamed", "1985-04-04", "M"), ("Diallo", "Mamadou", None)),
    ("prénoms sans rapport", False, ("Haddad", "", "Inès", "1998-01-17", "F"), ("Haddad", "Christine", None)),
    ("prénoms sans rapport", False, ("Camara", "", "Fatoumata", "1987-06-06", "F"), ("Camara", "Fatima", None)),
    ("jumeaux aux prénoms voisins", False, ("Petit", "", "Louis", "2001-03-18", "M"), ("Petit", "Louise", None)),
    ("jumeaux aux prénoms voisins", False, ("Girard", "", "Julie", "1996-10-10", "F"), ("Girard", "Julien", None)),
    ("jumeaux aux prénoms voisins", False, ("Roux", "", "Marine", "1993-07-07", "F"), ("Roux", "Marie", None)),
    ("jumeaux aux prénoms voisins", False, ("Blanc", "", "Lina", "2004-12-12", "F"), ("Blanc", "Léna", None)),
    ("jumeaux aux prénoms voisins", False, ("Morel", "", "Céline", "1979-02-20", "F"), ("Morel", "Cécile", None)),
    ("jumeaux aux prénoms voisins", False, ("Faure", "", "Pascal", "1969-08-08", "M"), ("Faure", "Pascale", None)),
    (
        "nom qui en prolonge un autre",
        False,
        ("Saint-Martin", "", "Paul", "1970-01-12", "M"),
        ("Martin", "Paul", "1983-06-02"),
    ),
    (
        "jour et mois inversés, autre année",
        False,
        ("Moreau", "", "Camille", "1990-05-07", "F"),
        ("Moreau", "Camille", "1984-07-05"),
    ),
    (
        "jour et mois inversés, autre année",
        False,
        ("Bernard", "", "Sophie", "1975-02-11", "F"),
        ("Bernard", "Sophie", "1977-11-02"),
    ),
    (
        "homonyme né 30 ans plus tard",
        False,
        ("Martin", "", "Jean", "1962-09-14", "M"),
        ("Martin", "Jean", "1992-03-01"),
    ),
]


def _day(value):
    return date.fromisoformat(value) if value else None


def hard_cases():
    pairs = []
    for kind, same, (birth_name, usage_name, first_names, born, sex), (
        last_name,
        typed_first,
        typed_born,
    ) in HARD_CASES:
        on_file = Identity(birth_name, first_names, _day(born), sex, usage_name)
        typed = Typed(last_name, typed_first, _day(typed_born) or on_file.birth_date)
        pairs.append(Pair(kind, same, on_file, typed))
    return pairs


def strip_accents(value):
    return "".join(char for char in unicodedata.normalize("NFKD", value) if not unicodedata.combining(char))


def date_typo(rng, day):
    """``day`` typed with a plausible error: one digit wrong, two neighbouring digits swapped, or day and month
    swapped; a valid date, different from ``day``, not in the future."""
    digits = day.strftime("%d%m%Y")
    for _ in range(200):
        kind = rng.choice(("digit", "digit", "swap", "day_month"))
        if kind == "digit":
            index = rng.randrange(8)
            typed = digits[:index] + rng.choice([d for d in "0123456789" if d != digits[index]]) + digits[index + 1 :]
        elif kind == "swap":
            index = rng.randrange(7)
            typed = digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]
        else:
            typed = digits[2:4] + digits[:2] + digits[4:]
        try:
            result = date(int(typed[4:]), int(typed[2:4]), int(typed[:2]))
        except ValueError:
            continue
        if result != day and date(1900, 1, 1) <= result <= LAST_BIRTH:
            return result
    raise BenchError(f"Pas d'erreur de date possible pour le {day}.")


class PairDrawer:
    def __init__(self, rng):
        self.rng = rng
        self.drawer = NameDrawer(rng)
        self.caf_numbers = set()

    # --- Identities ------------------------------------------------------------------------------------------

    def birth_date(self):
        return FIRST_BIRTH + timedelta(days=self.rng.randrange((LAST_BIRTH - FIRST_BIRTH).days + 1))

    def identity(self, *, sex=None, usage=None, several_first_names=None, born=None):
        rng = self.rng
        sex = sex or ("F" if rng.random() < 0.52 else "M")
        born = born or self.birth_date()
        birth_name, origin = self.drawer.surname()
        usage_name = ""
        if sex == "F" and (usage if usage is not None else rng.random() < 0.2):
            husband, _ = self.drawer.single_surname()
            usage_name = f"{birth_name}-{husband}" if rng.random() < 0.15 else husband
        first_names = self.drawer.first_names(sex, born.year, origin)
        for _ in range(50):
            if several_first_names is None or (len(first_names.split()) > 1) == several_first_names:
                break
            first_names = self.drawer.first_names(sex, born.year, origin)
        else:
            if several_first_names:
                first_names = f"{first_names} {self.other_first_name(sex, born.year, first_names)}"
        return Identity(birth_name, first_names, born, sex, usage_name)

    def other_first_name(self, sex, year, *taken):
        """A first name of the generation, none of ``taken``'s names nor a form of them."""
        cohort = "1960" if year < 1976 else ("1976" if year < 1991 else "1991")
        taken_names = {fold(name) for names in taken for name in names.split()}
        pool = [name for name in FIRST_NAMES[(sex, cohort)].split() if fold(name) not in taken_names]
        return self.rng.choice(pool)

    def caf_number(self):
        while True:
            value = f"{self.rng.randint(1_000_000, 9_999_999)}"
            if value not in self.caf_numbers:
                self.caf_numbers.add(value)
                return value

    def typed(self, person):
        """What a professional types by default: a married woman's usage or birth name, her first names."""
        last = person.usage_name if person.usage_name and self.rng.random() < 0.5 else person.birth_name
        return Typed(last, person.first_names, person.birth_date)

    # --- Variations of the same person -----------------------------------------------------------------------

    def vary(self, kind, person, typed):
        """``typed`` with the variation ``kind``; ``person`` is who is on file."""
        rng = self.rng
        if kind == "accents et casse":
            last = strip_accents(typed.last_name)
            first = strip_accents(typed.first_names)
            style = rng.choice(("upper", "lower", "upper_last"))
            if style == "upper":
                last, first = last.upper(), first.upper()
            elif style == "lower":
                last, first = last.lower(), first.lower()
            else:
                last = last.upper()
            return replace(typed, last_name=last, first_names=first)
        if kind == "traits d'union et espaces":
            last, first = typed.last_name, typed.first_names
            if "-" in last or " " in last:
                last = last.replace("-", " ") if "-" in last else last.replace(" ", "-")
            if "-" in first:
                first = first.replace("-", " ")
            if (last, first) == (typed.last_name, typed.first_names):
                last = last.replace("'", " ").replace(" ", "")
            return replace(typed, last_name=last, first_names=first)
        if kind == "nom d'usage ou de naissance":
            # The record shows the usage name: the birth name is typed, or both names.
            both = f"{person.birth_name} {person.usage_name}"
            if person.usage_name.startswith(person.birth_name) or rng.random() < 0.7:
                return replace(typed, last_name=person.birth_name)
            return replace(typed, last_name=both)
        if kind == "prénoms dans un autre ordre":
            names = typed.first_names.split()
            return replace(typed, first_names=" ".join(names[1:] + names[:1]))
        if kind == "prénom manquant":
            names = typed.first_names.split()
            return replace(typed, first_names=rng.choice(names))
        if kind == "faute de frappe dans le nom":
            last, _ = typo(rng, typed.last_name)
            return replace(typed, last_name=last)
        if kind == "faute de frappe dans le prénom":
            names = typed.first_names.split()
            index = rng.randrange(len(names))
            names[index], _ = typo(rng, names[index])
            return replace(typed, first_names=" ".join(names))
        if kind == "erreur dans la date de naissance":
            return replace(typed, birth_date=date_typo(rng, typed.birth_date))
        raise ValueError(kind)

    def needs(self, kind):
        """What the identity on file needs for the variation to apply."""
        return {
            "traits d'union et espaces": {"compound": True},
            "nom d'usage ou de naissance": {"sex": "F", "usage": True},
            "prénoms dans un autre ordre": {"several_first_names": True},
            "prénom manquant": {"several_first_names": True},
        }.get(kind, {})

    def compound(self, person):
        """The person with a double name or a compound first name (hyphenated)."""
        rng = self.rng
        if rng.random() < 0.5:
            second, _ = self.drawer.single_surname()
            return replace(person, birth_name=f"{person.birth_name}-{second}", usage_name="")
        first = person.first_names.split()[0]
        other = self.other_first_name(person.sex, person.birth_date.year, person.first_names)
        return replace(person, first_names=f"{first}-{other}")

    def same_person(self, kind):
        if kind == "deux variations à la fois":
            kinds = self.rng.sample(COMBINABLE, 2)
        elif kind == "même numéro CAF, faute dans le nom":
            kinds = ["faute de frappe dans le nom"]
        elif kind == "article du nom omis":
            return self.article_dropped()
        else:
            kinds = [kind]
        needs = {}
        for each in kinds:
            needs.update(self.needs(each))
        compound = needs.pop("compound", False)
        person = self.identity(**needs)
        if compound:
            person = self.compound(person)
        if kind == "même numéro CAF, faute dans le nom":
            person = replace(person, caf_number=self.caf_number())
        typed = self.typed(person)
        if person.caf_number:
            typed = replace(typed, caf_number=person.caf_number)
        for each in kinds:
            typed = self.vary(each, person, typed)
        return Pair(kind if len(kinds) == 1 else f"{kind} : {' + '.join(kinds)}", True, person, typed)

    def article_dropped(self):
        person = self.identity(usage=False)
        article = self.rng.choice(("Da", "De", "Le", "La", "Dos", "Del", "El"))
        name = person.birth_name.split("-")[0]
        on_file = replace(person, birth_name=f"{article} {name}")
        typed = Typed(self.rng.choice((name, f"{article}{name.lower()}")), person.first_names, person.birth_date)
        return Pair("article du nom omis", True, on_file, typed)

    # --- Other people ----------------------------------------------------------------------------------------

    def other_person(self, kind):
        rng = self.rng
        person = self.identity()
        typed = self.typed(person)
        year = person.birth_date.year
        if kind == "homonyme":
            other = self.birth_date()
            while other == person.birth_date:
                other = self.birth_date()
            return Pair(kind, False, person, replace(typed, birth_date=other))
        if kind == "homonyme né des décennies plus tôt ou plus tard":
            years = rng.choice((-1, 1)) * rng.randint(20, 45)
            other = _shifted(person.birth_date, years, rng)
            return Pair(kind, False, person, replace(typed, birth_date=other))
        if kind == "parent et enfant de mêmes nom et prénom":
            # The child bears the parent's first name, sometimes with others after it.
            first = person.first_names.split()[0]
            child_names = first
            if rng.random() < 0.3:
                child_names = f"{first} {self.other_first_name(person.sex, year, person.first_names)}"
            parent_first = rng.random() < 0.5
            years = rng.randint(18, 42)
            other = _shifted(person.birth_date, years if parent_first else -years, rng)
            return Pair(kind, False, person, replace(typed, first_names=child_names, birth_date=other))
        if kind == "jumeaux":
            sex = rng.choice(("F", "M"))
            twin_names = self.other_first_name(sex, year, person.first_names)
            if rng.random() < 0.2 and len(person.first_names.split()) > 1:
                # « Marie Sophie » and « Marie Claire »: the first name in common, the second differs.
                twin_names = f"{person.first_names.split()[0]} {twin_names}"
            return Pair(kind, False, person, replace(typed, first_names=twin_names, last_name=person.birth_name))
        if kind == "frères et sœurs":
            sex = rng.choice(("F", "M"))
            names = self.other_first_name(sex, year, person.first_names)
            other = _shifted(person.birth_date, rng.choice((-1, 1)) * rng.randint(1, 12), rng)
            return Pair(kind, False, person, Typed(person.birth_name, names, other))
        if kind == "même foyer (même numéro CAF)":
            person = replace(person, caf_number=self.caf_number())
            partner_sex = "M" if person.sex == "F" else "F"
            partner_born = _shifted(person.birth_date, rng.randint(-8, 8) or 1, rng)
            partner_names = self.other_first_name(partner_sex, partner_born.year, person.first_names)
            # The partner may bear the same last name (a married woman's usage name), or another one.
            last = person.birth_name if rng.random() < 0.5 else self.drawer.single_surname()[0]
            return Pair(kind, False, person, Typed(last, partner_names, partner_born, person.caf_number))
        raise ValueError(kind)


def _shifted(day, years, rng):
    """A random day of the year ``years`` away from ``day``'s (the other way if that year is out of range)."""
    year = day.year + years
    if not 1925 <= year <= LAST_BIRTH.year:
        year = day.year - years
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def draw_pairs(seed=91):
    """Every labelled pair: drawn, then hand-picked. The same seed gives the same pairs."""
    rng = random.Random(f"{seed}:identity-pairs")
    drawer = PairDrawer(rng)
    pairs = []
    for kind, count in SAME.items():
        for _ in range(count):
            pairs.append(drawer.same_person(kind))
    for kind, count in OTHER.items():
        for _ in range(count):
            pairs.append(drawer.other_person(kind))
    pairs += hard_cases()
    return pairs
