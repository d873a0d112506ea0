"""Find a person before creating one: exact identifiers first, then identities compared part by part.

1. The same NIR (by keyed hash) or France Travail identifier is the same person for sure (``identical``,
   score 100): nothing else is listed.
2. Otherwise the candidates are read in two queries: the names on file one typo away from the one typed or
   sharing a part with it (``NameVariant``), then the people whose last name (birth or usage) is one of them or
   sounds the same, provided they were born on a date the one typed may be a typo of or, to list homonyms born
   another day, bear a first name that begins as one typed; the people born on the date typed (or with day and
   month swapped), whatever their names; those with the CAF number typed.
3. Each is compared part by part (``people.comparison``): last name, first names, birth date. The score is the
   weighted mean of the credits (last name 45 %, first names 30 %, birth date 25 %, of what was typed). A part
   that contradicts (another birth date that is no plausible typo, other first names, another last name,
   another NIR) takes the score down by a quarter, two or more by half: such a person may be listed, never as a
   likely duplicate.
4. The CAF number identifies a household, not a person: the same number with the same first names and birth
   date is the same person (score 95 at least); with other first names or another birth date it is a relative,
   listed as « même foyer », never as a likely duplicate.

A score of ``LIKELY_DUPLICATE`` or more is a likely duplicate; the same birth date with near-identical names, or
the same CAF number and identity, leave little doubt (``Match.is_strong``). Thresholds and credits are
calibrated on the labelled identity pairs of the bench (``python -m bench --matching``).
"""

import heapq
import sys
import uuid
from array import array
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Lookup, Q
from django.db.models.functions import Cast

from people.comparison import (
    FirstNames,
    LastName,
    compare_birth_dates,
    first_name_beginnings,
    first_names_key,
    plausible_birth_dates,
)
from people.first_names import forms_of
from people.identity import last_name_key, last_name_variants, nir_hash, phonetic
from people.models import NameVariant, Person

LIKELY_DUPLICATE = 80
# A strong match: the same birth date, and names this close at least (a typo in the last name, one of the first
# names).
STRONG_LAST_NAME = 85
STRONG_FIRST_NAMES = 90
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


class _OneOf(Lookup):
    """``field__one_of=subquery``: the field is one of the values of the subquery. On PostgreSQL, written
    ``= ANY(ARRAY(subquery))``: the subquery runs first, once, and the people are read by the index on the
    field, whatever the planner guesses of how many values the subquery gives."""

    lookup_name = "one_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


for _name in ("birth_name_key", "usage_name_key"):
    Person._meta.get_field(_name).register_lookup(_OneOf)


@dataclass
class Match:
    person: Person
    score: int
    reasons: list = field(default_factory=list)
    identical: bool = False
    # The same CAF number, another person of the household: never a duplicate, whatever the score.
    same_household: bool = False
    # Little doubt: the same birth date and near-identical names, or the same CAF number and identity.
    strong: bool = False
    # Who was matched, for ``likely_duplicates``: the person's id, or the caller's reference of someone not written.
    ref: object = None

    @property
    def is_likely_duplicate(self):
        return self.identical or (self.score >= LIKELY_DUPLICATE and not self.same_household)

    @property
    def is_strong(self):
        """Little doubt: the same NIR or France Travail identifier, the same birth date and near-identical names
        (a typo at most), or the same CAF number with the same first names and birth date."""
        return self.identical or self.strong


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


def query_for(identity, nir=""):
    """The search a creation runs: the identity about to be entered (``Person`` fields), by its usage name if any."""
    return Query(
        last_name=identity.get("usage_name") or identity.get("birth_name", ""),
        first_names=identity.get("first_names", ""),
        birth_date=identity.get("birth_date"),
        nir=nir or "",
        caf_number=identity.get("caf_number", ""),
        france_travail_id=identity.get("france_travail_id", ""),
    )


def _identical(query, persons):
    """The people with the NIR or France Travail identifier typed: the same person for sure."""
    digest = nir_hash(query.nir) if query.nir else ""
    france_travail_id = query.france_travail_id.strip().upper()
    if not digest and not france_travail_id:
        return []
    found = persons.none()
    if digest:
        # Written as the unique index on the NIR is (« not empty »): SQLite reads it only so.
        found |= persons.filter(nir_digest=digest).exclude(nir_digest="")
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


