"""Server time and SQL queries of the main pages, measured in-process with Django's test client.

The time is the one of the whole request through the middleware, the view and the templates, without any
network: what a server spends per request. Each scenario starts with a few requests that are not measured
(caches, first connection).
"""

import json
import platform
import random
import statistics
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import django
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import connection, reset_queries
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, Structure, User
from bench.database import BENCH_DOMAIN
from bench.generate.accounts import PASSWORD
from pathway.models import TimelineEvent
from people.models import Person

RESULTS_DIR = Path(__file__).resolve().parent / "results"
WARM_UP = 3


class BenchError(Exception):
    pass


@dataclass
class Scenario:
    key: str
    label: str
    times_ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)

    def add(self, elapsed_ms, queries):
        self.times_ms.append(elapsed_ms)
        self.queries.append(queries)

    def summary(self):
        times = sorted(self.times_ms)
        return {
            "key": self.key,
            "label": self.label,
            "count": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 95), 1),
            "max_ms": round(times[-1], 1),
            "mean_ms": round(statistics.fmean(times), 1),
            "queries_median": statistics.median(self.queries),
            "queries_min": min(self.queries),
            "queries_max": max(self.queries),
        }


def _percentile(sorted_values, percent):
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[percent - 1]


def _timed(call, expected_status):
    # The query log keeps the last 9,000 queries only; counting needs it empty at the start.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = call()
        elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != expected_status:
        raise BenchError(
            f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} a répondu "
            f"{response.status_code} au lieu de {expected_status}."
        )
    return response, elapsed_ms, len(captured.captured_queries)


@dataclass
class Actors:
    """Who the scenarios act as, chosen among the generated data."""

    logins: list
    big_structure: Structure
    admin: Membership
    coordinator: Membership


