"""Appointments of the carnets: 600,000 meetings of the people with the professionals of their team, past and to
come, the agenda of every professional.

Oriented and accompanied people have appointments (an accompanied person about three times as many), with a member
of their team — the référent two times in three. Past appointments, over the follow-up (two years at most, more of
them lately), carry their attendance: honoured mostly, some missed, excused or cancelled; after the person's last
individual contact (the generated contact notes; two months ago for a person without any), none is honoured: the
person stopped coming, which is what the rupture rules look for. Appointments to come, in the next six weeks, are
planned. Working days, 9h to 17h30 in Europe/Paris, half an hour to an hour, never two at once for one professional.

Written with PostgreSQL's ``COPY`` (the same rows as ``bulk_create``, no ``save()`` and no signal either), like the
timeline's events.
"""

import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import Structure
from bench.database import BENCH_DOMAIN
from pathway.models import Appointment, Note, Pathway, TeamMember

LABEL = "Rendez-vous"
# Relative number of appointments by pathway status (scaled to the requested total).
PER_STATUS = {Pathway.Status.ORIENTED: (1, 4), Pathway.Status.ACCOMPANIED: (3, 12)}
PAST_SPAN_DAYS = 730
AHEAD_DAYS = 42
# Share of the appointments to come, and the attendance of the past ones (while the person still comes).
UPCOMING = 0.12
ATTENDANCE = [
    (Appointment.Status.HONOURED, 74),
    (Appointment.Status.MISSED, 11),
    (Appointment.Status.EXCUSED, 8),
    (Appointment.Status.CANCELLED, 7),
]
AFTER_LAST_CONTACT = [
    (Appointment.Status.MISSED, 60),
    (Appointment.Status.EXCUSED, 20),
    (Appointment.Status.CANCELLED, 20),
]
MODES = [
    (Appointment.Mode.IN_PERSON, 70),
    (Appointment.Mode.PHONE, 20),
    (Appointment.Mode.VIDEO, 10),
]
PURPOSES = [
    "Point d'étape sur le parcours",
    "Entretien d'accompagnement",
    "Préparation d'un entretien d'embauche",
    "Bilan du contrat d'engagement",
    "Recherche de formation",
    "Démarches administratives",
    "Atelier CV et lettre de motivation",
    "Point sur la mobilité",
]
EXCUSES = ["Enfant malade", "Rendez-vous médical", "Entretien d'embauche le même jour", "Problème de transport"]
DURATIONS = [30, 30, 45, 60, 60]
SLOTS = [(hour, minute) for hour in range(9, 17) for minute in (0, 30) if (hour, minute) != (12, 0)]
COLUMNS = (
    "public_id",
    "person_id",
    "starts_at",
    "ends_at",
    "mode",
    "place",
    "purpose",
    "professional_id",
    "structure_id",
    "is_first",
    "status",
    "status_reason",
    "status_changed_at",
    "status_changed_by_id",
    "person_answer",
    "person_answer_at",
    "person_message",
    "person_notified_at",
    "reminder_sent_at",
    "created_by_id",
    "created_for_id",
    "created_at",
    "version",
)


def _bench_appointments():
    return Appointment.objects.filter(professional__email__endswith=f"@{BENCH_DOMAIN}")


def is_generated(scale):
    return scale.appointments == 0 or _bench_appointments().exists()


def counts(scale):
    appointments = _bench_appointments()
    by_status = dict(appointments.values_list("status").annotate(n=Count("pk")).order_by())
    busiest = (
        appointments.values("professional_id").annotate(n=Count("pk")).order_by("-n").values_list("n", flat=True)[:1]
    )
    return {
        "rendez-vous": sum(by_status.values()),
        **{f"dont {Appointment.Status(key).label}": value for key, value in sorted(by_status.items())},
        "professionnel le plus chargé": next(iter(busiest), 0),
    }