def _also_needed(query):
    """What a person whose last name is close to the one typed must also have to be a candidate: a birth date the
    one typed may be a typo of; or, to list the people born another day, and when no date is typed, a first name
    that begins as one of those typed or one of their forms. No condition when neither is typed."""
    condition = Q()
    if query.birth_date:
        condition |= Q(birth_date__in=plausible_birth_dates(query.birth_date))
    for beginning in first_name_beginnings(query.first_names):
        condition |= Q(first_names_key__contains=beginning)
    return condition


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
        # One branch, each of its conditions on an index (the database reads them together), filtered once.
        close = (
            Q(birth_name_key__one_of=names)
            # Most have no usage name: the index on it leaves them out, and so must the condition to use it.
            | (Q(usage_name_key__one_of=names) & ~Q(usage_name_key=""))
            | Q(last_name_phonetic=sound)
            | Q(usage_name_phonetic=sound)
        )
        branches.append(rows.filter(close).filter(_also_needed(query)))
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
        self.last_name = LastName(query.last_name)
        self.first_names_typed = FirstNames(query.first_names)
        self.last_names = {}
        self.first_names = {}
        self.birth_dates = {}
        self.total_weight = sum(weight for part, weight in WEIGHTS.items() if getattr(query, part))

    def __call__(self, birth_name, usage_name, first_names, birth_date, caf_number, nir_digest, reasons=None):
        """(score, same household, strong) of a candidate. Its reasons are added to ``reasons`` when given: only
        for those listed."""
        query = self.query
        total = 0.0
        contradictions = 0
        last = first = date = None
        if query.last_name:
            last = self.last_names.get((birth_name, usage_name))
            if last is None:
                last = self.last_names[(birth_name, usage_name)] = self._last_name(birth_name, usage_name)
            total += last[0] * WEIGHTS["last_name"]
            contradictions += not last[0]
        if query.first_names:
            first = self.first_names.get(first_names)
            if first is None:
                first = self.first_names[first_names] = self.first_names_typed(first_names)
            total += first[0] * WEIGHTS["first_names"]
            contradictions += not first[0]
        if query.birth_date:
            date = self.birth_dates.get(birth_date)
            if date is None:
                date = self.birth_dates[birth_date] = compare_birth_dates(query.birth_date, birth_date)
            total += date[0] * WEIGHTS["birth_date"]
            contradictions += not date[0]
        other_nir = bool(self.nir_digest and nir_digest and nir_digest != self.nir_digest)
        contradictions += other_nir
        score = total / self.total_weight if self.total_weight else 0
        if contradictions:
            score *= ONE_CONTRADICTION if contradictions == 1 else CONTRADICTIONS
        # Same birth date and near-identical names.
        strong = (
            not contradictions
            and date is not None
            and date[0] == 100
            and last is not None
            and last[0] >= STRONG_LAST_NAME
            and (first is None or first[0] >= STRONG_FIRST_NAMES)
        )
        same_household = False
        caf_reason = None
        if self.caf_number and caf_number == self.caf_number:
            # The same person if the first names or the birth date typed agree, and neither contradicts (nor the
            # NIR): the household's other people have other first names or another birth date. Another last name
            # is no contradiction here: a name changes with a marriage, the CAF number stays.
            same_person = (first or date) and not other_nir and all(part is None or part[0] for part in (first, date))
            if same_person:
                score = max(score, SAME_HOUSEHOLD_SAME_PERSON)
                strong = True
                caf_reason = "Même numéro d'allocataire CAF"
            else:
                same_household = True
                caf_reason = "Même foyer (même numéro d'allocataire CAF)"
                if not self.total_weight:
                    score = 100
        if reasons is not None:
            if caf_reason:
                reasons.append(caf_reason)
            for part in (last, first):
                if part is not None:
                    reasons += part[1]
            if date is not None:
                reasons.append(date[1])
            if other_nir:
                reasons.append("Autre numéro de sécurité sociale")
        return round(score), same_household, strong

    def _last_name(self, birth_name, usage_name):
        compare = self.last_name
        credit, reason = compare(birth_name)
        reasons = (reason,)
        if usage_name and credit < 100:
            by_usage, usage_reason = compare(usage_name)
            if by_usage > credit:
                credit, reasons = by_usage, (usage_reason, "Correspond au nom d'usage")
            both, both_reason = compare(f"{birth_name} {usage_name}")
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
        value, _, _ = score(birth_name, usage_name, first_names, birth_date, caf, nir_digest)
        if value >= MINIMUM_SCORE or (caf_number and caf == caf_number):
            scored.append((-value, birth_name, first_names, pk))
    # Only the people listed get their reasons and become model instances.
    matches = []
    for _, _, _, pk in heapq.nsmallest(limit, scored):
        row = candidates[pk]
        reasons = []
        value, same_household, strong = score(*row[2:8], reasons=reasons)
        matches.append(Match(_person(row, persons.db), value, reasons, same_household=same_household, strong=strong))
    return matches


