"""A professional's agenda: their appointments across all their people, by day and by week, in Paris time."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from pathway.models import Appointment
from tests.pages import text
from tests.pathway.appointment_factories import *  # noqa: F403  (the fixtures)
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory

PARIS = ZoneInfo("Europe/Paris")
# A Monday far enough ahead, in winter (UTC+1).
MONDAY = date(2031, 1, 6)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def appointment_for(membership, day, hour, minute=0, **fields):
    person = fields.pop("person", None) or PersonFactory(followed_by=membership)
    return AppointmentFactory(
        person=person,
        starts_at=at(day, hour, minute),
        ends_at=at(day, hour, minute) + timedelta(minutes=30),
        professional=membership.user,
        structure=membership.structure,
        **fields,
    )


def agenda(client, **params):
    return client.get(reverse("pathway:agenda"), params)


def test_the_week_shows_my_appointments_day_by_day_in_french(login, professional_a, membership_a, membership_b):
    mine = PersonFactory(birth_name="Lefèvre", first_names="Aïcha", followed_by=membership_a)
    appointment_for(membership_a, MONDAY, 9, 30, person=mine, purpose="Point CV")
    appointment_for(membership_a, MONDAY + timedelta(days=3), 14, purpose="Atelier entretien")
    appointment_for(membership_b, MONDAY, 11, purpose="Rendez-vous d'un autre")

    response = agenda(login(professional_a), date=(MONDAY + timedelta(days=2)).isoformat())

    page = text(response)
    assert "Semaine du lundi 6 janvier au dimanche 12 janvier 2031" in page
    assert re.search(
        r"lundi 6 janvier 2031 Rendez-vous du lundi 6 janvier 2031 .* 09h30 – 10h00 LEFÈVRE Aïcha Point CV", page
    )
    assert "jeudi 9 janvier 2031" in page and "14h00 – 14h30" in page
    assert "mardi 7 janvier 2031 Aucun rendez-vous." in page
    assert "Rendez-vous d'un autre" not in page
    # Every person shown is in the access log.
    assert AccessLog.objects.filter(object_id=str(mine.public_id), detail="agenda").exists()


def test_the_day_view_and_its_navigation(login, professional_a, membership_a):
    appointment_for(membership_a, MONDAY, 9, purpose="Lundi")
    appointment_for(membership_a, MONDAY + timedelta(days=1), 9, purpose="Mardi")

    response = agenda(login(professional_a), vue="jour", date=MONDAY.isoformat())

    page = text(response)
    assert "Lundi" in page and "Mardi" not in page
    body = response.content.decode()
    assert f'href="?vue=jour&amp;date={(MONDAY - timedelta(days=1)).isoformat()}">Jour précédent' in body
    assert f'href="?vue=jour&amp;date={(MONDAY + timedelta(days=1)).isoformat()}">Jour suivant' in body
    assert f'href="?vue=jour&amp;date={timezone.localdate().isoformat()}"' in body
    assert 'aria-current="page">Par jour' in body


def test_today_by_default_and_a_bad_date_falls_back_to_today(login, professional_a):
    client = login(professional_a)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for params in [{}, {"date": "pas-une-date"}, {"date": "2026-02-31"}]:
        response = agenda(client, **params)
        assert response.status_code == 200
        assert f"Semaine du lundi {monday.day}" in text(response)
        assert 'aria-current="date"' in response.content.decode()


def test_days_are_cut_at_midnight_in_paris_not_in_utc(login, professional_a, membership_a):
    # 00:30 in Paris on Monday is still Sunday in UTC; 23:30 on Sunday in Paris is Sunday.
    appointment_for(membership_a, MONDAY, 0, 30, purpose="Tout début de semaine")
    appointment_for(membership_a, MONDAY - timedelta(days=1), 23, 30, purpose="Fin de la semaine d'avant")

    page = text(agenda(login(professional_a), date=MONDAY.isoformat()))

    assert "00h30 – 01h00" in page and "Tout début de semaine" in page
    assert "Fin de la semaine d'avant" not in page


def test_summer_time_is_shown_as_the_clock_says(login, professional_a, membership_a):
    summer_monday = date(2031, 6, 2)
    appointment_for(membership_a, summer_monday, 10, purpose="En été")
    page = text(agenda(login(professional_a), date=summer_monday.isoformat()))
    assert "10h00 – 10h30" in page


def test_people_i_no_longer_follow_leave_my_agenda(login, professional_a, membership_a):
    person = PersonFactory(followed_by=membership_a)
    appointment_for(membership_a, MONDAY, 9, person=person, purpose="Avant le départ")
    person.pathway.team.update(ended_at=timezone.now())

    page = text(agenda(login(professional_a), date=MONDAY.isoformat()))

    assert "Avant le départ" not in page


@pytest.mark.parametrize("rows", [5, 40])
def test_the_agenda_reads_a_bounded_number_of_queries(
    rows, login, professional_a, membership_a, django_assert_max_num_queries
):
    for index in range(rows):
        appointment_for(membership_a, MONDAY + timedelta(days=index % 5), 8 + (index // 5) % 10, (index // 50) * 30)
    client = login(professional_a)

    with django_assert_max_num_queries(10):
        response = agenda(client, date=MONDAY.isoformat())

    assert response.content.decode().count('<tr id="rdv-') == rows


def test_a_long_week_is_paginated(login, professional_a, membership_a):
    for index in range(65):
        appointment_for(membership_a, MONDAY + timedelta(days=index % 5), 7 + index // 5, 0)
    response = agenda(login(professional_a), date=MONDAY.isoformat())
    assert response.content.decode().count('<tr id="rdv-') == 60
    assert "Page 1 sur 2" in text(response)
    second = agenda(login(professional_a), date=MONDAY.isoformat(), page=2)
    assert second.content.decode().count('<tr id="rdv-') == 5


def test_attendance_is_noted_from_the_agenda_row(login, professional_a, membership_a):
    appointment = appointment_for(membership_a, timezone.localdate() - timedelta(days=1), 9, purpose="Hier")
    client = login(professional_a)
    page = agenda(client, date=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert "présence à noter" in text(page)
    assert 'hx-post="' in page.content.decode()

    response = client.post(
        reverse("pathway:appointment_attendance", args=[appointment.public_id]),
        {"status": "missed", "version": appointment.version, "next": "/carnet/agenda/"},
        HTTP_HX_REQUEST="true",
    )

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.MISSED
    row = response.content.decode()
    assert row.startswith(f'<tr id="rdv-{appointment.public_id}">')
    assert "non honoré" in text(response) and "Présence notée." in text(response)
    # Without JavaScript, the same form posts and comes back to the agenda.
    other = appointment_for(membership_a, timezone.localdate() - timedelta(days=1), 11, purpose="Hier aussi")
    plain = client.post(
        reverse("pathway:appointment_attendance", args=[other.public_id]),
        {"status": "honoured", "version": other.version, "next": "/carnet/agenda/?vue=jour"},
    )
    assert plain["Location"] == "/carnet/agenda/?vue=jour"