def busiest_professional():
    """``(user_id, structure_id)`` of the professional with the most appointments (the agenda measured)."""
    return (
        _bench_appointments()
        .values_list("professional_id", "structure_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "professional_id")
        .first()
    )


def generate(rng, scale, report=print):
    started = time.perf_counter()
    written = _generate(rng, scale)
    report(f"  {written:,} rendez-vous écrits en {time.perf_counter() - started:.0f} s".replace(",", "\u202f"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_appointment")


def _weighted(items):
    return [value for value, weight in items for _ in range(weight)]


def _working_day(day):
    """The day itself from Monday to Friday, else the Monday after."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _working_day_before(day):
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@transaction.atomic
def _generate(rng, scale):
    paris = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    today = timezone.localdate()
    pathways = list(
        Pathway.objects.filter(person__created_by__email__endswith=f"@{BENCH_DOMAIN}", status__in=list(PER_STATUS))
        .order_by("pk")
        .values_list("pk", "person_id", "status", "entered_at", "oriented_at", "referent_id", "referent_structure_id")
    )
    if not pathways:
        return 0
    teams = {}
    for pathway_id, user_id, structure_id in TeamMember.objects.filter(
        pathway__in=[row[0] for row in pathways], ended_at__isnull=True
    ).values_list("pathway_id", "user_id", "structure_id"):
        teams.setdefault(pathway_id, []).append((user_id, structure_id))
    last_contact = dict(
        Note.objects.filter(kind=Note.Kind.CONTACT).values_list("person_id").annotate(day=Max("contact_on")).order_by()
    )
    places = {
        pk: f"{name}, {address}".strip(", ") if address else name
        for pk, name, address in Structure.objects.values_list("pk", "name", "address")
    }
    wanted = [rng.randint(*PER_STATUS[row[2]]) for row in pathways]
    factor = scale.appointments / max(sum(wanted), 1)
    numbers = [int(count * factor + rng.random()) for count in wanted]
    attendance, after_contact = _weighted(ATTENDANCE), _weighted(AFTER_LAST_CONTACT)
    modes = _weighted(MODES)
    # Without any contact note, the person came no more in the last two months (the rule « no contact » holds).
    no_contact_since = today - timedelta(days=61)
    booked = set()  # (professional, day, slot index): nobody booked twice
    written = 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY pathway_appointment ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for (pathway_id, person_id, _status, entered_at, oriented_at, referent, referent_structure), number in zip(
            pathways, numbers, strict=True
        ):
            team = teams.get(pathway_id)
            if not team or number == 0:
                continue
            start = timezone.localtime(oriented_at).date() if oriented_at else entered_at
            start = max(start, today - timedelta(days=PAST_SPAN_DAYS))
            span = max((today - start).days, 1)
            contact = last_contact.get(person_id)
            rows = []
            for _ in range(number):
                if referent and rng.random() < 2 / 3:
                    professional, structure = referent, referent_structure
                else:
                    professional, structure = rng.choice(team)
                upcoming = rng.random() < UPCOMING
                for _attempt in range(5):
                    if upcoming:
                        day = _working_day(today + timedelta(days=rng.randint(1, AHEAD_DAYS)))
                    else:
                        # More of them lately than at the start (a linearly decreasing density back to the start).
                        day = _working_day(today - timedelta(days=1 + int(span * rng.betavariate(1, 2))))
                        if day >= today:
                            day = _working_day_before(today)
                    slot = rng.randrange(len(SLOTS))
                    if (professional, day, slot) not in booked:
                        break
                else:
                    continue
                booked.add((professional, day, slot))
                hour, minute = SLOTS[slot]
                starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=paris)
                ends_at = starts_at + timedelta(minutes=rng.choice(DURATIONS))
                mode = rng.choice(modes)
                if upcoming:
                    status = Appointment.Status.PLANNED
                elif day > (contact or no_contact_since):
                    status = rng.choice(after_contact)
                else:
                    status = rng.choice(attendance)
                created_at = min(starts_at - timedelta(days=rng.randint(2, 21)), now)
                changed_at = None
                if status != Appointment.Status.PLANNED:
                    changed_at = min(ends_at + timedelta(minutes=rng.randint(5, 2_000)), now)
                notified = created_at + timedelta(minutes=5) if rng.random() < 0.5 else None
                rows.append(
                    [
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        person_id,
                        starts_at,
                        ends_at,
                        mode,
                        places.get(structure, "") if mode == Appointment.Mode.IN_PERSON else "",
                        rng.choice(PURPOSES),
                        professional,
                        structure,
                        False,
                        status,
                        rng.choice(EXCUSES) if status == Appointment.Status.EXCUSED else "",
                        changed_at,
                        professional if changed_at else None,
                        "",
                        None,
                        "",
                        notified,
                        None,
                        professional,
                        structure,
                        created_at,
                        1 if status == Appointment.Status.PLANNED else 2,
                    ]
                )
            rows.sort(key=lambda row: row[2])
            if rows and oriented_at is not None:
                rows[0][9] = True  # the first appointment after the orientation
            for row in rows:
                copy.write_row(row)
            written += len(rows)
    return written