# --- Many identities at once (an import) ---------------------------------------------------------------------------


def _first_name_keys(tokens):
    """Each first name and each way of leaving one of its letters out: two names one typo apart share one."""
    keys = set()
    for token in tokens:
        keys.add(token)
        if len(token) >= 2:
            keys.update(token[:index] + token[index + 1 :] for index in range(len(token)))
    return keys


INDEX_FIELDS = (
    "id",
    "birth_date",
    "birth_name_key",
    "usage_name_key",
    "first_names_key",
    "caf_number",
    "last_name_phonetic",
    "usage_name_phonetic",
    "birth_name",
    "usage_name",
)


class Bounded(dict):
    """A cache that keeps its last ``size`` keys: the oldest put in is dropped first."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        if len(self) >= self.size and key not in self:
            del self[next(iter(self))]
        super().__setitem__(key, value)


# What the index keeps of what it derived from the identities matched, whatever their number: the variants of the
# last names met last, the plausible birth dates of every date of a century and more (a few hundred bytes each),
# the first-name keys of the first names met last (about 1.5 kB each).
VARIANTS_CACHED = 8_192
DATES_CACHED = 50_000
WANTED_CACHED = 4_096
# The first-name keys of a day's people, folded into a mask of this many bits (``Index._day_mask``): some 80 keys
# a day set 2 % of them, so that a day whose people share no first name with the one typed (five days in six) is
# passed over without reading its people, for about 500 bytes a day.
MASK_BITS = 4_096


def _key_mask(keys):
    """A bit per key (its hash): two sets of keys that share one share its bit; the converse fails about once in
    ``MASK_BITS`` per pair of keys, only to read a day for nothing."""
    mask = 0
    for key in keys:
        mask |= 1 << (hash(key) % MASK_BITS)
    return mask


def _day(date):
    """How the index holds a date: its ordinal (a small int, where a date object is a larger one)."""
    return date.toordinal() if date else None


class Index:
    """Everyone on file by birth date (as ``_day``), read once (one streaming query), to match many identities at
    once: among the people born on a date the one typed may be a typo of, those whose first names share a name, a
    form or a one-typo neighbour with the ones typed and whom ``find`` reads as candidates (``candidates``). They are
    the only ones ``find`` may list as likely duplicates: a likely duplicate's score needs each part credited (a
    contradiction takes it under the threshold), the same CAF number with the same identity (score 95) too.

    Memory grows with the département (the names and CAF numbers of every person), not with what is matched: what
    is derived from the identities matched is cached within bounds. The people entered while the index is in use are
    added to it (``add``), under the caller's reference until they are written (``settle``), then kept as those read
    from the database are; those a dry run enters (``release``) keep their names, without the caller's reference."""

    def __init__(self, persons=None):
        self.by_date = {}
        self.recent = {}
        self._first_keys = {}
        self._spellings = {}
        self._variants = Bounded(VARIANTS_CACHED)
        self._dates = Bounded(DATES_CACHED)
        self._first_names_wanted = Bounded(WANTED_CACHED)
        self._masks = {}  # day → ``_key_mask`` of the first-name keys of the people born that day, when first read
        persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
        # The keys ``save`` derived from the names (``set_matching_keys``), read rather than derived again.
        rows = persons.order_by().values_list(*INDEX_FIELDS)
        # The same loop as ``_keys``, written out: it runs once per person of the département.
        # Lists and sets made only for a date or a name met the first time (``setdefault`` would make one per row).
        by_date, spellings, first_keys, held = defaultdict(list), defaultdict(set), self._first_keys, {}
        for (
            pk,
            birth_date,
            birth_key,
            usage_key,
            names_key,
            caf_number,
            sound,
            usage_sound,
            birth_name,
            usage_name,
        ) in rows.iterator(chunk_size=10_000):
            keys = first_keys.get(names_key)
            if keys is None:
                keys = first_keys[names_key] = frozenset(_first_name_keys(names_key.split()))
            birth_key = held.setdefault(birth_key, birth_key)
            entry = (pk, birth_key, usage_key, keys, caf_number, held.setdefault(sound, sound), usage_sound)
            by_date[birth_date.toordinal() if birth_date else None].append(entry)
            spellings[birth_key].add(birth_name)
            if usage_name:
                spellings[usage_key].add(usage_name)
        self.by_date, self._spellings = dict(by_date), dict(spellings)

    def _keys(self, birth_key, usage_key, first_names_key, caf_number, birth_sound, usage_sound):
        """(birth name key, usage name key, first names' keys, CAF number, sounds of the birth and usage names)."""
        first_keys = self._first_keys.get(first_names_key)
        if first_keys is None:
            first_keys = self._first_keys[first_names_key] = frozenset(_first_name_keys(first_names_key.split()))
        return (
            sys.intern(birth_key),
            sys.intern(usage_key),
            first_keys,
            caf_number,
            sys.intern(birth_sound),
            sys.intern(usage_sound),
        )

    def add(self, ref, *, birth_name, usage_name="", first_names, birth_date, caf_number="", nir_digest=""):
        """Someone entered meanwhile, known by ``ref`` (the caller's) until ``settle`` gives their id; among the
        ``recent`` ones until ``forget_recent``."""
        usage_name, caf_number = usage_name or "", caf_number or ""
        keys = self._keys(
            last_name_key(birth_name),
            last_name_key(usage_name),
            first_names_key(first_names),
            caf_number,
            phonetic(birth_name),
            phonetic(usage_name) if usage_name else "",
        )
        for name, key in ((birth_name, keys[0]), (usage_name, keys[1])):
            if name:
                self._spellings.setdefault(key, set()).add(name)
                self._variants.pop(key, None)
        entry = [ref, *keys, birth_name, usage_name, first_names, birth_date, nir_digest]
        day = _day(birth_date)
        self.by_date.setdefault(day, []).append(entry)
        self.recent.setdefault(day, []).append(entry)
        if day in self._masks:
            self._masks[day] |= _key_mask(keys[2])
        return entry

    def settle(self, entry, pk):
        """``entry`` is written, as ``pk``: kept as the people read from the database are (its names and NIR are
        read again from the database when it is a candidate)."""
        entries = self.by_date.get(_day(entry[10]), [])
        for position, held in enumerate(entries):
            if held is entry:
                entries[position] = (pk, *entry[1:7])
                break
        entry[0] = pk

    @staticmethod
    def release(entry):
        """``entry`` will not be written (a dry run): it is kept without the caller's reference."""
        entry[0] = None

    def forget_recent(self):
        self.recent = {}

    def _plausible(self, birth_date):
        """The days (``_day``) of ``plausible_birth_dates``, kept compact (every date of a century fits the cache)."""
        days = self._dates.get(birth_date)
        if days is None:
            days = self._dates[birth_date] = array("l", [day.toordinal() for day in plausible_birth_dates(birth_date)])
        return days

    def _key_variants(self, key):
        """The keys ``NameVariant`` holds for the names whose key is ``key`` (every spelling on file)."""
        variants = self._variants.get(key)
        if variants is None:
            variants = self._variants[key] = set().union(
                *(last_name_variants(spelling) for spelling in self._spellings.get(key, ()))
            )
        return variants

    def _day_mask(self, day, entries):
        """The ``_key_mask`` of the first-name keys of ``entries``, the people born on ``day``: computed when the day
        is first read, then kept up to date by ``add``."""
        mask = self._masks.get(day)
        if mask is None:
            mask = self._masks[day] = _key_mask({key for entry in entries for key in entry[3]})
        return mask

    def _wanted(self, first_names):
        """The first-name keys an entry must share one of with ``first_names`` (each name, its one-typo neighbours
        and its other forms), and their ``_key_mask``: a day whose mask shares no bit with it has nobody who
        shares a first name. Derived once per spelling typed (a file's first names repeat)."""
        wanted = self._first_names_wanted.get(first_names)
        if wanted is None:
            tokens = first_names_key(first_names).split()
            keys = frozenset(_first_name_keys(tokens).union(*(forms_of(token) for token in tokens)))
            wanted = self._first_names_wanted[first_names] = (keys, _key_mask(keys))
        return wanted

    def candidates(self, query, recent=False):
        """The entries (ref first) among which ``find(query)`` lists its likely duplicates, read as ``find`` reads its
        candidates: born on the date typed or with day and month swapped; or with a last name (birth or usage) one
        typo away from the one typed, sharing a part with it or sounding the same; or with the CAF number typed.
        Only among those added since ``forget_recent`` with ``recent``."""
        held = self.recent if recent else self.by_date
        if not held:
            return []
        if not query.birth_date or not query.first_names:
            return []
        wanted, wanted_mask = self._wanted(query.first_names)
        if recent:
            wanted_mask = None
        same_day = {_day(date) for date in _birth_dates(query.birth_date)}
        caf_number = query.caf_number.strip()
        variants = sound = None
        found = []
        for day in self._plausible(query.birth_date):
            entries = held.get(day)
            if not entries or (wanted_mask is not None and not wanted_mask & self._day_mask(day, entries)):
                continue
            # Most share no first name with the one typed: left out in one pass (the check below is rarer).
            for entry in [entry for entry in entries if not entry[3].isdisjoint(wanted)]:
                if day in same_day or (caf_number and entry[4] == caf_number):
                    found.append(entry)
                    continue
                if variants is None:
                    variants, sound = last_name_variants(query.last_name), phonetic(query.last_name)
                if variants and (
                    entry[5] == sound
                    or entry[6] == sound
                    or not self._key_variants(entry[1]).isdisjoint(variants)
                    or (entry[2] and not self._key_variants(entry[2]).isdisjoint(variants))
                ):
                    found.append(entry)
        return found


