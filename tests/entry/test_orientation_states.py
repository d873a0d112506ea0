"""Orientation states that make sense: a diagnostic updated after the decision proposes nothing by itself, a
réorientation is asked explicitly with a reason; an unchanged diagnostic makes no new version; the youngest person."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from entry.models import Diagnostic, Orientation
from tests.entry.posts import diagnostic_data, person_data
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def accompanied(followed, orient, membership_b, structure_b):
    """Camille, oriented to structure B, with professional B as référent."""
    orient(followed, structure_b, referent=membership_b)
    return followed


def test_a_diagnostic_updated_after_the_decision_proposes_nothing(login, professional_b, accompanied):
    client = login(professional_b)

    client.post(reverse("entry:diagnostic_edit", args=[accompanied.public_id]), diagnostic_data())

    assert Diagnostic.objects.filter(person=accompanied).count() == 2
    assert not Orientation.objects.filter(person=accompanied, status=Orientation.Status.PROPOSED).exists()


def test_the_referent_asks_for_a_reorientation_with_a_reason(login, professional_b, accompanied, orientation_manager):
    url = reverse("entry:request_reorientation", args=[accompanied.public_id])
    client = login(professional_b)

    refused = client.post(url, {"reason": ""})
    assert "Ce champ est obligatoire." in text(refused)

    response = client.post(url, {"reason": "Elle a retrouvé un logement et veut reprendre un emploi."})

    assert response.status_code == 302
    orientation = Orientation.objects.get(person=accompanied, status=Orientation.Status.PROPOSED)
    assert orientation.is_reorientation
    assert orientation.reorientation_reason == "Elle a retrouvé un logement et veut reprendre un emploi."
    worklist = text(login(orientation_manager).get(reverse("entry:worklist"), {"vue": "reorientation"}))
    assert "Réorientations demandées (1)" in worklist
    assert "MOREAU Camille" in worklist


def test_a_professional_of_the_team_who_is_not_the_referent_cannot_ask(login, professional_a, accompanied):
    url = reverse("entry:request_reorientation", args=[accompanied.public_id])
    assert login(professional_a).post(url, {"reason": "Pourquoi pas"}).status_code == 403
    assert not Orientation.objects.filter(person=accompanied, status=Orientation.Status.PROPOSED).exists()


def test_an_unchanged_diagnostic_makes_no_new_version(login, professional_a, followed):
    client = login(professional_a)
    url = reverse("entry:diagnostic_edit", args=[followed.public_id])
    client.post(url, diagnostic_data())
    first = Diagnostic.objects.get(person=followed)

    client.post(url, diagnostic_data())

    assert list(Diagnostic.objects.filter(person=followed)) == [first]


def test_a_person_must_be_at_least_sixteen(login, professional_a):
    too_young = timezone.localdate() - datetime.timedelta(days=15 * 365)
    response = login(professional_a).post(
        reverse("entry:person_create"), person_data(birth_date=too_young.isoformat())
    )

    assert "La personne doit avoir au moins 16 ans" in text(response)
