"""The probable duplicates across the département, for the coordinators: computed in the background, ranked, and
either merged (``people.merge.merge_persons``) or told apart, never to be proposed again.

The computation reads every record not merged once, puts them in blocks of records that may be the same person
(the same birth date or with day and month swapped, the same last name sound and first name beginning, the same
CAF number or France Travail identifier), and compares each pair of a block with the rules of the search
(``people.matching``): a pair is kept when the search would flag it as a likely duplicate.
"""

import datetime
from collections import defaultdict
from itertools import combinations

from django.db import transaction
from django.utils import timezone

from accounts.access import is_coordinator
from people import matching
from people.models import DuplicatePair, DuplicateScan, Person
from relais.actions import Conflict, require, require_actor

# A block larger than this is a name too common to tell people apart by it alone: its pairs are compared through
# the other blocks (the birth date above all).
MAX_BLOCK = 2_000
FIELDS = (
    "pk",
    "birth_name",
    "usage_name",
    "first_names",
    "birth_date",
    "caf_number",
    "nir_digest",
    "france_travail_id",
    "last_name_phonetic",
    "usage_name_phonetic",
    "first_names_key",
)


def _blocks(rows):
    blocks = defaultdict(list)
    for row in rows:
        pk, _, _, _, birth_date, caf, _, france_travail_id, sound, usage_sound, first_key = row
        swapped = birth_date
        if birth_date.day <= 12:
            swapped = datetime.date(birth_date.year, birth_date.day, birth_date.month)
        blocks[("date", min(birth_date, swapped))].append(row)
        beginning = first_key[:3]
        for name_sound in {sound, usage_sound} - {""}:
            blocks[("name", name_sound, beginning)].append(row)
        if caf:
            blocks[("caf", caf)].append(row)
        if france_travail_id:
            blocks[("ft", france_travail_id)].append(row)
    return blocks


def compare(first, second):
    """(score, strong, reasons) of two records as read by ``FIELDS``, or None when not a likely duplicate."""
    if first[7] and first[7] == second[7]:
        return 100, True, ["Même identifiant France Travail"]
    best = None
    for last_name in {first[1], first[2]} - {""}:
        query = matching.Query(last_name=last_name, first_names=first[3], birth_date=first[4], caf_number=first[5])
        reasons = []
        score, same_household, strong = matching._Scorer(query)(*second[1:7], reasons=reasons)
        if same_household or score < matching.LIKELY_DUPLICATE:
            continue
        if best is None or (strong, score) > (best[1], best[0]):
            best = (score, strong, reasons)
    return best


def find_pairs(persons=None):
    """{(first pk, second pk): (score, strong, reasons)} of the likely duplicates among ``persons``."""
    persons = (persons if persons is not None else Person.objects.all()).filter(merged_into__isnull=True)
    rows = list(persons.order_by("pk").values_list(*FIELDS))
    found, seen = {}, set()
    for block in _blocks(rows).values():
        if len(block) < 2 or len(block) > MAX_BLOCK:
            continue
        for first, second in combinations(block, 2):
            key = (first[0], second[0]) if first[0] < second[0] else (second[0], first[0])
            if key in seen:
                continue
            seen.add(key)
            result = compare(first, second) if first[0] < second[0] else compare(second, first)
            if result is not None:
                found[key] = result
    return found, len(rows)


def run_scan(scan):
    """Compute the pairs, keep those told apart as they are, update or add the others, drop those gone."""
    found, compared = find_pairs()
    now = timezone.now()
    with transaction.atomic():
        existing = {(pair.first_id, pair.second_id): pair for pair in DuplicatePair.objects.select_for_update()}
        for key, pair in existing.items():
            if pair.status == DuplicatePair.Status.PROPOSED and key not in found:
                pair.delete()
        for key, (score, strong, reasons) in found.items():
            pair = existing.get(key)
            if pair is None:
                DuplicatePair(
                    first_id=key[0], second_id=key[1], score=score, strong=strong, reasons=reasons, found_at=now
                ).save()
            elif pair.status == DuplicatePair.Status.PROPOSED and (pair.score, pair.strong, pair.reasons) != (
                score,
                strong,
                reasons,
            ):
                pair.score, pair.strong, pair.reasons = score, strong, reasons
                pair.save(update_fields=["score", "strong", "reasons"])
        scan = DuplicateScan.objects.select_for_update().get(pk=scan.pk)
        scan.finished_at = timezone.now()
        scan.persons_compared = compared
        scan.pairs_found = len(found)
        scan.save(update_fields=["finished_at", "persons_compared", "pairs_found"])
    return scan


def proposed_pairs():
    """The pairs to examine, most certain first: neither record merged since."""
    return DuplicatePair.objects.filter(
        status=DuplicatePair.Status.PROPOSED, first__merged_into__isnull=True, second__merged_into__isnull=True
    ).order_by("-strong", "-score", "found_at", "pk")


# A computation unfinished after this long has failed (the worker stopped): another may be asked.
SCAN_TIMEOUT = datetime.timedelta(hours=1)


def running_scan():
    return DuplicateScan.objects.filter(
        finished_at__isnull=True, requested_at__gte=timezone.now() - SCAN_TIMEOUT
    ).first()


def last_scan():
    return DuplicateScan.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


def request_scan(*, by):
    """A coordinator asks for the list to be computed again; the task queue runs it. One at a time."""
    require_actor(by)
    require(is_coordinator(by))
    from people.tasks import find_duplicates

    with transaction.atomic():
        if running_scan() is not None:
            raise Conflict("Un calcul des doublons probables est déjà en cours : la liste sera bientôt à jour.")
        scan = DuplicateScan(requested_by=by.user)
        scan.save()
        transaction.on_commit(lambda: find_duplicates.enqueue(scan.pk))
    return scan


def mark_distinct(pair, *, by):
    """« Pas la même personne »: the pair leaves the list and is never proposed again."""
    require_actor(by)
    require(is_coordinator(by))
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
        if pair.status == DuplicatePair.Status.DISTINCT:
            raise Conflict("Ces deux dossiers ont déjà été distingués.")
        pair.status = DuplicatePair.Status.DISTINCT
        pair.decided_by = by.user
        pair.decided_at = timezone.now()
        pair.save(update_fields=["status", "decided_by", "decided_at"])
    return pair
