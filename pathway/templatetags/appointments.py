"""Appointments on other pages: their status badges (the carnet's section is in ``pathway.carnet_sections``)."""

from django import template

from pathway.appointment_models import Appointment

register = template.Library()

BADGES = {
    Appointment.Status.PLANNED: "fr-badge--info",
    Appointment.Status.HONOURED: "fr-badge--success",
    Appointment.Status.MISSED: "fr-badge--error",
    Appointment.Status.EXCUSED: "fr-badge--warning",
    Appointment.Status.CANCELLED: "",
}


@register.filter
def appointment_badge(status):
    """The DSFR badge variant of an attendance status."""
    return BADGES.get(status, "")
