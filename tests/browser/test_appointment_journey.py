"""Appointments in the browser: a demo référent invites a person to a first appointment (the SMS printed on the
console), the person answers through the link, the référent records two missed appointments and reads the agenda.
An axe scan on every page."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, seed_consortium
from accounts.models import Membership
from pathway.models import Appointment
from relais.sms import ConsoleSmsBackend
from tests.pathway.appointment_factories import AppointmentFactory
from tests.people.factories import PersonFactory, accompany

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
REFERENT = "conseiller.evry@demo.relais.test"


@pytest.fixture
def console_errors(page):
    """A script error or a Content Security Policy block in the browser fails the test."""
    failures = []
    page.on("pageerror", lambda error: failures.append(f"Erreur JavaScript : {error}"))
    page.on(
        "console",
        lambda message: (
            failures.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield
    assert not failures, "\n".join(failures)


@pytest.fixture
def oriented_person():
    """The demo consortium; a person oriented to the référent's agency, accompanied by them, with two appointments
    two days ago whose attendance is still to be noted."""
    seed_consortium()
    membership = Membership.objects.select_related("user", "structure").get(user__email=REFERENT)
    person = PersonFactory(
        birth_name="Girard",
        first_names="Nadège",
        email="nadege.girard@exemple.fr",
        phone="+33612345678",
        followed_by=membership,
        created_by=membership.user,
    )
    person = accompany(person, membership)
    day = timezone.localdate() - timedelta(days=2)
    for hour, purpose in [(9, "Atelier CV"), (14, "Point sur la recherche d'emploi")]:
        start = datetime.combine(day, time(hour), tzinfo=PARIS)
        AppointmentFactory(
            person=person,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            purpose=purpose,
            professional=membership.user,
            structure=membership.structure,
        )
    ConsoleSmsBackend.sent.clear()
    return person


def test_a_referent_invites_records_two_missed_appointments_and_reads_the_agenda(
    page, browser, live_server, axe_check, log_in, console_errors, oriented_person, capsys
):
    person = oriented_person
    log_in(page, REFERENT, DEMO_PASSWORD)
    axe_check(page)

    # 1. The person page offers the first appointment to the organisme référent.
    page.goto(f"/personnes/{person.public_id}/")
    expect(page.get_by_role("heading", name="Rendez-vous", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Inviter à un premier rendez-vous").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter à un premier rendez-vous")
    axe_check(page)

    # An end before the start is refused next to the field; nothing typed is lost.
    day = timezone.localdate() + timedelta(days=7)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure de début").fill("10:00")
    page.get_by_label("Heure de fin").fill("09:30")
    page.get_by_role("button", name="Prévoir et envoyer l'invitation").click()
    end = page.get_by_label("Heure de fin")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{end.get_attribute('aria-describedby').split()[-1]}")).to_have_text(
        re.compile("L'heure de fin doit être après l'heure de début.")
    )
    summary = page.locator("#erreurs-du-formulaire")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Le rendez-vous n'est pas enregistré")
    expect(page.locator(".fr-alert--error")).to_have_count(1)  # one summary, not a second beside it
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    expect(page.get_by_label("Lieu")).to_have_value(re.compile("rue de la République, Évry-Courcouronnes"))
    axe_check(page)

    end.fill("10:45")
    page.get_by_role("button", name="Prévoir et envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Le premier rendez-vous est prévu et l'invitation envoyée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("à 10h00")
    axe_check(page)

    # 2. In development the SMS is printed on the console: the place, the time, the link — not the number.
    printed = capsys.readouterr().out
    assert f"[SMS] Rendez-vous le {day:%d/%m} à 10h00 avec France Travail Évry-Courcouronnes" in printed
    assert "612345678" not in printed
    link = re.search(r"https?://\S+/carnet/invitation/([\w-]+)/", printed).group(0)

    # 3. The person opens the link, with no account, and confirms.
    person_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    person_page = person_context.new_page()
    person_page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(person_page.get_by_role("heading", level=1)).to_have_text("Bonjour Nadège")
    expect(person_page.get_by_text("de 10h00 à 10h45 (heure de Paris)")).to_be_visible()
    expect(person_page.get_by_text("Girard")).to_have_count(0)
    axe_check(person_page)
    person_page.get_by_role("button", name="Je confirme ma venue").click()
    expect(person_page.get_by_role("status")).to_contain_text("Votre venue est confirmée")
    axe_check(person_page)
    person_page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(person_page.get_by_text("Ce lien a déjà servi")).to_be_visible()
    axe_check(person_page)
    person_context.close()

    # 4. The first missed appointment, from its page.
    page.goto(f"/personnes/{person.public_id}/")
    page.get_by_role("link", name="Tous les rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rendez-vous")
    axe_check(page)
    page.get_by_role("row", name=re.compile("Atelier CV")).get_by_role("link").click()
    expect(page.get_by_text("présence à noter")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Non honoré").click()
    expect(page.get_by_role("status")).to_contain_text("Rendez-vous noté « non honoré »")
    axe_check(page)

    # 5. The agenda: the second one from its row (htmx), then the week.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon agenda")
    expect(page.get_by_role("link", name="Aujourd'hui")).to_have_attribute("aria-current", "date")
    axe_check(page)
    page.get_by_role("link", name="Par jour").click()
    axe_check(page)
    for _ in range(2):
        page.get_by_role("link", name="Jour précédent").click()
    expect(page.locator(".fr-text--lead")).to_have_text(
        re.compile(rf"{(timezone.localdate() - timedelta(days=2)).day} \w+ \d{{4}}")
    )
    axe_check(page)
    row = page.get_by_role("row", name=re.compile("Point sur la recherche d'emploi"))
    row.get_by_role("button", name=re.compile("^Non honoré")).click()
    expect(row).to_contain_text("Présence notée.")
    expect(row).to_contain_text("non honoré")
    axe_check(page)
    assert list(person.appointments.filter(is_first=False).values_list("status", flat=True)) == [
        Appointment.Status.MISSED,
        Appointment.Status.MISSED,
    ]

    page.get_by_role("link", name="Par semaine").click()
    page.get_by_role("link", name="Semaine suivante").click()
    axe_check(page)
    page.get_by_role("link", name="Aujourd'hui").click()
    if day - timezone.localdate() >= timedelta(days=7 - timezone.localdate().weekday()):
        page.get_by_role("link", name="Semaine suivante").click()
    first = page.get_by_role("row", name=re.compile("Premier rendez-vous d'accompagnement"))
    expect(first).to_contain_text("confirmé par la personne")
    axe_check(page)
