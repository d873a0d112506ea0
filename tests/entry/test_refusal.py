"""The organisme référent refuses an orientation with a reason: back to the orientation managers' worklist."""

import pytest
from django.urls import reverse

from accounts.models import UserNotification
from entry import actions
from entry.models import Orientation
from pathway.models import Pathway, TimelineEvent
from relais.actions import ActionError, Forbidden
from tests.factories import MembershipFactory
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(followed, membership_a, propose, manager, structure_b):
    proposal = propose(followed, membership_a, "professional")
    actions.give_opinion(proposal, by=membership_a, wish="Près de chez elle")
    return actions.decide_orientation(
        proposal, by=manager, pathway_type="professional", referent_structure=structure_b, notify=False
    )


@pytest.fixture
def admin_b(structure_b):
    return MembershipFactory(structure=structure_b, admin=True)


def refuse_url(orientation):
    return reverse("entry:refuse_orientation", args=[orientation.person.public_id, orientation.public_id])


def test_the_admin_refuses_and_the_person_returns_to_the_worklist_with_the_reason(
    client, login, admin_b, decided, followed, orientation_manager, django_capture_on_commit_callbacks
):
    login(admin_b.user)
    page = text(client.get(reverse("entry:person_detail", args=[followed.public_id])))
    assert "Refuser l'orientation" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(refuse_url(decided), {"reason": "Nous n'intervenons pas à Massy."})
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.status == Orientation.Status.REFUSED
    assert decided.refusal_reason == "Nous n'intervenons pas à Massy."
    pathway = Pathway.objects.get(person=followed)
    assert (pathway.status, pathway.referent_structure_id, pathway.pathway_type) == ("entered", None, "")
    returned = Orientation.objects.get(person=followed, status="proposed")
    assert returned.refused_orientation == decided
    assert returned.opinion_wish == "Près de chez elle"
    assert TimelineEvent.objects.filter(person=followed, kind="entry.orientation_refused").exists()
    notification = UserNotification.objects.get(user=orientation_manager)
    assert "refusée" in notification.subject
    login(orientation_manager)
    page = text(client.get(reverse("entry:worklist") + "?vue=refusees"))
    assert "Orientations refusées (1)" in page
    assert followed.full_name in page
    assert "Nous n'intervenons pas à Massy." in page
    decide_page = text(client.get(reverse("entry:decide", args=[followed.public_id])))
    assert "Orientation refusée par" in decide_page
    assert "Motif : Nous n'intervenons pas à Massy." in decide_page


def test_an_orientation_manager_of_the_structure_may_refuse_too(decided, structure_b):
    manager_b = MembershipFactory(structure=structure_b, orientation_manager=True)
    actions.refuse_orientation(decided, by=manager_b, reason="Hors de notre zone")
    assert Orientation.objects.filter(person=decided.person, status="proposed").exists()


def test_a_reason_is_required(decided, admin_b):
    with pytest.raises(ActionError, match="Expliquez"):
        actions.refuse_orientation(decided, by=admin_b, reason="  ")


def test_a_plain_professional_or_another_structure_may_not_refuse(decided, membership_b, membership_a, manager):
    for membership in (membership_b, membership_a, manager):
        with pytest.raises(Forbidden):
            actions.refuse_orientation(decided, by=membership, reason="Non")


def test_once_a_referent_is_designated_the_orientation_can_no_longer_be_refused(decided, admin_b, membership_b):
    from pathway import actions as pathway_actions

    pathway_actions.designate_referent(decided.person, by=admin_b, referent=membership_b)
    decided.person.refresh_from_db()
    fresh = Orientation.objects.select_related("person__pathway").get(pk=decided.pk)
    with pytest.raises(Forbidden):
        actions.refuse_orientation(fresh, by=admin_b, reason="Trop tard")


def test_the_manager_decides_again_after_a_refusal(decided, admin_b, manager, structure_a):
    returned = actions.refuse_orientation(decided, by=admin_b, reason="Pas chez nous")
    again = actions.decide_orientation(
        returned, by=manager, pathway_type="professional", referent_structure=structure_a, notify=False
    )
    assert again.status == Orientation.Status.DECIDED
    assert Pathway.objects.get(person=decided.person).referent_structure == structure_a
