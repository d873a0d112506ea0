"""The offer at the scale of a département: the catalogue search through the real view, the same search through
the ORM alone and as hand-written SQL (the ratio says what the ORM costs), « Trouver une offre » from a carnet, the
receiving structure's inbox, a structure's sent referrals and one referral.

Each search draws another commune (weighted by population) and another need, as professionals do over a day.
"""

import random
import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, reset_queries
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from bench.measure import WARM_UP, BenchError, Scenario, _client_acting_for, _timed
from entry.models import Diagnostic
from offer import schema, search
from offer.indexing import CATEGORY, FEES, PUBLIC, ZONE, key
from offer.models import Referral, Service
from offer.views import PAGE_SIZE
from pathway.models import TeamMember
from territory.models import Commune

CATEGORIES = [category.value for category in schema.Categorie]
PUBLICS = [public.value for public in schema.Public if public.value != schema.ALL_PUBLICS]
WORDS = ["permis", "logement", "numerique", "budget", "francais", "emploi", "sante", "formation"]


@dataclass
class OfferActors:
    prescriber: Membership
    receiver: Membership
    caseload: list


def choose_actors():
    """The structure that sent the most referrals (one of its professionals) and the one that received the most."""
    sent = (
        Referral.objects.values("sender_structure_id", "sender_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "sender_id")
        .first()
    )
    received = (
        Referral.objects.exclude(receiver_structure=None)
        .values("receiver_structure_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "receiver_structure_id")
        .first()
    )
    if sent is None or received is None:
        raise BenchError("Aucune orientation générée : lancez la génération (python -m bench sans --measure-only).")
    prescriber = Membership.objects.select_related("user", "structure").get(
        user_id=sent["sender_id"], structure_id=sent["sender_structure_id"]
    )
    receiver = (
        Membership.objects.filter(structure_id=received["receiver_structure_id"], is_active=True)
        .select_related("user", "structure")
        .order_by("pk")
        .first()
    )
    caseload = list(
        TeamMember.objects.filter(user=prescriber.user, structure=prescriber.structure, ended_at__isnull=True)
        .filter(pathway__person__in=Diagnostic.objects.values("person_id"))
        .values_list("pathway__person__public_id", flat=True)[:2000]
    )
    return OfferActors(prescriber=prescriber, receiver=receiver, caseload=caseload)


def draw_criteria(rng, count, communes, *, category=True, public=False, text=False):
    pick = partial(rng.choices, communes, weights=[max(commune.population, 50) for commune in communes])
    drawn = []
    for _ in range(count):
        drawn.append(
            search.Criteria(
                commune=pick()[0],
                categories=[rng.choice(CATEGORIES)] if category else [],
                public=rng.choice(PUBLICS) if public else "",
                fees="gratuit" if public else "",
                text=rng.choice(WORDS) if text else "",
            )
        )
    return drawn


def as_query(criteria):
    query = {"commune": criteria.commune.code}
    for name, value in (("categories", criteria.categories), ("public", criteria.public), ("fees", criteria.fees)):
        if value:
            query[name] = value
    if criteria.text:
        query["q"] = criteria.text
    return query


def orm_search(criteria):
    """What the view computes: the first page with its total (the rows shown with theirs), and the facets."""
    page = search.results_page(criteria, 1, PAGE_SIZE)
    return page.paginator.count, page.object_list, search.facets(criteria).counts


def sql_search(criteria, today):
    """The same search written by hand for PostgreSQL, in two statements as the ORM sends: the eligible services
    with their closeness (the zone keys read once, grouped) and whether each meets each facet's filter; then the
    page with its total, and the facet counts in one pass over the keys of the eligible services."""
    levels = search.zone_levels(criteria.commune)
    params = {"zones": [key(ZONE, code) for code, _ in levels], "today": today}
    ranks = []
    for code, level in levels[:-1]:
        params[f"rank{level}"] = key(ZONE, code)
        ranks.append(f"WHEN %(rank{level})s THEN {level}")
    flags = {}
    if criteria.categories:
        flags["t"] = "k.key = ANY(%(themes)s)"
        params["themes"] = [key(CATEGORY, value) for value in criteria.categories]
    if criteria.public:
        flags["p"] = "k.key = ANY(%(publics)s)"
        params["publics"] = [key(PUBLIC, criteria.public), key(PUBLIC, schema.ALL_PUBLICS)]
    if criteria.fees:
        flags["f"] = "k.key = %(fees)s"
        params["fees"] = key(FEES, criteria.fees)
    words = []
    for index, word in enumerate(criteria.text.split()):
        words.append(f"AND s.search_text LIKE %(word{index})s")
        params[f"word{index}"] = f"%{word}%"
    meets = "".join(
        f", EXISTS (SELECT 1 FROM offer_servicekey k WHERE k.service_id = s.id AND {condition}) AS meets_{name}"
        for name, condition in flags.items()
    )
    eligible = f"""
        WITH zones AS (
            SELECT k.service_id, min(CASE k.key {" ".join(ranks)} ELSE 3 END) AS closeness
            FROM offer_servicekey k WHERE k.key = ANY(%(zones)s) GROUP BY k.service_id
        ), eligible AS (
            SELECT s.id, z.closeness {meets}
            FROM offer_service s JOIN zones z ON z.service_id = s.id
            WHERE s.status = 'published' {" ".join(words)}
        )
    """
    every = " AND ".join(f"e.meets_{name}" for name in flags) or "TRUE"

    def others(*names):
        kept = [f"e.meets_{name}" for name in flags if name not in names]
        return " AND ".join(kept) or "TRUE"

    page = f"""{eligible}
        SELECT s.*, st.name, es.name, c.name, e.closeness,
               CASE WHEN s.suspended_from <= %(today)s
                         AND (s.suspended_until IS NULL OR s.suspended_until >= %(today)s) THEN 3
                    WHEN s.capacity = 'full' THEN 2 WHEN s.capacity = 'waiting_list' THEN 1 ELSE 0 END AS availability,
               count(*) OVER () AS total
        FROM eligible e JOIN offer_service s ON s.id = e.id
        LEFT JOIN accounts_structure st ON st.id = s.structure_id
        LEFT JOIN offer_externalstructure es ON es.id = s.external_structure_id
        LEFT JOIN territory_commune c ON c.code = s.commune_id
        WHERE {every}
        ORDER BY e.closeness, availability, s.updated_at DESC, s.name, s.id
        LIMIT {PAGE_SIZE}
    """
    facets = f"""{eligible}
        SELECT k.key, count(*) FROM offer_servicekey k JOIN eligible e ON e.id = k.service_id
        WHERE CASE split_part(k.key, ':', 1)
                WHEN 'z' THEN FALSE
                WHEN 'c' THEN {others("t")} WHEN 't' THEN {others("t")}
                WHEN 'p' THEN {others("p")} WHEN 'f' THEN {others("f")}
                ELSE {every} END
        GROUP BY k.key
    """
    with connection.cursor() as cursor:
        cursor.execute(page, params)
        rows = cursor.fetchall()
        cursor.execute(facets, params)
        counts = dict(cursor.fetchall())
    return (rows[0][-1] if rows else 0), rows, counts


def _measure_calls(key_, label, calls):
    scenario = Scenario(key_, label)
    for index, call in enumerate(calls):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
        if index >= WARM_UP:
            scenario.add(elapsed, len(captured.captured_queries))
    return scenario


def _measure_pages(key_, label, calls):
    scenario = Scenario(key_, label)
    for index, (call, status) in enumerate(calls):
        _, elapsed, queries = _timed(call, status)
        if index >= WARM_UP:
            scenario.add(elapsed, queries)
    return scenario


def _check_same(criteria_list, today):
    """The hand-written SQL finds what the ORM finds: same count, same first page, same facets."""
    for criteria in criteria_list[:20]:
        total, rows, counts = orm_search(criteria)
        raw_total, raw_rows, raw_counts = sql_search(criteria, today)
        if total != raw_total or [row.pk for row in rows] != [row[0] for row in raw_rows] or counts != raw_counts:
            raise BenchError(f"La requête SQL écrite à la main ne trouve pas la même chose que l'ORM ({criteria}).")


def run(iterations, rng, report=print):
    rng = random.Random(rng.random())
    actors = choose_actors()
    today = timezone.localdate()
    communes = list(Commune.objects.filter(departement_id=settings.RELAIS_DEPARTEMENT))
    client = _client_acting_for(actors.prescriber)
    receiving = _client_acting_for(actors.receiver)
    url = reverse("offer:search")
    total = WARM_UP + iterations
    scenarios = []

    by_category = draw_criteria(rng, total, communes)
    commune_only = draw_criteria(rng, total, communes, category=False)
    detailed = draw_criteria(rng, total, communes, public=True)
    words = draw_criteria(rng, total, communes, category=False, text=True)
    _check_same(by_category[:7] + detailed[:7] + words[:6], today)

    report("Offre : recherche par commune et thématique…")
    for key_, label, drawn in (
        ("offer_search_category", "Offre : recherche commune + thématique (GET)", by_category),
        ("offer_search_commune", "Offre : recherche commune seule (GET)", commune_only),
        ("offer_search_detailed", "Offre : commune + thématique + public + gratuit (GET)", detailed),
        ("offer_search_words", "Offre : commune + mot-clé (GET)", words),
    ):
        scenarios.append(
            _measure_pages(key_, label, [(partial(client.get, url, as_query(criteria)), 200) for criteria in drawn])
        )

    report("… la même recherche par l'ORM seul, puis en SQL écrit à la main…")
    orm = _measure_calls(
        "offer_search_orm",
        "dont ORM seul : page 1 et total, facettes (commune + thématique)",
        [partial(orm_search, criteria) for criteria in by_category],
    )
    raw = _measure_calls(
        "offer_search_sql",
        "même recherche en SQL écrit à la main (commune + thématique)",
        [partial(sql_search, criteria, today) for criteria in by_category],
    )
    orm_detailed = _measure_calls(
        "offer_search_orm_detailed",
        "dont ORM seul : commune + thématique + public + gratuit",
        [partial(orm_search, criteria) for criteria in detailed],
    )
    raw_detailed = _measure_calls(
        "offer_search_sql_detailed",
        "même recherche en SQL écrit à la main (+ public + gratuit)",
        [partial(sql_search, criteria, today) for criteria in detailed],
    )
    scenarios += [orm, raw, orm_detailed, raw_detailed]

    if actors.caseload:
        report("« Trouver une offre » depuis le carnet…")
        people = [rng.choice(actors.caseload) for _ in range(total)]
        scenarios.append(
            _measure_pages(
                "offer_person_search",
                "Offre : « Trouver une offre » depuis le carnet (commune + freins du diagnostic)",
                [(partial(client.get, reverse("offer:person_search", args=[uuid])), 200) for uuid in people],
            )
        )

    report("Prescriptions reçues, envoyées, une prescription…")
    inbox = reverse("offer:referral_inbox")
    scenarios.append(
        _measure_pages("offer_inbox", "Prescriptions reçues, page 1", [(partial(receiving.get, inbox), 200)] * total)
    )
    scenarios.append(
        _measure_pages(
            "offer_inbox_awaiting",
            "Prescriptions reçues : à traiter, page 1",
            [(partial(receiving.get, inbox, {"statut": "a_traiter"}), 200)] * total,
        )
    )
    scenarios.append(
        _measure_pages(
            "offer_sent",
            "Prescriptions envoyées, page 1",
            [(partial(client.get, reverse("offer:referral_sent")), 200)] * total,
        )
    )
    received = list(
        Referral.objects.filter(receiver_structure=actors.receiver.structure)
        .order_by("?")
        .values_list("public_id", flat=True)[:total]
    )
    scenarios.append(
        _measure_pages(
            "offer_referral_detail",
            "Une prescription reçue",
            [(partial(receiving.get, reverse("offer:referral_detail", args=[uuid])), 200) for uuid in received],
        )
    )

    orm_summary, raw_summary = orm.summary(), raw.summary()
    detailed_orm, detailed_raw = orm_detailed.summary(), raw_detailed.summary()
    details = {
        "services": {
            "published": Service.objects.filter(status="published").count(),
            "referrals": Referral.objects.count(),
        },
        "prescriber": str(actors.prescriber),
        "receiver": str(actors.receiver.structure),
        "received": Referral.objects.filter(receiver_structure=actors.receiver.structure).count(),
        "sent": Referral.objects.filter(sender_structure=actors.prescriber.structure).count(),
        "orm_vs_sql": {
            "p50_ratio": round(orm_summary["p50_ms"] / raw_summary["p50_ms"], 2),
            "p95_ratio": round(orm_summary["p95_ms"] / raw_summary["p95_ms"], 2),
            "detailed_p50_ratio": round(detailed_orm["p50_ms"] / detailed_raw["p50_ms"], 2),
            "detailed_p95_ratio": round(detailed_orm["p95_ms"] / detailed_raw["p95_ms"], 2),
        },
    }
    return scenarios, details


def summary_lines(details):
    ratio = details["orm_vs_sql"]
    return [
        f"  services publiés : {details['services']['published']}, orientations : {details['services']['referrals']}",
        f"  prescriptions reçues par {details['receiver']} : {details['received']} ; "
        f"envoyées par la structure de {details['prescriber']} : {details['sent']}",
        f"  ORM / SQL écrit à la main (commune + thématique) : p50 × {ratio['p50_ratio']}, p95 × {ratio['p95_ratio']}",
        f"  ORM / SQL écrit à la main (+ public + gratuit) : p50 × {ratio['detailed_p50_ratio']}, "
        f"p95 × {ratio['detailed_p95_ratio']}",
    ]
