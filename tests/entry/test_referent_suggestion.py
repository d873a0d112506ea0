"""The suggested organisme référent: the usual kind for the pathway, the closest zone; pre-selected, changeable."""

import pytest
from django.urls import reverse

from accounts.models import Structure
from entry.referent_candidates import candidates_for
from entry.referent_suggestion import COMMUNE, EPCI, WHOLE_DEPARTEMENT, Candidate, suggest_referent_structure
from territory.models import Commune
from tests.factories import StructureFactory
from tests.pages import text


def candidate(key, kind, zone, name=None):
    return Candidate(key=key, name=name or key, kind=kind, zone=zone)


class TestPureSuggestion:
    def test_the_professional_pathway_goes_to_france_travail(self):
        candidates = [
            candidate("msd", "maison_solidarites", COMMUNE),
            candidate("ft", "france_travail", WHOLE_DEPARTEMENT),
        ]
        assert suggest_referent_structure(candidates, pathway="professional", age=40).key == "ft"

    def test_the_social_pathway_goes_to_the_departement_s_services(self):
        candidates = [
            candidate("ft", "france_travail", COMMUNE),
            candidate("ccas", "ccas", COMMUNE),
            candidate("msd", "maison_solidarites", EPCI),
        ]
        assert suggest_referent_structure(candidates, pathway="social", age=40).key == "msd"

    def test_the_closest_zone_wins_within_a_kind(self):
        candidates = [
            candidate("ft-dep", "france_travail", WHOLE_DEPARTEMENT),
            candidate("ft-epci", "france_travail", EPCI),
            candidate("ft-commune", "france_travail", COMMUNE),
        ]
        suggestion = suggest_referent_structure(candidates, pathway="professional")
        assert suggestion.key == "ft-commune"
        assert "la commune" in suggestion.why

    def test_a_structure_whose_zone_does_not_cover_the_commune_is_never_suggested(self):
        candidates = [candidate("ft", "france_travail", None), candidate("asso", "association", COMMUNE)]
        assert suggest_referent_structure(candidates, pathway="professional") is None

    def test_under_26_the_mission_locale_comes_first_except_for_the_social_pathway(self):
        candidates = [
            candidate("ml", "mission_locale", EPCI),
            candidate("ft", "france_travail", COMMUNE),
            candidate("msd", "maison_solidarites", COMMUNE),
        ]
        assert suggest_referent_structure(candidates, pathway="professional", age=22).key == "ml"
        assert suggest_referent_structure(candidates, pathway="professional", age=30).key == "ft"
        assert suggest_referent_structure(candidates, pathway="social", age=22).key == "msd"

    def test_ties_are_broken_by_name(self):
        candidates = [candidate("b", "france_travail", COMMUNE, "B"), candidate("a", "france_travail", COMMUNE, "A")]
        assert suggest_referent_structure(candidates, pathway="professional").key == "a"


@pytest.mark.django_db
class TestOnTheDecisionPage:
    def test_candidates_are_read_with_their_zone(self, django_assert_max_num_queries):
        massy = Commune.objects.get(code="91377")
        in_commune = StructureFactory(name="France Travail Massy", kind=Structure.Kind.FRANCE_TRAVAIL)
        in_commune.zone_communes.add(massy)
        in_epci = StructureFactory(name="MDS Paris-Saclay", kind=Structure.Kind.MAISON_SOLIDARITES)
        if massy.epci_id:
            in_epci.zone_epcis.add(massy.epci_id)
        whole = StructureFactory(name="Département", departement=True)
        elsewhere = StructureFactory(name="France Travail Évry", kind=Structure.Kind.FRANCE_TRAVAIL)
        elsewhere.zone_communes.add(Commune.objects.get(code="91228"))
        with django_assert_max_num_queries(1):
            zones = {c.name: c.zone for c in candidates_for(massy)}
        assert zones["France Travail Massy"] == COMMUNE
        assert zones["Département"] == WHOLE_DEPARTEMENT
        if massy.epci_id:
            assert zones["MDS Paris-Saclay"] == EPCI
        assert "France Travail Évry" not in zones
        assert whole.pk

    def test_the_suggestion_is_preselected_and_changeable(
        self, client, login, orientation_manager, followed, membership_a, propose, structure_b
    ):
        suggested = StructureFactory(name="France Travail Massy", kind=Structure.Kind.FRANCE_TRAVAIL)
        suggested.zone_communes.add(followed.commune)
        propose(followed, membership_a, "professional")
        login(orientation_manager)
        response = client.get(reverse("entry:decide", args=[followed.public_id]))
        assert response.context["form"].initial["referent_structure"] == suggested.pk
        assert f'<option value="{suggested.pk}" selected>' in response.content.decode()
        assert "France Travail Massy" in text(response)
        # Changeable: another structure is decided.
        response = client.post(
            reverse("entry:decide", args=[followed.public_id]),
            {
                "pathway_type": "professional",
                "referent_structure": structure_b.pk,
                "referent": "",
                "decision_reason": "",
            },
        )
        assert response.status_code == 302
        followed.pathway.refresh_from_db()
        assert followed.pathway.referent_structure == structure_b
