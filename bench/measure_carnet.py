"""The follow-up pages at the scale of a département: the carnet with a thousand events (and a common one), « Mes
personnes » of the busiest référent, the agenda of the professional with the most appointments, through the real
views; and, side by side, the hand-written SQL of each page's main query, to read what Django and the templates add
to it.

The carnet is read by its référent; its main query is the page of the timeline (the twenty newest events the
référent may read, with their actor and structure). « Mes personnes » is read by the professional who is référent
of the most people; its main query is the first page of the caseload (the people of their team for their structure,
pathway in progress, with commune and référent, by name). The agenda is read by the professional with the most
appointments, by week (this one and the one before) and by day; its main query is the week's appointments of the
people they still see, with each person and structure, in order, first page. The agenda's page and its query are
measured in turns, one request each, so that the machine's load touches both alike.
"""

import os
import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from bench.database import BENCH_DOMAIN
from bench.generate.appointments import busiest_professional
from bench.generate.timeline import big_carnet_person
from bench.measure import WARM_UP, BenchError, Scenario, _client_acting_for, _timed
from pathway.models import Appointment, Pathway, TimelineEvent
from people.models import Person

TIMELINE_SQL = """
SELECT e.id, e.public_id, e.kind, e.at, e.visibility, e.summary, e.data,
       u.first_name, u.last_name, s.name
FROM pathway_timelineevent e
LEFT JOIN accounts_user u ON u.id = e.actor_id
LEFT JOIN accounts_structure s ON s.id = e.actor_structure_id
WHERE e.person_id = %(person)s
  AND (e.visibility IN ('person', 'team')
       OR (e.visibility = 'structure' AND e.actor_structure_id = %(structure)s)
       OR (e.visibility = 'author' AND e.actor_id = %(user)s))
ORDER BY e.at DESC, e.id DESC
LIMIT 20
"""

CASELOAD_SQL = """
SELECT p.id, p.public_id, p.birth_name, p.usage_name, p.first_names, p.sex, c.name,
       w.status, w.entered_at, r.first_name, r.last_name
FROM people_person p
JOIN pathway_pathway w ON w.person_id = p.id
JOIN pathway_teammember t ON t.pathway_id = w.id
JOIN territory_commune c ON c.code = p.commune_id
LEFT JOIN accounts_user r ON r.id = w.referent_id
WHERE t.user_id = %(user)s AND t.structure_id = %(structure)s AND t.ended_at IS NULL
  AND p.merged_into_id IS NULL
  AND w.status IN ('entered', 'oriented', 'accompanied')
ORDER BY p.birth_name, p.first_names, p.id
LIMIT 25
"""

# The agenda: the professional's appointments of the week with the people they still see through this membership
# (``pathway.access.persons_visible_to`` for a professional who is not an orientation manager), first page.
AGENDA_SQL = """
SELECT a.id, a.public_id, a.starts_at, a.ends_at, a.mode, a.place, a.purpose, a.status, a.person_answer,
       p.id, p.public_id, p.birth_name, p.usage_name, p.first_names, s.name
FROM pathway_appointment a
JOIN people_person p ON p.id = a.person_id
JOIN accounts_structure s ON s.id = a.structure_id
JOIN pathway_pathway w ON w.person_id = p.id
WHERE a.professional_id = %(user)s AND a.starts_at >= %(start)s AND a.starts_at < %(end)s
  AND p.merged_into_id IS NULL
  AND (w.referent_structure_id = %(structure)s
       OR (EXISTS (SELECT 1 FROM pathway_teammember t
                   WHERE t.pathway_id = w.id AND t.user_id = %(user)s AND t.structure_id = %(structure)s
                     AND t.ended_at IS NULL)
           AND (NOT p.objects_to_sharing
                OR (w.referent_structure_id IS NULL AND p.created_for_id = %(structure)s))))
ORDER BY a.starts_at, a.id
LIMIT 60
"""


@dataclass
class CarnetActors:
    big: Person
    big_reader: Membership
    big_events: int
    referent: Membership
    caseload: list
    referent_people: int


