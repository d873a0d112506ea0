"""The entry pages at the scale of a département: the person search, the orientation worklist, a person's page
and a professional's caseload, through the real views; and the matching alone, with its ranking quality.

The searches are those of a professional at the desk: a person who exists, whose last name is typed with one
typo (a letter replaced by a neighbour on the keyboard, missed, doubled or swapped with the next one), with
their first name and birth date, or without the birth date; or the exact NIR. Each measured search looks for
another person, drawn at random among everyone.
"""

import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, reset_queries
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import Membership, Structure
from bench.database import BENCH_DOMAIN
from bench.measure import WARM_UP, BenchError, Scenario, _client_acting_for, _timed
from pathway.models import TeamMember
from people import matching
from people.comparison import first_name_beginnings, plausible_birth_dates
from people.identity import last_name_variants, phonetic
from people.models import Person
from relais.text import fold

# Letters next to each other on a French (AZERTY) keyboard: the usual slip of the finger.
AZERTY_NEIGHBOURS = {
    "a": "zqs",
    "z": "aeqsd",
    "e": "zrsdf",
    "r": "etdfg",
    "t": "ryfgh",
    "y": "tughj",
    "u": "yihjk",
    "i": "uojkl",
    "o": "iplm",
    "p": "olm",
    "q": "azsw",
    "s": "azeqdwx",
    "d": "zersfxc",
    "f": "ertdgcv",
    "g": "rtyfhvb",
    "h": "tyugjbn",
    "j": "yuihkn",
    "k": "uiojl",
    "l": "iopkm",
    "m": "oplù",
    "w": "qsx",
    "x": "wsdc",
    "c": "xdfv",
    "v": "cfgb",
    "b": "vghn",
    "n": "bhj",
}
TYPOS = ("neighbour", "missed", "doubled", "swapped")


def typo(rng, name):
    """``name`` with one typo, and its kind. The folded result always differs from the folded name."""
    letters = [index for index, char in enumerate(name) if fold(char).isalpha()]
    for _ in range(100):
        kind = rng.choice(TYPOS)
        index = rng.choice(letters)
        char = name[index]
        if kind == "neighbour":
            neighbours = AZERTY_NEIGHBOURS.get(fold(char), "")
            if not neighbours:
                continue
            replacement = rng.choice(neighbours)
            result = name[:index] + (replacement.upper() if char.isupper() else replacement) + name[index + 1 :]
        elif kind == "missed":
            if len(letters) < 3:
                continue
            result = name[:index] + name[index + 1 :]
        elif kind == "doubled":
            result = name[:index] + char.lower() + name[index:]
        else:
            following = index + 1
            if following >= len(name) or not fold(name[following]).isalpha():
                continue
            result = name[:index] + name[following] + char + name[following + 1 :]
        if fold(result).replace(" ", "") != fold(name).replace(" ", ""):
            return result, kind
    raise BenchError(f"Pas de faute de frappe possible dans « {name} ».")


@dataclass
class Searched:
    """A person looked for, and what the professional types."""

    person: Person
    last_name: str
    first_name: str
    typo: str

    def query(self, *, with_birth_date=True):
        return matching.Query(
            last_name=self.last_name,
            first_names=self.first_name,
            birth_date=self.person.birth_date if with_birth_date else None,
        )

    def form(self, *, with_birth_date=True):
        data = {"last_name": self.last_name, "first_names": self.first_name}
        if with_birth_date:
            data["birth_date"] = self.person.birth_date.isoformat()
        return data


