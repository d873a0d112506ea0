"""Appointments on other pages: the person page's section (next and past), and the status badges."""

from django import template
from django.utils import timezone

from pathway.access import can_invite_to_first_appointment, can_plan_appointment
from pathway.appointment_models import Appointment

register = template.Library()

BADGES = {
    Appointment.Status.PLANNED: "fr-badge--info",
    Appointment.Status.HONOURED: "fr-badge--success",
    Appointment.Status.MISSED: "fr-badge--error",
    Appointment.Status.EXCUSED: "fr-badge--warning",
    Appointment.Status.CANCELLED: "",
}
SHOWN = 3


@register.filter
def appointment_badge(status):
    """The DSFR badge variant of an attendance status."""
    return BADGES.get(status, "")


@register.inclusion_tag("pathway/appointments/_section.html", takes_context=True)
def appointments_section(context, person):
    """Next and past appointments of ``person``, on a page that has already checked that the reader sees them."""
    membership = getattr(context["request"], "membership", None)
    now = timezone.now()
    appointments = person.appointments.select_related("professional", "structure")
    upcoming = list(
        appointments.filter(status=Appointment.Status.PLANNED, starts_at__gte=now).order_by("starts_at", "pk")[:SHOWN]
    )
    past = list(
        appointments.filter(starts_at__lt=now)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("-starts_at", "-pk")[:SHOWN]
    )
    can_invite = can_invite_to_first_appointment(membership, person) and not any(a.is_first for a in upcoming)
    return {
        "person": person,
        "upcoming": upcoming,
        "past": past,
        "can_plan": can_plan_appointment(membership, person),
        "can_invite": can_invite,
    }
