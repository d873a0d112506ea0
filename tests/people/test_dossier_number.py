"""A short dossier number, readable over the phone, given once per person and never twice."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import DossierCounter
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_each_person_gets_the_next_number_of_the_year(membership_a):
    year = timezone.localdate().year
    first, second = PersonFactory(followed_by=membership_a), PersonFactory(followed_by=membership_a)

    assert re.fullmatch(rf"91-{year}-\d{{6}}", first.dossier_number)
    assert int(second.dossier_number[-6:]) == int(first.dossier_number[-6:]) + 1
    assert DossierCounter.objects.get(departement="91", year=year).last == int(second.dossier_number[-6:])


def test_the_number_is_kept_when_the_record_is_edited(membership_a):
    person = PersonFactory(followed_by=membership_a)
    number = person.dossier_number
    person.first_names = "Autre"
    person.save()
    person.refresh_from_db()
    assert person.dossier_number == number


def test_the_record_shows_it(login, professional_a, membership_a):
    person = PersonFactory(followed_by=membership_a)
    assert f"Numéro de dossier {person.dossier_number}" in text(
        login(professional_a).get(reverse("entry:person_detail", args=[person.public_id]))
    )


def test_a_coordinator_merges_by_dossier_numbers(login, coordinator):
    first, second = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
    page = text(
        login(coordinator).get(
            reverse("entry:merge"), {"dossier_1": first.dossier_number, "dossier_2": second.dossier_number}
        )
    )
    assert "Quel dossier conserver ?" in page