def draw_searches(rng, count):
    """``count`` people drawn at random among everyone, each with the name typed with one typo."""
    ids = list(Person.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise BenchError("Aucune personne générée : lancez la génération (python -m bench sans --measure-only).")
    chosen = rng.sample(ids, min(count, len(ids)))
    people = Person.objects.in_bulk(chosen)
    searches = []
    for pk in chosen:
        person = people[pk]
        # A married woman gives her usage name or her birth name.
        name = person.usage_name if person.usage_name and rng.random() < 0.5 else person.birth_name
        typed, kind = typo(rng, name)
        searches.append(Searched(person, typed, person.first_names.split()[0], kind))
    return searches


def draw_nirs(rng, count):
    ids = list(Person.objects.filter(merged_into__isnull=True).exclude(nir_digest="").values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    return [person.nir for person in Person.objects.filter(pk__in=chosen)]


@dataclass
class EntryActors:
    professional: Membership
    caseload: list
    manager: Membership


def choose_actors():
    """The professional who follows the most people (through an active membership), and an orientation
    manager of the Département, whose zone is the whole département, for every public."""
    busiest = (
        TeamMember.objects.filter(
            ended_at__isnull=True,
            user__email__endswith=f"@{BENCH_DOMAIN}",
            user__memberships__structure=F("structure"),
            user__memberships__is_active=True,
        )
        .values("user_id", "structure_id")
        .annotate(people=Count("pk"))
        .order_by("-people", "user_id")
        .first()
    )
    if busiest is None:
        raise BenchError("Aucune personne suivie par un professionnel du banc d'essai.")
    professional = Membership.objects.select_related("user", "structure").get(
        user_id=busiest["user_id"], structure_id=busiest["structure_id"]
    )
    caseload = list(
        Person.objects.filter(pathway__team__user=professional.user, pathway__team__ended_at__isnull=True)
        .order_by("pk")
        .values_list("public_id", flat=True)
    )
    manager = (
        Membership.objects.filter(
            is_active=True,
            is_orientation_manager=True,
            structure__kind=Structure.Kind.DEPARTEMENT,
            structure__covers_departement=True,
            user__email__endswith=f"@{BENCH_DOMAIN}",
            orientation_publics=[],
        )
        .select_related("user", "structure")
        .order_by("pk")
        .first()
    )
    if manager is None:
        raise BenchError("Aucun chargé d'orientation du Département (zone : tout le département).")
    return EntryActors(professional=professional, caseload=caseload, manager=manager)


def _measure(key, label, calls):
    """``calls``: (callable, expected status) for each request; the first WARM_UP ones are not counted."""
    scenario = Scenario(key, label)
    for index, (call, status) in enumerate(calls):
        _, elapsed_ms, queries = _timed(call, status)
        if index >= WARM_UP:
            scenario.add(elapsed_ms, queries)
    return scenario


def _measure_find(key, label, queries):
    """``matching.find`` alone, and the rank of the person sought in what it returns."""
    scenario = Scenario(key, label)
    ranks = []
    for index, (query, sought) in enumerate(queries):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            found = matching.find(query)
            elapsed_ms = (time.perf_counter() - started) * 1000
        if index >= WARM_UP:
            scenario.add(elapsed_ms, len(captured.captured_queries))
            ranks.append(_rank(found, sought))
    return scenario, ranks


# The columns the matching reads of each candidate, as a hand-written query reads them.
RAW_COLUMNS = (
    "id, CAST(public_id AS text), birth_name, usage_name, first_names, birth_date, caf_number, nir_digest, sex, "
    "commune_id"
)


def _in(values):
    return f"({', '.join(['%s'] * len(values))})"


def raw_search(query):
    """The same search written by hand in one SQL statement, the reference of what the database alone costs: the
    people born on the date typed (or with day and month swapped); those whose last name is one typo away from the
    one typed (the names read from the name variants) or sounds the same, with a plausible birth date or a first
    name that begins as one typed; those with the CAF number typed. With a cursor, rows as tuples. The scoring in
    Python and the page are what ``find`` and the view add."""
    alive = "merged_into_id IS NULL"
    branches, params = [], []
    if query.birth_date:
        dates = [query.birth_date]
        if query.birth_date.day <= 12 and query.birth_date.day != query.birth_date.month:
            dates.append(query.birth_date.replace(day=query.birth_date.month, month=query.birth_date.day))
        branches.append(f"SELECT {RAW_COLUMNS} FROM people_person WHERE {alive} AND birth_date IN {_in(dates)}")
        params += dates
    variants = sorted(last_name_variants(query.last_name))
    if variants:
        names = f"(SELECT name FROM people_namevariant WHERE variant IN {_in(variants)})"
        one_of = f"= ANY(ARRAY{names})" if connection.vendor == "postgresql" else f"IN {names}"
        also, also_params = [], []
        if query.birth_date:
            plausible = plausible_birth_dates(query.birth_date)
            also.append(f"birth_date IN {_in(plausible)}")
            also_params += plausible
        for beginning in first_name_beginnings(query.first_names):
            also.append("first_names_key LIKE %s")
            also_params.append(f"%{beginning}%")
        sound = phonetic(query.last_name)
        branches.append(
            f"SELECT {RAW_COLUMNS} FROM people_person WHERE {alive} AND (birth_name_key {one_of} "
            f"OR (usage_name_key {one_of} AND NOT (usage_name_key = '')) OR last_name_phonetic = %s "
            f"OR usage_name_phonetic = %s)" + (f" AND ({' OR '.join(also)})" if also else "")
        )
        params += [*variants, *variants, sound, sound, *also_params]
    if query.caf_number:
        branches.append(f"SELECT {RAW_COLUMNS} FROM people_person WHERE {alive} AND caf_number = %s")
        params.append(query.caf_number.strip())
    if not branches:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches) + f" LIMIT {matching.MAX_CANDIDATES}", params)
        return cursor.fetchall()