class Batch:
    """The likely duplicates of many queries, as ``find(query, limit)`` lists them (the same people, scores, reasons
    and order), found with an ``Index``: the candidates of all the queries read in one query ahead (``prefetch``:
    the people on file read again by their ids, what the index holds may have changed meanwhile), then each
    query's likely duplicates (``likely_duplicates``), those entered since included. The caller looked the exact
    identifiers (NIR, France Travail) up first."""

    def __init__(self, index, persons=None):
        self.index = index
        self.persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
        self.found = {}
        self.rows = {}

    def prefetch(self, queries):
        self.found = {id(query): self.index.candidates(query) for query in queries}
        self._fetch(entry[0] for entries in self.found.values() for entry in entries)

    def _fetch(self, refs):
        ids = {ref for ref in refs if isinstance(ref, int) and ref not in self.rows}
        if ids:
            rows = self.persons.filter(pk__in=ids).order_by().values_list(*CANDIDATE_COLUMNS)
            self.rows.update((row[0], row) for row in rows)
            self.rows.update((pk, None) for pk in ids if pk not in self.rows)  # merged or deleted meanwhile

    def likely_duplicates(self, query, limit=5):
        """A person the index holds under the caller's reference (entered, not written yet) is scored on what was
        added: their ``Match`` has no person, only that ``ref``, and comes after the people on file of the same
        score and names, as a person written later would."""
        entries = self.found.get(id(query))
        if entries is None:
            entries = self.index.candidates(query)
            self._fetch(entry[0] for entry in entries)
        held = {id(entry) for entry in entries}
        entries = [*entries, *(entry for entry in self.index.candidates(query, recent=True) if id(entry) not in held)]
        if not entries:
            return []
        score = _Scorer(query)
        scored = []
        for order, entry in enumerate(entries):
            ref = entry[0]
            if isinstance(ref, int):
                row = self.rows.get(ref)
                if row is None:
                    continue
                parts, rank = row[2:8], (row[2], row[4], ref, order)
            else:
                parts = (entry[7], entry[8], entry[9], entry[10], entry[4], entry[11])
                rank = (entry[7], entry[9], float("inf"), order)
            value, same_household, _ = score(*parts)
            # Listed first by ``find`` (its likely duplicates), as a same household is never scored that high.
            if value >= LIKELY_DUPLICATE and not same_household:
                scored.append(((-value, *rank), ref, parts))
        matches = []
        for _, ref, parts in sorted(scored, key=lambda item: item[0])[:limit]:
            reasons = []
            value, same_household, strong = score(*parts, reasons=reasons)
            person = _person(self.rows[ref], self.persons.db) if isinstance(ref, int) else None
            matches.append(Match(person, value, reasons, same_household=same_household, strong=strong, ref=ref))
        return matches
