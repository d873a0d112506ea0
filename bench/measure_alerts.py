"""The rupture alerts at the scale of a département: the daily computation over every pathway, then « Mes alertes »
of the référent with the most alerts to handle, their structure's list and the coordination's counts by EPCI.

The computation is measured twice: a first run that opens every alert of the département (the alerts of the bench
database are removed before, with their timeline events and history), then the next day's run, when the situations
are the same (idempotent: nothing opened, nothing lifted), which is what a worker does every morning.
"""

import time

from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import Membership
from bench.database import BENCH_DOMAIN
from bench.measure import BenchError, _client_acting_for, measure_page
from pathway import ruptures
from pathway.models import OPEN_ALERT_STATUSES, Alert, Pathway


def _forget_alerts():
    """The bench database only: alerts, their timeline events and their (append-only) history, removed in SQL."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pathway_alert")
        cursor.execute("DELETE FROM pathway_timelineevent WHERE kind LIKE 'pathway.alert_%%'")
        cursor.execute("DELETE FROM audit_changelog WHERE object_type = 'pathway.alert'")


def measure_computation(report):
    pathways = Pathway.objects.filter(person__merged_into__isnull=True).count()
    _forget_alerts()
    report(f"Calcul des alertes de rupture sur {pathways:,} parcours (premier passage)…".replace(",", "\u202f"))
    started = time.perf_counter()
    first = ruptures.compute()
    first_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_alert")
    report("Calcul des alertes de rupture (passage du lendemain, situations inchangées)…")
    started = time.perf_counter()
    second = ruptures.compute()
    second_seconds = time.perf_counter() - started
    return {
        "pathways": pathways,
        "first_run_seconds": round(first_seconds, 1),
        "first_run": first,
        "next_run_seconds": round(second_seconds, 1),
        "next_run": second,
        "open_alerts": Alert.objects.filter(status__in=OPEN_ALERT_STATUSES).count(),
    }


def busiest_referent():
    """The active membership of the référent with the most open alerts of their people."""
    referent = (
        Alert.objects.filter(status__in=OPEN_ALERT_STATUSES, person__pathway__referent__isnull=False)
        .values("person__pathway__referent_id", "person__pathway__referent_structure_id")
        .annotate(count=Count("pk"))
        .order_by("-count")
        .first()
    )
    if referent is None:
        raise BenchError(
            "Aucune alerte ouverte d'un référent : la génération a-t-elle créé des parcours accompagnés ?"
        )
    membership = Membership.objects.select_related("user", "structure").get(
        user_id=referent["person__pathway__referent_id"],
        structure_id=referent["person__pathway__referent_structure_id"],
        is_active=True,
    )
    return membership, referent["count"]


def run(iterations, report=print):
    computation = measure_computation(report)
    membership, count = busiest_referent()
    client = _client_acting_for(membership)
    coordinator = Membership.objects.filter(
        is_coordinator=True, is_active=True, user__email__endswith=f"@{BENCH_DOMAIN}"
    ).first()
    structure_count = Alert.objects.filter(
        Q(status__in=OPEN_ALERT_STATUSES), person__pathway__referent_structure_id=membership.structure_id
    ).count()
    pages = [
        (
            "baseline",
            "Socle : page sans données, connecté (même série)",
            client,
            reverse("accessibility"),
        ),
        (
            "my_alerts",
            f"Mes alertes du référent le plus chargé ({count} alertes)",
            client,
            reverse("pathway:my_alerts"),
        ),
        (
            "structure_alerts",
            f"Alertes de sa structure ({structure_count} alertes), page 1",
            client,
            reverse("pathway:structure_alerts"),
        ),
    ]
    if coordinator is not None:
        pages.append(
            (
                "alert_counts",
                "Alertes par EPCI, coordinateur",
                _client_acting_for(coordinator),
                reverse("pathway:alert_counts"),
            )
        )
    scenarios = []
    for key, label, page_client, url in pages:
        report(f"{label}…")
        scenarios.append(measure_page(key, label, page_client, url, iterations))
    return scenarios, computation


def _number(value):
    return f"{value:,}".replace(",", "\u202f")


def lines(computation):
    first, following = computation["first_run"], computation["next_run"]
    opened = sum(item["opened"] for item in first.values())
    by_rule = ", ".join(
        f"{ruptures.rule_label(key).lower()} : {_number(item['opened'])}" for key, item in first.items()
    )
    changed = sum(item["opened"] + item["resolved"] for item in following.values())
    return [
        f"  premier passage : {computation['first_run_seconds']} s, {_number(opened)} alertes ouvertes ({by_rule})",
        f"  passage du lendemain : {computation['next_run_seconds']} s, {changed} alerte(s) ouverte(s) ou levée(s)",
    ]
