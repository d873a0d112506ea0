"""The consortium: partner structures placed on the département's communes, professionals and their memberships.

Everything is written with ``bulk_create``: no ``save()``, so no signal and no audit entry, and what
``save()`` would compute (the structure's search name) is computed here.
"""

import math
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, Structure, User
from bench.database import BENCH_DOMAIN
from bench.generate import names
from relais.text import fold
from territory.models import Commune, Departement, Epci

LABEL = "Structures et professionnels"
# The one password of every generated account; hashed once, the hash is shared.
PASSWORD = "Relais-banc-2026!"
BATCH = 2_000

K = Structure.Kind

# Structures per kind for 300 structures, scaled with the requested count; associations take the rest.
KIND_SHARES = {
    K.DEPARTEMENT: 1,
    K.MAISON_SOLIDARITES: 14,
    K.FRANCE_TRAVAIL: 16,
    K.MISSION_LOCALE: 10,
    K.CAP_EMPLOI: 3,
    K.CCAS: 60,
    K.SIAE: 65,
    K.OTHER: 10,
}
# Team size (min, max) before the professionals are shared out to reach the requested total.
TEAM_SIZES = {
    K.DEPARTEMENT: (40, 40),
    K.MAISON_SOLIDARITES: (25, 40),
    K.FRANCE_TRAVAIL: (35, 60),
    K.MISSION_LOCALE: (15, 30),
    K.CAP_EMPLOI: (8, 15),
    K.EPCI: (4, 10),
    K.CCAS: (2, 6),
    K.SIAE: (2, 6),
    K.ASSOCIATION: (1, 5),
    K.OTHER: (2, 5),
}
JOB_TITLES = {
    K.DEPARTEMENT: ["Chargé de mission insertion", "Référent RSA", "Responsable de service", "Chargé d'orientation"],
    K.MAISON_SOLIDARITES: [
        "Travailleur social",
        "Assistant de service social",
        "Conseiller en économie sociale et familiale",
        "Référent RSA",
        "Responsable de territoire",
    ],
    K.FRANCE_TRAVAIL: [
        "Conseiller à l'emploi",
        "Conseiller entreprise",
        "Psychologue du travail",
        "Responsable d'équipe",
    ],
    K.MISSION_LOCALE: ["Conseiller en insertion professionnelle", "Chargé de relations entreprises", "Directeur"],
    K.CAP_EMPLOI: ["Conseiller Cap emploi", "Chargé de mission handicap"],
    K.EPCI: ["Chargé de mission emploi", "Chef de projet PLIE"],
    K.CCAS: ["Agent d'accueil social", "Travailleur social", "Directeur du CCAS"],
    K.SIAE: ["Chargé d'insertion professionnelle", "Encadrant technique", "Directeur"],
    K.ASSOCIATION: ["Bénévole", "Coordinateur", "Animateur", "Président"],
    K.OTHER: ["Chargé d'accompagnement", "Responsable"],
}
SIAE_FORMS = [
    "Atelier et chantier d'insertion",
    "Entreprise d'insertion",
    "Association intermédiaire",
    "Entreprise de travail temporaire d'insertion",
]
SIAE_TRADES = ["Les Jardins", "Recyclerie", "Bâtiment et patrimoine", "Espaces verts", "Restauration", "Couture"]
ASSOCIATION_WORDS = ["Tremplin", "Passerelle", "Horizon", "Solidarité", "Entraide", "Rebond", "Élan", "Trait d'union"]
ASSOCIATION_CAUSES = ["Emploi", "Insertion", "Mobilité", "Savoirs", "Logement", "Femmes", "Jeunes", "Numérique"]
OTHER_NAMES = ["PLIE", "Maison de l'emploi", "Centre d'hébergement et de réinsertion sociale", "Espace de vie sociale"]
# Agencies and public services open in the towns: the most populated communes.
AGENCY_KINDS = {K.MAISON_SOLIDARITES, K.FRANCE_TRAVAIL, K.MISSION_LOCALE, K.CAP_EMPLOI, K.OTHER}
TOWNS = 40
# Shares of the professionals who also act for a second structure, and of those who act for a third.
SECOND_MEMBERSHIP = 0.08
THIRD_MEMBERSHIP = 0.01
INACTIVE = 0.03
PENDING_ASSOCIATIONS = 0.05
COORDINATORS = 5


def is_generated(scale):
    return User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").exists()


def counts(scale):
    users = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
    memberships = Membership.objects.filter(user__in=users)
    return {
        "structures": Structure.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").count(),
        "professionnels": users.count(),
        "appartenances": memberships.count(),
        "administrateurs": memberships.filter(role=Role.STRUCTURE_ADMIN).count(),
        "chargés d'orientation": memberships.filter(is_orientation_manager=True).count(),
        "coordinateurs": memberships.filter(is_coordinator=True).count(),
    }


@transaction.atomic
def generate(rng, scale):
    communes = list(Commune.objects.filter(departement_id=scale.departement).order_by("code"))
    if not communes:
        raise ValueError(f"Le territoire du département {scale.departement} n'est pas chargé.")
    departement = Departement.objects.get(code=scale.departement)
    structures = _create_structures(rng, scale, departement, communes)
    users = _create_users(rng, scale)
    _create_memberships(rng, structures, users)


