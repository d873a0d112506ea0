"""Two people acting on the same record at once: one wins, the other is told in French, nothing is
half-written and nothing is silently overwritten."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from entry import actions
from entry.models import Orientation
from pathway.models import Pathway, TeamMember
from people.models import Person
from relais.actions import ActionError
from tests.entry.posts import person_data
from tests.factories import MembershipFactory
from tests.pages import input_value, text
from tests.people.factories import PersonFactory

ALREADY_DECIDED = "Cette orientation a déjà été décidée par"


def decide(orientation, membership, structure):
    return actions.decide_orientation(
        orientation,
        by=membership,
        pathway_type="professional",
        referent_structure=structure,
        referent=None,
        reason="",
    )


def assert_decided_once(person, structure):
    orientation = Orientation.objects.get(person=person)
    assert orientation.status == Orientation.Status.DECIDED
    assert orientation.referent_structure == structure
    pathway = Pathway.objects.get(person=person)
    assert (pathway.status, pathway.referent_structure, pathway.pathway_type) == (
        Pathway.Status.ORIENTED,
        structure,
        "professional",
    )


@pytest.mark.django_db
class TestOneAfterTheOther:
    def test_the_second_decision_is_refused(self, followed, membership_a, manager, propose, structure_a, structure_b):
        orientation = propose(followed, membership_a)
        other_manager = MembershipFactory(structure=manager.structure, orientation_manager=True)
        decide(orientation, manager, structure_a)

        with pytest.raises(ActionError, match=ALREADY_DECIDED) as refused:
            decide(orientation, other_manager, structure_b)

        assert str(manager.user) in str(refused.value)
        assert "Rechargez le dossier pour voir la décision." in str(refused.value)
        assert_decided_once(followed, structure_a)

    def test_the_second_manager_submitting_the_form_is_told(
        self, client, followed, membership_a, manager, propose, structure_a, structure_b
    ):
        propose(followed, membership_a)
        other_manager = MembershipFactory(structure=manager.structure, orientation_manager=True)
        url = reverse("entry:decide", args=[followed.public_id])
        client.force_login(other_manager.user)
        assert client.get(url).status_code == 200
        decide(Orientation.objects.get(person=followed), manager, structure_a)

        response = client.post(
            url,
            {"pathway_type": "professional", "referent_structure": structure_b.pk, "decision_reason": ""},
            follow=True,
        )

        assert f"{ALREADY_DECIDED} {manager.user}" in text(response)
        assert_decided_once(followed, structure_a)

    def test_the_second_edit_of_a_person_is_refused_and_keeps_what_was_typed(
        self, login, professional_a, professional_b, membership_b, followed
    ):
        TeamMember.objects.create(pathway=followed.pathway, user=professional_b, structure=membership_b.structure)
        url = reverse("entry:person_edit", args=[followed.public_id])
        first, second = login(professional_a), self.other_client(professional_b)
        version = input_value(first.get(url), "version")
        assert input_value(second.get(url), "version") == version
        common = {"birth_name": "Moreau", "first_names": "Camille", "birth_date": "1990-05-17", "version": version}

        saved = first.post(url, person_data(**common, phone="06 11 11 11 11", commune="91377"))
        refused = second.post(url, person_data(**common, phone="07 22 22 22 22", address="3 place du Marché"))

        assert saved.status_code == 302
        assert refused.status_code == 200
        assert "Ce dossier a été modifié par quelqu'un d'autre pendant que vous le modifiiez." in text(refused)
        assert input_value(refused, "phone") == "07 22 22 22 22"
        assert input_value(refused, "address") == "3 place du Marché"
        person = Person.objects.get(pk=followed.pk)
        assert (person.phone, person.address, person.version) == ("+33611111111", "12 rue des Lilas", 2)

    @staticmethod
    def other_client(user):
        client = Client()
        client.force_login(user)
        return client


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file: two connections cannot race on a row lock.",
)
@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_on_two_connections(membership_a, manager, propose, structure_a, structure_b):
    person = PersonFactory(followed_by=membership_a, rsa=True)
    orientation = propose(person, membership_a)
    other_manager = MembershipFactory(structure=manager.structure, orientation_manager=True)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def run(membership, structure):
        try:
            barrier.wait()
            decide(orientation, membership, structure)
            outcomes[structure.pk] = "décidée"
        except ActionError as error:
            outcomes[structure.pk] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(manager, structure_a)),
        threading.Thread(target=run, args=(other_manager, structure_b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=len)[0] == "décidée"
    winner = structure_a if outcomes[structure_a.pk] == "décidée" else structure_b
    loser = structure_b if winner == structure_a else structure_a
    assert ALREADY_DECIDED in outcomes[loser.pk]
    assert_decided_once(person, winner)
