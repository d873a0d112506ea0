"""The offer: 3,000 services of the département's structures, 15,000 services of an imported catalogue (the wider
data·inclusion open data around the département), and 300,000 referrals of the people accompanied.

Everything is written with ``bulk_create``: what ``Service.save()`` and the actions compute — the folded search
text and the search keys — is computed here by the very same functions (``offer.indexing``).

What is drawn:

- local services: about ten per structure, on one to three thématiques of the package's list (their category
  first), with the zone of the structure's kind (a CCAS its commune, an agency its intercommunality, the
  Département the whole département, an association one or the other), publics, type, fees and reception
  modes of the schema; 15 % full, 15 % on a waiting list, 3 % suspended today; 5 % drafts, 3 % archived;
  last updated within two years;
- imported services (source ``data-inclusion``): 3,000 structures and their services; a quarter open in the
  département (a commune, an EPCI or the whole département), most in the neighbouring départements, 4 %
  nationwide;
- referrals: a person and a professional of their team (the prescriber), a published service; sent within two
  years; about 5 % sent, 5 % under review, 10 % accepted, 15 % refused, 15 % started, 35 % completed,
  10 % abandoned, 5 % expired; each with its transitions (who, when). The timeline events are not generated.
"""

import datetime
import random
import time
import uuid
from bisect import bisect
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Structure
from bench.database import BENCH_DOMAIN
from offer import indexing, schema
from offer.models import ExternalStructure, Referral, ReferralTransition, RefusalReason, Service, ServiceKey
from pathway.models import TeamMember
from territory.models import Commune

LABEL = "Offre : services et orientations"
BATCH = 5_000
SOURCE = "data-inclusion"
K = Structure.Kind
R = Referral.Status
NEIGHBOURS = ["75", "77", "78", "92", "93", "94", "95", "45", "28"]

THEMATIQUES = [member.value for member in schema.Thematique]
PUBLICS = [member.value for member in schema.Public if member.value != schema.ALL_PUBLICS]
TYPES = [member.value for member in schema.TypeService]
RECEPTION = [member.value for member in schema.ModeAccueil]
STATUSES = (
    (R.SENT, 5),
    (R.UNDER_REVIEW, 5),
    (R.ACCEPTED, 10),
    (R.REFUSED, 15),
    (R.STARTED, 15),
    (R.COMPLETED, 35),
    (R.ABANDONED, 10),
    (R.EXPIRED, 5),
)
# The transitions that lead to each status.
PATHS = {
    R.SENT: [R.SENT],
    R.UNDER_REVIEW: [R.SENT, R.UNDER_REVIEW],
    R.ACCEPTED: [R.SENT, R.UNDER_REVIEW, R.ACCEPTED],
    R.REFUSED: [R.SENT, R.UNDER_REVIEW, R.REFUSED],
    R.STARTED: [R.SENT, R.ACCEPTED, R.STARTED],
    R.COMPLETED: [R.SENT, R.UNDER_REVIEW, R.ACCEPTED, R.STARTED, R.COMPLETED],
    R.ABANDONED: [R.SENT, R.ACCEPTED, R.STARTED, R.ABANDONED],
    R.EXPIRED: [R.SENT, R.EXPIRED],
}
ANSWERED = {R.ACCEPTED, R.REFUSED, R.STARTED, R.COMPLETED, R.ABANDONED}
ENDED = {R.COMPLETED, R.ABANDONED, R.EXPIRED}


def _bench_structures():
    return Structure.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")


def _local():
    return Service.objects.filter(structure__in=_bench_structures())


def is_generated(scale):
    return scale.services == 0 or _local().exists()


def counts(scale):
    referrals = Referral.objects.filter(service__in=Service.objects.all())
    return {
        "services locaux": _local().count(),
        "services importés": Service.objects.filter(source=SOURCE).count(),
        "clés de recherche": ServiceKey.objects.count(),
        "orientations": referrals.count(),
        "étapes d'orientation": ReferralTransition.objects.count(),
    }