def choose_actors():
    bench_users = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}", is_active=True)
    logins = list(
        bench_users.filter(memberships__is_active=True, memberships__structure__is_validated=True)
        .distinct()
        .order_by("pk")
        .values_list("email", flat=True)
    )
    big_structure = (
        Structure.objects.filter(is_validated=True, email__endswith=f"@{BENCH_DOMAIN}")
        .annotate(active_members=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("-active_members", "pk")
        .first()
    )
    if not logins or big_structure is None:
        raise BenchError("Aucune donnée générée : lancez d'abord la génération (python -m bench sans --measure-only).")
    admin = (
        Membership.objects.filter(
            structure=big_structure, role=Role.STRUCTURE_ADMIN, is_active=True, is_coordinator=False
        )
        .select_related("user", "structure")
        .order_by("pk")
        .first()
    )
    coordinator = (
        Membership.objects.filter(is_coordinator=True, is_active=True, user__in=bench_users)
        .select_related("user", "structure")
        .order_by("pk")
        .first()
    )
    if admin is None or coordinator is None:
        raise BenchError("Les données générées n'ont ni administrateur de grande structure ni coordinateur.")
    return Actors(logins=logins, big_structure=big_structure, admin=admin, coordinator=coordinator)


def _client_acting_for(membership):
    """A client logged in without the password form, acting for ``membership``'s structure."""
    client = Client()
    client.force_login(membership.user)
    _timed(partial(client.post, reverse("accounts:switch_structure"), {"membership": membership.public_id}), 302)
    return client


def measure_login(actors, iterations, rng):
    """Log in through the form as a random professional, then follow the redirection to the home page."""
    login = Scenario("login_post", "Connexion : envoi du formulaire (POST)")
    home = Scenario("home_after_login", "Accueil juste après la connexion (GET)")
    login_url = reverse("accounts:login")
    for index in range(WARM_UP + iterations):
        client = Client()
        email = rng.choice(actors.logins)
        response, login_ms, login_queries = _timed(
            partial(client.post, login_url, {"email": email, "password": PASSWORD}), 302
        )
        _, home_ms, home_queries = _timed(partial(client.get, response["Location"]), 200)
        client.logout()
        if index >= WARM_UP:
            login.add(login_ms, login_queries)
            home.add(home_ms, home_queries)
    return [login, home]


def measure_hashing(iterations):
    """Checking one password alone: the share of the login that the hasher takes, by design."""
    scenario = Scenario("password_check", f"dont vérification du mot de passe seule ({get_hasher().algorithm})")
    encoded = make_password(PASSWORD)
    for _ in range(iterations):
        started = time.perf_counter()
        check_password(PASSWORD, encoded)
        scenario.add((time.perf_counter() - started) * 1000, 0)
    return scenario


def measure_page(key, label, client, url, iterations):
    scenario = Scenario(key, label)
    for index in range(WARM_UP + iterations):
        _, elapsed_ms, queries = _timed(partial(client.get, url), 200)
        if index >= WARM_UP:
            scenario.add(elapsed_ms, queries)
    return scenario


def run(
    iterations=200, login_iterations=None, hash_iterations=20, seed=91, report=print, search_only=False, only=None
):
    """Run every scenario (the person search and the matching quality only, with ``search_only``; or ``only``
    those of « entry », « offer », « carnet » or « alerts »); returns the results as a dictionary (what
    ``latest.json`` holds)."""
    rng = random.Random(seed)
    actors = choose_actors()
    admin_client = _client_acting_for(actors.admin)
    coordinator_client = _client_acting_for(actors.coordinator)
    big = actors.big_structure
    structure_list = reverse("accounts:structure_list")
    scenarios = []

    pages = []
    if only is None and not search_only:
        report(f"Connexions ({login_iterations or iterations} professionnels tirés au hasard)…")
        scenarios += measure_login(actors, login_iterations or iterations, rng)
        scenarios.append(measure_hashing(hash_iterations))
        pages = [
            ("home_admin", "Accueil, administrateur de la plus grande structure", admin_client, "/"),
            ("home_coordinator", "Accueil, coordinateur", coordinator_client, "/"),
            ("structure_list", "Partenaires : liste, page 1", admin_client, structure_list),
            ("structure_search", "Partenaires : recherche « evry »", admin_client, f"{structure_list}?q=evry"),
            (
                "structure_detail",
                "Fiche de la plus grande structure (membres)",
                admin_client,
                reverse("accounts:structure_detail", kwargs={"public_id": big.public_id}),
            ),
        ]
    for key, label, client, url in pages:
        report(f"{label}…")
        scenarios.append(measure_page(key, label, client, url, iterations))

    entry = matching = None
    if Person.objects.exists() and only in (None, "entry"):
        from bench import measure_entry  # It builds on this module.

        entry_scenarios, entry = measure_entry.run(iterations, rng, report, search_only=search_only)
        scenarios += entry_scenarios
        from bench import measure_matching

        matching = measure_matching.run(seed, report)

    offer = None
    from offer.models import Referral  # The offer is measured once its referrals are generated.

    if not search_only and Referral.objects.exists() and only in (None, "offer"):
        from bench import measure_offer

        offer_scenarios, offer = measure_offer.run(iterations, rng, report)
        scenarios += offer_scenarios
    carnet = None
    if not search_only and TimelineEvent.objects.exists() and only in (None, "carnet"):
        from bench import measure_carnet  # It builds on this module.

        carnet_scenarios, carnet = measure_carnet.run(iterations, rng, report)
        scenarios += carnet_scenarios

    alerts = None
    if not search_only and Person.objects.exists() and only in (None, "alerts"):
        from bench import measure_alerts  # It builds on this module.

        alert_scenarios, alerts = measure_alerts.run(iterations, report)
        scenarios += alert_scenarios

    return {
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "iterations": iterations,
        "database": {"vendor": connection.vendor, "name": connection.settings_dict["NAME"], "server": _server()},
        "django": django.get_version(),
        "python": platform.python_version(),
        "password_hasher": {
            "algorithm": get_hasher().algorithm,
            "iterations": getattr(get_hasher(), "iterations", None),
        },
        "actors": {
            "big_structure": big.name,
            "big_structure_active_members": big.active_members,
            "admin_memberships": actors.admin.user.memberships.count(),
            "logins": len(actors.logins),
        },
        "scenarios": [scenario.summary() for scenario in scenarios],
        "entry": entry,
        "matching": matching,
        "offer": offer,
        "carnet": carnet,
        "alerts": alerts,
    }


def _server():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def write(results, path=None):
    path = Path(path) if path else RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def table(results):
    """The results as a plain-text table, one scenario a line."""
    headers = ("Scénario", "n", "p50 ms", "p95 ms", "max ms", "requêtes SQL")
    rows = []
    for row in results["scenarios"]:
        queries = (
            f"{row['queries_median']:g}"
            if row["queries_min"] == row["queries_max"]
            else f"{row['queries_median']:g} ({row['queries_min']}–{row['queries_max']})"
        )
        rows.append(
            (
                row["label"],
                str(row["count"]),
                f"{row['p50_ms']:.1f}",
                f"{row['p95_ms']:.1f}",
                f"{row['max_ms']:.1f}",
                queries,
            )
        )
    widths = [max(len(line[column]) for line in [headers, *rows]) for column in range(len(headers))]
    lines = []
    for number, line in enumerate([headers, *rows]):
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
