"""An appointment as an iCalendar file (RFC 5545), for the person's message and the professional's calendar.

Nothing in it names the person: a calendar file travels to other tools (phones, shared calendars). The person's
file says where, when and with which structure; the professional's adds the link to the appointment in Relais.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from pathway.appointment_models import Appointment

PRODID = "-//Relais//Rendez-vous//FR"


def _where(appointment):
    if appointment.mode == Appointment.Mode.IN_PERSON:
        return appointment.place
    label = appointment.get_mode_display()
    return f"{label} – {appointment.place}" if appointment.place else label


def appointment_ics(appointment, *, for_person):
    """The .ics bytes of ``appointment``; ``for_person`` leaves out what only the team may read."""
    paris = ZoneInfo(settings.TIME_ZONE)
    structure = appointment.structure
    if for_person:
        summary = f"Rendez-vous – {structure.name}"
        description = "Rendez-vous d'accompagnement."
        if structure.phone:
            description += f" En cas d'empêchement, prévenez au {structure.phone}."
        url = None
    else:
        summary = f"Rendez-vous Relais – {appointment.purpose}"
        url = settings.SITE_URL + reverse("pathway:appointment_detail", args=[appointment.public_id])
        description = f"Le rendez-vous dans Relais : {url}"
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event = Event.new(
        uid=f"{appointment.public_id}@relais",
        summary=summary,
        description=description,
        start=timezone.localtime(appointment.starts_at, paris),
        end=timezone.localtime(appointment.ends_at, paris),
        location=_where(appointment) or None,
        sequence=appointment.version,
        stamp=timezone.now(),
        status="CANCELLED" if cancelled else "CONFIRMED",
        url=url,
    )
    calendar = Calendar.new(
        prodid=PRODID, method="CANCEL" if cancelled else "PUBLISH", subcomponents=[event], name=summary
    )
    calendar.add_missing_timezones()
    return calendar.to_ical()
