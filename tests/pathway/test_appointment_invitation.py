"""The first appointment after an orientation: the invitation by email and SMS, the link the person answers with
(no account, single-use, expiring, only a digest stored), the .ics file, the daily reminders."""

import hashlib
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from audit.models import AccessLog
from pathway import appointment_actions as actions
from pathway.appointment_tasks import send_appointment_reminders
from pathway.models import Appointment, AppointmentInvitation, TimelineEvent
from relais.actions import Forbidden
from relais.sms import ConsoleSmsBackend
from tests.pages import field_error, input_value, text
from tests.pathway.appointment_factories import *  # noqa: F403  (the fixtures)
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory

PARIS = ZoneInfo("Europe/Paris")
LINK = re.compile(r"https?://\S+/carnet/invitation/([\w-]+)/")


@pytest.fixture(autouse=True)
def sms():
    ConsoleSmsBackend.sent.clear()
    yield ConsoleSmsBackend.sent
    ConsoleSmsBackend.sent.clear()


def in_days(days, hour=10, minute=0):
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute), tzinfo=PARIS)


def invite(person, membership, days=5, hour=10):
    return actions.invite_to_first_appointment(
        person,
        by=membership,
        starts_at=in_days(days, hour),
        ends_at=in_days(days, hour) + timedelta(minutes=45),
        mode="in_person",
        place="3 rue de l'Église, Évry-Courcouronnes",
    )


def token_from(sent_sms):
    return LINK.search(sent_sms[-1][1]).group(1)


def test_the_organisme_referent_invites_to_a_first_appointment(
    login, professional_a, membership_a, followed, capsys, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(professional_a)
    day = timezone.localdate() + timedelta(days=6)
    page = client.get(reverse("pathway:appointment_invite", args=[followed.public_id]))
    assert input_value(page, "purpose") == "Premier rendez-vous d'accompagnement"
    assert input_value(page, "place") == membership_a.structure.commune.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pathway:appointment_invite", args=[followed.public_id]),
            {
                "date": day.isoformat(),
                "start_time": "09:30",
                "end_time": "10:15",
                "mode": "in_person",
                "place": "3 rue de l'Église, Évry-Courcouronnes",
                "purpose": "Premier rendez-vous d'accompagnement",
                "professional": str(membership_a.public_id),
            },
        )

    appointment = Appointment.objects.get(person=followed)
    assert response.status_code == 302
    assert appointment.is_first
    # The SMS is printed on the console in development: the text and the link, never the number.
    printed = capsys.readouterr().out
    assert f"[SMS] Rendez-vous le {day:%d/%m} à 09h30 avec {membership_a.structure.name}" in printed
    assert "/carnet/invitation/" in printed
    assert "0612345678" not in printed.replace(" ", "") and "612345678" not in printed
    # The email: a subject without personal data, the place and time, the link, the .ics attached.
    (email,) = mailoutbox
    assert email.to == ["camille.moreau@exemple.fr"]
    assert email.subject == "Votre rendez-vous"
    assert "Bonjour Camille," in email.body
    assert "Moreau" not in email.body
    assert "à 09h30 (durée : 45 minutes)" in email.body
    assert "Lieu : 3 rue de l'Église, Évry-Courcouronnes" in email.body
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("rendez-vous.ics", "text/calendar")
    # The link carries an opaque token; the database holds its digest only.
    token = LINK.search(email.body).group(1)
    invitation = AppointmentInvitation.objects.get(appointment=appointment)
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(AppointmentInvitation.objects.values().get())
    assert str(followed.public_id) not in email.body
    assert sorted(invitation.channels) == ["email", "sms"]
    assert TimelineEvent.objects.filter(person=followed, kind=actions.INVITED).exists()
    assert invitation.expires_at == appointment.starts_at  # the link serves until the appointment, not beyond


