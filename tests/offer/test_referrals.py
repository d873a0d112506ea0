"""Referrals with a closed loop: sent, under review, accepted or refused (with a reason), started, completed or
abandoned, expired without an answer; each step by the receiving structure only, recorded with who and when, on
the person's timeline, and told to the prescriber (a notification, at once or in their digest)."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User, UserNotification
from accounts.notifications import send_digests
from audit.models import AccessLog, ChangeLog
from offer import actions, deadlines
from offer.models import Referral, ReferralTransition
from pathway.models import TeamMember, TimelineEvent
from relais.actions import ActionError, Conflict, Forbidden
from tests.factories import MembershipFactory
from tests.offer.factories import ServiceFactory
from tests.pages import text
from tests.people.factories import PersonFactory


@pytest.fixture
def service(association):
    return ServiceFactory(
        structure=association, name="Permis solidaire", email="permis@tremplin.exemple.fr", response_days=20
    )


@pytest.fixture
def referral(person, service, membership_a):
    return actions.send_referral(person, service, by=membership_a, message="Il cherche à passer son permis B.")


def other_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestSending:
    def test_sent_from_the_carnet_recorded_and_the_structure_told_after_the_commit(
        self, login, professional_a, membership_a, person, service, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = login(professional_a)
        url = reverse("offer:referral_create", args=[person.public_id, service.public_id])
        assert "Tremplin Emploi 91 la reçoit dans Relais" in text(client.get(url))

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(url, {"message": "Permis B, disponible le matin.", "share_contact": "on"})

        referral = Referral.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("offer:referral_detail", args=[referral.public_id])
        assert (referral.status, referral.sender, referral.sender_structure, referral.receiver_structure) == (
            Referral.Status.SENT,
            professional_a,
            membership_a.structure,
            service.structure,
        )
        assert referral.due_on == timezone.localdate() + datetime.timedelta(days=20)
        assert referral.share_contact and not referral.share_diagnostic
        step = ReferralTransition.objects.get(referral=referral)
        assert (step.status, step.by, step.by_structure) == ("sent", professional_a, membership_a.structure)
        event = TimelineEvent.objects.get(person=person)
        assert event.kind == "offer.referral_sent"
        assert event.summary == "Orientation vers « Permis solidaire » (Tremplin Emploi 91) envoyée"
        assert (event.actor, event.obj_id) == (professional_a, str(referral.public_id))
        assert len(callbacks) == 1
        assert [message.to for message in mailoutbox] == [
            ["contact@tremplin.exemple.fr", "permis@tremplin.exemple.fr"]
        ]
        assert mailoutbox[0].subject == "Nouvelle orientation vers votre service « Permis solidaire »"
        assert person.birth_name not in mailoutbox[0].subject + mailoutbox[0].body
        assert reverse("offer:referral_detail", args=[referral.public_id]) in mailoutbox[0].body

    def test_a_structure_without_an_address_is_told_through_its_admins_notifications(
        self,
        person,
        membership_a,
        association,
        association_admin,
        association_pro,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        association.email = ""
        association.save()
        silent = ServiceFactory(structure=association, name="Atelier code", email="", response_days=20)

        with django_capture_on_commit_callbacks(execute=True):
            referral = actions.send_referral(person, silent, by=membership_a, message="Code de la route.")

        [notification] = UserNotification.objects.all()
        assert notification.user == association_admin.user
        assert notification.subject == "Nouvelle orientation vers votre service « Atelier code »"
        assert notification.url == reverse("offer:referral_detail", args=[referral.public_id])
        assert person.birth_name not in notification.subject + notification.body
        assert [message.to for message in mailoutbox] == [[association_admin.user.email]]

    def test_nothing_is_sent_when_the_change_is_rolled_back(
        self, person, service, membership_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            actions.send_referral(person, service, by=membership_a)
            raise RuntimeError

        assert not Referral.objects.exists()
        assert callbacks == []
        assert mailoutbox == []

    def test_only_for_a_person_one_follows(self, login, professional_b, membership_b_, person, service):
        url = reverse("offer:referral_create", args=[person.public_id, service.public_id])

        assert login(professional_b).post(url, {"message": "Bonjour"}).status_code == 404
        with pytest.raises(Forbidden):
            actions.send_referral(person, service, by=membership_b_)
        assert not Referral.objects.exists()

    def test_a_suspended_service_takes_no_referral(self, login, professional_a, person, association):
        today = timezone.localdate()
        service = ServiceFactory(
            structure=association, suspended_from=today, suspended_until=today + datetime.timedelta(days=7)
        )

        response = login(professional_a).post(
            reverse("offer:referral_create", args=[person.public_id, service.public_id]), {"message": "Bonjour"}
        )

        assert response.status_code == 200
        assert f"Ce service est suspendu jusqu'au {today + datetime.timedelta(days=7):%d/%m/%Y}" in text(response)
        assert not Referral.objects.exists()

    def test_once_at_a_time_per_person_and_service(self, referral, person, service, membership_a):
        with pytest.raises(ActionError, match="déjà une orientation en cours vers ce service"):
            actions.send_referral(person, service, by=membership_a)

        actions.refuse_referral(referral, by=MembershipFactory(structure=service.structure), reason="full")
        actions.send_referral(person, service, by=membership_a)
        assert Referral.objects.count() == 2

    def test_the_message_is_required(self, login, professional_a, person, service):
        response = login(professional_a).post(
            reverse("offer:referral_create", args=[person.public_id, service.public_id]), {"message": ""}
        )

        assert "Ce champ est obligatoire." in text(response)
        assert "L'orientation n'est pas envoyée : le formulaire contient une erreur" in text(response)
        assert response.content.decode().count("fr-alert--error") == 1
        assert not Referral.objects.exists()


@pytest.fixture
def membership_b_(professional_b):
    return professional_b.memberships.get()


@pytest.mark.django_db
class TestTheLoop:
    def test_reviewed_accepted_started_completed_each_step_on_the_timeline_and_told(
        self, login, referral, association_pro, professional_a, person, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = login(association_pro.user)
        detail = reverse("offer:referral_detail", args=[referral.public_id])
        page = text(client.get(detail))
        assert "Il cherche à passer son permis B." in page
        assert person.full_name in page
        # Before accepting, the receiving professional does not read the carnet.
        assert client.get(reverse("entry:person_detail", args=[person.public_id])).status_code == 404

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("offer:referral_transition", args=[referral.public_id, "etudier"]))
            client.post(
                reverse("offer:referral_transition", args=[referral.public_id, "accepter"]),
                {"accepter-message": "Premier rendez-vous mardi."},
            )
            client.post(
                reverse("offer:referral_transition", args=[referral.public_id, "commencer"]),
                {"commencer-started_on": timezone.localdate().isoformat()},
            )
            client.post(
                reverse("offer:referral_transition", args=[referral.public_id, "terminer"]),
                {"terminer-detail": "Code obtenu."},
            )

        referral.refresh_from_db()
        assert referral.status == Referral.Status.COMPLETED
        assert (referral.answered_by, referral.handled_by) == (association_pro.user, association_pro.user)
        assert referral.answer_message == "Premier rendez-vous mardi."
        assert referral.started_on == timezone.localdate()
        assert list(referral.transitions.values_list("status", "by")) == [
            ("sent", professional_a.pk),
            ("under_review", association_pro.user_id),
            ("accepted", association_pro.user_id),
            ("started", association_pro.user_id),
            ("completed", association_pro.user_id),
        ]
        kinds = list(TimelineEvent.objects.filter(person=person).order_by("at", "id").values_list("kind", flat=True))
        assert kinds == [
            "offer.referral_sent",
            "offer.referral_under_review",
            "offer.referral_accepted",
            "pathway.team_joined",  # the receiving professional joins the team (pathway.actions.join_team)
            "offer.referral_started",
            "offer.referral_completed",
        ]
        # The receiving professional joined the team, and reads the carnet now.
        member = TeamMember.objects.get(pathway__person=person, user=association_pro.user)
        assert (member.structure, member.role, member.ended_at) == (association_pro.structure, "intervenant", None)
        assert client.get(reverse("entry:person_detail", args=[person.public_id])).status_code == 200
        # The prescriber was told at each step, without personal data in the subject.
        to_prescriber = [message for message in mailoutbox if message.to == [professional_a.email]]
        assert [message.subject for message in to_prescriber] == [
            "Relais – Votre orientation vers « Permis solidaire » : en cours d'étude",
            "Relais – Votre orientation vers « Permis solidaire » : acceptée",
            "Relais – Votre orientation vers « Permis solidaire » : commencée",
            "Relais – Votre orientation vers « Permis solidaire » : terminée",
        ]
        # The prescriber sees the loop closed on the carnet.
        carnet = text(login(professional_a).get(reverse("entry:person_detail", args=[person.public_id])))
        assert "Permis solidaire – Tremplin Emploi 91" in carnet
        assert "terminée" in carnet
        assert ChangeLog.objects.filter(object_id=str(referral.public_id)).count() >= 5

    def test_a_prescriber_who_prefers_a_digest_reads_the_answer_there(
        self, referral, association_pro, professional_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        professional_a.notification_frequency = User.NotificationFrequency.DAILY
        professional_a.save()

        with django_capture_on_commit_callbacks(execute=True):
            actions.review_referral(referral, by=association_pro)

        assert mailoutbox == []
        notification = UserNotification.objects.get(user=professional_a)
        assert notification.subject == "Votre orientation vers « Permis solidaire » : en cours d'étude"
        assert notification.url == reverse("offer:referral_detail", args=[referral.public_id])
        assert referral.person.birth_name not in notification.subject + notification.body
        assert send_digests() == 1
        assert [message.to for message in mailoutbox] == [[professional_a.email]]

    def test_refused_with_a_structured_reason(self, login, referral, association_pro, person):
        client = login(association_pro.user)
        url = reverse("offer:referral_transition", args=[referral.public_id, "refuser"])

        missing = client.post(url, {"refuser-reason": "other", "refuser-message": ""})
        assert missing.status_code == 200
        assert "Précisez le motif du refus." in text(missing)
        assert "La réponse n'est pas enregistrée : le formulaire contient une erreur" in text(missing)
        assert missing.content.decode().count("fr-alert--error") == 1

        client.post(url, {"refuser-reason": "not_eligible"})
        referral.refresh_from_db()
        assert (referral.status, referral.refusal_reason) == ("refused", "not_eligible")
        # The referral's history says why, next to who and when.
        history = text(client.get(reverse("offer:referral_detail", args=[referral.public_id])))
        said = f"par {association_pro.user} (Tremplin Emploi 91) : la personne ne remplit pas les conditions"
        assert said in history
        assert referral.outcome == "refusée : la personne ne remplit pas les conditions"
        event = TimelineEvent.objects.filter(person=person).latest("at")
        assert event.summary.endswith("refusée par Tremplin Emploi 91 : la personne ne remplit pas les conditions")
        assert not TeamMember.objects.filter(pathway__person=person, user=association_pro.user).exists()

    def test_abandoned_with_a_reason(self, referral, association_pro):
        actions.accept_referral(referral, by=association_pro)

        with pytest.raises(ActionError, match="Précisez le motif de l'abandon."):
            actions.abandon_referral(referral, by=association_pro, reason="other")
        abandoned = actions.abandon_referral(referral, by=association_pro, reason="not_reachable")

        assert (abandoned.status, abandoned.end_reason) == ("abandoned", "not_reachable")

    def test_steps_out_of_order_are_refused(self, referral, association_pro):
        with pytest.raises(Conflict, match="déjà « envoyée »"):
            actions.start_referral(referral, by=association_pro)
        with pytest.raises(Conflict):
            actions.complete_referral(referral, by=association_pro)

    def test_only_the_receiving_structure_answers(self, login, referral, professional_a, membership_a):
        response = login(professional_a).post(
            reverse("offer:referral_transition", args=[referral.public_id, "accepter"]), {"accepter-message": ""}
        )

        assert response.status_code == 403
        with pytest.raises(Forbidden):
            actions.accept_referral(referral, by=membership_a)
        assert Referral.objects.get().status == Referral.Status.SENT


@pytest.mark.django_db
class TestWhoSeesIt:
    def test_the_prescribers_structure_and_the_receiving_one_only(
        self, login, referral, admin_a, association_admin, professional_b, orientation_manager, coordinator
    ):
        url = reverse("offer:referral_detail", args=[referral.public_id])

        assert login(admin_a.user).get(url).status_code == 200
        assert other_client(association_admin.user).get(url).status_code == 200
        for outsider in (professional_b, orientation_manager, coordinator):
            assert other_client(outsider).get(url).status_code == 404

    def test_a_colleague_in_the_persons_team_sees_it_from_the_carnet(self, referral, person, structure_b):
        colleague = MembershipFactory(structure=structure_b)
        TeamMember.objects.create(pathway=person.pathway, user=colleague.user, structure=structure_b)

        response = other_client(colleague.user).get(reverse("entry:person_detail", args=[person.public_id]))

        assert "Permis solidaire" in text(response)
        assert (
            other_client(colleague.user).get(reverse("offer:referral_detail", args=[referral.public_id])).status_code
            == 200
        )

    def test_every_read_is_in_the_access_log(self, login, referral, association_pro, person):
        login(association_pro.user).get(reverse("offer:referral_detail", args=[referral.public_id]))
        login(association_pro.user).get(reverse("offer:referral_inbox"))

        reads = AccessLog.objects.filter(object_id=str(person.public_id), user=association_pro.user)
        assert sorted(reads.values_list("detail", flat=True)) == [
            "orientation vers un service",
            "prescriptions reçues",
        ]


@pytest.mark.django_db
class TestTwoAnswersAtOnce:
    def test_the_second_answer_is_refused_and_told_who_answered(self, referral, association_pro, association_admin):
        actions.accept_referral(referral, by=association_pro)

        with pytest.raises(Conflict) as refused:
            actions.refuse_referral(referral, by=association_admin, reason="full")

        assert f"Cette orientation est déjà « acceptée » par {association_pro.user} (Tremplin Emploi 91)" in str(
            refused.value
        )
        assert Referral.objects.get().status == Referral.Status.ACCEPTED

    def test_the_second_professional_submitting_the_page_is_told(
        self, login, referral, association_pro, association_admin
    ):
        second = login(association_admin.user)
        second.get(reverse("offer:referral_detail", args=[referral.public_id]))
        actions.accept_referral(referral, by=association_pro)

        response = second.post(
            reverse("offer:referral_transition", args=[referral.public_id, "refuser"]),
            {"refuser-reason": "full"},
            follow=True,
        )

        assert "Cette orientation est déjà « acceptée »" in text(response)
        assert Referral.objects.get().status == Referral.Status.ACCEPTED


@pytest.fixture(scope="module")
def territory_reloaded(django_db_blocker):
    """A transactional test empties every table when it ends: the territory is loaded again after it."""
    yield
    with django_db_blocker.unblock():
        call_command("load_territory", departements=["91"], verbosity=0)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file: two connections cannot race on a row lock.",
)
@pytest.mark.usefixtures("territory_reloaded")
@pytest.mark.django_db(transaction=True)
def test_two_professionals_answering_at_once_on_two_connections(referral, association_pro, association_admin):
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def run(name, answer):
        try:
            barrier.wait()
            answer()
            outcomes[name] = "ok"
        except Conflict as error:
            outcomes[name] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("accept", lambda: actions.accept_referral(referral, by=association_pro))),
        threading.Thread(
            target=run, args=("refuse", lambda: actions.refuse_referral(referral, by=association_admin, reason="full"))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()).count("ok") == 1
    loser = next(name for name, outcome in outcomes.items() if outcome != "ok")
    assert "Cette orientation est déjà" in outcomes[loser]
    referral.refresh_from_db()
    assert referral.status == ("accepted" if loser == "refuse" else "refused")
    assert referral.transitions.count() == 2


@pytest.mark.django_db
class TestDeadlines:
    def sent_days_ago(self, referral, days):
        sent_at = timezone.now() - datetime.timedelta(days=days)
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent_at,
            due_on=timezone.localdate(sent_at) + datetime.timedelta(days=referral.service.response_days),
        )

    def test_reminded_once_after_ten_days(self, referral, mailoutbox, django_capture_on_commit_callbacks):
        self.sent_days_ago(referral, 11)

        with django_capture_on_commit_callbacks(execute=True):
            call_command("offer_deadlines", "--apply", stdout=io.StringIO())
            call_command("offer_deadlines", "--apply", stdout=io.StringIO())

        assert [message.subject for message in mailoutbox] == [
            "Rappel : une orientation vers « Permis solidaire » attend votre réponse"
        ]
        referral.refresh_from_db()
        assert referral.reminded_at is not None and referral.status == Referral.Status.SENT

    def test_a_service_that_answers_within_days_is_reminded_before_its_deadline(self, referral, mailoutbox):
        referral.service.response_days = 5
        referral.service.save(update_fields=["response_days"])
        self.sent_days_ago(referral, 0)

        call_command("offer_deadlines", "--apply", stdout=io.StringIO())
        assert Referral.objects.get().reminded_at is None  # not on the day it was sent

        self.sent_days_ago(referral, 2)
        call_command("offer_deadlines", "--apply", stdout=io.StringIO())

        referral.refresh_from_db()
        assert referral.reminded_at is not None and referral.status == Referral.Status.SENT
        assert referral.due_on == timezone.localdate() + datetime.timedelta(days=3)

    def test_a_service_with_the_usual_response_time_waits_ten_days(self, referral):
        self.sent_days_ago(referral, 9)

        call_command("offer_deadlines", "--apply", stdout=io.StringIO())

        assert Referral.objects.get().reminded_at is None

    def test_expired_past_the_response_time_and_the_prescriber_told(
        self, referral, person, professional_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        self.sent_days_ago(referral, 21)

        dry = io.StringIO()
        call_command("offer_deadlines", stdout=dry)
        assert "Orientations à faire expirer : 1" in dry.getvalue()
        assert Referral.objects.get().status == Referral.Status.SENT

        with django_capture_on_commit_callbacks(execute=True):
            from offer.tasks import run_deadlines

            result = run_deadlines.enqueue()

        assert "Orientations expirées : 1" in result.return_value
        referral.refresh_from_db()
        assert referral.status == Referral.Status.EXPIRED
        assert referral.transitions.latest("at").by is None
        event = TimelineEvent.objects.filter(person=person).latest("at")
        assert (event.kind, event.actor) == ("offer.referral_expired", None)
        assert [message.to for message in mailoutbox] == [[professional_a.email]]
        assert mailoutbox[0].subject == "Relais – Votre orientation vers « Permis solidaire » : expirée"

    def test_not_before_its_due_date(self, referral):
        self.sent_days_ago(referral, 20)

        call_command("offer_deadlines", "--apply", stdout=io.StringIO())

        assert Referral.objects.get().status == Referral.Status.SENT

    def test_answered_on_the_last_day_of_its_response_time(self, login, referral, association_pro):
        self.sent_days_ago(referral, 20)
        detail = text(login(association_pro.user).get(reverse("offer:referral_detail", args=[referral.public_id])))
        assert f"Réponse attendue au plus tard le {timezone.localdate():%d/%m/%Y}." in detail

        actions.accept_referral(referral, by=association_pro)

        assert Referral.objects.get().status == Referral.Status.ACCEPTED

    def test_an_answer_past_the_response_time_finds_it_expired_even_before_the_daily_run(
        self, login, referral, association_pro, person, professional_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        self.sent_days_ago(referral, 21)
        client = login(association_pro.user)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("offer:referral_transition", args=[referral.public_id, "accepter"]),
                {"accepter-message": "Premier rendez-vous mardi."},
            )

        # The answer is refused and said why; the referral expired as the daily run would have made it.
        assert response.status_code == 200
        page = text(response)
        assert "Le délai de réponse de cette orientation a pris fin le" in page
        assert "automatiquement : sans réponse dans le délai de 20 jours" in page
        referral.refresh_from_db()
        assert (referral.status, referral.answered_by, referral.handled_by) == ("expired", None, None)
        expiry = referral.transitions.latest("at")
        assert (expiry.status, expiry.by, expiry.note) == ("expired", None, "sans réponse dans le délai de 20 jours")
        event = TimelineEvent.objects.filter(person=person).latest("at")
        assert (event.kind, event.actor) == ("offer.referral_expired", None)
        assert not TeamMember.objects.filter(pathway__person=person, user=association_pro.user).exists()
        assert [message.subject for message in mailoutbox if message.to == [professional_a.email]] == [
            "Relais – Votre orientation vers « Permis solidaire » : expirée"
        ]
        # The daily run finds nothing more to do.
        assert "Orientations expirées : 0" in "\n".join(deadlines.run().lines())


@pytest.mark.django_db
class TestLists:
    def test_the_inbox_lists_what_the_structure_received_with_filters(
        self, login, referral, association_pro, association, membership_a, service
    ):
        other = actions.send_referral(
            PersonFactory(followed_by=membership_a),
            ServiceFactory(structure=association, name="Atelier CV"),
            by=membership_a,
        )
        actions.accept_referral(other, by=association_pro)
        elsewhere = ServiceFactory(name="Ailleurs")
        actions.send_referral(PersonFactory(followed_by=membership_a), elsewhere, by=membership_a)
        client = login(association_pro.user)

        everything = text(client.get(reverse("offer:referral_inbox")))
        to_answer = text(client.get(reverse("offer:referral_inbox"), {"statut": "a_traiter"}))
        one_service = text(client.get(reverse("offer:referral_inbox"), {"service": str(service.public_id)}))

        assert "2 prescriptions" in everything and "Ailleurs" not in everything
        assert "1 prescription " in to_answer and "Permis solidaire" in to_answer
        assert "1 prescription " in one_service

    def test_the_sent_list_of_the_prescriber(
        self, login, referral, professional_a, admin_a, membership_a, association
    ):
        actions.send_referral(PersonFactory(followed_by=admin_a), ServiceFactory(structure=association), by=admin_a)

        assert "2 prescriptions" in text(login(professional_a).get(reverse("offer:referral_sent")))
        assert "1 prescription " in text(login(professional_a).get(reverse("offer:referral_sent"), {"moi": "on"}))

    @pytest.mark.parametrize("count", [5, 40])
    def test_query_count_does_not_grow(
        self, login, association_pro, membership_a, association, count, django_assert_max_num_queries
    ):
        service = ServiceFactory(structure=association)
        for _ in range(count):
            actions.send_referral(PersonFactory(followed_by=membership_a), service, by=membership_a)
        receiving, prescribing = login(association_pro.user), other_client(membership_a.user)

        with django_assert_max_num_queries(12):
            receiving.get(reverse("offer:referral_inbox"))
        with django_assert_max_num_queries(12):
            prescribing.get(reverse("offer:referral_sent"))


@pytest.mark.django_db
class TestExports:
    @pytest.fixture
    def tricky(self, membership_a, association):
        person = PersonFactory(birth_name='=HYPERLINK("http://x")', first_names="@Paul", followed_by=membership_a)
        return actions.send_referral(
            person, ServiceFactory(structure=association, name="+Atelier -CV"), by=membership_a
        )

    def test_csv_neutralises_formulas_and_is_logged(self, login, tricky, association_pro):
        response = login(association_pro.user).get(
            reverse("offer:referral_export"), {"sens": "recues", "format": "csv"}
        )

        content = response.content.decode("utf-8-sig")
        assert response["Content-Type"].startswith("text/csv")
        assert "'+Atelier -CV" in content
        assert "'=HYPERLINK" in content.replace('"', "")
        assert ";Date de naissance;" in content.splitlines()[0]
        assert timezone.localdate().strftime("%d/%m/%Y") in content
        assert AccessLog.objects.filter(action="export", object_id=str(tricky.person.public_id)).exists()

    def test_xlsx_neutralises_formulas(self, login, tricky, association_pro):
        response = login(association_pro.user).get(reverse("offer:referral_export"), {"format": "xlsx"})

        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [cell.value for cell in sheet[2]]
        assert "'+Atelier -CV" in values
        assert any(isinstance(value, str) and value.startswith("'=HYPERLINK") for value in values)
        assert sheet.cell(row=2, column=2).number_format == "DD/MM/YYYY"

    def test_only_the_structures_own_referrals(self, login, tricky, professional_b):
        response = login(professional_b).get(reverse("offer:referral_export"), {"sens": "recues"})

        assert len(response.content.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("steps", [1, 5])
def test_the_referral_page_query_count_does_not_grow_with_its_history(
    login, referral, association_pro, steps, django_assert_max_num_queries
):
    if steps == 5:
        actions.review_referral(referral, by=association_pro)
        actions.accept_referral(referral, by=association_pro)
        actions.start_referral(referral, by=association_pro)
        actions.complete_referral(referral, by=association_pro)
    client = login(association_pro.user)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("offer:referral_detail", args=[referral.public_id]))

    assert response.status_code == 200
