"""Merging two records of the same person: everything moves to the record kept, the other disappears
from searches; the merge is journalled and can be undone."""

import pytest
from django.urls import reverse

from audit.models import AccessLog, ChangeLog
from entry.models import Diagnostic, Orientation
from pathway import actions as pathway_actions
from pathway.models import AccessRequest, TeamMember
from people import matching
from people.merge import merge_persons
from people.models import Person, PersonMerge
from relais.templatetags.relais_format import accord
from tests.entry.factories import DiagnosticFactory
from tests.factories import MembershipFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(membership_a, membership_b, propose):
    """The same person entered twice: by France Travail (two diagnostics) and by the mission locale."""
    kept = PersonFactory(birth_name="Moreau", first_names="Camille", followed_by=membership_a)
    DiagnosticFactory(person=kept, number=1, structure=membership_a.structure, done_by=membership_a.user)
    propose(kept, membership_a)
    other = PersonFactory(
        birth_name="Moreau", first_names="Camille", birth_date=kept.birth_date, followed_by=membership_b
    )
    propose(other, membership_b, "social")
    requester = MembershipFactory()
    pathway_actions.request_access(other, by=requester, reason="Je la reçois demain.")
    return kept, other


def merge(client, kept, other):
    ids = {"dossier_1": str(kept.public_id), "dossier_2": str(other.public_id)}
    return client.post(reverse("entry:merge"), {**ids, "survivant": str(kept.public_id)}, follow=True)


def search(**query):
    return [match.person for match in matching.find(matching.Query(**query))]


