"""The carnets' timelines: two million events across the département, skewed — a few events for a person just
entered, a dozen or two for a person accompanied for a year or two, and one carnet with a thousand (a person
followed for years by a large team), the one the carnet page is measured on.

Two million rows are written with PostgreSQL's ``COPY`` rather than ``bulk_create``: the same rows, ten times
faster, no ``save()`` and no signal either. Each event has the kind, the actor and the structure of a member of the
person's team, a date between the entry in the pathway and today, and a visibility: mostly the team, some for the
actor's structure or the actor alone, a few shared with the person.
"""

import time
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench.database import BENCH_DOMAIN
from pathway.models import Pathway, TeamMember, TimelineEvent, Visibility

LABEL = "Fil des carnets"
BIG_CARNET = 1_000
# Events per person, by status: (low, high) before scaling to the requested total.
PER_STATUS = {
    Pathway.Status.ENTERED: (2, 6),
    Pathway.Status.ORIENTED: (6, 14),
    Pathway.Status.ACCOMPANIED: (12, 30),
    Pathway.Status.EXITED: (12, 30),
}
# Kinds written over a pathway's life, with their weight and summary.
KINDS = [
    ("pathway.identity_updated", 20, "Informations de la personne modifiées"),
    ("pathway.team_joined", 10, "Un professionnel rejoint l'équipe"),
    ("pathway.team_left", 3, "Un professionnel quitte l'équipe : accompagnement terminé"),
    ("entry.diagnostic_recorded", 6, "Diagnostic mis à jour"),
    ("entry.orientation_proposed", 4, "Orientation proposée : parcours socio-professionnel"),
    ("pathway.access_requested", 3, "Accès demandé par un professionnel"),
    ("pathway.access_answered", 3, "Accès accordé à un professionnel"),
    ("pathway.handed_over", 1, "Passation : l'accompagnement est confié à un autre référent"),
]
VISIBILITIES = [(Visibility.TEAM, 82), (Visibility.STRUCTURE, 8), (Visibility.AUTHOR, 5), (Visibility.PERSON, 5)]
COLUMNS = (
    "public_id",
    "person_id",
    "kind",
    "at",
    "actor_id",
    "actor_structure_id",
    "visibility",
    "summary",
    "obj_type",
    "obj_id",
    "data",
)


def _bench_events():
    # Written by a bench professional: the events an import measure adds to people of the bench (by the system, no
    # actor) do not count as the generated timeline.
    return TimelineEvent.objects.filter(
        person__created_by__email__endswith=f"@{BENCH_DOMAIN}", actor__email__endswith=f"@{BENCH_DOMAIN}"
    )


def is_generated(scale):
    return scale.timeline_events == 0 or _bench_events().exists()


def counts(scale):
    busiest = (
        TimelineEvent.objects.values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)[:1]
    )
    return {"événements": TimelineEvent.objects.count(), "carnet le plus fourni": next(iter(busiest), 0)}


def big_carnet_person():
    """The person whose carnet has the most events (the one generated with a thousand)."""
    return (
        TimelineEvent.objects.values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "person_id")
        .values_list("person_id", flat=True)
        .first()
    )


def generate(rng, scale, report=print):
    started = time.perf_counter()
    written = _generate(rng, scale)
    report(f"  {written:,} événements écrits en {time.perf_counter() - started:.0f} s".replace(",", "\u202f"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_timelineevent")


def _write(rows):
    """PostgreSQL's ``COPY``; elsewhere (a SQLite file), plain inserts by batches, values adapted as Django would."""
    columns = ", ".join(COLUMNS)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY pathway_timelineevent ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    ops = connection.ops
    sql = f"INSERT INTO pathway_timelineevent ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cursor:
        for batch in _batched(rows, 5_000):
            cursor.executemany(
                sql, [(row[0].hex, *row[1:3], ops.adapt_datetimefield_value(row[3]), *row[4:]) for row in batch]
            )


def _batched(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def _generate(rng, scale):
    now = timezone.now()
    pathways = list(
        Pathway.objects.filter(person__created_by__email__endswith=f"@{BENCH_DOMAIN}")
        .order_by("pk")
        .values_list("pk", "person_id", "status", "entered_at", "referent_id")
    )
    if not pathways:
        return 0
    teams = {}
    for pathway_id, user_id, structure_id in TeamMember.objects.filter(
        pathway_id__in=[p[0] for p in pathways]
    ).values_list("pathway_id", "user_id", "structure_id"):
        teams.setdefault(pathway_id, []).append((user_id, structure_id))
    # The big carnet: an accompanied person, drawn once.
    accompanied = [index for index, row in enumerate(pathways) if row[2] == Pathway.Status.ACCOMPANIED]
    big = rng.choice(accompanied) if accompanied else 0
    wanted = [rng.randint(*PER_STATUS.get(row[2], (2, 6))) for row in pathways]
    wanted[big] = 0
    budget = max(scale.timeline_events - BIG_CARNET, 0)
    factor = budget / max(sum(wanted), 1)
    counts = [int(count * factor + rng.random()) for count in wanted]
    counts[big] = BIG_CARNET
    kinds = [kind for kind, weight, _ in KINDS for _ in range(weight)]
    summaries = {kind: summary for kind, _, summary in KINDS}
    visibilities = [visibility for visibility, weight in VISIBILITIES for _ in range(weight)]
    written = 0

    def rows():
        nonlocal written
        for (pathway_id, person_id, _status, entered_at, _referent), count in zip(pathways, counts, strict=True):
            team = teams.get(pathway_id) or [(None, None)]
            start = timezone.make_aware(datetime(entered_at.year, entered_at.month, entered_at.day, 9, 0))
            if count == BIG_CARNET:
                start = now - timedelta(days=6 * 365)  # followed for years
            span = max((now - start).total_seconds(), 3600)
            for _ in range(count):
                kind = rng.choice(kinds)
                actor, structure = rng.choice(team)
                yield (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    person_id,
                    kind,
                    start + timedelta(seconds=rng.random() * span),
                    actor,
                    structure,
                    rng.choice(visibilities),
                    summaries[kind],
                    "",
                    "",
                    "{}",
                )
            written += count

    _write(rows())
    return written