class _Picker:
    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))

    def __call__(self, rng):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _thematiques(rng):
    first = rng.choice(THEMATIQUES)
    category = schema.category_of(first)
    same = [value for value in THEMATIQUES if schema.category_of(value) == category]
    values = {first, *rng.sample(same, k=min(len(same), rng.choice([0, 0, 1, 1, 2])))}
    if rng.random() < 0.2:
        values.add(rng.choice(THEMATIQUES))
    return sorted(values)


def _publics(rng):
    if rng.random() < 0.35:
        return [schema.ALL_PUBLICS]
    return sorted(rng.sample(PUBLICS, k=rng.choice([1, 1, 2, 3])))


def _describe(rng, service, place, now):
    """Draw the schema's fields and Relais's own ones on ``service``."""
    service.kind = rng.choice(TYPES)
    service.thematiques = _thematiques(rng)
    service.publics = _publics(rng)
    service.fees = "gratuit" if rng.random() < 0.8 else "payant"
    service.reception_modes = sorted(rng.sample(RECEPTION, k=rng.choice([1, 1, 2])))
    label = schema.thematique_label(service.thematiques[0])
    service.name = f"{schema.TYPE_LABELS[service.kind]} « {label} » – {place}"[:150]
    service.description = (
        f"{schema.TYPE_LABELS[service.kind]} : {label.lower()}. Pour "
        f"{', '.join(schema.PUBLIC_LABELS[value].lower() for value in service.publics)}, "
        f"{'gratuit' if service.fees == 'gratuit' else 'participation selon les ressources'}. "
        "Entretien préalable avec un conseiller, puis séances collectives et suivi individuel."
    )
    roll = rng.random()
    service.capacity = "full" if roll < 0.15 else "waiting_list" if roll < 0.30 else "open"
    service.updated_at = now - datetime.timedelta(days=rng.randint(0, 730), seconds=rng.randint(0, 86_399))
    service.created_at = service.updated_at - datetime.timedelta(days=rng.randint(0, 365))
    service.response_days = rng.choice([15, 20, 30, 30, 30])


def _zone_of(rng, structure, zones, departement):
    kind = structure.kind
    if kind in {K.DEPARTEMENT, K.CAP_EMPLOI}:
        return [departement]
    if kind == K.CCAS:
        return [structure.commune_id]
    epcis = zones.get(structure.pk)
    if kind in {K.ASSOCIATION, K.SIAE, K.OTHER}:
        if rng.random() < 0.3:
            return [structure.commune_id]
        return epcis or [departement]
    return epcis or [structure.commune.epci_id or departement]


def _finish(service, provider):
    service.search_text = indexing.search_text_for(service, provider)
    return service


def _write(services):
    Service.objects.bulk_create(services, batch_size=BATCH)
    ServiceKey.objects.bulk_create(
        [
            ServiceKey(service_id=service.pk, key=value)
            for service in services
            if service.status == "published"
            for value in indexing.keys_for(service)
        ],
        batch_size=BATCH,
    )


def _local_services(rng, scale, now, today):
    structures = list(_bench_structures().filter(is_validated=True).select_related("commune").order_by("pk"))
    zones = {}
    for structure_id, siren in Structure.zone_epcis.through.objects.filter(structure__in=structures).values_list(
        "structure_id", "epci_id"
    ):
        zones.setdefault(structure_id, []).append(siren)
    weights = {K.FRANCE_TRAVAIL: 3, K.MISSION_LOCALE: 3, K.DEPARTEMENT: 6, K.MAISON_SOLIDARITES: 2, K.CAP_EMPLOI: 3}
    pick = _Picker(structures, [weights.get(structure.kind, 1) for structure in structures])
    services = []
    for _ in range(scale.services):
        structure = pick(rng)
        service = Service(public_id=uuid.UUID(int=rng.getrandbits(128), version=4), structure=structure)
        _describe(rng, service, structure.commune.name, now)
        service.zone = _zone_of(rng, structure, zones, scale.departement)
        service.commune = structure.commune
        service.commune_name = structure.commune.name
        service.address = structure.address
        roll = rng.random()
        service.status = "draft" if roll < 0.05 else "archived" if roll < 0.08 else "published"
        service.published_at = service.created_at if service.status != "draft" else None
        if rng.random() < 0.03:
            service.suspended_from = today - datetime.timedelta(days=rng.randint(0, 10))
            service.suspended_until = today + datetime.timedelta(days=rng.randint(1, 30))
        services.append(_finish(service, structure.name))
    _write(services)
    return services