def _measure_search(client, url, searches, *, with_birth_date):
    """The search page, ``find`` alone and the hand-written SQL, in turn for each search: a change of the
    machine's load touches the three alike. Returns the three scenarios and the rank of the person sought."""
    suffix, label = (
        ("", "nom avec faute + prénom + date")
        if with_birth_date
        else (
            "_no_birth_date",
            "nom avec faute + prénom, sans date",
        )
    )
    page = Scenario(
        f"person_search_typo{suffix}",
        f"Personnes : recherche {label}{' de naissance' if with_birth_date else ''} (POST)",
    )
    alone = Scenario(f"find_typo{suffix}", f"dont find() seul : {label}")
    raw = Scenario(f"raw_typo{suffix}", f"dont SQL écrit à la main : {label}")
    ranks = []
    for index, search in enumerate(searches):
        query = search.query(with_birth_date=with_birth_date)
        _, page_ms, page_queries = _timed(partial(client.post, url, search.form(with_birth_date=with_birth_date)), 200)
        found, find_ms, find_queries = _timed_call(partial(matching.find, query))
        _, raw_ms, raw_queries = _timed_call(partial(raw_search, query))
        if index >= WARM_UP:
            page.add(page_ms, page_queries)
            alone.add(find_ms, find_queries)
            raw.add(raw_ms, raw_queries)
            ranks.append(_rank(found, search.person.pk))
    return (page, alone, raw), ranks


def _timed_call(call):
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = call()
        elapsed_ms = (time.perf_counter() - started) * 1000
    return result, elapsed_ms, len(captured.captured_queries)


def _rank(found, sought):
    """(rank of the person sought, whether their score equals the first one's), or (None, False)."""
    for rank, match in enumerate(found, start=1):
        if match.person.pk == sought:
            return rank, match.score == found[0].score
    return None, False


def _ranking(ranks):
    count = len(ranks)

    def share(test):
        return round(100 * sum(1 for rank, tied in ranks if test(rank, tied)) / count, 1)

    return {
        "searches": count,
        "first_pct": share(lambda rank, tied: rank == 1),
        # Same score as the first: a homonym (same names, no birth date typed) listed before by alphabet.
        "first_or_tied_pct": share(lambda rank, tied: rank is not None and tied),
        "top5_pct": share(lambda rank, tied: rank is not None and rank <= 5),
        "found_pct": share(lambda rank, tied: rank is not None),
    }


def run(iterations, rng, report=print, search_only=False):
    """Every entry scenario (the person search only, with ``search_only``); returns (scenarios, details) where
    details holds the ranking quality and the ratios to hand-written SQL."""
    actors = choose_actors()
    professional = _client_acting_for(actors.professional)
    manager = _client_acting_for(actors.manager)
    person_list = reverse("entry:person_list")
    worklist = reverse("entry:worklist")
    searches = draw_searches(rng, WARM_UP + iterations)
    nirs = draw_nirs(rng, WARM_UP + iterations)
    scenarios = []

    report("Recherche d'une personne, nom avec une faute de frappe, prénom et date de naissance…")
    with_date, ranks_typo = _measure_search(professional, person_list, searches, with_birth_date=True)
    report("… sans la date de naissance…")
    without_date, ranks_no_date = _measure_search(professional, person_list, searches, with_birth_date=False)
    report("… par NIR…")
    nir_page = _measure(
        "person_search_nir",
        "Personnes : recherche par NIR exact (POST)",
        [(partial(professional.post, person_list, {"nir": nir}), 200) for nir in nirs],
    )
    find_nir, _ = _measure_find(
        "find_nir", "dont find() seul : NIR exact", [(matching.Query(nir=nir), None) for nir in nirs]
    )
    # In the order of the table: the pages, find() alone, the hand-written SQL.
    scenarios += [with_date[0], without_date[0], nir_page, with_date[1], without_date[1], find_nir]
    scenarios += [with_date[2], without_date[2]]
    if not search_only:
        scenarios += _other_pages(iterations, rng, report, actors, professional, manager, person_list, worklist)

    by_key = {scenario.key: scenario.summary() for scenario in scenarios}
    details = {
        "people": Person.objects.filter(merged_into__isnull=True).count(),
        # How much the view and find() cost above the database alone, at the 95th percentile.
        "raw_sql_ratio": {
            name: round(by_key[measured]["p95_ms"] / by_key[raw]["p95_ms"], 2)
            for name, measured, raw in (
                ("view_with_birth_date", "person_search_typo", "raw_typo"),
                ("view_without_birth_date", "person_search_typo_no_birth_date", "raw_typo_no_birth_date"),
                ("find_with_birth_date", "find_typo", "raw_typo"),
                ("find_without_birth_date", "find_typo_no_birth_date", "raw_typo_no_birth_date"),
            )
        },
        "professional": str(actors.professional),
        "caseload": len(actors.caseload),
        "manager": str(actors.manager),
        "ranking": {
            "typo_with_birth_date": _ranking(ranks_typo),
            "typo_without_birth_date": _ranking(ranks_no_date),
        },
        "typos": {kind: sum(search.typo == kind for search in searches[WARM_UP:]) for kind in TYPOS},
    }
    return scenarios, details


