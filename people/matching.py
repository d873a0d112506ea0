"""Find a person before creating one: exact identifiers first, then identities compared part by part.

1. The same NIR (by keyed hash) or France Travail identifier is the same person for sure (``identical``,
   score 100): nothing else is listed.
2. Otherwise the candidates are read in one query: the people whose last name (birth or usage) is one typo away
   from the one typed, shares a part with it or sounds the same (``NameVariant``), those born on the date typed
   (or with day and month swapped), and those with the CAF number typed.
3. Each is compared part by part (``people.comparison``): last name, first names, birth date. The score is the
   weighted mean of the credits (last name 45 %, first names 30 %, birth date 25 %, of what was typed). A part
   that contradicts (another birth date that is no plausible typo, other first names, another last name,
   another NIR) takes the score down by a quarter, two or more by half: such a person may be listed, never as a
   likely duplicate.
4. The CAF number identifies a household, not a person: the same number with the same first names and birth
   date is the same person (score 95 at least); with other first names or another birth date it is a relative,
   listed as « même foyer », never as a likely duplicate.

A score of ``LIKELY_DUPLICATE`` or more is a likely duplicate; ``STRONG_MATCH`` or more (same birth date and
near-identical names, or the same CAF number and identity) leaves little doubt. Thresholds and credits are
calibrated on the labelled identity pairs of the bench (``python -m bench --matching``).
"""

import heapq
import uuid
from dataclasses import dataclass, field

from django.db.models import CharField
from django.db.models.functions import Cast

from people.comparison import compare_birth_dates, compare_first_names, compare_last_names
from people.identity import last_name_variants, nir_hash, phonetic
from people.models import NameVariant, Person

LIKELY_DUPLICATE = 80
STRONG_MATCH = 95
MINIMUM_SCORE = 40
WEIGHTS = {"last_name": 0.45, "first_names": 0.30, "birth_date": 0.25}
# What is left of the score when one part contradicts, and when several do.
ONE_CONTRADICTION = 0.75
CONTRADICTIONS = 0.5
SAME_HOUSEHOLD_SAME_PERSON = 95
# A safety net: among 150,000 people, the commonest last name (Martin) and its neighbours select about 1,000.
MAX_CANDIDATES = 20_000
# What is read of each candidate: what is compared, and what a list of results shows of a person.
CANDIDATE_FIELDS = (
    "id",
    "public_id",
    "birth_name",
    "usage_name",
    "first_names",
    "birth_date",
    "caf_number",
    "nir_digest",
    "sex",
    "commune_id",
)
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
    # The same CAF number, another person of the household: never a duplicate, whatever the score.
    same_household: bool = False

    @property
    def is_likely_duplicate(self):
        return self.identical or (self.score >= LIKELY_DUPLICATE and not self.same_household)

    @property
    def is_strong(self):
        """Little doubt: the same NIR or France Travail identifier, the same birth date and near-identical names,
        or the same CAF number with the same first names and birth date."""
        return self.identical or (self.score >= STRONG_MATCH and not self.same_household)


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


def _identical(query, persons):
    """The people with the NIR or France Travail identifier typed: the same person for sure."""
    digest = nir_hash(query.nir) if query.nir else ""
    france_travail_id = query.france_travail_id.strip().upper()
    if not digest and not france_travail_id:
        return []
    found = persons.none()
    if digest:
        found |= persons.filter(nir_digest=digest)
    if france_travail_id:
        found |= persons.filter(france_travail_id=france_travail_id)
    matches = []
    for person in found:
        reasons = []
        if digest and person.nir_digest == digest:
            reasons.append("Même numéro de sécurité sociale")
        if france_travail_id and person.france_travail_id == france_travail_id:
            reasons.append("Même identifiant France Travail")
        matches.append(Match(person, 100, reasons, identical=True))
    return matches


def _birth_dates(typed):
    """The date typed, and with day and month swapped (a valid date: a month number is a day of any month)."""
    if not typed:
        return []
    dates = [typed]
    if typed.day <= 12 and typed.day != typed.month:
        dates.append(typed.replace(day=typed.month, month=typed.day))
    return dates


def _candidate_queries(query, persons):
    """The querysets whose union gives the candidates, each on an index."""
    rows = persons.order_by().values_list(*CANDIDATE_COLUMNS)
    branches = []
    dates = _birth_dates(query.birth_date)
    if dates:
        branches.append(rows.filter(birth_date__in=dates))
    variants = last_name_variants(query.last_name)
    if variants:
        names = NameVariant.objects.filter(variant__in=sorted(variants)).values("name")
        sound = phonetic(query.last_name)
        branches += [
            rows.filter(birth_name_key__in=names),
            rows.filter(usage_name_key__in=names),
            rows.filter(last_name_phonetic=sound),
            rows.filter(usage_name_phonetic=sound),
        ]
    caf_number = query.caf_number.strip()
    if caf_number:
        branches.append(rows.filter(caf_number=caf_number))
    return branches