def _imported_services(rng, scale, now):
    communes = list(Commune.objects.filter(departement_id=scale.departement).order_by("code"))
    epcis = sorted({commune.epci_id for commune in communes if commune.epci_id})
    commune_pick = _Picker(communes, [max(commune.population, 50) for commune in communes])
    count = max(1, scale.imported_services // 5)
    externals = []
    for index in range(count):
        inside = rng.random() < 0.25
        commune = commune_pick(rng) if inside else None
        departement = scale.departement if inside else rng.choice(NEIGHBOURS)
        externals.append(
            ExternalStructure(
                source=SOURCE,
                source_id=f"dora--{index}",
                name=f"Structure partenaire n° {index + 1}",
                postcode=f"{departement}000"[:5],
                commune_code=commune.code if commune else f"{departement}{rng.randint(1, 400):03d}",
                commune_name=commune.name if commune else f"Commune {departement}",
                email=f"structure{index + 1}@{BENCH_DOMAIN}",
                updated_on=(now - datetime.timedelta(days=rng.randint(0, 700))).date(),
            )
        )
    ExternalStructure.objects.bulk_create(externals, batch_size=BATCH)
    services = []
    for index in range(scale.imported_services):
        external = externals[index % count]
        inside = external.commune_code.startswith(scale.departement)
        service = Service(
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            external_structure=external,
            source=SOURCE,
            source_id=f"dora--service-{index}",
            status="published",
            commune_code=external.commune_code,
            commune_name=external.commune_name,
        )
        _describe(rng, service, external.commune_name, now)
        service.published_at = service.created_at
        if rng.random() < 0.04:
            service.zone = ["france"]
        elif inside:
            level = rng.random()
            commune = next(c for c in communes if c.code == external.commune_code)
            service.zone = (
                [commune.code]
                if level < 0.5
                else [commune.epci_id or scale.departement]
                if level < 0.8
                else [scale.departement]
            )
            if level < 0.1 and epcis:
                service.zone.append(rng.choice(epcis))
        else:
            departement = external.commune_code[:2]
            service.zone = [external.commune_code] if rng.random() < 0.6 else [departement]
        services.append(_finish(service, external.name))
    _write(services)
    return services


def _answered_at(path, moments):
    for step in (R.ACCEPTED, R.REFUSED):
        if step in path:
            return moments[path.index(step)]
    return None


def _referrals(rng, scale, services, now, today, report):
    published = [service for service in services if service.status == "published" and service.structure_id]
    imported = [service for service in services if service.source]
    teams = list(
        TeamMember.objects.filter(ended_at__isnull=True, user__email__endswith=f"@{BENCH_DOMAIN}")
        .values_list("pathway__person_id", "user_id", "structure_id")
        .order_by("pk")
    )
    if not teams or not published:
        return 0
    answerers = {}
    for user_id, structure_id in Membership.objects.filter(is_active=True).values_list("user_id", "structure_id"):
        answerers.setdefault(structure_id, []).append(user_id)
    status_pick = _Picker([status for status, _ in STATUSES], [weight for _, weight in STATUSES])
    # Popular services receive more: a few receive hundreds, most a handful.
    service_pick = _Picker(published, [1 / (rank + 10) for rank in range(len(published))])
    open_pairs = set()
    made = 0
    started = time.perf_counter()
    while made < scale.referrals:
        size = min(BATCH * 4, scale.referrals - made)
        referrals, steps = [], []
        for _ in range(size):
            person_id, sender_id, sender_structure_id = rng.choice(teams)
            service = rng.choice(imported) if imported and rng.random() < 0.05 else service_pick(rng)
            status = status_pick(rng)
            if status in Referral.OPEN:
                if (person_id, service.pk) in open_pairs:
                    status = R.COMPLETED
                else:
                    open_pairs.add((person_id, service.pk))
            age = rng.randint(0, 40) if status in Referral.AWAITING else rng.randint(31, 730)
            sent_at = now - datetime.timedelta(days=age, seconds=rng.randint(0, 86_399))
            receiver = service.structure_id
            answerer = rng.choice(answerers.get(receiver) or [sender_id])
            path = PATHS[status]
            moments = [
                sent_at + datetime.timedelta(days=2 * position, hours=position) for position in range(len(path))
            ]
            referral = Referral(
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                person_id=person_id,
                service_id=service.pk,
                sender_id=sender_id,
                sender_structure_id=sender_structure_id,
                receiver_structure_id=receiver,
                status=status,
                message="Orientation proposée après le diagnostic : la personne est disponible et motivée.",
                share_contact=rng.random() < 0.8,
                share_diagnostic=rng.random() < 0.5,
                sent_at=sent_at,
                due_on=timezone.localdate(sent_at) + datetime.timedelta(days=service.response_days),
                answered_at=_answered_at(path, moments),
                answered_by_id=answerer if status in ANSWERED else None,
                refusal_reason=rng.choice(RefusalReason.values) if status == R.REFUSED else "",
                answer_message="Précisé lors d'un échange téléphonique." if status == R.REFUSED else "",
                handled_by_id=answerer if status in {R.ACCEPTED, R.STARTED, R.COMPLETED, R.ABANDONED} else None,
                started_on=timezone.localdate(moments[path.index(R.STARTED)]) if R.STARTED in path else None,
                ended_at=moments[-1] if status in ENDED else None,
                end_reason="not_reachable" if status == R.ABANDONED else "",
            )
            referrals.append(referral)
            for position, step in enumerate(path):
                by = sender_id if step == R.SENT else None if step == R.EXPIRED else answerer
                steps.append((len(referrals) - 1, step, moments[position], by))
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        ReferralTransition.objects.bulk_create(
            [
                ReferralTransition(referral_id=referrals[index].pk, status=step, at=at, by_id=by)
                for index, step, at, by in steps
            ],
            batch_size=BATCH,
        )
        made += size
        if made % (BATCH * 20) == 0 or made == scale.referrals:
            report(f"  {made:,} orientations en {time.perf_counter() - started:.0f} s".replace(",", "\u202f"))
    return made


def generate(rng, scale, report=print):
    _generate(rng, scale, report)
    # Statistics and the visibility map of a table in service (autovacuum's work): the search keys are then read
    # by index-only scans, as in production, instead of visiting rows written a moment ago.
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")  # SQLite: statistics only, it has no visibility map
            return
        for table in ("offer_service", "offer_servicekey", "offer_referral", "offer_referraltransition"):
            cursor.execute(f"VACUUM ANALYZE {table}")


@transaction.atomic
def _generate(rng, scale, report):
    now, today = timezone.now(), timezone.localdate()
    local = _local_services(rng, scale, now, today)
    report(f"  {len(local):,} services locaux".replace(",", "\u202f"))
    imported = _imported_services(rng, scale, now) if not Service.objects.filter(source=SOURCE).exists() else []
    report(f"  {len(imported):,} services importés".replace(",", "\u202f"))
    _referrals(random.Random(rng.random()), scale, [*local, *imported], now, today, report)
