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

from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz

from entry.identity import nir_hash, phonetic
from entry.models import Person
from relais.text import fold

LIKELY_DUPLICATE = 60
MAX_CANDIDATES = 4000


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


def _name_candidates(query, persons):
    conditions = Q()
    if query.birth_date:
        conditions |= Q(birth_date=query.birth_date)
        if query.birth_date.day <= 12:
            try:
                swapped = query.birth_date.replace(day=query.birth_date.month, month=query.birth_date.day)
                conditions |= Q(birth_date=swapped)
            except ValueError:
                pass
    key = fold(query.last_name).replace(" ", "")
    if key:
        sound = phonetic(query.last_name)
        conditions |= Q(last_name_prefix=key[:3]) | Q(last_name_suffix=key[-3:]) | Q(last_name_phonetic=sound)
        conditions |= Q(usage_name_phonetic=sound)
        # A compound name: each part may be the one on file.
        for part in fold(query.last_name).split():
            if len(part) >= 3 and part != key:
                conditions |= Q(last_name_prefix=part[:3]) | Q(last_name_phonetic=phonetic(part))
    if not conditions:
        return Person.objects.none()
    return persons.filter(conditions).only(
        "id",
        "public_id",
        "birth_name",
        "usage_name",
        "first_names",
        "birth_date",
        "sex",
        "commune_id",
        "nir_digest",
        "caf_number",
        "france_travail_id",
    )[:MAX_CANDIDATES]


def _score(query, person):
    reasons = []
    parts = []
    if query.last_name:
        typed = fold(query.last_name)
        birth = fold(person.birth_name)
        usage = fold(person.usage_name)
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
        parts.append((last_score, 0.45))
    if query.first_names:
        typed = fold(query.first_names)
        on_file = fold(person.first_names)
        first_score = max(fuzz.token_sort_ratio(typed, on_file), fuzz.partial_token_set_ratio(typed, on_file) * 0.95)
        if first_score >= 99:
            reasons.append("Mêmes prénoms" if typed == on_file else "Prénoms identiques, dans un autre ordre")
        elif first_score >= 75:
            reasons.append(f"Prénom proche ({int(first_score)} %)")
        parts.append((first_score, 0.30))
    if query.birth_date:
        if person.birth_date == query.birth_date:
            date_score = 100
            reasons.append("Même date de naissance")
        elif (person.birth_date.day, person.birth_date.month) == (query.birth_date.month, query.birth_date.day):
            date_score = 80
            reasons.append("Date de naissance avec jour et mois inversés")
        elif person.birth_date.year == query.birth_date.year:
            date_score = 40
            reasons.append("Même année de naissance")
        else:
            date_score = 0
        parts.append((date_score, 0.25))
    if not parts:
        return 0, reasons
    total_weight = sum(weight for _, weight in parts)
    return round(sum(score * weight for score, weight in parts) / total_weight), reasons


def find(query, persons=None, limit=20):
    """Candidates for ``query`` among ``persons`` (default: every person not merged), best first."""
    persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
    exact = _exact(query, persons)
    if exact:
        return exact[:limit]
    scored = []
    for person in _name_candidates(query, persons):
        score, reasons = _score(query, person)
        if score >= 45:
            scored.append(Match(person, score, reasons))
    scored.sort(key=lambda match: (-match.score, match.person.birth_name, match.person.first_names))
    return scored[:limit]
