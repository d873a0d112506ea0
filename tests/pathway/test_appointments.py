"""Appointments of the carnet: planned by the team, attendance recorded, bad input refused with the input kept."""

import re
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ChangeLog
from pathway import actions as pathway_actions
from pathway import appointment_actions as actions
from pathway.models import Appointment, AppointmentInvitation, TimelineEvent
from relais.actions import SYSTEM, Conflict, Forbidden
from tests.pages import field_error, input_value, text
from tests.pathway.appointment_factories import *  # noqa: F403  (the fixtures)
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory

PARIS = ZoneInfo("Europe/Paris")


def in_days(days, hour=10, minute=0):
    """A moment ``days`` from today, at ``hour`` Paris time."""
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute), tzinfo=PARIS)


def form_data(day, start="10:00", end="10:45", membership=None, **extra):
    return {
        "professional": str(membership.public_id) if membership else "",
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "mode": "in_person",
        "place": "3 rue de l'Église, Évry-Courcouronnes",
        "purpose": "Point sur la recherche d'emploi",
        **extra,
    }


def plan(person, membership, days=3, hour=10, **extra):
    return actions.plan_appointment(
        person,
        by=membership,
        starts_at=in_days(days, hour),
        ends_at=in_days(days, hour) + timedelta(minutes=45),
        mode="in_person",
        place="3 rue de l'Église",
        purpose="Point d'étape",
        **extra,
    )


def test_a_team_member_plans_an_appointment_in_paris_time(login, professional_a, membership_a, followed):
    client = login(professional_a)
    day = timezone.localdate() + timedelta(days=7)
    url = reverse("pathway:appointment_create", args=[followed.public_id])

    response = client.post(url, form_data(day, membership=membership_a))

    appointment = Appointment.objects.get(person=followed)
    assert response.status_code == 302
    assert response["Location"] == reverse("pathway:appointment_detail", args=[appointment.public_id])
    assert appointment.status == Appointment.Status.PLANNED
    assert appointment.starts_at == datetime.combine(day, time(10, 0), tzinfo=PARIS)
    assert appointment.duration_minutes == 45
    assert appointment.professional == professional_a
    assert appointment.structure == membership_a.structure
    event = TimelineEvent.objects.get(person=followed, kind=actions.PLANNED)
    assert f"le {day:%d/%m/%Y} à 10h00 avec {professional_a}" in event.summary
    assert event.actor == professional_a
    assert ChangeLog.objects.filter(object_type="pathway.appointment", object_id=str(appointment.public_id)).exists()

    page = client.get(response["Location"])
    assert "de 10h00 à 10h45 (45 minutes)" in text(page)
    assert "Point sur la recherche d'emploi" in text(page)


def test_a_past_date_is_refused_next_to_the_date_and_nothing_typed_is_lost(
    login, professional_a, membership_a, followed
):
    client = login(professional_a)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        reverse("pathway:appointment_create", args=[followed.public_id]),
        form_data(yesterday, start="14:30", membership=membership_a),
    )

    assert response.status_code == 200
    assert "Cette date est passée" in field_error(response, "date")
    assert "Le rendez-vous a déjà eu lieu" in field_error(response, "date")
    assert input_value(response, "date") == yesterday.isoformat()
    assert input_value(response, "start_time") == "14:30"
    assert input_value(response, "purpose") == "Point sur la recherche d'emploi"
    assert "Le rendez-vous n'est pas enregistré" in text(response)
    assert not Appointment.objects.exists()


def test_an_end_before_the_start_is_refused_next_to_the_end(login, professional_a, membership_a, followed):
    client = login(professional_a)
    day = timezone.localdate() + timedelta(days=2)

    response = client.post(
        reverse("pathway:appointment_create", args=[followed.public_id]),
        form_data(day, start="11:00", end="10:30", membership=membership_a),
    )

    assert field_error(response, "end_time") == "L'heure de fin doit être après l'heure de début."
    assert input_value(response, "end_time") == "10:30"
    assert not Appointment.objects.exists()
    # The database holds the rule too, whatever the way in.
    with pytest.raises(actions.AppointmentError, match="L'heure de fin doit être après"):
        actions.plan_appointment(
            followed,
            by=followed.pathway.team.get().user.memberships.get(),
            starts_at=in_days(2, 11),
            ends_at=in_days(2, 10),
            mode="phone",
            purpose="Appel",
        )


def test_an_appointment_in_person_needs_a_place(login, professional_a, membership_a, followed):
    client = login(professional_a)
    day = timezone.localdate() + timedelta(days=2)

    response = client.post(
        reverse("pathway:appointment_create", args=[followed.public_id]),
        form_data(day, place="", membership=membership_a),
    )

    assert field_error(response, "place") == "Indiquez l'adresse du rendez-vous sur place."
    assert not Appointment.objects.exists()


