"""Find a person before creating one: exact identifiers first, then names ranked with a visible reason.

1. An exact NIR (by keyed hash), CAF number or France Travail identifier wins: score 100. The same NIR or
   France Travail identifier is the same person for sure (``identical``); a CAF number is shared by a
   household (the applicant and their partner), so it is only a likely duplicate.
2. Otherwise candidates are fetched by indexed keys — same birth date, or a last name (birth or usage)
   sharing its first three letters, its last three letters or its French phonetic key — then scored in
   Python with rapidfuzz: last name against both birth and usage names, first names regardless of their
   order, birth date exact or with day and month swapped. Accents, case, hyphens and compound names are
   folded first. A score of 60 or more is a likely duplicate.
"""

import heapq
import uuid
from dataclasses import dataclass, field

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from rapidfuzz import fuzz

from people.identity import nir_hash, phonetic
from people.models import Person
from relais.text import fold

LIKELY_DUPLICATE = 60
MINIMUM_SCORE = 45
# A safety net: among 150,000 people, the commonest name keys (endings -ier, -ard) select about 11,000.
MAX_CANDIDATES = 20_000
# What is read of each candidate: what is scored, and what a list of results shows of a person.
CANDIDATE_FIELDS = ("id", "public_id", "birth_name", "usage_name", "first_names", "birth_date", "sex", "commune_id")
# The public id is read as text, made a UUID for the people listed only: UUID objects are tracked by Python's
# garbage collector, and thousands of them per search made its full collections (30 ms) frequent.
CANDIDATE_COLUMNS = tuple(
    Cast(name, output_field=CharField()) if name == "public_id" else name for name in CANDIDATE_FIELDS
)


@dataclass
class Match:
    person: Person
    score: int
    reasons: list = field(default_factory=list)
    identical: bool = False

    @property
    def is_likely_duplicate(self):
        return self.score >= LIKELY_DUPLICATE


@dataclass
class Query:
    last_name: str = ""
    first_names: str = ""
    birth_date: object = None
    nir: str = ""
    caf_number: str = ""
    france_travail_id: str = ""

    @property
    def is_empty(self):
        return not any(
            [self.last_name, self.first_names, self.birth_date, self.nir, self.caf_number, self.france_travail_id]
        )


def _exact(query, persons):
    conditions = Q()
    if query.nir:
        conditions |= Q(nir_digest=nir_hash(query.nir))
    if query.caf_number:
        conditions |= Q(caf_number=query.caf_number.strip())
    if query.france_travail_id:
        conditions |= Q(france_travail_id=query.france_travail_id.strip().upper())
    if not conditions:
        return []
    matches = []
    for person in persons.filter(conditions):
        reasons = []
        same_nir = bool(query.nir) and person.nir_digest == nir_hash(query.nir)
        same_france_travail_id = (
            bool(query.france_travail_id) and person.france_travail_id == query.france_travail_id.strip().upper()
        )
        if same_nir:
            reasons.append("Même numéro de sécurité sociale")
        if query.caf_number and person.caf_number == query.caf_number.strip():
            reasons.append("Même numéro d'allocataire CAF")
        if same_france_travail_id:
            reasons.append("Même identifiant France Travail")
        matches.append(Match(person, 100, reasons, identical=same_nir or same_france_travail_id))
    return matches


def _date_conditions(query):
    """Same birth date, or day and month swapped (always a valid date: a month number is a day of any month)."""
    typed = query.birth_date
    if not typed:
        return Q()
    conditions = Q(birth_date=typed)
    if typed.day <= 12:
        conditions |= Q(birth_date=typed.replace(day=typed.month, month=typed.day))
    return conditions


def _name_conditions(query):
    """A last name (birth or usage) sharing its first three letters, its last three or its phonetic key."""
    key = fold(query.last_name).replace(" ", "")
    if not key:
        return Q()
    sound = phonetic(query.last_name)
    conditions = Q(last_name_prefix=key[:3]) | Q(last_name_suffix=key[-3:]) | Q(last_name_phonetic=sound)
    conditions |= Q(usage_name_phonetic=sound)
    # A compound name: each part may be the one on file.
    for part in fold(query.last_name).split():
        if len(part) >= 3 and part != key:
            conditions |= Q(last_name_prefix=part[:3]) | Q(last_name_phonetic=phonetic(part))
    return conditions


def _candidates(query, persons):
    """Every candidate as a plain row of ``CANDIDATE_FIELDS``, by id.

    The people born on the date typed (a few per day) and those whose last name shares a key with the one
    typed (thousands for a common name or ending in a département: -ard, -ier…), in one query on the indexes.
    Plain rows rather than model instances, unordered: at that scale building the instances and sorting them
    took longer than the search itself. Should the safety cap cut the rows, the people born on the date typed
    are fetched again on their own: they are never left out.
    """
    by_date, by_name = _date_conditions(query), _name_conditions(query)
    if not by_date and not by_name:
        return {}
    rows = list(persons.filter(by_date | by_name).order_by().values_list(*CANDIDATE_COLUMNS)[:MAX_CANDIDATES])
    if len(rows) == MAX_CANDIDATES and by_date:
        rows += persons.filter(by_date).order_by().values_list(*CANDIDATE_COLUMNS)
    return {row[0]: row for row in rows}


