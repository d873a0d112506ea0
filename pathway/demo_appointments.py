"""Demo appointments: every accompanied demo person has past appointments (mostly honoured, some missed or
excused, a few people with two missed in a row) and one to come with their référent; the named demo référents
have a realistic agenda — a few appointments each working day, from two weeks ago to three weeks ahead.

Written through the actions (so that the timeline and the history are those of real use), then dated back.
Deterministic and idempotent: a second run changes nothing. No invitation is sent (nothing to print at seed time).
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from pathway.appointment_actions import AppointmentError, cancel_appointment, plan_appointment, record_past_appointment
from pathway.models import Appointment, Pathway, TeamMember, TimelineEvent

DEMO_DOMAIN = "demo.relais.test"
NAMED_REFERENTS = [
    "ts.evry@demo.relais.test",
    "conseiller.evry@demo.relais.test",
    "conseiller.massy@demo.relais.test",
    "ml.evry@demo.relais.test",
]
PURPOSES = [
    "Point d'étape",
    "Bilan de la recherche d'emploi",
    "Préparation d'un entretien d'embauche",
    "Point sur le contrat d'engagement",
    "Démarches administratives",
    "Atelier CV et lettre de motivation",
    "Suivi de la formation",
    "Point mobilité",
    "Projet professionnel",
]
SLOTS = [time(9, 0), time(9, 45), time(10, 30), time(11, 15), time(14, 0), time(14, 45), time(15, 30), time(16, 15)]
ATTENDANCE = [Appointment.Status.HONOURED, Appointment.Status.MISSED, Appointment.Status.EXCUSED]


class _Seeder:
    def __init__(self):
        self.rng = random.Random(2027)
        self.paris = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.booked = set()  # (user id, start) and (person id, day)

    def working_day(self, day, forward=True):
        while day.weekday() >= 5:
            day += timedelta(days=1 if forward else -1)
        return day

    def free_slot(self, membership, person, day):
        if (person.pk, day) in self.booked:
            return None
        for slot in self.rng.sample(SLOTS, len(SLOTS)):
            start = datetime.combine(day, slot, tzinfo=self.paris)
            if (membership.user_id, start) not in self.booked:
                return start
        return None

    def fields(self, membership, start):
        structure = membership.structure
        mode = self.rng.choices(list(Appointment.Mode), weights=[7, 2, 1])[0]
        place = {
            Appointment.Mode.IN_PERSON: f"{structure.address}, {structure.commune.name}" if structure.commune else "",
            Appointment.Mode.PHONE: "",
            Appointment.Mode.VIDEO: "Lien de visioconférence envoyé la veille",
        }[mode]
        return {
            "by": membership,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=self.rng.choice([30, 45, 45])),
            "mode": mode,
            "place": place or structure.name,
            "purpose": self.rng.choice(PURPOSES),
        }

    def add(self, membership, person, day, attendance=None, cancelled=False):
        """One appointment on ``day``: recorded with its attendance when past, planned when to come."""
        start = self.free_slot(membership, person, day)
        if start is None:
            return None
        fields = self.fields(membership, start)
        try:
            if start + timedelta(hours=1) < self.now:
                appointment = record_past_appointment(person, attendance=attendance or self._attendance(), **fields)
            elif start > self.now:
                appointment = plan_appointment(person, **fields)
                if cancelled:
                    cancel_appointment(appointment, by=membership, reason="Empêchement du conseiller")
            else:
                return None
        except AppointmentError:
            return None
        self.booked.update({(membership.user_id, start), (person.pk, day)})
        self._date_back(appointment)
        return appointment

    def _attendance(self):
        return self.rng.choices(ATTENDANCE, weights=[80, 12, 8])[0]

    def _date_back(self, appointment):
        """The appointment was planned a fortnight before, its attendance noted just after it (untracked fields)."""
        planned_at = min(appointment.starts_at - timedelta(days=14), self.now)
        Appointment.objects.filter(pk=appointment.pk).update(
            created_at=planned_at,
            status_changed_at=appointment.ends_at + timedelta(minutes=20)
            if appointment.status != Appointment.Status.PLANNED and appointment.ends_at < self.now
            else appointment.status_changed_at,
        )
        events = TimelineEvent.objects.filter(obj_type="pathway.appointment", obj_id=str(appointment.public_id))
        events.filter(kind="pathway.appointment_planned").update(at=planned_at)
        if appointment.ends_at < self.now:
            events.exclude(kind="pathway.appointment_planned").update(at=appointment.ends_at + timedelta(minutes=20))


def _membership(user_id, structure_id):
    return (
        Membership.objects.select_related("user", "structure", "structure__commune")
        .filter(user_id=user_id, structure_id=structure_id, is_active=True)
        .first()
    )


@transaction.atomic
def seed_appointments():
    """Create the demo appointments if they are not there yet. Returns how many exist."""
    demo = Appointment.objects.filter(created_by__email__endswith=f"@{DEMO_DOMAIN}")
    if demo.exists():
        return demo.count()
    seeder = _Seeder()
    today = seeder.today
    accompanied = (
        Pathway.objects.filter(
            status=Pathway.Status.ACCOMPANIED, person__created_by__email__endswith=f"@{DEMO_DOMAIN}"
        )
        .select_related("person")
        .order_by("pk")
    )
    for index, pathway in enumerate(accompanied):
        membership = _membership(pathway.referent_id, pathway.referent_structure_id)
        if membership is None:
            continue
        person = pathway.person
        # Past appointments, every three weeks or so back from last week, none before the person entered.
        days = []
        day = today - timedelta(days=seeder.rng.randint(5, 12))
        for _ in range(seeder.rng.randint(2, 4)):
            day = seeder.working_day(day, forward=False)
            if day <= pathway.entered_at:
                break
            days.append(day)
            day -= timedelta(days=seeder.rng.randint(18, 28))
        for position, day in enumerate(reversed(days)):
            # One person in eight missed the last two: the early warning has something to show.
            latest_two = position >= len(days) - 2
            missed = index % 8 == 3 and latest_two and len(days) >= 2
            seeder.add(membership, person, day, attendance=Appointment.Status.MISSED if missed else None)
        upcoming = seeder.working_day(today + timedelta(days=seeder.rng.randint(1, 20)))
        seeder.add(membership, person, upcoming, cancelled=index % 11 == 5)

    # The named référents: a few appointments each working day with the people of their caseload.
    for email in NAMED_REFERENTS:
        membership = (
            Membership.objects.select_related("user", "structure", "structure__commune")
            .filter(user__email=email, is_active=True)
            .order_by("pk")
            .first()
        )
        if membership is None:
            continue
        team = TeamMember.objects.filter(
            user_id=membership.user_id, structure_id=membership.structure_id, ended_at__isnull=True
        ).select_related("pathway__person")
        people = [member.pathway.person for member in team.order_by("pk") if member.pathway.is_active]
        if not people:
            continue
        for offset in range(-14, 22):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for _ in range(seeder.rng.randint(2, 4)):
                seeder.add(membership, seeder.rng.choice(people), day)
    return demo.count()
