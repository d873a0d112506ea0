"""The proposal's rules and thresholds are data a coordinator reads; they are Relais's own reading of the national
decision chart, and every proposal's "why" says so."""

import pytest
from django.urls import reverse

from entry import proposal
from entry.proposal import READING_NOTE, RULES, THRESHOLDS, PersonFacts, propose_orientation
from tests.pages import text

pytestmark = pytest.mark.django_db


def test_every_threshold_is_data_used_by_existing_rules():
    keys = {rule.key for rule in RULES}
    assert {threshold.key for threshold in THRESHOLDS} == {
        "recent_activity_months",
        "strong_barriers_for_social",
        "blocking_themes",
        "moderate_barriers_for_global",
        "qualified_levels",
    }
    for threshold in THRESHOLDS:
        assert set(threshold.used_by) <= keys
    assert {t.key: t.value for t in THRESHOLDS}["recent_activity_months"] == proposal.RECENT_ACTIVITY_MONTHS


def test_the_why_of_a_proposal_says_it_is_relais_s_reading():
    result = propose_orientation({"professional_situation": {"aspiration": "not_yet"}}, PersonFacts())
    assert READING_NOTE in result.reasons
    assert "lecture que Relais fait de la grille nationale" in READING_NOTE
    assert "lecture que Relais fait" in result.explain()


def test_a_coordinator_reads_each_rule_and_threshold(client, login, coordinator):
    login(coordinator)
    response = client.get(reverse("entry:proposal_rules"))
    assert response.status_code == 200
    page = text(response)
    assert "la lecture que Relais fait de la grille nationale de décision" in page
    for rule in RULES:
        assert rule.label[0].upper() + rule.label[1:] in page
    for threshold in THRESHOLDS:
        assert threshold.label in page
    assert "24 mois" in page
    assert "Santé" in page or "santé" in page
    # Version 2 of the diagnostic, as the rules read it.
    assert "Sans diplôme, avec une formation qualifiante (certificat, attestation de compétences…)" in page
    assert "les 24 derniers mois comme dans les critères nationaux" in page
    assert "bénéficiaire de l'obligation d'emploi" in page
    assert "sans activité récente dont les difficultés empêchent pour l'instant toute recherche d'emploi" in page


def test_a_professional_may_not_open_the_rules_page(client, login, professional_a):
    login(professional_a)
    assert client.get(reverse("entry:proposal_rules")).status_code == 403