def test_an_appointment_that_took_place_is_recorded_with_its_attendance(login, professional_a, membership_a, followed):
    client = login(professional_a)
    last_week = timezone.localdate() - timedelta(days=7)

    response = client.post(
        reverse("pathway:appointment_create", args=[followed.public_id]),
        form_data(last_week, took_place="on", attendance="missed", membership=membership_a),
    )

    appointment = Appointment.objects.get(person=followed)
    assert response.status_code == 302
    assert appointment.status == Appointment.Status.MISSED
    assert appointment.status_changed_by == professional_a
    kinds = set(TimelineEvent.objects.filter(person=followed, kind__in=actions.KINDS).values_list("kind", flat=True))
    assert kinds == {actions.PLANNED, actions.MISSED}


def test_a_date_to_come_cannot_be_recorded_as_past(login, professional_a, membership_a, followed):
    client = login(professional_a)
    response = client.post(
        reverse("pathway:appointment_create", args=[followed.public_id]),
        form_data(timezone.localdate() + timedelta(days=3), took_place="on", membership=membership_a),
    )
    assert "Un rendez-vous qui a eu lieu a une date passée" in field_error(response, "date")
    assert not Appointment.objects.exists()


def test_a_professional_is_not_booked_twice(membership_a, followed):
    plan(followed, membership_a, days=3, hour=10)
    other = PersonFactory(followed_by=membership_a)

    with pytest.raises(actions.AppointmentError, match="a déjà un rendez-vous de 10h00 à 10h45") as refused:
        actions.plan_appointment(
            other,
            by=membership_a,
            starts_at=in_days(3, 10, 30),
            ends_at=in_days(3, 11),
            mode="phone",
            purpose="Appel",
        )
    assert refused.value.field == "starts_at"
    # Right after is free.
    plan(other, membership_a, days=3, hour=11)


def test_an_appointment_is_planned_with_a_team_member_only(membership_a, membership_b, followed, colleague_a):
    # A colleague of the organisme référent may be the one the person meets.
    appointment = plan(followed, membership_a, professional=colleague_a)
    assert appointment.professional == colleague_a.user
    # Someone from outside the team may not.
    with pytest.raises(actions.AppointmentError, match="ne fait pas partie de l'équipe"):
        plan(followed, membership_a, days=4, professional=membership_b)


def test_someone_outside_the_team_cannot_plan(membership_b, followed, orientation_manager):
    with pytest.raises(Forbidden):
        plan(followed, membership_b)
    # The orientation manager reads the carnet but does not plan its appointments.
    with pytest.raises(Forbidden):
        plan(followed, orientation_manager.memberships.get())


def test_a_closed_pathway_takes_no_new_appointment(membership_a, followed):
    pathway_actions.exit_pathway(followed, by=SYSTEM, reason="moved_away", on=timezone.localdate())
    with pytest.raises(actions.AppointmentError, match="Ce parcours est clos"):
        plan(followed, membership_a)


def test_attendance_is_noted_once_the_appointment_has_begun(membership_a, followed):
    appointment = plan(followed, membership_a, days=2)

    with pytest.raises(actions.AppointmentError, match="n'a pas encore eu lieu"):
        actions.mark_missed(appointment, by=membership_a)
    # An excuse may come before.
    excused = actions.mark_excused(appointment, by=membership_a, reason="Entretien d'embauche")
    assert excused.status == Appointment.Status.EXCUSED
    assert excused.status_reason == "Entretien d'embauche"


def test_missed_then_corrected_to_honoured(membership_a, colleague_a, followed):
    appointment = AppointmentFactory(
        person=followed, past=True, professional=membership_a.user, structure=membership_a.structure
    )

    missed = actions.mark_missed(appointment, by=membership_a, version=appointment.version)
    honoured = actions.mark_honoured(missed, by=colleague_a, version=missed.version)

    assert honoured.status == Appointment.Status.HONOURED
    assert honoured.status_changed_by == colleague_a.user
    summaries = list(
        TimelineEvent.objects.filter(person=followed).order_by("at", "pk").values_list("summary", flat=True)
    )
    assert summaries[-1].endswith("honoré (correction : était « non honoré »)")


def test_two_members_recording_at_once_the_second_is_told(login, professional_a, membership_a, colleague_a, followed):
    appointment = AppointmentFactory(
        person=followed, past=True, professional=membership_a.user, structure=membership_a.structure
    )
    seen = appointment.version
    actions.mark_honoured(appointment, by=colleague_a, version=seen)

    client = login(professional_a)
    response = client.post(
        reverse("pathway:appointment_attendance", args=[appointment.public_id]),
        {"status": "missed", "version": seen},
        follow=True,
    )

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.HONOURED
    assert f"{colleague_a.user} l'a noté « honoré »" in text(response)
    assert "Rien n'a été enregistré" in text(response)
    with pytest.raises(Conflict):
        actions.mark_missed(appointment, by=membership_a, version=seen)