def test_the_invitation_page_reveals_the_date_the_place_and_the_structure_only(
    client, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, _ = invite(followed, membership_a)
    token = token_from(sms)

    response = client.get(reverse("pathway:appointment_answer", args=[token]))

    page = text(response)
    assert response.status_code == 200
    assert "Bonjour Camille" in page
    assert f"{appointment.starts_at.astimezone(PARIS):%-d}" in page
    assert "de 10h00 à 10h45 (heure de Paris)" in page
    assert "3 rue de l'Église, Évry-Courcouronnes" in page
    assert membership_a.structure.name in page
    for hidden in ["Moreau", "MOREAU", "Louise", "Premier rendez-vous d'accompagnement", str(membership_a.user)]:
        assert hidden not in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    # The read is in the access log, without a user.
    log = AccessLog.objects.filter(object_id=str(followed.public_id)).latest("at")
    assert log.user is None and "par le lien" in log.detail


def test_the_person_confirms_once_and_the_professional_is_told(
    client, membership_a, followed, sms, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, _ = invite(followed, membership_a)
    token = token_from(sms)
    mailoutbox.clear()
    url = reverse("pathway:appointment_answer", args=[token])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "confirm"})

    assert response.status_code == 200
    assert "Votre venue est confirmée" in text(response)
    appointment.refresh_from_db()
    assert appointment.person_answer == Appointment.Answer.CONFIRMED
    assert TimelineEvent.objects.get(person=followed, kind=actions.CONFIRMED).actor is None
    (email,) = mailoutbox
    assert email.to == [membership_a.user.email]
    assert "a confirmé sa venue" in email.body
    assert "Moreau" not in email.body and "Camille" not in email.body
    # Single-use: the link opens no more, and a second answer changes nothing.
    again = client.get(url)
    assert again.status_code == 410
    assert "Ce lien a déjà servi" in text(again)
    assert "Camille" not in text(again)
    assert client.post(url, {"answer": "other_time"}).status_code == 410
    appointment.refresh_from_db()
    assert appointment.person_answer == Appointment.Answer.CONFIRMED


