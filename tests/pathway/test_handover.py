"""Handover: changing the référent takes a note the team reads on the timeline; the former and the new référent and
the person are told once the change is committed. A structure's admin hands over a référent's caseload in bulk."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User, UserNotification
from accounts.notifications import send_digests
from pathway import actions
from pathway.models import Pathway, ReferentHistory, TeamMember, TimelineEvent
from relais.actions import ActionError, Forbidden
from relais.sms import ConsoleSmsBackend
from tests.factories import MembershipFactory
from tests.pages import field_error, text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOTE = "Cherche un CAP cuisine. Rendez-vous CAF le 12 pour la prime d'activité."


@pytest.fixture
def sms():
    ConsoleSmsBackend.sent.clear()
    yield ConsoleSmsBackend.sent
    ConsoleSmsBackend.sent.clear()


@pytest.fixture
def colleague(structure_b):
    return MembershipFactory(structure=structure_b, user__first_name="Hugo", user__last_name="Lambert")


@pytest.fixture
def accompanied(followed, orient, structure_b, membership_b):
    followed.email = "camille.moreau@exemple.fr"
    followed.phone = "+33612345678"
    followed.save()
    orient(followed, structure_b, referent=membership_b, notify=False)
    return followed


def url(person):
    return reverse("pathway:referent", args=[person.public_id])


class TestHandover:
    def test_the_referent_hands_over_to_a_colleague_with_a_note(
        self, login, professional_b, membership_b, colleague, accompanied, sms, django_capture_on_commit_callbacks
    ):
        client = login(professional_b)
        form = text(client.get(url(accompanied)))
        assert "Note de passation" in form

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(accompanied), {"referent": colleague.pk, "note": NOTE}, follow=True)

        pathway = Pathway.objects.get(person=accompanied)
        assert pathway.referent == colleague.user
        history = ReferentHistory.objects.get(pathway=pathway, ended_at=None)
        assert (history.user, history.designated_by, history.handover_note) == (colleague.user, professional_b, NOTE)
        assert ReferentHistory.objects.get(pathway=pathway, user=professional_b).end_reason == "changement de référent"
        former = TeamMember.objects.get(pathway=pathway, user=professional_b, ended_at=None)
        assert former.role == TeamMember.Role.INTERVENANT
        page = text(response)
        assert f"{colleague.user} est le nouveau référent unique de {accompanied}." in page
        event = TimelineEvent.objects.get(person=accompanied, kind="pathway.handed_over")
        assert (
            event.summary
            == f"Passation : {professional_b} confie l'accompagnement à Hugo Lambert ({colleague.structure})"
        )
        assert NOTE in page  # the team reads the note on the timeline
        # Told: the new and the former référent (their individual notifications, at once by default), the person
        # by email and SMS.
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert by_recipient[colleague.user.email].subject == "Relais – Un accompagnement vous est confié"
        assert by_recipient[professional_b.email].subject == "Relais – Passation d'un accompagnement"
        assert "Hugo Lambert" in by_recipient[professional_b.email].body
        assert UserNotification.objects.filter(user=colleague.user, sent_at__isnull=False).count() == 1
        assert by_recipient["camille.moreau@exemple.fr"].subject == "Votre référent unique change"
        assert "Hugo Lambert" in by_recipient["camille.moreau@exemple.fr"].body
        for message in mail.outbox:
            assert "Moreau" not in message.subject
            assert NOTE not in message.body  # The note stays in the carnet, whose reading is logged.
        assert sms == [("+33612345678", sms[0][1])]
        assert "Hugo Lambert" in sms[0][1]

    def test_the_note_is_required_and_the_choice_kept(self, login, professional_b, colleague, accompanied, sms):
        response = login(professional_b).post(url(accompanied), {"referent": colleague.pk, "note": "  "})

        assert "Écrivez la note de passation" in field_error(response, "note")
        assert f'<option value="{colleague.pk}" selected>' in response.content.decode()
        assert Pathway.objects.get(person=accompanied).referent != colleague.user
        assert mail.outbox == [] and sms == []

    def test_the_admin_is_told_when_the_referent_changed_meanwhile(
        self, login, membership_b, colleague, accompanied, structure_b
    ):
        other = MembershipFactory(structure=structure_b, user__first_name="Léa", user__last_name="Girard")
        admin = MembershipFactory(structure=structure_b, admin=True)
        client = login(admin.user)
        client.get(url(accompanied))
        actions.designate_referent(accompanied, by=membership_b, referent=other, note="Je pars en congé.")

        response = client.post(
            url(accompanied), {"referent": colleague.pk, "note": NOTE, "current": membership_b.user_id}
        )

        page = text(response)
        assert (
            "Le référent unique a changé pendant que vous remplissiez le formulaire : c'est désormais Léa Girard."
            in page
        )
        assert NOTE in page  # what was typed is kept
        assert Pathway.objects.get(person=accompanied).referent == other.user

    def test_the_action_refuses_a_change_without_note(self, membership_b, colleague, accompanied):
        with pytest.raises(ActionError, match="note de passation"):
            actions.designate_referent(accompanied, by=membership_b, referent=colleague)

    def test_the_current_referent_is_not_offered(self, login, professional_b, membership_b, accompanied):
        response = login(professional_b).get(url(accompanied))

        assert f'<option value="{membership_b.pk}"' not in response.content.decode()

    def test_a_colleague_may_not_take_the_person(self, login, colleague, accompanied):
        assert login(colleague.user).get(url(accompanied)).status_code == 403
        with pytest.raises(Forbidden):
            actions.designate_referent(accompanied, by=colleague, referent=colleague, note=NOTE)

    def test_a_person_without_email_nor_phone_is_not_written_to(
        self, membership_b, colleague, accompanied, sms, django_capture_on_commit_callbacks
    ):
        accompanied.email, accompanied.phone = "", ""
        accompanied.save()

        with django_capture_on_commit_callbacks(execute=True):
            actions.designate_referent(accompanied, by=membership_b, referent=colleague, note=NOTE)

        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [colleague.user.email, membership_b.user.email]
        )
        assert sms == []

    def test_a_referent_who_chose_the_daily_digest_reads_the_handover_in_it(
        self, membership_b, colleague, accompanied, sms, django_capture_on_commit_callbacks
    ):
        colleague.user.notification_frequency = User.NotificationFrequency.DAILY
        colleague.user.save()

        with django_capture_on_commit_callbacks(execute=True):
            actions.designate_referent(accompanied, by=membership_b, referent=colleague, note=NOTE)

        recipients = [message.to[0] for message in mail.outbox]
        assert colleague.user.email not in recipients  # nothing at once: the digest will carry it
        assert membership_b.user.email in recipients  # the former référent wants it at once
        pending = UserNotification.objects.get(user=colleague.user, sent_at__isnull=True)
        assert pending.subject == "Un accompagnement vous est confié"
        assert pending.url == reverse("entry:person_detail", args=[accompanied.public_id])

        mail.outbox.clear()
        send_digests()
        (digest,) = [message for message in mail.outbox if message.to == [colleague.user.email]]
        assert "Un accompagnement vous est confié" in digest.body
        assert NOTE not in digest.body

    def test_nobody_is_told_when_the_handover_is_refused(
        self, membership_b, colleague, accompanied, sms, django_capture_on_commit_callbacks
    ):
        before = UserNotification.objects.count()

        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionError):
            actions.designate_referent(accompanied, by=membership_b, referent=colleague, note="")

        assert mail.outbox == []
        assert sms == []
        assert UserNotification.objects.count() == before

    def test_a_closed_pathway_is_not_handed_over(self, membership_b, colleague, accompanied):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=accompanied.pathway.entered_at)

        with pytest.raises(ActionError, match="clos"):
            actions.designate_referent(accompanied, by=membership_b, referent=colleague, note=NOTE)


class TestBulkHandover:
    @pytest.fixture
    def admin(self, structure_b):
        return MembershipFactory(structure=structure_b, admin=True, user__first_name="Anne", user__last_name="Admin")

    @pytest.fixture
    def caseload(self, membership_b, membership_a, orient, structure_b):
        """Three people whose référent is professional B, and one who left the pathway."""
        people = []
        for name in ["Arnaud", "Bernard", "Chevalier", "Durand"]:
            person = PersonFactory(birth_name=name, followed_by=membership_a)
            orient(person, structure_b, referent=membership_b, notify=False)
            people.append(person)
        actions.exit_pathway(people[3], by=membership_b, reason="training", on=people[3].pathway.entered_at)
        return people

    def page(self, client, former):
        return client.get(reverse("pathway:bulk_handover"), {"referent": str(former.public_id)})

    def test_the_admin_hands_over_the_whole_caseload_with_one_note(
        self, login, admin, membership_b, colleague, caseload, sms, django_capture_on_commit_callbacks
    ):
        client = login(admin.user)
        page = text(self.page(client, membership_b))
        assert f"Les personnes dont {membership_b.user} est le référent unique (3)" in page
        assert "DURAND" not in page  # left the pathway: not in the caseload to hand over

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("pathway:bulk_handover"),
                {
                    "former": str(membership_b.public_id),
                    "everyone": "1",
                    "referent": str(colleague.public_id),
                    "note": NOTE,
                },
            )

        assert "3 personnes confiées à Hugo Lambert." in text(response)
        for person in caseload[:3]:
            pathway = Pathway.objects.get(person=person)
            assert pathway.referent == colleague.user
            assert ReferentHistory.objects.get(pathway=pathway, ended_at=None).handover_note == NOTE
        assert Pathway.objects.get(person=caseload[3]).referent == membership_b.user
        # Each référent is told once, not once per person, by their individual notification.
        recipients = [message.to[0] for message in mail.outbox]
        assert recipients.count(colleague.user.email) == 1
        assert recipients.count(membership_b.user.email) == 1
        summary = next(message for message in mail.outbox if message.to == [colleague.user.email])
        assert summary.subject == "Relais – Des accompagnements vous sont confiés"
        assert "3 personnes" in summary.body
        assert "Anne Admin" in summary.body
        assert UserNotification.objects.filter(user=membership_b.user, subject__startswith="Passation").count() == 1

    def test_a_bulk_handover_goes_to_the_digest_of_who_chose_it(
        self, admin, membership_b, colleague, caseload, sms, django_capture_on_commit_callbacks
    ):
        membership_b.user.notification_frequency = User.NotificationFrequency.DAILY
        membership_b.user.save()

        with django_capture_on_commit_callbacks(execute=True):
            actions.hand_over_caseload(
                by=admin, former=membership_b, referent=colleague, people=caseload[:2], note=NOTE
            )

        recipients = [message.to[0] for message in mail.outbox]
        assert recipients.count(colleague.user.email) == 1
        assert membership_b.user.email not in recipients
        pending = UserNotification.objects.get(user=membership_b.user, subject__startswith="Passation")
        assert pending.subject == "Passation de vos accompagnements"
        assert pending.sent_at is None
        assert "2 personnes" in pending.body

    def test_the_admin_hands_over_some_people(self, login, admin, membership_b, colleague, caseload):
        login(admin.user).post(
            reverse("pathway:bulk_handover"),
            {
                "former": str(membership_b.public_id),
                "everyone": "0",
                "people": [str(caseload[0].public_id)],
                "referent": str(colleague.public_id),
                "note": NOTE,
            },
        )

        assert Pathway.objects.get(person=caseload[0]).referent == colleague.user
        assert Pathway.objects.get(person=caseload[1]).referent == membership_b.user

    def test_some_means_at_least_one(self, login, admin, membership_b, colleague, caseload):
        response = login(admin.user).post(
            reverse("pathway:bulk_handover"),
            {
                "former": str(membership_b.public_id),
                "everyone": "0",
                "referent": str(colleague.public_id),
                "note": NOTE,
            },
        )

        assert "Cochez au moins une personne" in field_error(response, "people")
        assert Pathway.objects.get(person=caseload[0]).referent == membership_b.user

    def test_the_report_says_who_was_not_handed_over_and_why(self, admin, membership_b, colleague, caseload):
        stranger = PersonFactory(followed_by=None)

        report = actions.hand_over_caseload(
            by=admin, former=membership_b, referent=colleague, people=[caseload[0], stranger], note=NOTE
        )

        assert report.handed_over == [caseload[0]]
        assert report.refused == [(stranger, "n'est plus suivie par ce référent")]

    def test_only_the_structures_admin(self, login, membership_b, colleague, caseload, structure_admin_a):
        assert login(colleague.user).get(reverse("pathway:bulk_handover")).status_code == 403
        # The admin of another structure does not see B's référents.
        assert self.page(login(structure_admin_a), membership_b).status_code == 404
        with pytest.raises(Forbidden):
            actions.hand_over_caseload(
                by=structure_admin_a.memberships.get(),
                former=membership_b,
                referent=colleague,
                people=caseload,
                note=NOTE,
            )
