"""The RSA orientation delay (CASF art. D262-65-2, décret 2024-1244): six weeks from the day the Département received
the information that the right opened, not from the record's creation; the due date follows every change."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway import actions
from pathway.models import Pathway, orientation_due_on
from tests.entry.posts import person_data
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

SIX_WEEKS = datetime.timedelta(weeks=6)


def test_the_delay_runs_from_the_information_date_else_the_entry_date():
    person = SimpleNamespace(is_rsa=True)
    entered, informed = datetime.date(2026, 3, 10), datetime.date(2026, 2, 20)
    assert orientation_due_on(person, entered, informed) == informed + SIX_WEEKS
    assert orientation_due_on(person, entered) == entered + SIX_WEEKS
    assert orientation_due_on(SimpleNamespace(is_rsa=False), entered, informed) is None


def test_the_person_form_sets_the_information_date(client, login, professional_a):
    login(professional_a)
    today = timezone.localdate()
    informed = today - datetime.timedelta(days=10)
    response = client.post(
        reverse("entry:person_create"), person_data(rsa_informed_on=informed.isoformat(), entry_date=today.isoformat())
    )
    assert response.status_code == 302
    pathway = Pathway.objects.get()
    assert pathway.rsa_informed_on == informed
    assert pathway.orientation_due_on == informed + SIX_WEEKS
    assert pathway.entered_at == today


def test_a_future_information_date_is_refused(client, login, professional_a):
    login(professional_a)
    future = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(reverse("entry:person_create"), person_data(rsa_informed_on=future.isoformat()))
    assert response.status_code == 200
    assert "ne peut pas être dans le futur" in text(response)


def test_the_due_date_follows_the_information_date_and_the_entry_date(membership_a):
    person = PersonFactory(followed_by=membership_a, rsa=True)
    pathway = Pathway.objects.get(person=person)
    entered = pathway.entered_at
    informed = entered - datetime.timedelta(days=14)

    actions.update_person(person, by=membership_a, version=None, changes={}, rsa_informed_on=informed)
    pathway.refresh_from_db()
    assert (pathway.rsa_informed_on, pathway.orientation_due_on) == (informed, informed + SIX_WEEKS)

    # Changing only the entry date keeps the information date and the due date that follows it.
    earlier = entered - datetime.timedelta(days=1)
    actions.update_person(person, by=membership_a, version=None, changes={}, entered_at=earlier)
    pathway.refresh_from_db()
    assert pathway.orientation_due_on == informed + SIX_WEEKS

    # Cleared: the delay runs from the entry date again.
    actions.update_person(person, by=membership_a, version=None, changes={}, rsa_informed_on=None)
    pathway.refresh_from_db()
    assert pathway.orientation_due_on == earlier + SIX_WEEKS


def test_once_passed_the_worklist_says_france_travail_orients(client, login, orientation_manager, membership_a):
    person = PersonFactory(followed_by=membership_a, rsa=True, commune_id="91377")
    long_ago = timezone.localdate() - datetime.timedelta(weeks=8)
    actions.update_person(person, by=membership_a, version=None, changes={}, rsa_informed_on=long_ago)
    login(orientation_manager)
    page = text(client.get(reverse("entry:worklist") + "?vue=en_retard"))
    assert person.full_name in page
    assert "France Travail oriente la personne" in page


@pytest.fixture
def membership_a(professional_a):
    return professional_a.memberships.get()
