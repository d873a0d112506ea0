"""Orientation: the manager decides, the person and the organisme référent are told, the contract deadline
starts; a réorientation ends the previous référent's mission; one référent unique, held by the database."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from entry.models import Notification, Orientation
from pathway import actions as pathway_actions
from pathway.models import Pathway, ReferentHistory, TeamMember
from relais.sms import ConsoleSmsBackend
from tests.entry.posts import diagnostic_data, in_error
from tests.factories import MembershipFactory
from tests.pages import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms():
    ConsoleSmsBackend.sent.clear()
    yield ConsoleSmsBackend.sent
    ConsoleSmsBackend.sent.clear()


@pytest.fixture
def proposal(followed, membership_a, propose):
    return propose(followed, membership_a, "professional")


def decide_url(person):
    return reverse("entry:decide", args=[person.public_id])


def decision(structure, pathway="professional", referent=None, reason=""):
    return {
        "pathway_type": pathway,
        "referent_structure": structure.pk,
        "referent": referent.pk if referent else "",
        "decision_reason": reason,
    }


def in_a_month():
    return timezone.localdate() + relativedelta(months=1)


class TestDecision:
    def test_the_decision_is_notified_to_the_person_and_the_organisme_referent(
        self, login, orientation_manager, followed, proposal, structure_b, sms, django_capture_on_commit_callbacks
    ):
        followed.email, followed.phone = "camille@exemple.fr", "+33612345678"
        followed.save()
        structure_b.email = "accueil@mission-locale.exemple.fr"
        structure_b.save()
        client = login(orientation_manager)
        assert "Proposition du diagnostic : parcours professionnel" in text(client.get(decide_url(followed)))

        # Messages leave once the decision is committed (the test's transaction never commits: run them).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(decide_url(followed), decision(structure_b))

        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.NOTIFIED
        assert (proposal.pathway_type, proposal.referent_structure, proposal.decided_by) == (
            "professional",
            structure_b,
            orientation_manager,
        )
        assert proposal.notified_at is not None
        sent = {message.to[0]: message for message in mail.outbox}
        assert len(mail.outbox) == 2
        to_person, to_structure = sent["camille@exemple.fr"], sent["accueil@mission-locale.exemple.fr"]
        assert to_person.to == ["camille@exemple.fr"]
        assert to_person.subject == "Votre orientation dans le parcours d'insertion"
        # Camille is a woman: « orientée », not « orienté(e) ».
        assert "vous êtes orientée vers un parcours professionnel" in to_person.body
        assert "Mission locale Nord Essonne" in to_person.body
        assert "contester cette décision dans un délai de deux mois" in to_person.body
        assert "président du conseil départemental" in to_person.body  # she is on RSA: the prior appeal
        assert "vous opposer à ce partage" in to_person.body
        assert to_structure.to == ["accueil@mission-locale.exemple.fr"]
        assert to_structure.subject == "Nouvelle orientation vers Mission locale Nord Essonne"
        assert str(followed.public_id) in to_structure.body
        assert [phone for phone, _ in sms] == ["+33612345678"]
        assert "parcours professionnel avec Mission locale Nord Essonne" in sms[0][1]
        assert set(Notification.objects.values_list("channel", flat=True)) == {"email", "sms"}
        pathway = Pathway.objects.get(person=followed)
        assert (pathway.status, pathway.pathway_type, pathway.referent_structure) == (
            Pathway.Status.ORIENTED,
            "professional",
            structure_b,
        )
        assert pathway.contract_due_on == in_a_month()

    def test_a_phone_alone_is_enough_to_notify(
        self, login, orientation_manager, followed, proposal, structure_b, sms, django_capture_on_commit_callbacks
    ):
        followed.phone = "+33612345678"
        followed.save()

        with django_capture_on_commit_callbacks(execute=True):
            login(orientation_manager).post(decide_url(followed), decision(structure_b))

        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.NOTIFIED
        assert len(sms) == 1
        assert mail.outbox == []

    def test_a_decision_other_than_the_proposal_needs_a_reason(
        self, login, orientation_manager, followed, proposal, structure_b
    ):
        response = login(orientation_manager).post(decide_url(followed), decision(structure_b, pathway="social"))

        assert "Expliquez pourquoi la décision diffère de l'orientation proposée par le diagnostic." in in_error(
            response, "decision_reason"
        )
        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.PROPOSED
        assert Pathway.objects.get(person=followed).status == Pathway.Status.ENTERED

    def test_with_a_reason_the_other_pathway_is_decided_and_shown(
        self, login, orientation_manager, followed, proposal, structure_b
    ):
        client = login(orientation_manager)

        response = client.post(
            decide_url(followed),
            decision(structure_b, pathway="social", reason="Hébergement d'urgence à trouver d'abord."),
            follow=True,
        )

        proposal.refresh_from_db()
        assert (proposal.pathway_type, proposal.decision_reason) == (
            "social",
            "Hébergement d'urgence à trouver d'abord.",
        )
        assert "différent de la proposition : Hébergement d'urgence à trouver d'abord." in text(response)

    def test_the_referent_must_belong_to_the_organisme_referent(
        self, login, orientation_manager, followed, proposal, structure_b, membership_a
    ):
        response = login(orientation_manager).post(decide_url(followed), decision(structure_b, referent=membership_a))

        assert "Le référent doit être membre de l'organisme référent choisi." in in_error(response, "referent")
        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.PROPOSED

    def test_a_referent_chosen_at_the_decision_accompanies_at_once(
        self, login, orientation_manager, followed, proposal, structure_b, membership_b
    ):
        login(orientation_manager).post(decide_url(followed), decision(structure_b, referent=membership_b))

        pathway = Pathway.objects.get(person=followed)
        assert (pathway.status, pathway.referent) == (Pathway.Status.ACCOMPANIED, membership_b.user)
        assert ReferentHistory.objects.get(pathway=pathway, ended_at=None).designated_by == orientation_manager

    def test_a_professional_cannot_decide(self, login, professional_a, followed, proposal, structure_b):
        response = login(professional_a).post(decide_url(followed), decision(structure_b))

        assert response.status_code == 403
        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.PROPOSED


class TestLetter:
    @pytest.fixture
    def decided(self, login, orientation_manager, followed, proposal, structure_b):
        response = login(orientation_manager).post(decide_url(followed), decision(structure_b), follow=True)
        assert "Elle n'a pas pu être envoyée par courriel ou SMS : imprimez le courrier." in text(response)
        proposal.refresh_from_db()
        return proposal

    def letter_url(self, orientation):
        return reverse("entry:letter", args=[orientation.person.public_id, orientation.public_id])

    def test_without_email_or_phone_the_orientation_stays_decided(self, decided, sms):
        assert decided.status == Orientation.Status.DECIDED
        assert decided.notified_at is None
        assert mail.outbox == [] and sms == []

    def test_the_posted_letter_notifies(self, decided, client, followed):
        Pathway.objects.filter(person=followed).update(contract_due_on=datetime.date(2000, 1, 1))
        letter = client.get(self.letter_url(decided))
        assert "vous orienter vers un parcours professionnel" in text(letter)
        assert "Mission locale Nord Essonne" in text(letter)
        assert f"Dossier n° {followed.dossier_number}" in text(letter)
        assert "recours administratif préalable obligatoire, article L262-47" in text(letter)
        assert "vous opposer à ce partage" in text(letter)
        assert 'id="contenu"' in letter.content.decode()  # the common layout: landmarks and skip links

        response = client.post(self.letter_url(decided), follow=True)

        assert "Le courrier est enregistré comme notification de l'orientation." in text(response)
        decided.refresh_from_db()
        assert decided.status == Orientation.Status.NOTIFIED
        assert Notification.objects.get(orientation=decided).channel == Notification.Channel.LETTER
        assert Pathway.objects.get(person=followed).contract_due_on == in_a_month()
        assert "marquer l'orientation comme notifiée" not in text(client.get(self.letter_url(decided)))

    def test_only_who_orients_marks_the_letter_posted(self, decided, login, professional_b):
        client = login(professional_b)
        assert client.get(self.letter_url(decided)).status_code == 200

        assert client.post(self.letter_url(decided)).status_code == 403
        decided.refresh_from_db()
        assert decided.status == Orientation.Status.DECIDED


class TestReorientation:
    def test_a_reorientation_asked_by_the_referent_ends_their_mission_elsewhere(
        self, login, professional_a, orientation_manager, followed, structure_a, structure_b, membership_b, orient
    ):
        first = orient(followed, structure_b, referent=membership_b)
        pathway = Pathway.objects.get(person=followed)
        assert (pathway.status, pathway.referent) == (Pathway.Status.ACCOMPANIED, membership_b.user)

        # A new diagnostic proposes nothing by itself once the orientation is decided (issue: orientation states)…
        login(professional_a).post(
            reverse("entry:diagnostic_edit", args=[followed.public_id]), diagnostic_data(housing="fort")
        )
        assert not Orientation.objects.filter(person=followed, status=Orientation.Status.PROPOSED).exists()
        # …the référent asks for the réorientation, with a reason.
        login(membership_b.user).post(
            reverse("entry:request_reorientation", args=[followed.public_id]),
            {"reason": "Un problème de logement bloque toute recherche d'emploi."},
        )
        second = Orientation.objects.get(person=followed, status=Orientation.Status.PROPOSED)
        assert second.is_reorientation
        client = login(orientation_manager)
        client.post(decide_url(followed), decision(structure_a, pathway="socio_professional"))

        second.refresh_from_db()
        assert (second.status, second.referent_structure) == (Orientation.Status.DECIDED, structure_a)
        first.refresh_from_db()
        assert first.status == Orientation.Status.DECIDED
        pathway.refresh_from_db()
        assert (pathway.status, pathway.referent, pathway.referent_structure) == (
            Pathway.Status.ORIENTED,
            None,
            structure_a,
        )
        ended = ReferentHistory.objects.get(pathway=pathway)
        assert ended.user == membership_b.user
        assert (ended.ended_at is not None, ended.end_reason) == (True, "réorientation")
        assert not ReferentHistory.objects.filter(pathway=pathway, ended_at=None).exists()
        page = text(client.get(reverse("entry:person_detail", args=[followed.public_id])))
        assert "décidée (réorientation) socio-professionnel France Travail Évry-Courcouronnes" in page
        assert "décidée professionnel Mission locale Nord Essonne" in page

    def test_a_reorientation_to_the_same_structure_keeps_the_referent(
        self, followed, structure_b, membership_b, orient
    ):
        orient(followed, structure_b, referent=membership_b)

        orient(followed, structure_b, pathway="social")

        pathway = Pathway.objects.get(person=followed)
        assert (pathway.status, pathway.referent, pathway.pathway_type) == (
            Pathway.Status.ACCOMPANIED,
            membership_b.user,
            "social",
        )
        assert ReferentHistory.objects.filter(pathway=pathway, ended_at=None).count() == 1


class TestReferent:
    @pytest.fixture
    def oriented(self, followed, structure_b, orient):
        orient(followed, structure_b)
        return followed

    def url(self, person):
        return reverse("pathway:referent", args=[person.public_id])

    def test_a_member_of_the_organisme_referent_designates_themself(self, login, professional_b, oriented):
        membership = professional_b.memberships.get()
        client = login(professional_b)

        response = client.post(self.url(oriented), {"referent": membership.pk}, follow=True)

        assert f"{professional_b} est le référent unique de {oriented}." in text(response)
        pathway = Pathway.objects.get(person=oriented)
        assert (pathway.status, pathway.referent) == (Pathway.Status.ACCOMPANIED, professional_b)
        active = ReferentHistory.objects.get(pathway=pathway, ended_at=None)
        assert (active.user, active.structure, active.designated_by) == (
            professional_b,
            membership.structure,
            professional_b,
        )
        assert TeamMember.objects.get(pathway=pathway, user=professional_b).role == TeamMember.Role.REFERENT

    def test_a_professional_may_only_designate_themself(self, login, professional_b, structure_b, oriented):
        colleague = MembershipFactory(structure=structure_b)

        response = login(professional_b).post(self.url(oriented), {"referent": colleague.pk})

        assert "Sélectionnez un choix valide." in in_error(response, "referent")
        assert Pathway.objects.get(person=oriented).referent is None

    def test_a_professional_cannot_take_over_from_the_referent(
        self, login, professional_b, structure_b, oriented, membership_b
    ):
        colleague = MembershipFactory(structure=structure_b)
        pathway_actions.designate_referent(oriented, by=membership_b, referent=membership_b)

        response = login(colleague.user).post(self.url(oriented), {"referent": colleague.pk})

        assert response.status_code == 403
        assert Pathway.objects.get(person=oriented).referent == professional_b

    def test_changing_the_referent_keeps_exactly_one_active(
        self, login, professional_b, structure_b, oriented, membership_b
    ):
        pathway_actions.designate_referent(oriented, by=membership_b, referent=membership_b)
        admin = MembershipFactory(structure=structure_b, admin=True)
        colleague = MembershipFactory(structure=structure_b)

        login(admin.user).post(self.url(oriented), {"referent": colleague.pk, "note": "Suivi emploi en cours."})

        pathway = Pathway.objects.get(person=oriented)
        assert pathway.referent == colleague.user
        active = ReferentHistory.objects.get(pathway=pathway, ended_at=None)
        assert (active.user, active.designated_by, active.handover_note) == (
            colleague.user,
            admin.user,
            "Suivi emploi en cours.",
        )
        previous = ReferentHistory.objects.get(pathway=pathway, user=professional_b)
        assert previous.end_reason == "changement de référent"
        assert TeamMember.objects.get(pathway=pathway, user=professional_b).role == TeamMember.Role.INTERVENANT

    def test_no_one_appoints_themself_referent_of_a_person_oriented_elsewhere(
        self, login, professional_a, membership_a, oriented
    ):
        client = login(professional_a)
        assert client.get(reverse("entry:person_detail", args=[oriented.public_id])).status_code == 200

        assert client.get(self.url(oriented)).status_code == 403
        assert client.post(self.url(oriented), {"referent": membership_a.pk}).status_code == 403
        assert Pathway.objects.get(person=oriented).referent is None

    def test_the_database_refuses_an_accompanied_pathway_without_referent(self, oriented):
        with pytest.raises(IntegrityError), transaction.atomic():
            Pathway.objects.filter(person=oriented).update(status=Pathway.Status.ACCOMPANIED, referent=None)

    def test_the_database_refuses_two_active_referents(self, oriented, professional_b, membership_b):
        pathway_actions.designate_referent(oriented, by=membership_b, referent=membership_b)
        pathway = Pathway.objects.get(person=oriented)

        with pytest.raises(IntegrityError), transaction.atomic():
            ReferentHistory.objects.create(pathway=pathway, user=professional_b, structure=membership_b.structure)
        assert ReferentHistory.objects.filter(pathway=pathway, ended_at=None).count() == 1


def test_after_a_reorientation_the_former_organisme_referent_no_longer_sees_the_record(
    professional_a, professional_b, orientation_manager
):
    """Need-to-know follows the latest orientation: the former référent leaves the team and loses access."""
    from entry import actions
    from pathway.access import can_view_person
    from tests.entry.factories import OrientationFactory
    from tests.factories import StructureFactory
    from tests.people.factories import PersonFactory

    creator = professional_a.memberships.get()
    manager = orientation_manager.memberships.get()
    former = professional_b.memberships.get()
    person = PersonFactory(followed_by=creator)
    first = OrientationFactory(person=person, proposed_by=creator.user, proposed_for=creator.structure)
    actions.decide_orientation(
        first,
        by=manager,
        pathway_type="professional",
        referent_structure=former.structure,
        referent=former,
        reason="",
        notify=False,
    )
    assert can_view_person(former, person)

    second = OrientationFactory(person=person, proposed_by=creator.user, proposed_for=creator.structure)
    actions.decide_orientation(
        second,
        by=manager,
        pathway_type="social",
        referent_structure=StructureFactory(),
        referent=None,
        reason="",
        notify=False,
    )

    assert not can_view_person(former, person)
    assert can_view_person(creator, person)


class TestDecisionPageDetails:
    def test_the_referent_list_follows_the_chosen_structure(
        self, login, orientation_manager, structure_b, membership_b, membership_a
    ):
        response = login(orientation_manager).get(
            reverse("entry:referent_options"), {"referent_structure": structure_b.pk}, HTTP_HX_REQUEST="true"
        )

        options = response.content.decode()
        assert str(membership_b.user) in options
        assert str(membership_a.user) not in options

    def test_an_email_failure_leaves_the_decision_taken_and_offers_the_letter(
        self, login, orientation_manager, followed, proposal, structure_b, settings
    ):
        followed.email = "camille@exemple.fr"
        followed.save()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there

        response = login(orientation_manager).post(decide_url(followed), decision(structure_b), follow=True)

        assert response.status_code == 200
        proposal.refresh_from_db()
        assert proposal.status == Orientation.Status.DECIDED
        assert "imprimez le courrier" in text(response)

    def test_printing_the_letter_twice_notifies_once(
        self, login, orientation_manager, followed, proposal, structure_b
    ):
        client = login(orientation_manager)
        client.post(decide_url(followed), decision(structure_b))
        proposal.refresh_from_db()
        url = reverse("entry:letter", args=[followed.public_id, proposal.public_id])

        client.post(url)
        client.post(url)

        assert Notification.objects.filter(orientation=proposal, channel=Notification.Channel.LETTER).count() == 1


def test_referent_options_carry_raw_ids_whatever_the_number_format(login, orientation_manager, structure_b):
    """French number formatting (1 252) must never reach an <option value>: the choice would be refused."""
    from accounts.models import Membership
    from tests.factories import MembershipFactory

    membership = MembershipFactory(structure=structure_b)
    Membership.objects.filter(pk=membership.pk).update(id=123456)

    response = login(orientation_manager).get(
        reverse("entry:referent_options"), {"referent_structure": structure_b.pk}
    )

    assert 'value="123456"' in response.content.decode()