def _candidates(query, persons):
    """Every candidate as a plain row of ``CANDIDATE_FIELDS``, by id, in one query.

    Plain rows rather than model instances, unordered: at that scale building the instances and sorting them
    took longer than the search itself. Should the safety cap cut the rows, the people born on the date typed
    and those with the CAF number typed are fetched again on their own: they are never left out.
    """
    branches = _candidate_queries(query, persons)
    if not branches:
        return {}
    union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    rows = list(union[:MAX_CANDIDATES])
    if len(rows) == MAX_CANDIDATES:
        must = persons.none()
        if query.birth_date:
            must |= persons.filter(birth_date__in=_birth_dates(query.birth_date))
        if query.caf_number.strip():
            must |= persons.filter(caf_number=query.caf_number.strip())
        rows += must.order_by().values_list(*CANDIDATE_COLUMNS)
    return {row[0]: row for row in rows}


def _person(row, db):
    """The Person of a candidate row, its other fields deferred (as with ``only``): no query."""
    values = dict(zip(CANDIDATE_FIELDS, row, strict=True))
    values["public_id"] = uuid.UUID(values["public_id"])
    names = [field.attname for field in Person._meta.concrete_fields if field.attname in values]
    return Person.from_db(db, names, [values[name] for name in names])


class _Scorer:
    """Compares candidates with one query. Names repeat (hundreds of Martin, of Marie): each distinct last name
    and first names is compared once, and kept as a tuple of plain values (which the garbage collector leaves
    alone, however many)."""

    def __init__(self, query):
        self.query = query
        self.caf_number = query.caf_number.strip()
        self.nir_digest = nir_hash(query.nir) if query.nir else ""
        self.last_names = {}
        self.first_names = {}
        self.birth_dates = {}
        self.total_weight = sum(weight for part, weight in WEIGHTS.items() if getattr(query, part))

    def __call__(self, birth_name, usage_name, first_names, birth_date, caf_number, nir_digest, reasons=None):
        """(score, same household) of a candidate. Its reasons are added to ``reasons`` when given: only for
        those listed."""
        query = self.query
        credits = []
        if query.last_name:
            key = (birth_name, usage_name)
            last = self.last_names.get(key)
            if last is None:
                last = self.last_names[key] = self._last_name(birth_name, usage_name)
            credits.append((last[0], WEIGHTS["last_name"], last[1]))
        if query.first_names:
            first = self.first_names.get(first_names)
            if first is None:
                first = self.first_names[first_names] = compare_first_names(query.first_names, first_names)
            credits.append((first[0], WEIGHTS["first_names"], first[1]))
        if query.birth_date:
            date = self.birth_dates.get(birth_date)
            if date is None:
                date = self.birth_dates[birth_date] = compare_birth_dates(query.birth_date, birth_date)
            credits.append((date[0], WEIGHTS["birth_date"], (date[1],)))
        contradictions = sum(1 for credit, _, _ in credits if not credit)
        other_nir = bool(self.nir_digest and nir_digest and nir_digest != self.nir_digest)
        contradictions += other_nir
        score = sum(credit * weight for credit, weight, _ in credits) / self.total_weight if credits else 0
        if contradictions:
            score *= ONE_CONTRADICTION if contradictions == 1 else CONTRADICTIONS
        same_household = False
        caf_reason = None
        if self.caf_number and caf_number == self.caf_number:
            # The same person only if first names or birth date were typed, and nothing contradicts.
            if (query.first_names or query.birth_date) and not contradictions:
                score = max(score, SAME_HOUSEHOLD_SAME_PERSON)
                caf_reason = "Même numéro d'allocataire CAF"
            else:
                same_household = True
                caf_reason = "Même foyer (même numéro d'allocataire CAF)"
                if not credits:
                    score = 100
        if reasons is not None:
            if caf_reason:
                reasons.append(caf_reason)
            for _, _, why in credits:
                reasons += why
            if other_nir:
                reasons.append("Autre numéro de sécurité sociale")
        return round(score), same_household

    def _last_name(self, birth_name, usage_name):
        typed = self.query.last_name
        credit, reason = compare_last_names(typed, birth_name)
        reasons = (reason,)
        if usage_name:
            by_usage, usage_reason = compare_last_names(typed, usage_name)
            if by_usage > credit:
                credit, reasons = by_usage, (usage_reason, "Correspond au nom d'usage")
            both, both_reason = compare_last_names(typed, f"{birth_name} {usage_name}")
            if both > credit:
                credit, reasons = both, ("Noms de naissance et d'usage" if both == 100 else both_reason,)
        return credit, reasons


def find(query, persons=None, limit=20):
    """Candidates for ``query`` among ``persons`` (default: every person not merged), best first."""
    persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
    identical = _identical(query, persons)
    if identical:
        return identical[:limit]
    score = _Scorer(query)
    candidates = _candidates(query, persons)
    caf_number = query.caf_number.strip()
    scored = []
    for pk, _, birth_name, usage_name, first_names, birth_date, caf, nir_digest, *_ in candidates.values():
        value, _ = score(birth_name, usage_name, first_names, birth_date, caf, nir_digest)
        if value >= MINIMUM_SCORE or (caf_number and caf == caf_number):
            scored.append((-value, birth_name, first_names, pk))
    # Only the people listed get their reasons and become model instances.
    matches = []
    for _, _, _, pk in heapq.nsmallest(limit, scored):
        row = candidates[pk]
        reasons = []
        value, same_household = score(*row[2:8], reasons=reasons)
        matches.append(Match(_person(row, persons.db), value, reasons, same_household=same_household))
    return matches