def test_the_person_asks_for_another_time_and_the_team_reads_the_message(
    client, login, professional_a, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, _ = invite(followed, membership_a)
    token = token_from(sms)

    response = client.post(
        reverse("pathway:appointment_answer", args=[token]),
        {"answer": "other_time", "message": "Plutôt les matins, sauf le mercredi."},
    )

    assert "Votre demande est transmise" in text(response)
    detail = login(professional_a).get(reverse("pathway:appointment_detail", args=[appointment.public_id]))
    assert "autre horaire demandé par la personne" in text(detail)
    assert "« Plutôt les matins, sauf le mercredi. »" in text(detail)


def test_an_empty_answer_is_asked_again(client, membership_a, followed, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(followed, membership_a)
    response = client.post(reverse("pathway:appointment_answer", args=[token_from(sms)]), {})
    assert response.status_code == 200
    assert "Choisissez : confirmer votre venue, ou demander un autre horaire." in text(response)
    assert AppointmentInvitation.objects.get().used_at is None


def test_a_too_long_message_is_refused_next_to_it_and_kept(
    client, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(followed, membership_a)
    message = "Le matin. " * 150

    response = client.post(
        reverse("pathway:appointment_answer", args=[token_from(sms)]), {"answer": "other_time", "message": message}
    )

    assert response.status_code == 200
    assert "1000 caractères" in field_error(response, "message")
    assert message.strip() in response.content.decode()
    assert AppointmentInvitation.objects.get().used_at is None


def test_an_expired_or_unknown_link_opens_nothing(
    client, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(followed, membership_a)
    invitation = AppointmentInvitation.objects.get()
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()

    expired = client.get(reverse("pathway:appointment_answer", args=[token_from(sms)]))
    unknown = client.get(reverse("pathway:appointment_answer", args=["pas-un-jeton"]))

    assert expired.status_code == 410
    assert "Ce lien a expiré." in text(expired)
    assert "Camille" not in text(expired)
    assert unknown.status_code == 404


def test_moving_the_appointment_sends_a_new_link_and_the_former_one_dies(
    client, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, _ = invite(followed, membership_a)
    former = token_from(sms)

    with django_capture_on_commit_callbacks(execute=True):
        actions.reschedule_appointment(
            appointment,
            by=membership_a,
            starts_at=in_days(8, 14),
            ends_at=in_days(8, 15),
            mode="phone",
            purpose="Premier rendez-vous d'accompagnement",
        )
    latest = token_from(sms)

    assert latest != former
    assert sms[-1][1].startswith(f"Rendez-vous déplacé le {in_days(8):%d/%m} à 14h00")
    old_page = client.get(reverse("pathway:appointment_answer", args=[former]))
    assert old_page.status_code == 410
    assert "Ce rendez-vous a été modifié" in text(old_page)
    new_page = client.get(reverse("pathway:appointment_answer", args=[latest]))
    assert "Par téléphone" in text(new_page)


def test_cancelling_tells_the_person_who_had_been_invited(
    client, membership_a, followed, sms, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, _ = invite(followed, membership_a)
    token = token_from(sms)

    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_appointment(appointment, by=membership_a, reason="Conseiller en formation")

    assert "est annulé" in sms[-1][1]
    assert mailoutbox[-1].subject == "Votre rendez-vous est annulé"
    assert "Conseiller en formation" not in mailoutbox[-1].body  # the reason is for the team
    assert client.get(reverse("pathway:appointment_answer", args=[token])).status_code == 410


def test_a_person_without_email_or_mobile_still_gets_the_appointment_planned(membership_a, followed, sms, mailoutbox):
    followed.email, followed.phone = "", "+33160000000"  # a landline: no SMS
    followed.save()

    appointment, invitation = invite(followed, membership_a)

    assert appointment.status == Appointment.Status.PLANNED
    assert invitation is None
    assert not sms and not mailoutbox
    with pytest.raises(actions.AppointmentError, match="ni adresse électronique ni téléphone portable"):
        actions.send_invitation(appointment, by=membership_a)


def test_only_the_organisme_referent_invites_and_only_once(membership_a, membership_b, followed):
    followed.pathway.team.create(user=membership_b.user, structure=membership_b.structure)
    with pytest.raises(Forbidden):
        invite(followed, membership_b)
    invite(followed, membership_a)
    with pytest.raises(actions.AppointmentError, match="Un premier rendez-vous est déjà prévu"):
        invite(followed, membership_a, days=9)


def test_the_ics_file_is_in_paris_time_and_names_nobody(login, professional_a, membership_a, followed):
    appointment, _ = invite(followed, membership_a, days=5, hour=10)

    response = login(professional_a).get(reverse("pathway:appointment_ics", args=[appointment.public_id]))

    assert response["Content-Type"] == "text/calendar"
    assert "attachment;" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.events
    assert event.start == in_days(5, 10)
    assert str(event.start.tzinfo) == "Europe/Paris"
    assert event.end - event.start == timedelta(minutes=45)
    assert str(event["LOCATION"]) == "3 rue de l'Église, Évry-Courcouronnes"
    assert str(appointment.public_id) in str(event["UID"])
    assert "VTIMEZONE" in response.content.decode()
    for name in ["Moreau", "MOREAU", "Camille"]:
        assert name not in response.content.decode()
    assert AccessLog.objects.filter(object_id=str(followed.public_id), action=AccessLog.Action.DOWNLOAD).exists()


def test_the_person_downloads_the_ics_from_the_link(
    client, membership_a, followed, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(followed, membership_a)
    response = client.get(reverse("pathway:appointment_answer_ics", args=[token_from(sms)]))
    (event,) = Calendar.from_ical(response.content).events
    assert str(event["SUMMARY"]) == f"Rendez-vous – {membership_a.structure.name}"
    assert "Premier rendez-vous" not in response.content.decode()


def test_reminders_go_once_a_day_or_two_before(
    membership_a, followed, sms, mailoutbox, django_capture_on_commit_callbacks
):
    soon = AppointmentFactory(
        person=followed,
        starts_at=timezone.now() + timedelta(hours=30),
        professional=membership_a.user,
        structure=membership_a.structure,
    )
    other = PersonFactory(followed_by=membership_a, phone="+33698765432")
    later = AppointmentFactory(
        person=other,
        starts_at=timezone.now() + timedelta(days=4),
        professional=membership_a.user,
        structure=membership_a.structure,
    )
    just_invited = AppointmentFactory(
        person=other,
        starts_at=timezone.now() + timedelta(hours=20),
        person_notified_at=timezone.now() - timedelta(hours=2),
        professional=membership_a.user,
        structure=membership_a.structure,
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders", "--dry-run")
    assert not sms
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_appointment_reminders")

    assert len(sms) == 1
    assert sms[0][1].startswith(f"Rappel : rendez-vous le {timezone.localtime(soon.starts_at):%d/%m à %Hh%M}")
    assert [email.subject for email in mailoutbox] == ["Rappel de votre rendez-vous"]
    soon.refresh_from_db(), later.refresh_from_db(), just_invited.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert later.reminder_sent_at is None and just_invited.reminder_sent_at is None
    assert TimelineEvent.objects.filter(person=followed, kind=actions.REMINDED).count() == 1


def test_the_reminders_run_from_the_task_queue_too(membership_a, followed, sms, django_capture_on_commit_callbacks):
    AppointmentFactory(
        person=followed,
        starts_at=timezone.now() + timedelta(hours=26),
        professional=membership_a.user,
        structure=membership_a.structure,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = send_appointment_reminders.enqueue()
    assert result.return_value == 1
    assert len(sms) == 1