def _other_pages(iterations, rng, report, actors, professional, manager, person_list, worklist):
    """The orientation worklist, a person's page and the caseload."""
    scenarios = []
    report("Liste des orientations (chargé d'orientation du Département)…")
    scenarios.append(
        _measure(
            "worklist",
            "Orientations : à orienter, page 1 (tout le département)",
            [(partial(manager.get, worklist), 200)] * (WARM_UP + iterations),
        )
    )
    scenarios.append(
        _measure(
            "worklist_late",
            "Orientations : en retard, page 1 (tout le département)",
            [(partial(manager.get, worklist, {"vue": "en_retard"}), 200)] * (WARM_UP + iterations),
        )
    )

    report("Accueil du chargé d'orientation (sa boîte de réception)…")
    scenarios.append(
        _measure(
            "home_manager",
            "Accueil du chargé d'orientation du Département",
            [(partial(manager.get, "/"), 200)] * (WARM_UP + iterations),
        )
    )
    scenarios += _fixed_cost(iterations, professional)

    report("Fiche d'une personne suivie, et liste de mes personnes…")
    followed = [rng.choice(actors.caseload) for _ in range(WARM_UP + iterations)]
    scenarios.append(
        _measure(
            "person_detail",
            "Fiche d'une personne suivie",
            [
                (partial(professional.get, reverse("entry:person_detail", args=[public_id])), 200)
                for public_id in followed
            ],
        )
    )
    scenarios.append(
        _measure(
            "caseload",
            "Personnes : mes personnes suivies, page 1",
            [(partial(professional.get, person_list), 200)] * (WARM_UP + iterations),
        )
    )

    return scenarios


def _fixed_cost(iterations, client):
    """What every signed-in page pays before its own work (session, account, memberships, middleware): an
    unknown address, answered by the not-found page. Side by side, the same page when the session is written on
    every request, as it was before the idle timestamp was refreshed at most once a minute."""
    unknown = "/adresse-inconnue-du-banc/"
    scenarios = []
    for key, label, refresh in (
        ("fixed_cost", "Coût fixe d'une page connectée (page introuvable)", settings.RELAIS_SESSION_REFRESH_SECONDS),
        ("fixed_cost_session_write", "… en écrivant la session à chaque requête (avant)", 0),
    ):
        with override_settings(RELAIS_SESSION_REFRESH_SECONDS=refresh):
            scenarios.append(_measure(key, label, [(partial(client.get, unknown), 404)] * (WARM_UP + iterations)))
    return scenarios


def ranking_lines(details):
    """The ranking quality, in French, one line per kind of search; then the search against hand-written SQL."""
    labels = {
        "typo_with_birth_date": "nom avec faute + prénom + date de naissance",
        "typo_without_birth_date": "nom avec faute + prénom, sans date",
    }
    lines = []
    for key, label in labels.items():
        quality = details["ranking"][key]
        lines.append(
            f"  {label} : la bonne personne est 1re dans {quality['first_pct']:g} % des {quality['searches']} "
            f"recherches (1re ou ex æquo avec la 1re : {quality['first_or_tied_pct']:g} %), dans les 5 premières "
            f"dans {quality['top5_pct']:g} %, parmi les résultats dans {quality['found_pct']:g} %"
        )
    ratio = details["raw_sql_ratio"]
    lines.append(
        "  au 95e centile, par rapport au SQL écrit à la main de la même recherche : page "
        f"{ratio['view_with_birth_date']:g} × avec date, {ratio['view_without_birth_date']:g} × sans ; find() "
        f"{ratio['find_with_birth_date']:g} × avec date, {ratio['find_without_birth_date']:g} × sans"
    )
    return lines