def test_a_cancelled_appointment_takes_no_attendance(membership_a, followed):
    appointment = plan(followed, membership_a)
    actions.cancel_appointment(appointment, by=membership_a, reason="Conseiller absent")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    with pytest.raises(actions.AppointmentError, match="annulé"):
        actions.mark_excused(appointment, by=membership_a)
    with pytest.raises(actions.AppointmentError, match="seul un rendez-vous prévu"):
        actions.reschedule_appointment(
            appointment,
            by=membership_a,
            starts_at=in_days(5),
            ends_at=in_days(5, 11),
            mode="phone",
            purpose="Appel",
        )


def test_each_status_is_written_by_one_action_only():
    """« Every status value is written by exactly one action »: one assignment per status in the actions."""
    source = Path(actions.__file__).read_text()
    for status in Appointment.Status:
        writers = re.findall(rf"\.status = Appointment\.Status\.{status.name}\b", source)
        assert len(writers) == 1, status


def test_the_person_page_shows_next_and_past_appointments(login, professional_a, membership_a, followed):
    AppointmentFactory(
        person=followed,
        past=True,
        status=Appointment.Status.MISSED,
        purpose="Bilan de compétences",
        professional=membership_a.user,
        structure=membership_a.structure,
    )
    plan(followed, membership_a, days=2)

    response = login(professional_a).get(reverse("entry:person_detail", args=[followed.public_id]))

    page = text(response)
    upcoming = timezone.localdate() + timedelta(days=2)
    assert re.search(rf"À venir \w+ {upcoming.day} \w+ {upcoming.year} à 10h00 – Point d'étape, avec", page)
    assert re.search(r"Passés \d\d/\d\d/\d{4} à \d\dh\d\d – Bilan de compétences non honoré", page)
    assert "Prévoir un rendez-vous" in page
    # A person oriented to A's structure: A's professional may invite to the first appointment.
    assert "Inviter à un premier rendez-vous" in page


def test_the_carnet_shows_the_three_next_and_the_three_last_appointments_without_the_cancelled_ones(
    login, professional_a, membership_a, followed
):
    now = timezone.now()

    def make(days, status):
        return AppointmentFactory(
            person=followed,
            starts_at=now + timedelta(days=days),
            status=status,
            professional=membership_a.user,
            structure=membership_a.structure,
        )

    upcoming = [make(days, Appointment.Status.PLANNED) for days in (5, 1, 3, 4, 2)]
    make(0.5, Appointment.Status.CANCELLED)
    past = [make(-days, Appointment.Status.HONOURED) for days in (5, 2, 4, 3, 6)]
    make(-1, Appointment.Status.CANCELLED)

    response = login(professional_a).get(reverse("entry:person_detail", args=[followed.public_id]))

    section = next(item for item in response.context["sections"] if item.key == "appointments").context
    assert section["upcoming"] == [upcoming[1], upcoming[4], upcoming[2]]
    assert section["past"] == [past[1], past[3], past[2]]


def test_moving_an_appointment_keeps_it_free_of_overlaps_and_records_it(login, professional_a, membership_a, followed):
    appointment = plan(followed, membership_a, days=3)
    client = login(professional_a)
    day = timezone.localdate() + timedelta(days=4)

    response = client.post(
        reverse("pathway:appointment_reschedule", args=[appointment.public_id]),
        form_data(
            day,
            start="14:00",
            end="15:00",
            membership=membership_a,
            version=appointment.version,
        ),
    )

    appointment.refresh_from_db()
    assert response.status_code == 302
    assert appointment.starts_at == datetime.combine(day, time(14), tzinfo=PARIS)
    event = TimelineEvent.objects.get(person=followed, kind=actions.MOVED)
    assert f"déplacé au {day:%d/%m/%Y} à 14h00" in event.summary


@pytest.mark.parametrize("rows", [5, 40])
def test_the_person_pages_read_a_bounded_number_of_queries(
    rows, login, professional_a, membership_a, followed, django_assert_max_num_queries
):
    appointments = [
        AppointmentFactory(
            person=followed,
            starts_at=timezone.now() - timedelta(days=index + 1),
            professional=membership_a.user,
            structure=membership_a.structure,
            status=Appointment.Status.HONOURED,
        )
        for index in range(rows)
    ]
    for _ in range(rows):
        AppointmentInvitation.objects.create(
            appointment=appointments[0],
            token_digest=uuid.uuid4().hex,
            channels=["sms"],
            sent_by=membership_a.user,
            expires_at=timezone.now(),
        )
    client = login(professional_a)

    with django_assert_max_num_queries(10):
        listing = client.get(reverse("pathway:person_appointments", args=[followed.public_id]))
    with django_assert_max_num_queries(9):
        detail = client.get(reverse("pathway:appointment_detail", args=[appointments[0].public_id]))

    assert text(listing).count("honoré") == min(rows, 20)
    assert text(detail).count("expiré") == min(rows, 10)