class TestMerge:
    def test_the_coordinator_compares_then_merges(self, login, coordinator, twins):
        kept, other = twins
        client = login(coordinator)
        compared = client.get(
            reverse("entry:merge"), {"dossier_1": str(kept.public_id), "dossier_2": str(other.public_id)}
        )
        shown = [f"MOREAU Camille, {accord(person, 'né')} le" for person in twins]  # « née » when she is a woman
        assert all(text(compared).count(line) == shown.count(line) for line in shown)

        response = merge(client, kept, other)

        assert "Les deux dossiers sont fusionnés. La fusion peut être annulée ci-dessous." in text(response)
        other.refresh_from_db()
        assert other.merged_into == kept

    def test_everything_moves_to_the_record_kept(self, login, coordinator, twins, professional_b):
        kept, other = twins
        moved_diagnostic = other.diagnostics.get()

        merge(login(coordinator), kept, other)

        assert list(kept.diagnostics.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
        moved_diagnostic.refresh_from_db()
        assert (moved_diagnostic.person, moved_diagnostic.number) == (kept, 3)
        assert not Diagnostic.objects.filter(person=other).exists()
        assert set(kept.orientations.values_list("status", flat=True)) == {"proposed", "cancelled"}
        assert kept.orientations.get(status="proposed").proposed_pathway == "professional"
        assert AccessRequest.objects.get().person == kept
        assert TeamMember.objects.filter(pathway=kept.pathway, user=professional_b, ended_at=None).exists()

    def test_the_merged_record_is_hidden(self, login, coordinator, twins, professional_b):
        kept, other = twins

        merge(login(coordinator), kept, other)

        assert search(last_name="Moreau", first_names="Camille", birth_date=kept.birth_date) == [kept]
        client = login(professional_b)
        # The old address leads to the record kept, for who may see it (and stays unknown to the others).
        old = client.get(reverse("entry:person_detail", args=[other.public_id]))
        assert (old.status_code, old.url) == (302, reverse("entry:person_detail", args=[kept.public_id]))
        assert client.get(reverse("entry:person_detail", args=[kept.public_id])).status_code == 200
        outsider = login(MembershipFactory().user)
        assert outsider.get(reverse("entry:person_detail", args=[other.public_id])).status_code == 404

    def test_both_actions_are_journalled(self, login, coordinator, departement, twins):
        kept, other = twins
        client = login(coordinator)
        merge(client, kept, other)
        person_merge = PersonMerge.objects.get()

        client.post(reverse("entry:merge_undo", args=[person_merge.public_id]))

        changes = ChangeLog.objects.filter(object_type="people.personmerge", object_id=str(person_merge.public_id))
        assert [change.action for change in changes.order_by("at", "id")] == ["create", "update"]
        assert all((change.user, change.structure) == (coordinator, departement) for change in changes)
        assert changes.get(action="update").changes["undone_at"][0] is None
        assert ChangeLog.objects.filter(
            object_id=str(other.public_id), action="update", changes__has_key="merged_into"
        ).exists()

    def test_undo_restores_both_records(self, login, coordinator, twins, professional_b):
        kept, other = twins
        moved_diagnostic = other.diagnostics.get()
        client = login(coordinator)
        merge(client, kept, other)

        response = client.post(reverse("entry:merge_undo", args=[PersonMerge.objects.get().public_id]), follow=True)

        assert "La fusion est annulée : les deux dossiers sont de nouveau distincts." in text(response)
        other.refresh_from_db()
        assert other.merged_into is None
        moved_diagnostic.refresh_from_db()
        assert (moved_diagnostic.person, moved_diagnostic.number) == (other, 1)
        assert kept.diagnostics.count() == 2
        assert other.orientations.get().status == Orientation.Status.PROPOSED
        assert kept.orientations.get().status == Orientation.Status.PROPOSED
        assert AccessRequest.objects.get().person == other
        assert not TeamMember.objects.filter(pathway=kept.pathway, user=professional_b).exists()
        assert set(search(last_name="Moreau", first_names="Camille", birth_date=kept.birth_date)) == {kept, other}

    def test_a_merge_is_undone_once(self, login, coordinator, twins):
        kept, other = twins
        client = login(coordinator)
        merge(client, kept, other)
        url = reverse("entry:merge_undo", args=[PersonMerge.objects.get().public_id])
        client.post(url)

        response = client.post(url, follow=True)

        assert "Cette fusion a déjà été annulée." in text(response)

    def test_two_pending_requests_of_one_professional_become_one(self, login, coordinator, twins, membership_b):
        kept, other = twins
        asking = MembershipFactory()
        pathway_actions.request_access(kept, by=asking, reason="Premier dossier.")
        pathway_actions.request_access(other, by=asking, reason="Second dossier.")

        response = merge(login(coordinator), kept, other)

        assert "Les deux dossiers sont fusionnés." in text(response)
        assert kept.access_requests.filter(requested_by=asking.user, status="pending").count() == 1
        client = login(coordinator)
        client.post(reverse("entry:merge_undo", args=[PersonMerge.objects.get().public_id]))
        assert other.access_requests.filter(requested_by=asking.user, status="pending").count() == 1
        assert kept.access_requests.filter(requested_by=asking.user, status="pending").count() == 1

    def test_the_same_record_twice_is_refused(self, login, coordinator, twins):
        kept, _ = twins

        response = login(coordinator).get(
            reverse("entry:merge"), {"dossier_1": str(kept.public_id), "dossier_2": str(kept.public_id)}
        )

        assert "Indiquez deux numéros de dossier différents" in text(response)

    def test_an_already_merged_record_is_refused(self, login, coordinator, twins):
        kept, other = twins
        client = login(coordinator)
        merge(client, kept, other)
        third = PersonFactory()

        response = client.get(
            reverse("entry:merge"), {"dossier_1": str(third.public_id), "dossier_2": str(other.public_id)}
        )

        assert "de personnes non encore fusionnées" in text(response)
        assert Person.objects.filter(merged_into__isnull=False).count() == 1


def test_a_professional_cannot_merge(login, professional_a, twins, coordinator):
    kept, other = twins
    client = login(professional_a)

    assert client.get(reverse("entry:merge")).status_code == 403
    ids = {"dossier_1": str(kept.public_id), "dossier_2": str(other.public_id), "survivant": str(kept.public_id)}
    assert client.post(reverse("entry:merge"), ids).status_code == 403
    person_merge = merge_persons(survivor=kept, merged=other, by=coordinator.memberships.get())
    assert client.post(reverse("entry:merge_undo", args=[person_merge.public_id])).status_code == 403
    other.refresh_from_db()
    assert other.merged_into == kept


def test_the_merges_listed_are_logged(login, coordinator, departement, twins):
    kept, other = twins
    merge_persons(survivor=kept, merged=other, by=coordinator.memberships.get())

    page = text(login(coordinator).get(reverse("entry:merge")))

    assert "MOREAU Camille" in page
    for person in twins:
        log = AccessLog.objects.get(object_id=str(person.public_id))
        assert (log.user, log.structure, log.detail) == (coordinator, departement, "fusions réalisées")
