"""The prescriber's opinion on the orientation request: given by the structure that entered or diagnosed the person,
shown to the orientation manager next to the proposal."""

import pytest
from django.urls import reverse

from entry import actions
from entry.models import Orientation
from pathway.models import TimelineEvent
from relais.actions import ActionError, Conflict, Forbidden
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(followed, membership_a, propose):
    return propose(followed, membership_a, "professional")


def test_the_prescriber_attaches_an_opinion_and_the_manager_reads_it_next_to_the_proposal(
    client, login, professional_a, orientation_manager, followed, proposal, structure_b
):
    login(professional_a)
    url = reverse("entry:give_opinion", args=[followed.public_id])
    assert client.get(reverse("entry:person_detail", args=[followed.public_id])).content.decode().count(url) == 1
    response = client.post(
        url,
        {
            "pathway": "socio_professional",
            "structure": structure_b.pk,
            "wish": "Reprendre une formation",
            "comment": "",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.opinion_pathway, proposal.opinion_structure, proposal.opinion_wish) == (
        "socio_professional",
        structure_b,
        "Reprendre une formation",
    )
    assert proposal.opinion_by == professional_a
    assert TimelineEvent.objects.filter(person=followed, kind="entry.opinion_given").exists()
    login(orientation_manager)
    page = text(client.get(reverse("entry:decide", args=[followed.public_id])))
    assert "Avis du prescripteur" in page
    assert "Reprendre une formation" in page
    assert structure_b.name in page


def test_an_empty_opinion_is_refused_with_a_message(client, login, professional_a, followed, proposal):
    login(professional_a)
    response = client.post(
        reverse("entry:give_opinion", args=[followed.public_id]),
        {"pathway": "", "structure": "", "wish": " ", "comment": ""},
    )
    assert response.status_code == 200
    assert "Indiquez au moins un parcours" in text(response)
    proposal.refresh_from_db()
    assert not proposal.has_opinion


def test_only_the_prescribing_structure_gives_an_opinion(followed, proposal, manager, membership_b):
    with pytest.raises(Forbidden):
        actions.give_opinion(proposal, by=manager, wish="Autre chose")
    with pytest.raises(Forbidden):
        actions.give_opinion(proposal, by=membership_b, wish="Autre chose")


def test_no_opinion_once_decided(followed, proposal, manager, membership_a, structure_b):
    stale = Orientation.objects.get(pk=proposal.pk)
    actions.decide_orientation(
        proposal, by=manager, pathway_type="professional", referent_structure=structure_b, notify=False
    )
    with pytest.raises((Conflict, Forbidden)):
        actions.give_opinion(stale, by=membership_a, wish="Trop tard")
    with pytest.raises(ActionError):
        actions.give_opinion(Orientation.objects.get(pk=proposal.pk), by=membership_a, wish="Trop tard")


def test_the_opinion_survives_a_new_diagnostic(followed, proposal, membership_a):
    actions.give_opinion(proposal, by=membership_a, pathway="social", wish="Être aidée pour le logement")
    from entry.proposal import Proposal
    from entry.referential import load_referential

    actions.record_diagnostic(
        followed,
        by=membership_a,
        answers={"professional_situation": {"aspiration": "not_yet"}},
        sensitive_answers={},
        comments="",
        theme_comments={},
        sensitive_theme_comments={},
        referential=load_referential(),
        proposal=Proposal(pathway="social", reasons=["r"], rule="not_ready"),
    )
    open_one = Orientation.objects.get(person=followed, status="proposed")
    assert open_one.opinion_wish == "Être aidée pour le logement"
