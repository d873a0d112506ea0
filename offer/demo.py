"""The demo offer: about 150 services of the demo structures across Essonne, every data·inclusion category,
zones at commune, EPCI and département level, some full, on a waiting list or suspended; and referrals of demo
people in every status, made through the actions. Deterministic and idempotent."""

import datetime
import json
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Structure
from offer import actions
from offer.models import Referral, ReferralTransition, Service
from pathway.models import TimelineEvent
from people.models import Person
from relais.actions import SYSTEM
from territory.models import Commune

STREETS = ["rue de la République", "avenue Jean Jaurès", "place du Marché", "rue Pasteur", "allée des Tilleuls"]
# Where a service is open: the structure's commune, its intervention EPCIs, or the whole département.
COMMUNE, EPCI, DEPARTEMENT = "commune", "epci", "departement"

# structure name → its services (name, type, thématiques, publics, fees, zone level, description, antennas):
# ``antennas`` are the communes (INSEE) where the service is held, one service each, open to that commune only.
CATALOGUE_FILE = Path(__file__).resolve().parent / "demo_catalogue.json"
MESSAGES = [
    "Elle souhaite reprendre un emploi rapidement et a besoin d'aide pour préparer ses candidatures.",
    "Il n'a pas de moyen de transport et vient de trouver une formation à 20 km : le permis est la priorité.",
    "Disponible en matinée, garde d'enfants l'après-midi. Motivée, a déjà suivi un atelier l'an dernier.",
    "Nous avons fait le diagnostic ensemble : le logement est le premier frein à lever.",
    "A besoin d'être accompagné dans ses démarches en ligne, ne maîtrise pas l'ordinateur.",
]


def catalogue():
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def _zone(structure, level, commune=None):
    if commune is not None:
        return [commune]
    if level == DEPARTEMENT:
        return ["91"]
    if level == COMMUNE:
        return [structure.commune_id]
    epcis = list(structure.zone_epcis.values_list("siren", flat=True))
    return epcis or [structure.commune.epci_id]


def _services(rng, admins):
    today = timezone.localdate()
    created = []
    for structure_name, items in catalogue().items():
        structure = Structure.objects.get(name=structure_name)
        admin = admins.get(structure.pk, actions.SYSTEM)
        for item in items:
            name, kind, level, antennas = item["name"], item["type"], item["zone"], item["antennas"]
            for antenna in antennas or [None]:
                commune = Commune.objects.get(code=antenna) if antenna else structure.commune
                roll = rng.random()
                capacity = "full" if roll < 0.12 else "waiting_list" if roll < 0.27 else "open"
                data = {
                    "name": f"{name} – {commune.name}" if antenna else name,
                    "description": item["description"],
                    "kind": kind,
                    "thematiques": sorted(item["thematiques"]),
                    "publics": sorted(item["publics"]),
                    "fees": item["fees"],
                    "fees_details": "Participation selon les ressources." if item["fees"] == "payant" else "",
                    "reception_modes": ["en-presentiel"] if rng.random() < 0.7 else ["a-distance", "en-presentiel"],
                    "address": f"{rng.randint(1, 90)} {rng.choice(STREETS)}",
                    "commune": commune,
                    "opening_hours": rng.choice(
                        [
                            "Du lundi au vendredi, 9 h – 12 h 30 et 14 h – 17 h",
                            "Mardi et jeudi, 9 h – 17 h",
                            "Sur rendez-vous",
                        ]
                    ),
                    "phone": f"+331{rng.randint(60000000, 69999999)}",
                    "email": f"offre.{len(created) + 1}@exemple.fr",
                    "mobilisation_modes": ["envoyer-un-courriel", "telephoner"],
                    "mobilisable_by": ["professionnels"] if rng.random() < 0.6 else ["professionnels", "usagers"],
                    "zone": _zone(structure, level, antenna),
                    "capacity": capacity,
                    "places_open": rng.randint(2, 15) if capacity == "open" else None,
                    "waiting_weeks": rng.randint(2, 8) if capacity == "waiting_list" else None,
                    "response_days": rng.choice([15, 20, 30, 30, 30]),
                    "weekly_hours": rng.choice([None, 3, 6, 15]) if kind in {"atelier", "formation"} else None,
                    "weeks": rng.choice([4, 6, 12]) if kind in {"atelier", "formation"} else None,
                }
                service = actions.create_service(by=admin, structure=structure, data=data)
                if rng.random() < 0.04:
                    created.append(service)
                    continue  # A few drafts, still being written.
                service = actions.publish_service(service, by=admin)
                if rng.random() < 0.06:
                    start = today - datetime.timedelta(days=rng.randint(0, 5))
                    service = actions.suspend_service(
                        service,
                        by=admin,
                        start=start,
                        end=today + datetime.timedelta(days=rng.randint(5, 30)),
                        reason="Fermeture pour congés",
                    )
                created.append(service)
    return created


