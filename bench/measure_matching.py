"""The matching's quality on the labelled identity pairs (``bench.identity_pairs``), among the people generated.

Each pair's person on file is written to the database for the time of the measure (rolled back after), then
the creation's search runs on what the professional typed, as the creation form does (``find``, five
candidates). Two figures, each with its precision and recall:

- the « probable duplicate » flag on the person on file: flagged when it is the same person (recall), not
  flagged when it is somebody else (precision);
- the first candidate: flagged and the right person (a flagged first candidate that is somebody else, for a pair
  of either kind, counts against the precision).
"""

import statistics
import time
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from bench.identity_pairs import draw_pairs
from bench.measure import _percentile
from people import matching
from people.models import NameVariant, Person, format_dossier_number
from territory.models import Commune

LIMIT = 5  # What the creation form shows.
SWEEP = (60, 65, 70, 75, 80, 85, 90)


@dataclass
class Outcome:
    kind: str
    same: bool
    score: int  # Of the person on file; 0 when not among the candidates.
    flagged: bool
    rank: int | None
    first_flagged: bool
    first_is_target: bool
    others_flagged: int
    same_household: bool
    elapsed_ms: float


def _write(pairs):
    """The people on file of ``pairs``, written as the bench writes people (their keys computed)."""
    commune = Commune.objects.order_by("code").first()
    people = []
    for index, pair in enumerate(pairs, start=1):
        on_file = pair.on_file
        person = Person(
            dossier_number=format_dossier_number("00", 1900, index),  # labelled pairs: a year no one lives in
            birth_name=on_file.birth_name,
            usage_name=on_file.usage_name,
            first_names=on_file.first_names,
            birth_date=on_file.birth_date,
            sex=on_file.sex,
            caf_number=on_file.caf_number,
            commune=commune,
        )
        person.set_matching_keys()
        people.append(person)
    Person.objects.bulk_create(people)
    names = {name for person in people for name in (person.birth_name, person.usage_name) if name}
    NameVariant.objects.bulk_create(NameVariant.rows(*names), ignore_conflicts=True)
    return [person.pk for person in people]


def evaluate(pairs):
    outcomes = []
    with transaction.atomic():
        ids = _write(pairs)
        for pair, target in zip(pairs, ids, strict=True):
            started = time.perf_counter()
            found = matching.find(pair.typed.query(), limit=LIMIT)
            elapsed_ms = (time.perf_counter() - started) * 1000
            match = next((match for match in found if match.person.pk == target), None)
            rank = found.index(match) + 1 if match else None
            first = found[0] if found else None
            outcomes.append(
                Outcome(
                    kind=pair.kind.split(" : ")[0],
                    same=pair.same,
                    score=match.score if match else 0,
                    flagged=bool(match and match.is_likely_duplicate),
                    rank=rank,
                    first_flagged=bool(first and first.is_likely_duplicate),
                    first_is_target=rank == 1,
                    others_flagged=sum(1 for other in found if other is not match and other.is_likely_duplicate),
                    same_household=bool(match and match.same_household),
                    elapsed_ms=elapsed_ms,
                )
            )
        transaction.set_rollback(True)
    return outcomes


def _ratio(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


def flag_quality(outcomes, flagged=lambda outcome: outcome.flagged):
    same = [outcome for outcome in outcomes if outcome.same]
    true_positives = sum(1 for outcome in same if flagged(outcome))
    false_positives = sum(1 for outcome in outcomes if not outcome.same and flagged(outcome))
    return {
        "precision": _ratio(true_positives, true_positives + false_positives),
        "recall": _ratio(true_positives, len(same)),
        "true_positives": true_positives,
        "false_positives": false_positives,
        "false_negatives": len(same) - true_positives,
    }


def first_quality(outcomes):
    same = [outcome for outcome in outcomes if outcome.same]
    right = sum(1 for outcome in same if outcome.first_is_target and outcome.first_flagged)
    flagged = sum(1 for outcome in outcomes if outcome.first_flagged)
    return {
        "precision": _ratio(right, flagged),
        "recall": _ratio(right, len(same)),
        "right": right,
        "wrong": flagged - right,
        "missed": len(same) - right,
    }


def summary(outcomes):
    by_kind = {}
    for outcome in outcomes:
        kind = by_kind.setdefault(
            outcome.kind, {"same": outcome.same, "pairs": 0, "flagged": 0, "first": 0, "others_flagged": 0}
        )
        kind["pairs"] += 1
        kind["flagged"] += outcome.flagged
        kind["first"] += outcome.first_is_target and outcome.first_flagged
        kind["others_flagged"] += outcome.others_flagged
    sweep = {
        threshold: flag_quality(
            outcomes, lambda outcome, t=threshold: outcome.score >= t and not outcome.same_household
        )
        for threshold in SWEEP
    }
    times = sorted(outcome.elapsed_ms for outcome in outcomes)
    return {
        "pairs": len(outcomes),
        "same": sum(1 for outcome in outcomes if outcome.same),
        "other": sum(1 for outcome in outcomes if not outcome.same),
        "threshold": matching.LIKELY_DUPLICATE,
        "flag": flag_quality(outcomes),
        "first": first_quality(outcomes),
        "by_kind": by_kind,
        "sweep": sweep,
        "find_ms": {
            "p50": round(statistics.median(times), 1),
            "p95": round(_percentile(times, 95), 1),
            "max": round(times[-1], 1),
        },
        "ranks": dict(Counter(str(outcome.rank) for outcome in outcomes if outcome.same)),
    }


def run(seed=91, report=print):
    pairs = draw_pairs(seed)
    report(f"Rapprochement : {len(pairs)} paires d'identités étiquetées…")
    return summary(evaluate(pairs))


def _number(value):
    return "–" if value is None else f"{value:.3f}".replace(".", ",")


def lines(result, people):
    """The quality of the matching, in French."""
    flag, first = result["flag"], result["first"]
    out = [
        f"Rapprochement sur {result['pairs']} paires étiquetées ({result['same']} même personne, "
        f"{result['other']} personnes différentes), parmi {people} personnes ; recherche de la création "
        f"(find, {LIMIT} candidats) : p50 {result['find_ms']['p50']} ms, p95 {result['find_ms']['p95']} ms.",
        f"  « doublon probable » (score ≥ {result['threshold']}) : précision {_number(flag['precision'])}, "
        f"rappel {_number(flag['recall'])} ({flag['true_positives']} trouvés, {flag['false_negatives']} manqués, "
        f"{flag['false_positives']} signalés à tort)",
        f"  1er candidat signalé : précision {_number(first['precision'])}, rappel {_number(first['recall'])} "
        f"({first['right']} justes, {first['wrong']} faux, {first['missed']} manqués)",
        "  selon le seuil : "
        + " ; ".join(
            f"{threshold} : {_number(quality['precision'])} / {_number(quality['recall'])}"
            for threshold, quality in result["sweep"].items()
        )
        + " (précision / rappel)",
        "  par cas (signalés / paires ; 1er candidat juste) :",
    ]
    for kind, counts in result["by_kind"].items():
        label = "même personne" if counts["same"] else "autre personne"
        out.append(f"    {label} – {kind} : {counts['flagged']} / {counts['pairs']} ; {counts['first']}")
    return out
