"""Whoever must act sees it: the home page is each professional's inbox, and individual notifications tell them."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User, UserNotification
from pathway import actions as pathway_actions
from tests.factories import MembershipFactory
from tests.pages import text

pytestmark = pytest.mark.django_db


def home(client):
    return text(client.get(reverse("home")))


def test_the_new_referent_finds_the_person_in_their_inbox_and_is_emailed(
    login, followed, orient, membership_b, structure_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        orient(followed, structure_b, referent=membership_b, notify=False)

    page = home(login(membership_b.user))
    assert "Personnes qui vous sont confiées 1" in page
    assert "MOREAU Camille" in page
    assert "Contrats d'engagement à signer 1" in page
    email = next(message for message in mail.outbox if message.to == [membership_b.user.email])
    assert email.subject == "Relais – Vous êtes désigné référent unique d'une personne"
    assert "Moreau" not in email.subject and "Camille" not in email.subject
    assert reverse("entry:person_detail", args=[followed.public_id]) in email.body


def test_the_structure_admin_sees_the_people_oriented_without_referent(login, followed, orient, structure_b):
    orient(followed, structure_b, notify=False)
    admin = MembershipFactory(structure=structure_b, admin=True)

    page = home(login(admin.user))

    assert f"Orientées vers {structure_b.name}, sans référent 1" in page
    assert "Désigner le référent" in page


def test_an_access_request_is_in_the_referents_inbox_and_the_answer_tells_the_requester(
    login, followed, orient, membership_b, structure_b, django_capture_on_commit_callbacks
):
    orient(followed, structure_b, referent=membership_b, notify=False)
    asking = MembershipFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = pathway_actions.request_access(followed, by=asking, reason="Je la reçois demain.")
    assert [message.subject for message in mail.outbox] == ["Relais – Une demande d'accès attend votre réponse"]
    assert "Demandes d'accès à traiter 1" in home(login(membership_b.user))
    assert "Vos demandes d'accès 1" in home(login(asking.user))

    with django_capture_on_commit_callbacks(execute=True):
        pathway_actions.answer_access_request(request, by=membership_b, grant=True)

    assert mail.outbox[-1].to == [asking.user.email]
    assert mail.outbox[-1].subject == "Relais – Votre demande d'accès est accordée"
    assert ": accordée" in home(login(asking.user))


def test_the_prescriber_sees_where_the_people_they_entered_stand(
    login, professional_a, membership_a, followed, orient, structure_b
):
    followed.created_by, followed.created_for = professional_a, membership_a.structure
    followed.save()
    orient(followed, structure_b, notify=False)

    page = home(login(professional_a))

    assert "Personnes que vous avez saisies" in page
    assert f"MOREAU Camille – orienté, {structure_b.name}" in page


def test_a_daily_digest_instead_of_one_email_per_event(followed, orient, membership_b, structure_b):
    user = membership_b.user
    user.notification_frequency = User.NotificationFrequency.DAILY
    user.save()
    orient(followed, structure_b, referent=membership_b, notify=False)
    pathway_actions.request_access(followed, by=MembershipFactory(), reason="Relais pendant un congé.")
    assert not [message for message in mail.outbox if message.to == [user.email]]

    call_command("send_digests", stdout=None)

    digests = [message for message in mail.outbox if message.to == [user.email]]
    assert [message.subject for message in digests] == ["Relais – 2 notifications"]
    assert not UserNotification.objects.filter(user=user, sent_at__isnull=True).exists()
    call_command("send_digests", stdout=None)
    assert len([message for message in mail.outbox if message.to == [user.email]]) == 1


def test_the_inbox_reads_a_bounded_number_of_queries(
    login, membership_b, structure_b, orient, django_assert_max_num_queries
):
    from tests.people.factories import PersonFactory

    for _ in range(8):
        orient(PersonFactory(followed_by=membership_b), structure_b, referent=membership_b, notify=False)
    client = login(membership_b.user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("home")).status_code == 200
