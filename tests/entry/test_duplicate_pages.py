"""The coordinators' pages of probable duplicates: the ranked list (paginated, in a fixed number of queries), the
recomputation, the side-by-side comparison, the merge or « pas la même personne » from there, and the old address
of a merged record leading to the survivor."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLog
from pathway.access import can_view_person
from pathway.models import TeamMember
from people.models import DuplicatePair, DuplicateScan, Person, PersonMerge
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.pages import text
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1983, 6, 14)


def pair_of(first, second, score=100, strong=True, reasons=("Même nom", "Mêmes prénoms", "Même date de naissance")):
    return DuplicatePair.objects.create(first=first, second=second, score=score, strong=strong, reasons=list(reasons))


@pytest.fixture
def membership_a(professional_a):
    return professional_a.memberships.get()


@pytest.fixture
def membership_b(professional_b):
    return professional_b.memberships.get()


@pytest.fixture
def twins(membership_a, membership_b, structure_b):
    """The same person entered twice: by professional A (followed, diagnosed, oriented), then by B."""
    first = PersonFactory(
        birth_name="Moreau", first_names="Camille", birth_date=BIRTH, followed_by=membership_a, nir=make_nir()
    )
    DiagnosticFactory(person=first, done_by=membership_a.user, structure=membership_a.structure)
    OrientationFactory(person=first, proposed_by=membership_a.user, proposed_for=membership_a.structure)
    second = PersonFactory(birth_name="MOREAU", first_names="camille", birth_date=BIRTH, followed_by=membership_b)
    second.created_by, second.created_for = membership_b.user, structure_b
    second.save()
    return first, second


class TestTheList:
    @pytest.mark.parametrize("count", [3, 30])
    def test_ranked_paginated_in_a_fixed_number_of_queries(
        self, login, coordinator, count, django_assert_max_num_queries
    ):
        for index in range(count):
            pair_of(PersonFactory(), PersonFactory(), score=80 + index % 20, strong=False)
        pair_of(PersonFactory(birth_name="Certain"), PersonFactory(birth_name="Certain"), score=95, strong=True)
        client = login(coordinator)

        with django_assert_max_num_queries(11):
            response = client.get(reverse("entry:duplicate_list"))

        page = text(response)
        assert f"{count + 1} paire{'s' if count else ''} à examiner" in page
        # The strong pair first, whatever the scores.
        assert page.index("CERTAIN") < page.index("QUIDAM")
        assert page.count("Comparer les dossiers") == min(count + 1, 25)
        assert ("Page 1 sur 2" in page) == (count + 1 > 25)

    def test_merged_and_told_apart_pairs_are_left_out(self, login, coordinator, twins):
        pair_of(*twins, strong=True)
        told_apart = pair_of(PersonFactory(birth_name="Distincte"), PersonFactory(birth_name="Distincte"))
        told_apart.status = DuplicatePair.Status.DISTINCT
        told_apart.save()
        merged = PersonFactory(birth_name="Fusionnee")
        pair_of(PersonFactory(birth_name="Fusionnee"), merged)
        merged.merged_into = twins[0]
        merged.save()

        page = text(login(coordinator).get(reverse("entry:duplicate_list")))

        assert "1 paire à examiner" in page
        assert "DISTINCTE" not in page and "FUSIONNEE" not in page

    def test_the_recompute_button_runs_the_computation_and_says_when(
        self, login, coordinator, twins, django_capture_on_commit_callbacks
    ):
        client = login(coordinator)
        assert "La liste n'a pas encore été calculée." in text(client.get(reverse("entry:duplicate_list")))

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("entry:duplicate_list"))

        assert response.status_code == 302
        page = text(client.get(response.url))
        scan = DuplicateScan.objects.get()
        assert scan.finished_at is not None and scan.requested_by == coordinator
        assert "Le calcul des doublons probables est lancé" in page
        assert "Dernier calcul terminé le" in page and "1 paire trouvée" in page
        assert "MOREAU Camille" in page and "peu de doute" in page

    def test_a_second_request_while_one_runs_is_refused(self, login, coordinator):
        DuplicateScan.objects.create(requested_by=coordinator)

        response = login(coordinator).post(reverse("entry:duplicate_list"), follow=True)

        assert "Un calcul des doublons probables est déjà en cours" in text(response)
        assert DuplicateScan.objects.count() == 1

    def test_the_list_is_journalled(self, login, coordinator, twins):
        pair_of(*twins)

        login(coordinator).get(reverse("entry:duplicate_list"))

        assert AccessLog.objects.filter(user=coordinator, detail="liste des doublons probables").count() == 2


class TestTheComparison:
    def test_side_by_side(self, login, coordinator, twins, membership_a):
        pair = pair_of(*twins)
        first, second = twins

        response = login(coordinator).get(reverse("entry:duplicate_pair", args=[pair.public_id]))

        page = text(response)
        content = response.content.decode()
        assert response.status_code == 200
        assert f"Premier dossier : {first.dossier_number}" in page
        assert f"Second dossier : {second.dossier_number}" in page
        # Whether a NIR is on file, never the NIR.
        assert "Numéro de sécurité sociale renseigné" in page
        assert "Numéro de sécurité sociale non renseigné" in page
        assert first.nir not in content and first.nir_masked not in content
        assert f"{membership_a.user.get_full_name()} ({membership_a.structure.name})" in page
        assert "Proposée le" in page
        assert "1 diagnostic, du" in page and "Aucun diagnostic" in page
        assert AccessLog.objects.filter(detail="comparaison de doublons probables").count() == 2

    def test_merge_from_the_comparison(self, login, coordinator, twins, membership_b, professional_b, client):
        pair = pair_of(*twins)
        first, second = twins
        coordinator_client = login(coordinator)

        response = coordinator_client.post(
            reverse("entry:duplicate_pair", args=[pair.public_id]), {"action": "fusionner", "conserver": "premier"}
        )

        assert response.status_code == 302 and response.url == reverse("entry:duplicate_list")
        second.refresh_from_db()
        assert second.merged_into == first
        merge = PersonMerge.objects.get()
        assert (merge.survivor, merge.merged, merge.merged_by) == (first, second, coordinator)
        assert "Aucun doublon probable à examiner." in text(coordinator_client.get(reverse("entry:duplicate_list")))
        # Who created the duplicate does not join the survivor's team: they ask for access.
        assert not TeamMember.objects.filter(pathway__person=first, user=professional_b).exists()

    def test_the_second_may_be_kept(self, login, coordinator, twins):
        pair = pair_of(*twins)

        login(coordinator).post(
            reverse("entry:duplicate_pair", args=[pair.public_id]), {"action": "fusionner", "conserver": "second"}
        )

        assert Person.objects.get(pk=twins[0].pk).merged_into == twins[1]

    def test_not_the_same_person(self, login, coordinator, twins):
        pair = pair_of(*twins)
        client = login(coordinator)

        response = client.post(reverse("entry:duplicate_pair", args=[pair.public_id]), {"action": "distinguer"})

        assert response.status_code == 302
        pair.refresh_from_db()
        assert (pair.status, pair.decided_by) == (DuplicatePair.Status.DISTINCT, coordinator)
        assert not Person.objects.filter(merged_into__isnull=False).exists()
        assert "Aucun doublon probable à examiner." in text(client.get(reverse("entry:duplicate_list")))
        assert client.get(reverse("entry:duplicate_pair", args=[pair.public_id])).status_code == 404

    def test_no_choice_keeps_the_page_with_a_message(self, login, coordinator, twins):
        pair = pair_of(*twins)

        response = login(coordinator).post(
            reverse("entry:duplicate_pair", args=[pair.public_id]), {"action": "fusionner"}
        )

        assert response.status_code == 200
        assert "Erreur : Comparer deux dossiers" in text(response)
        assert "Choisissez le dossier à conserver." in text(response)

    def test_a_pair_merged_meanwhile_is_not_merged_again(self, login, coordinator, twins):
        pair = pair_of(*twins)
        twins[1].merged_into = twins[0]
        twins[1].save()

        response = login(coordinator).post(
            reverse("entry:duplicate_pair", args=[pair.public_id]), {"action": "fusionner", "conserver": "premier"}
        )

        assert response.status_code == 302
        assert not PersonMerge.objects.exists()


class TestTheOldAddress:
    def test_leads_to_the_survivor_for_who_may_see_it(self, login, coordinator, twins, membership_a, professional_a):
        first, second = twins
        login(coordinator).post(
            reverse("entry:duplicate_pair", args=[pair_of(first, second).public_id]),
            {"action": "fusionner", "conserver": "premier"},
        )

        response = login(professional_a).get(reverse("entry:person_detail", args=[second.public_id]))

        assert response.status_code == 302
        assert response.url == reverse("entry:person_detail", args=[first.public_id])

    def test_stays_unknown_for_others(self, login, coordinator, twins, professional_b, structure_b):
        first, second = twins
        login(coordinator).post(
            reverse("entry:duplicate_pair", args=[pair_of(first, second).public_id]),
            {"action": "fusionner", "conserver": "premier"},
        )

        response = login(professional_b).get(reverse("entry:person_detail", args=[second.public_id]))

        assert response.status_code == 404


def test_a_professional_who_created_a_duplicate_asks_for_access_after_the_merge(
    login, coordinator, twins, membership_b
):
    """The creator of the merged record loses it: the survivor is reached by the access request."""
    first, second = twins
    login(coordinator).post(
        reverse("entry:duplicate_pair", args=[pair_of(first, second).public_id]),
        {"action": "fusionner", "conserver": "premier"},
    )

    assert not can_view_person(membership_b, first)