def _backdate(referral, days_ago):
    """Demo history: the referral and its steps as if sent ``days_ago`` (the actions stamp the present)."""
    referral = Referral.objects.select_related("service").get(pk=referral.pk)
    sent_at = timezone.now() - datetime.timedelta(days=days_ago)

    def moment(position):
        return sent_at + datetime.timedelta(days=min(position * 3, max(days_ago - 1, 0)), hours=position)

    steps = list(
        ReferralTransition.objects.filter(referral=referral).order_by("at", "pk").values_list("pk", flat=True)
    )
    for position, pk in enumerate(steps):
        ReferralTransition.objects.filter(pk=pk).update(at=moment(position))
    events = (
        TimelineEvent.objects.filter(obj_id=str(referral.public_id)).order_by("at", "pk").values_list("pk", flat=True)
    )
    for position, pk in enumerate(list(events)):
        TimelineEvent.objects.filter(pk=pk).update(at=moment(position))
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent_at,
        due_on=timezone.localdate(sent_at) + datetime.timedelta(days=referral.service.response_days),
        answered_at=moment(2) if referral.answered_at else None,
        started_on=timezone.localdate(moment(3)) if referral.started_on else None,
        ended_at=moment(len(steps) - 1) if referral.ended_at else None,
    )


# The demo referrals: status reached, days since sent.
PLAN = [
    ("sent", 1),
    ("sent", 4),
    ("sent", 12),
    ("under_review", 3),
    ("under_review", 8),
    ("accepted", 10),
    ("accepted", 6),
    ("refused", 9),
    ("refused", 15),
    ("started", 25),
    ("started", 40),
    ("completed", 90),
    ("abandoned", 60),
    ("expired", 45),
]
REFUSALS = ["full", "not_eligible", "not_reachable", "person_declined"]


def _referrals(rng, services):
    senders = list(
        Membership.objects.filter(
            user__email__in=[
                "conseiller.evry@demo.relais.test",
                "ts.evry@demo.relais.test",
                "ml.evry@demo.relais.test",
            ]
        )
        .select_related("user", "structure")
        .order_by("pk")
    )
    # Tremplin Emploi 91 first, so that the association's demo login has an inbox to answer.
    published = [
        service for service in services if service.status == Service.Status.PUBLISHED and not service.is_suspended()
    ]
    tremplin = [service for service in published if service.structure.name == "Tremplin Emploi 91"]
    others = [service for service in published if service.structure.name != "Tremplin Emploi 91"]
    count = 0
    for index, (status, days_ago) in enumerate(PLAN * 3):
        sender = senders[index % len(senders)]
        people = list(
            Person.objects.filter(
                pathway__team__user=sender.user, pathway__team__ended_at__isnull=True, merged_into__isnull=True
            ).order_by("pk")[:60]
        )
        if not people:
            continue
        person = people[(index * 7) % len(people)]
        choices = tremplin if index % 3 == 0 else others
        service = choices[(index * 5) % len(choices)]
        if Referral.objects.filter(person=person, service=service, status__in=Referral.OPEN).exists():
            continue
        referral = actions.send_referral(
            person,
            service,
            by=sender,
            message=rng.choice(MESSAGES),
            share_contact=True,
            share_diagnostic=index % 2 == 0,
        )
        answerer = (
            Membership.objects.filter(structure=service.structure, is_active=True).order_by("-role", "pk").first()
        )
        if status != "sent" and status != "expired":
            actions.review_referral(referral, by=answerer)
        if status in {"accepted", "started", "completed", "abandoned"}:
            actions.accept_referral(referral, by=answerer, message="Premier rendez-vous proposé la semaine prochaine.")
        if status == "refused":
            actions.refuse_referral(referral, by=answerer, reason=REFUSALS[index % len(REFUSALS)])
        if status in {"started", "completed"}:
            actions.start_referral(referral, by=answerer)
        if status == "completed":
            actions.complete_referral(referral, by=answerer, detail="Objectifs atteints.")
        if status == "abandoned":
            actions.abandon_referral(referral, by=answerer, reason="not_reachable")
        _backdate(referral, days_ago)
        if status == "expired":
            actions.expire_referral(Referral.objects.get(pk=referral.pk), by=SYSTEM)
        count += 1
    return count


@transaction.atomic
def seed_offer():
    """Create the demo services and referrals if they are not there yet. Returns (services, referrals)."""
    demo_structures = Structure.objects.filter(name__in=catalogue())
    services = list(Service.objects.filter(structure__in=demo_structures).select_related("structure"))
    rng = random.Random(9191)
    if not services:
        admins = {
            membership.structure_id: membership
            for membership in Membership.objects.filter(
                structure__in=demo_structures, role="structure_admin", is_active=True
            )
            .select_related("user", "structure")
            .order_by("-pk")
        }
        services = _services(rng, admins)
    if not Referral.objects.filter(service__in=services).exists() and Person.objects.exists():
        _referrals(rng, services)
    return len(services), Referral.objects.filter(service__in=services).count()