# --- Structures ---------------------------------------------------------------------------------------


def _kind_plan(scale, epci_count):
    """How many structures of each kind: the shares above, scaled; one EPCI service per EPCI."""
    factor = scale.structures / 300
    plan = {kind: max(1, round(share * factor)) for kind, share in KIND_SHARES.items()}
    plan[K.DEPARTEMENT] = 1
    plan[K.EPCI] = min(epci_count, max(1, round(13 * factor)))
    plan[K.ASSOCIATION] = max(1, scale.structures - sum(plan.values()))
    return plan


def _weighted_communes(rng, communes, count):
    """``count`` distinct communes, the most populated ones more likely first (a CCAS, an agency…)."""
    pool = list(communes)
    chosen = []
    while pool and len(chosen) < count:
        weights = [max(commune.population, 50) for commune in pool]
        commune = rng.choices(pool, weights=weights)[0]
        pool.remove(commune)
        chosen.append(commune)
    while len(chosen) < count:  # More structures of a kind than communes: several per commune.
        chosen.append(rng.choices(communes, weights=[max(c.population, 50) for c in communes])[0])
    return chosen


class _Names:
    """Unique structure names: a second « CCAS de Massy » becomes « CCAS de Massy – antenne 2 »."""

    def __init__(self):
        self.seen = Counter()

    def __call__(self, name):
        self.seen[name] += 1
        return name if self.seen[name] == 1 else f"{name} – antenne {self.seen[name]}"


def _create_structures(rng, scale, departement, communes):
    seat = max(communes, key=lambda commune: commune.population)
    towns = sorted(communes, key=lambda commune: -commune.population)[:TOWNS]
    epcis = sorted({commune.epci_id for commune in communes if commune.epci_id})
    epci_names = dict(Epci.objects.filter(siren__in=epcis).values_list("siren", "name"))
    plan = _kind_plan(scale, len(epcis))
    unique = _Names()
    # Agencies of one organisation share its SIREN; the others have their own.
    sirens = {kind: names.siren(rng) for kind in (K.DEPARTEMENT, K.MAISON_SOLIDARITES, K.FRANCE_TRAVAIL, K.CAP_EMPLOI)}
    sirens[K.MAISON_SOLIDARITES] = sirens[K.DEPARTEMENT]
    nics = Counter()

    rows = []  # (structure, zone EPCI ids, zone commune codes)
    for kind, count in plan.items():
        if kind == K.DEPARTEMENT:
            places = [seat]
        elif kind == K.EPCI:
            places = [next(c for c in communes if c.epci_id == epci) for epci in epcis[:count]]
        elif kind in AGENCY_KINDS:
            places = _weighted_communes(rng, towns, count)
        else:
            places = _weighted_communes(rng, communes, count)
        for index, commune in enumerate(places):
            name, zone_epcis, zone_communes = _describe(rng, kind, index, commune, departement, epci_names)
            siren = sirens.get(kind) or names.siren(rng)
            nics[siren] += 1
            pending = kind == K.ASSOCIATION and rng.random() < PENDING_ASSOCIATIONS
            structure = Structure(
                name=unique(name),
                kind=kind,
                siret=names.siret(siren, nics[siren]),
                address=names.address(rng),
                commune=commune,
                email=f"contact.{len(rows) + 1}@{BENCH_DOMAIN}",
                phone=names.phone(rng),
                is_validated=not pending,
                validated_at=None if pending else timezone.now(),
                # A structure without communes or EPCIs in its zone acts for the whole département, said explicitly.
                covers_departement=not zone_epcis and not zone_communes,
            )
            structure.search_name = fold(structure.name)
            rows.append((structure, zone_epcis, zone_communes))

    Structure.objects.bulk_create([row[0] for row in rows], batch_size=BATCH)
    Structure.zone_epcis.through.objects.bulk_create(
        [
            Structure.zone_epcis.through(structure_id=structure.pk, epci_id=epci)
            for structure, zone_epcis, _ in rows
            for epci in zone_epcis
        ],
        batch_size=BATCH,
    )
    Structure.zone_communes.through.objects.bulk_create(
        [
            Structure.zone_communes.through(structure_id=structure.pk, commune_id=code)
            for structure, _, zone_communes in rows
            for code in zone_communes
        ],
        batch_size=BATCH,
    )
    return [row[0] for row in rows]