def _person(row, db):
    """The Person of a candidate row, its other fields deferred (as with ``only``): no query."""
    values = dict(zip(CANDIDATE_FIELDS, row, strict=True))
    values["public_id"] = uuid.UUID(values["public_id"])
    names = [field.attname for field in Person._meta.concrete_fields if field.attname in values]
    return Person.from_db(db, names, [values[name] for name in names])


class _Scorer:
    """Scores candidates against one query. Names repeat (hundreds of Martin, of Marie): each distinct last
    name and first names is folded and compared once, and kept as a tuple of plain values (which the garbage
    collector leaves alone, however many)."""

    def __init__(self, query):
        self.query = query
        self.typed_last = fold(query.last_name)
        self.typed_first = fold(query.first_names)
        self.last_names = {}
        self.first_names = {}
        # The weights of what was typed; added in the same order as the scores below.
        self.total_weight = 0
        for typed, weight in ((query.last_name, 0.45), (query.first_names, 0.30), (query.birth_date, 0.25)):
            if typed:
                self.total_weight += weight

    def __call__(self, birth_name, usage_name, first_names, birth_date, reasons=None):
        """The score of a candidate. Its reasons are added to ``reasons`` when given: only for those listed."""
        if not self.total_weight:
            return 0
        total = 0
        if self.query.last_name:
            key = (birth_name, usage_name)
            last = self.last_names.get(key)
            if last is None:
                last = self.last_names[key] = self._last_name(birth_name, usage_name)
            total += last[0] * 0.45
            if reasons is not None:
                reasons += last[1]
        if self.query.first_names:
            first = self.first_names.get(first_names)
            if first is None:
                first = self.first_names[first_names] = self._first_names(first_names)
            total += first[0] * 0.30
            if reasons is not None:
                reasons += first[1]
        if self.query.birth_date:
            total += self._birth_date(birth_date, reasons) * 0.25
        return round(total / self.total_weight)

    def _last_name(self, birth_name, usage_name):
        reasons = []
        typed = self.typed_last
        birth = fold(birth_name)
        usage = fold(usage_name)
        last_score = max(
            fuzz.ratio(typed, birth),
            fuzz.ratio(typed, usage) if usage else 0,
            fuzz.token_set_ratio(typed, f"{birth} {usage}"),
        )
        if last_score >= 99:
            reasons.append("Même nom" if typed in (birth, usage) else "Nom composé en commun")
        elif last_score >= 75:
            reasons.append(f"Nom proche ({int(last_score)} %)")
        if usage and typed == usage and typed != birth:
            reasons.append("Correspond au nom d'usage")
        return last_score, tuple(reasons)

    def _first_names(self, first_names):
        reasons = []
        typed = self.typed_first
        on_file = fold(first_names)
        first_score = max(fuzz.token_sort_ratio(typed, on_file), fuzz.partial_token_set_ratio(typed, on_file) * 0.95)
        if first_score >= 99:
            reasons.append("Mêmes prénoms" if typed == on_file else "Prénoms identiques, dans un autre ordre")
        elif first_score >= 75:
            reasons.append(f"Prénom proche ({int(first_score)} %)")
        return first_score, tuple(reasons)

    def _birth_date(self, birth_date, reasons):
        typed = self.query.birth_date
        if birth_date == typed:
            score, reason = 100, "Même date de naissance"
        elif (birth_date.day, birth_date.month) == (typed.month, typed.day):
            score, reason = 80, "Date de naissance avec jour et mois inversés"
        elif birth_date.year == typed.year:
            score, reason = 40, "Même année de naissance"
        else:
            return 0
        if reasons is not None:
            reasons.append(reason)
        return score


def find(query, persons=None, limit=20):
    """Candidates for ``query`` among ``persons`` (default: every person not merged), best first."""
    persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
    exact = _exact(query, persons)
    if exact:
        return exact[:limit]
    score = _Scorer(query)
    candidates = _candidates(query, persons)
    scored = []
    for pk, _, birth_name, usage_name, first_names, birth_date, *_ in candidates.values():
        value = score(birth_name, usage_name, first_names, birth_date)
        if value >= MINIMUM_SCORE:
            scored.append((-value, birth_name, first_names, pk))
    # Only the people listed get their reasons and become model instances.
    matches = []
    for _, _, _, pk in heapq.nsmallest(limit, scored):
        row = candidates[pk]
        reasons = []
        value = score(*row[2:6], reasons=reasons)
        matches.append(Match(_person(row, persons.db), value, reasons))
    return matches
