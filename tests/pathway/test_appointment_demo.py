"""The demo appointments: every accompanied demo person has past and future appointments, the named référents a
full agenda, nobody booked twice, and a second run changes nothing."""

from datetime import timedelta

from django.utils import timezone

from accounts.demo import seed_consortium
from accounts.models import Membership
from pathway import actions as pathway_actions
from pathway.demo_appointments import seed_appointments
from pathway.models import Appointment, TimelineEvent
from relais.actions import SYSTEM
from tests.people.factories import PersonFactory


def accompanied_by(email, count):
    membership = Membership.objects.select_related("user", "structure").get(user__email=email)
    people = []
    for _ in range(count):
        person = PersonFactory(
            followed_by=membership,
            created_by=membership.user,
            followed_by__entered_at=timezone.localdate() - timedelta(days=200),
        )
        pathway_actions.mark_oriented(person, by=SYSTEM, pathway_type="professional", structure=membership.structure)
        pathway_actions.designate_referent(person, by=SYSTEM, referent=membership)
        people.append(person)
    return membership, people


def test_demo_people_and_referents_have_appointments(db):
    seed_consortium()
    membership, people = accompanied_by("conseiller.evry@demo.relais.test", 12)

    created = seed_appointments()

    now = timezone.now()
    assert created == Appointment.objects.count() > 0
    for person in people:
        appointments = person.appointments.all()
        assert appointments.filter(starts_at__lt=now).exclude(status=Appointment.Status.PLANNED).exists()
        assert appointments.filter(starts_at__gt=now).exists()
    # The référent's agenda: appointments on most working days of the coming weeks.
    upcoming_days = {
        timezone.localtime(start).date()
        for start in Appointment.objects.filter(
            professional=membership.user, starts_at__gt=now, starts_at__lt=now + timedelta(days=21)
        ).values_list("starts_at", flat=True)
    }
    assert len(upcoming_days) >= 10
    # Nobody is booked twice.
    planned = list(Appointment.objects.filter(professional=membership.user).order_by("starts_at"))
    for before, after in zip(planned, planned[1:], strict=False):
        assert before.ends_at <= after.starts_at
    # Past ones sit on the timeline at their date, not at the seeding's.
    event = TimelineEvent.objects.filter(kind="pathway.appointment_honoured").order_by("at").first()
    assert event.at < now - timedelta(days=3)

    assert seed_appointments() == created
    assert Appointment.objects.count() == created