def _describe(rng, kind, index, commune, departement, epci_names):
    """Name and intervention zone (EPCI ids, commune codes) of a structure of ``kind`` in ``commune``."""
    place = names.of(commune.name)
    own_epci = [commune.epci_id] if commune.epci_id else []
    if kind == K.DEPARTEMENT:
        return f"Conseil départemental ({departement.name}) – Direction de l'insertion", [], []
    if kind == K.MAISON_SOLIDARITES:
        return f"Maison départementale des solidarités {place}", own_epci, []
    if kind == K.FRANCE_TRAVAIL:
        return f"France Travail {commune.name}", own_epci, []
    if kind == K.MISSION_LOCALE:
        return f"Mission locale {place}", own_epci, []
    if kind == K.CAP_EMPLOI:
        return f"Cap emploi {departement.name} – antenne {place}", [], []
    if kind == K.EPCI:
        return f"{epci_names.get(commune.epci_id, commune.name)} – Service emploi", own_epci, []
    if kind == K.CCAS:
        return f"CCAS {place}", [], [commune.code]
    if kind == K.SIAE:
        return f"{rng.choice(SIAE_FORMS)} {rng.choice(SIAE_TRADES)} {place}", _association_zone(rng, commune), []
    if kind == K.OTHER:
        return f"{rng.choice(OTHER_NAMES)} {place}", own_epci, []
    words = f"{rng.choice(ASSOCIATION_WORDS)} {rng.choice(ASSOCIATION_CAUSES)}"
    zone = _association_zone(rng, commune)
    return f"{words} {commune.name}" if index % 2 else f"Association {words} {place}", zone, []


def _association_zone(rng, commune):
    # Half of them work on their intercommunality, the others on the whole département.
    return [commune.epci_id] if commune.epci_id and rng.random() < 0.5 else []


# --- Professionals ------------------------------------------------------------------------------------


def _create_users(rng, scale):
    password = make_password(PASSWORD)
    users = []
    for index in range(scale.professionals):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        email = f"{fold(first).replace(' ', '-')}.{fold(last).replace(' ', '-')}.{index + 1}@{BENCH_DOMAIN}"
        users.append(User(email=email, first_name=first, last_name=last, phone=names.phone(rng), password=password))
    return User.objects.bulk_create(users, batch_size=BATCH)


def _team_sizes(rng, structures, total):
    """Share ``total`` professionals among the structures, in proportion to a team size drawn by kind."""
    wanted = [1 if not s.is_validated else rng.randint(*TEAM_SIZES[s.kind]) for s in structures]
    factor = (total - len(structures)) / max(1, sum(wanted) - len(structures))
    sizes = [1 + max(0, math.floor((size - 1) * factor)) for size in wanted]
    # Whoever is left over joins the biggest teams, one each.
    leftover = total - sum(sizes)
    for position in sorted(range(len(sizes)), key=lambda i: -wanted[i])[: max(0, leftover)]:
        sizes[position] += 1
    return sizes


def _create_memberships(rng, structures, users):
    if len(users) < len(structures):
        raise ValueError("Il faut au moins un professionnel par structure.")
    sizes = _team_sizes(rng, structures, len(users))
    shuffled = list(users)
    rng.shuffle(shuffled)
    memberships = []
    teams = []
    cursor = 0
    for structure, size in zip(structures, sizes, strict=True):
        team = shuffled[cursor : cursor + size]
        cursor += size
        teams.append(team)
        admins = 1 if size < 20 else (2 if size < 45 else 3)
        for position, user in enumerate(team):
            memberships.append(_membership(rng, user, structure, admin=position < admins))
    # Some professionals act for several structures: a référent in a partner agency, a volunteer elsewhere.
    taken = {(m.user_id, m.structure_id) for m in memberships}
    weights = [max(1, size) for size in sizes]
    several = rng.sample(users, round(len(users) * SECOND_MEMBERSHIP))
    for user in several + rng.sample(several, min(len(several), round(len(users) * THIRD_MEMBERSHIP))):
        structure = rng.choices(structures, weights=weights)[0]
        if (user.pk, structure.pk) not in taken and structure.is_validated:
            taken.add((user.pk, structure.pk))
            memberships.append(_membership(rng, user, structure, admin=False))
    _grant_capabilities(rng, structures, teams, memberships)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)


def _membership(rng, user, structure, *, admin):
    inactive = not admin and rng.random() < INACTIVE
    return Membership(
        user_id=user.pk,
        structure_id=structure.pk,
        role=Role.STRUCTURE_ADMIN if admin else Role.PROFESSIONAL,
        job_title=rng.choice(JOB_TITLES[structure.kind]),
        is_active=not inactive,
        deactivated_at=timezone.now() if inactive else None,
    )


def _grant_capabilities(rng, structures, teams, memberships):
    """Orientation managers at the Département and in a few agencies; a handful of coordinators."""
    by_key = {(m.user_id, m.structure_id): m for m in memberships}
    for structure, team in zip(structures, teams, strict=True):
        members = [by_key[(user.pk, structure.pk)] for user in team]
        active = [m for m in members if m.is_active]
        if structure.kind == K.DEPARTEMENT:
            for membership in active[:COORDINATORS]:
                membership.is_coordinator = True
            for membership in active[COORDINATORS : COORDINATORS + 6]:
                membership.is_orientation_manager = True
        elif structure.kind == K.MAISON_SOLIDARITES and active:
            for membership in rng.sample(active, min(2, len(active))):
                membership.is_orientation_manager = True
        elif structure.kind in (K.FRANCE_TRAVAIL, K.MISSION_LOCALE) and active and rng.random() < 0.3:
            rng.choice(active).is_orientation_manager = True
