"""The catalogue search: published services eligible in a commune, filtered, counted by facet, ordered by the
closeness of their zone (the commune, then its EPCI, then the département, then the whole country), then by
availability (open, waiting list, full, suspended), then by freshness.

Every filter is an ``EXISTS`` on the indexed search keys (``ServiceKey``); the facet counts are one grouped query
on the keys of the matching services. A search that finds nothing is counted, without any personal data.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When, Window
from django.utils import timezone

from offer import indexing, schema
from offer.indexing import CATEGORY, FEES, KIND, PUBLIC, RECEPTION, THEMATIQUE, ZONE, key
from offer.models import Capacity, Service, ServiceKey, UnmetSearch, suspension_q
from relais.text import fold

# How close the zone that makes a service eligible is to the commune searched.
COMMUNE, EPCI, DEPARTEMENT, NATIONAL, ANYWHERE = 0, 1, 2, 3, 4
AVAILABLE, WAITING, FULL, SUSPENDED = 0, 1, 2, 3
AVAILABILITY_LABELS = {
    AVAILABLE: "places disponibles",
    WAITING: "liste d'attente",
    FULL: "complet",
    SUSPENDED: "suspendu",
}


# What a result shows (its card, its badges, why it is suggested): nothing else is read for a page of results.
LISTED = (
    "public_id",
    "name",
    "structure__name",
    "external_structure__name",
    "source",
    "status",
    "kind",
    "fees",
    "thematiques",
    "capacity",
    "places_open",
    "waiting_weeks",
    "suspended_from",
    "suspended_until",
    "address",
    "postcode",
    "commune__name",
    "commune_name",
    "updated_at",
)


def write_keys(service):
    """Rewrite the search keys of ``service`` from its fields (inside the action's transaction). Only a published
    service has keys: a draft or an archived one is in no count, whatever a query forgets."""
    wanted = set(indexing.keys_for(service)) if service.status == Service.Status.PUBLISHED else set()
    existing = set(ServiceKey.objects.filter(service=service).values_list("key", flat=True))
    if existing - wanted:
        ServiceKey.objects.filter(service=service, key__in=existing - wanted).delete()
    ServiceKey.objects.bulk_create([ServiceKey(service=service, key=value) for value in sorted(wanted - existing)])


@dataclass
class Criteria:
    """What a professional searches for. Nothing here is personal: a place and the kind of help."""

    commune: object = None  # territory.Commune
    categories: list = field(default_factory=list)
    thematique: str = ""
    public: str = ""
    kind: str = ""
    fees: str = ""
    reception: str = ""
    text: str = ""

    @property
    def thematiques(self):
        """The thématiques asked: the categories ticked and the precise one, a service needs one of them."""
        return [*self.categories, *([self.thematique] if self.thematique else [])]

    @property
    def is_empty(self):
        return not any(
            [self.commune, self.thematiques, self.public, self.kind, self.fees, self.reception, self.text.strip()]
        )


def zone_levels(commune):
    """The zone codes that make a service eligible in ``commune``, with their closeness."""
    levels = [(commune.code, COMMUNE)]
    if commune.ept_id:
        # In the Métropole du Grand Paris a commune's EPCI is the Métropole; its établissement public territorial
        # is a zone of its own, which a catalogue may name (« 200058014 », Grand-Orly Seine Bièvre).
        levels.append((commune.ept_id, EPCI))
    if commune.epci_id:
        levels.append((commune.epci_id, EPCI))
    levels.append((commune.departement_id, DEPARTEMENT))
    levels.append((indexing.NATIONAL, NATIONAL))
    return levels


def _has_key(*values):
    return Exists(ServiceKey.objects.filter(service_id=OuterRef("pk"), key__in=list(values)))


def dimension_filters(criteria):
    """The filters of each facet asked in ``criteria``: {facet: the EXISTS its services meet}."""
    filters = {}
    thematiques = criteria.thematiques
    if thematiques:
        filters[THEMATIQUE] = _has_key(
            *(key(THEMATIQUE if schema.SEPARATOR in value else CATEGORY, value) for value in thematiques)
        )
    if criteria.public:
        filters[PUBLIC] = _has_key(key(PUBLIC, criteria.public), key(PUBLIC, schema.ALL_PUBLICS))
    for prefix, value in ((KIND, criteria.kind), (FEES, criteria.fees), (RECEPTION, criteria.reception)):
        if value:
            filters[prefix] = _has_key(key(prefix, value))
    return filters


def eligible(criteria):
    """The published services open in the commune asked that contain the words typed: before any facet."""
    services = Service.objects.filter(status=Service.Status.PUBLISHED)
    if criteria.commune is not None:
        services = services.filter(_has_key(*(key(ZONE, code) for code, _ in zone_levels(criteria.commune))))
    for word in fold(criteria.text).split():
        services = services.filter(search_text__contains=word)
    return services


def matching(criteria):
    """The published services that answer ``criteria``, unordered and without annotations (for counts)."""
    services = eligible(criteria)
    for condition in dimension_filters(criteria).values():
        services = services.filter(condition)
    return services


def closeness(commune):
    """The closeness of the zone that makes each service eligible (0: the commune itself… 3: the country)."""
    if commune is None:
        return Value(ANYWHERE, output_field=IntegerField())
    cases = [
        When(Exists(ServiceKey.objects.filter(service_id=OuterRef("pk"), key=key(ZONE, code))), then=Value(level))
        for code, level in zone_levels(commune)[:-1]
    ]
    return Case(*cases, default=Value(NATIONAL), output_field=IntegerField())


def availability(today):
    return Case(
        When(suspension_q(today), then=Value(SUSPENDED)),
        When(capacity=Capacity.FULL, then=Value(FULL)),
        When(capacity=Capacity.WAITING_LIST, then=Value(WAITING)),
        default=Value(AVAILABLE),
        output_field=IntegerField(),
    )


def search(criteria, *, today=None):
    """The services answering ``criteria``, closest and most available first, freshest next."""
    today = today or timezone.localdate()
    return (
        matching(criteria)
        .annotate(closeness=closeness(criteria.commune), availability=availability(today))
        .select_related("structure", "external_structure", "commune")
        .only(*LISTED)
        .order_by("closeness", "availability", F("updated_at").desc(), "name", "pk")
    )


def results_page(criteria, number, size, *, today=None):
    """One page of ``search(criteria)`` with the total counted by the same query (a window over the results),
    as a paginator's page. A page past the end gives the last one."""
    found = search(criteria, today=today).annotate(total=Window(Count("pk")))
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    rows = list(found[(number - 1) * size : number * size])
    if not rows and number > 1:
        number = max(1, -(-matching(criteria).count() // size))
        rows = list(found[(number - 1) * size : number * size])
    paginator = Paginator((), size)
    paginator.count = rows[0].total if rows else 0
    page = paginator.page(number)
    page.object_list = rows
    return page


@dataclass
class Facets:
    """How many of the services found have each value: categories, thématiques, publics, types, fees, modes."""

    counts: dict

    def count(self, prefix, value):
        return self.counts.get(key(prefix, value), 0)

    def public(self, value):
        # A service for everyone is counted for every public, as the search finds it for every public.
        own = self.count(PUBLIC, value)
        return own if value == schema.ALL_PUBLICS else own + self.count(PUBLIC, schema.ALL_PUBLICS)

    def choices(self, prefix, values):
        """``[(value, label, count)]`` for the values of one facet, in the schema's order, zero counts kept."""
        if prefix == PUBLIC:
            return [(value, label, self.public(value)) for value, label in values]
        return [(value, label, self.count(prefix, value)) for value, label in values]


# The facets, by the prefixes of their keys: the thématiques (categories and precise ones) are one facet.
FACETS = {THEMATIQUE: (CATEGORY, THEMATIQUE), PUBLIC: (PUBLIC,), KIND: (KIND,), FEES: (FEES,), RECEPTION: (RECEPTION,)}


def facets(criteria):
    """How many services each value of each facet would find, the other facets' filters kept: ticking a second
    thématique shows what it adds, not zero. One grouped count per facet asked (its services filtered by the
    others), one for the facets not asked, sent together as one query (UNION ALL)."""
    filters = dimension_filters(criteria)
    base = eligible(criteria)

    def meeting(*kept):
        services = base
        for name in kept:
            services = services.filter(filters[name])
        return services.values("pk")

    def counted(services, prefixes):
        keys = Q()
        for prefix in prefixes:
            keys |= Q(key__startswith=f"{prefix}:")
        return (
            ServiceKey.objects.filter(keys, service__in=services)
            .values("key")
            .annotate(services=Count("service_id"))
            .order_by()
        )

    parts = [counted(meeting(*(name for name in filters if name != facet)), FACETS[facet]) for facet in filters]
    others = [prefix for facet, prefixes in FACETS.items() if facet not in filters for prefix in prefixes]
    if others:
        parts.append(counted(meeting(*filters), others))
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return Facets({row["key"]: row["services"] for row in rows})


def record_unmet(criteria, *, today=None):
    """Count a search that found nothing: commune × thématique × public, never who searched for whom."""
    if criteria.commune is None and not criteria.thematiques:
        return
    day = today or timezone.localdate()
    commune_code = criteria.commune.code if criteria.commune is not None else ""
    for thematique in criteria.thematiques or [""]:
        values = {"day": day, "commune_code": commune_code, "thematique": thematique, "public": criteria.public}
        try:
            with transaction.atomic():
                row, _ = UnmetSearch.objects.get_or_create(**values)
        except IntegrityError:
            row = UnmetSearch.objects.get(**values)
        UnmetSearch.objects.filter(pk=row.pk).update(count=F("count") + 1)


def zone_reason(service, commune):
    """Why the service is offered in ``commune``: which zone of its eligibility covers it."""
    level = getattr(service, "closeness", ANYWHERE)
    if commune is None or level == ANYWHERE:
        return ""
    if level == COMMUNE:
        return f"Ouvert aux habitants de {commune.name}"
    if level == EPCI:
        if commune.ept_id and commune.ept_id in (service.zone or []):
            return f"Ouvert à tout le territoire de {commune.ept.name}"
        return f"Ouvert à tout le territoire de {commune.epci.name}" if commune.epci_id else ""
    if level == DEPARTEMENT:
        return f"Ouvert à tout le département ({commune.departement.name})"
    return "Ouvert sur tout le territoire national"


def availability_label(service):
    return AVAILABILITY_LABELS.get(getattr(service, "availability", AVAILABLE), "")