def _membership(user_id, structure_id):
    return Membership.objects.select_related("user", "structure").get(user_id=user_id, structure_id=structure_id)


def choose_actors():
    person_id = big_carnet_person()
    if person_id is None:
        raise BenchError("Aucun fil de carnet généré : lancez la génération (python -m bench sans --measure-only).")
    big = Person.objects.select_related("pathway").get(pk=person_id)
    pathway = big.pathway
    if pathway.referent_id is None:
        raise BenchError("Le carnet le plus fourni n'a pas de référent.")
    busiest = (
        Pathway.objects.filter(
            referent__email__endswith=f"@{BENCH_DOMAIN}",
            status__in=Pathway.ACTIVE_STATUSES,
            referent__memberships__structure_id=F("referent_structure_id"),
            referent__memberships__is_active=True,
        )
        .values("referent_id", "referent_structure_id")
        .annotate(people=Count("pk"))
        .order_by("-people", "referent_id")
        .first()
    )
    if busiest is None:
        raise BenchError("Aucun référent parmi les professionnels du banc d'essai.")
    referent = _membership(busiest["referent_id"], busiest["referent_structure_id"])
    caseload = list(
        Person.objects.filter(
            pathway__team__user_id=referent.user_id,
            pathway__team__structure_id=referent.structure_id,
            pathway__team__ended_at__isnull=True,
        )
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    return CarnetActors(
        big=big,
        big_reader=_membership(pathway.referent_id, pathway.referent_structure_id),
        big_events=TimelineEvent.objects.filter(person=big).count(),
        referent=referent,
        caseload=caseload,
        referent_people=busiest["people"],
    )


# The CPU time of this process per request, by scenario: unlike the elapsed time, it does not grow when other
# programs share the machine's cores (the bench's machine is often busy).
CPU_MS = {}


def _measure(key, label, calls):
    scenario = Scenario(key, label)
    cpu = CPU_MS.setdefault(key, [])
    for index, (call, status) in enumerate(calls):
        started = time.process_time()
        _, elapsed_ms, queries = _timed(call, status)
        if index >= WARM_UP:
            scenario.add(elapsed_ms, queries)
            cpu.append((time.process_time() - started) * 1000)
    return scenario


def _measure_sql(key, label, sql, params, iterations):
    """The hand-written query alone, through the same connection: execute and fetch every row."""
    scenario = Scenario(key, label)
    with connection.cursor() as cursor:
        for index in range(WARM_UP + iterations):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if index >= WARM_UP:
                scenario.add((time.perf_counter() - started) * 1000, 1)
    return scenario


def _measure_in_turns(page, sql, calls, query, params, iterations):
    """The page and its hand-written query, one request each in turn, so that the machine's load touches both."""
    cpu = CPU_MS.setdefault(page.key, [])
    with connection.cursor() as cursor:
        for index, (call, status) in enumerate(calls):
            started = time.process_time()
            _, elapsed_ms, queries = _timed(call, status)
            if index >= WARM_UP:
                page.add(elapsed_ms, queries)
                cpu.append((time.process_time() - started) * 1000)
            started = time.perf_counter()
            cursor.execute(query, params)
            cursor.fetchall()
            if index >= WARM_UP:
                sql.add((time.perf_counter() - started) * 1000, 1)
    return page, sql


def _week(day):
    paris = ZoneInfo(settings.TIME_ZONE)
    monday = day - timedelta(days=day.weekday())
    return (
        datetime.combine(monday, clock.min, tzinfo=paris),
        datetime.combine(monday + timedelta(days=7), clock.min, tzinfo=paris),
    )


def measure_agenda(iterations, report=print):
    """The agenda of the professional with the most appointments: this week, the week before, one busy day; the
    week's page side by side with its hand-written query. Returns (scenarios, details)."""
    busiest = busiest_professional()
    if busiest is None:
        raise BenchError("Aucun rendez-vous généré : lancez la génération (python -m bench sans --measure-only).")
    user_id, structure_id, total = busiest
    membership = _membership(user_id, structure_id)
    client = _client_acting_for(membership)
    url = reverse("pathway:agenda")
    today = timezone.localdate()
    last_week = today - timedelta(days=7)
    start, end = _week(today)
    week_count = Appointment.objects.filter(professional_id=user_id, starts_at__gte=start, starts_at__lt=end).count()
    two_weeks = Appointment.objects.filter(
        professional_id=user_id, starts_at__gte=start - timedelta(days=7), starts_at__lt=end
    ).values_list("starts_at", flat=True)
    days = {}
    for moment in two_weeks:
        day = timezone.localtime(moment).date()
        days[day] = days.get(day, 0) + 1
    busiest_day = max(days, key=days.get) if days else today
    count = WARM_UP + iterations
    report(f"Agenda du professionnel qui a le plus de rendez-vous ({total}), {week_count} cette semaine…")
    week, sql_week = _measure_in_turns(
        Scenario("agenda_week", f"Agenda : semaine en cours ({week_count} rendez-vous)"),
        Scenario("sql_agenda", "dont SQL écrit à la main : la semaine de l'agenda"),
        [(partial(client.get, url), 200)] * count,
        AGENDA_SQL,
        {"user": user_id, "structure": structure_id, "start": start, "end": end},
        iterations,
    )
    previous = _measure(
        "agenda_previous_week",
        "… la semaine précédente (présences notées)",
        [(partial(client.get, url, {"date": last_week.isoformat()}), 200)] * count,
    )
    day = _measure(
        "agenda_day",
        f"… par jour, le plus chargé des deux semaines ({days.get(busiest_day, 0)} rendez-vous)",
        [(partial(client.get, url, {"vue": "jour", "date": busiest_day.isoformat()}), 200)] * count,
    )
    details = {
        "agenda_professional": str(membership),
        "agenda_appointments": total,
        "agenda_week": week_count,
        "appointments": Appointment.objects.count(),
    }
    return [week, sql_week, previous, day], details, _ratio(week, sql_week)


def _ratio(page, sql):
    page_p95, sql_p95 = page.summary()["p95_ms"], sql.summary()["p95_ms"]
    return {
        "page_p50_ms": round(statistics.median(page.times_ms), 1),
        "sql_p50_ms": round(statistics.median(sql.times_ms), 2),
        "ratio_p50": round(statistics.median(page.times_ms) / statistics.median(sql.times_ms), 1),
        "page_p95_ms": page_p95,
        "sql_p95_ms": sql_p95,
        "ratio_p95": round(page_p95 / sql_p95, 1) if sql_p95 else None,
        "page_queries": statistics.median(page.queries),
    }


def run(iterations, rng, report=print):
    """Every follow-up scenario; returns (scenarios, details) where details holds the ratios to raw SQL."""
    actors = choose_actors()
    big_reader = _client_acting_for(actors.big_reader)
    referent = _client_acting_for(actors.referent)
    big_url = reverse("pathway:carnet", args=[actors.big.public_id])
    caseload_url = reverse("pathway:caseload")
    count = WARM_UP + iterations
    scenarios = []

    report("Socle : une page sans données, connecté…")
    scenarios.append(
        _measure(
            "baseline",
            "Socle : page sans données, connecté (session, compte, gabarit)",
            [(partial(big_reader.get, reverse("accessibility")), 200)] * count,
        )
    )
    report(f"Carnet de {actors.big_events} événements, lu par son référent…")
    big = _measure(
        "carnet_big", "Carnet de 1 000 événements, page 1", [(partial(big_reader.get, big_url), 200)] * count
    )
    big_filtered = _measure(
        "carnet_big_filtered",
        "… filtré par nature, page 5",
        [(partial(big_reader.get, big_url, {"nature": "informations-de-la-personne", "page": 5}), 200)] * count,
    )
    big_htmx = _measure(
        "carnet_big_htmx",
        "… le fil seul (htmx), page 10",
        [
            (
                partial(big_reader.get, big_url, {"page": 10}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fil-du-carnet"),
                200,
            )
        ]
        * count,
    )
    sql_timeline = _measure_sql(
        "sql_timeline",
        "dont SQL écrit à la main : une page du fil",
        TIMELINE_SQL,
        {
            "person": actors.big.pk,
            "structure": actors.big_reader.structure_id,
            "user": actors.big_reader.user_id,
        },
        iterations,
    )
    scenarios += [big, big_filtered, big_htmx, sql_timeline]

    report("Carnets ordinaires du référent le plus chargé…")
    typical = [rng.choice(actors.caseload) for _ in range(count)]
    scenarios.append(
        _measure(
            "carnet_typical",
            "Carnet d'une personne suivie (tirée au hasard)",
            [(partial(referent.get, reverse("pathway:carnet", args=[public_id])), 200) for public_id in typical],
        )
    )

    report("« Mes personnes » du référent le plus chargé…")
    caseload = _measure("caseload", "Mes personnes, page 1", [(partial(referent.get, caseload_url), 200)] * count)
    caseload_sorted = _measure(
        "caseload_filtered",
        "… dont je suis référent, par date d'entrée",
        [(partial(referent.get, caseload_url, {"referent": "oui", "tri": "-entered_at"}), 200)] * count,
    )
    sql_caseload = _measure_sql(
        "sql_caseload",
        "dont SQL écrit à la main : page 1 de mes personnes",
        CASELOAD_SQL,
        {"user": actors.referent.user_id, "structure": actors.referent.structure_id},
        iterations,
    )
    exports = max(iterations // 10, 5)
    export = _measure(
        "caseload_export",
        f"Mes personnes : export CSV ({exports} fois)",
        [(partial(referent.get, reverse("pathway:caseload_export", args=["csv"])), 200)] * (WARM_UP + exports),
    )
    scenarios += [caseload, caseload_sorted, sql_caseload, export]

    ratios = {"carnet": _ratio(big, sql_timeline), "caseload": _ratio(caseload, sql_caseload)}
    agenda_details = {}
    if Appointment.objects.exists():
        agenda_scenarios, agenda_details, ratios["agenda"] = measure_agenda(iterations, report)
        scenarios += agenda_scenarios

    details = {
        "big_carnet_events": actors.big_events,
        "timeline_events": TimelineEvent.objects.count(),
        "big_reader": str(actors.big_reader),
        "referent": str(actors.referent),
        "referent_people": actors.referent_people,
        "caseload": len(actors.caseload),
        **agenda_details,
        "ratios": ratios,
        "cpu_p50_ms": {key: round(statistics.median(values), 1) for key, values in CPU_MS.items() if values},
        "load_average": list(os.getloadavg()),
    }
    return scenarios, details


def ratio_lines(details):
    labels = {
        "carnet": "Carnet de 1 000 événements",
        "caseload": "Mes personnes",
        "agenda": "Agenda, semaine en cours",
    }
    cpu = details.get("cpu_p50_ms", {})
    lines = [
        "  Temps de calcul du processus, médiane (indépendant de la charge de la machine, charge moyenne "
        + " / ".join(f"{value:.1f}" for value in details.get("load_average", []))
        + ") : "
        + " ; ".join(f"{key} {value:g} ms" for key, value in cpu.items())
    ]
    for key, label in labels.items():
        ratio = details["ratios"].get(key)
        if ratio is None:
            continue
        lines.append(
            f"  {label} : page {ratio['page_p50_ms']:g} ms ({ratio['page_queries']:g} requêtes), "
            f"requête principale écrite à la main {ratio['sql_p50_ms']:g} ms : rapport {ratio['ratio_p50']:g}"
            + (
                f" ; au 95e centile {ratio['page_p95_ms']:g} ms contre {ratio['sql_p95_ms']:g} ms, "
                f"rapport {ratio['ratio_p95']:g}"
                if ratio.get("ratio_p95")
                else ""
            )
        )
    return lines
