"""The person's right to object (CASF art. L263-4-1): the information given and an objection are recorded and shown on
the record; an objection narrows access at once to the organisme référent, the carnet says so, a withdrawal restores
it. Each role is tried before, during and after the objection."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ChangeLog
from pathway import objection_actions
from pathway.access import can_view_person, persons_visible_to
from pathway.models import SharingFact, TimelineEvent
from relais.actions import ActionError, Conflict, Forbidden
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def sharing_url(person):
    return reverse("pathway:sharing", args=[person.public_id])


def detail_url(person):
    return reverse("entry:person_detail", args=[person.public_id])


def object_(person, by, on=None, channel="interview", comment=""):
    return objection_actions.record_objection(person, by=by, on=on or TODAY(), channel=channel, comment=comment)


def withdraw(person, by, on=None):
    return objection_actions.withdraw_objection(person, by=by, on=on or TODAY(), channel="letter")


@pytest.fixture(autouse=True)
def entered_by_a(followed, membership_a):
    """The person was entered by professional A for France Travail (as ``enter_person`` records it)."""
    followed.created_for = membership_a.structure
    followed.save(update_fields=["created_for"])


@pytest.fixture
def solidarity():
    return StructureFactory(name="Maison des solidarités de Massy")


@pytest.fixture
def roles(followed, membership_a, structure_b, solidarity, manager, coordinator, orient):
    """The person entered by France Travail (A), with a mission locale (B) in the team, oriented to the maison des
    solidarités with a référent; a colleague of the référent; an orientation manager of the maison des
    solidarités; the Département's orientation manager; a coordinator."""
    referent = MembershipFactory(structure=solidarity)
    intervenant = MembershipFactory(structure=structure_b)
    followed.pathway.team.create(user=intervenant.user, structure=structure_b)
    orient(followed, solidarity, referent=referent)
    return {
        "entering_structure_in_team": membership_a,
        "intervenant_of_another_structure": intervenant,
        "referent": referent,
        "colleague_of_the_referent": MembershipFactory(structure=solidarity),
        "manager_of_the_organisme_referent": MembershipFactory(structure=solidarity, orientation_manager=True),
        "departement_orientation_manager": manager,
        "coordinator": coordinator.memberships.get(),
    }


KEEPS = {"referent", "colleague_of_the_referent", "manager_of_the_organisme_referent"}
BEFORE = KEEPS | {"entering_structure_in_team", "intervenant_of_another_structure", "departement_orientation_manager"}


def opens(client, membership, person):
    client.force_login(membership.user)
    client.post(reverse("accounts:switch_structure"), {"membership": str(membership.public_id)})
    return client.get(detail_url(person)).status_code


@pytest.mark.parametrize(
    "role",
    [
        "entering_structure_in_team",
        "intervenant_of_another_structure",
        "referent",
        "colleague_of_the_referent",
        "manager_of_the_organisme_referent",
        "departement_orientation_manager",
        "coordinator",
    ],
)
def test_an_objection_narrows_access_at_once_and_its_withdrawal_restores_it(client, roles, followed, role):
    membership = roles[role]
    assert opens(client, membership, followed) == (200 if role in BEFORE else 404)

    object_(followed, roles["referent"])

    assert can_view_person(membership, followed) == (role in KEEPS)
    assert (followed in persons_visible_to(membership)) == (role in KEEPS)
    assert opens(client, membership, followed) == (200 if role in KEEPS else 404)

    withdraw(followed, roles["referent"])

    assert opens(client, membership, followed) == (200 if role in BEFORE else 404)


def test_the_carnet_says_so_to_those_who_still_see_it(login, roles, followed, solidarity):
    object_(followed, roles["referent"], comment="Ne souhaite pas que la mission locale soit informée.")

    page = text(login(roles["referent"].user).get(detail_url(followed)))

    assert f"Cette personne s'oppose au partage de son carnet depuis le {TODAY():%d/%m/%Y}" in page
    assert f"Seul l'organisme référent, {solidarity.name}, accède à son carnet." in page
    assert "Opposition au partage oui, depuis le" in page
    assert "Ne souhaite pas que la mission locale soit informée." in page


def test_before_any_orientation_the_entering_structure_and_the_managers_keep_it(
    followed, membership_a, structure_b, manager, login
):
    intervenant = MembershipFactory(structure=structure_b)
    followed.pathway.team.create(user=intervenant.user, structure=structure_b)

    object_(followed, membership_a)

    assert can_view_person(membership_a, followed)
    assert can_view_person(manager, followed)
    assert not can_view_person(intervenant, followed)
    page = text(login(membership_a.user).get(detail_url(followed)))
    assert "Jusqu'à son orientation, seuls les membres de l'équipe de la structure qui l'a inscrite" in page


def test_a_recorder_who_loses_access_is_told_and_sent_to_their_people(client, roles, followed):
    intervenant = roles["intervenant_of_another_structure"]
    client.force_login(intervenant.user)

    response = client.post(
        sharing_url(followed),
        {"kind": "objected", "on": TODAY().isoformat(), "channel": "interview", "comment": ""},
        follow=True,
    )

    assert response.request["PATH_INFO"] == reverse("entry:person_list")
    assert "Vous n'avez plus accès à ce carnet : seul l'organisme référent le garde." in text(response)
    followed.refresh_from_db()
    assert followed.objects_to_sharing


class TestRecording:
    def test_the_information_given_is_recorded_and_shown(self, login, professional_a, followed):
        response = login(professional_a).post(
            sharing_url(followed),
            {"kind": "informed", "on": "2026-03-02", "channel": "letter", "comment": ""},
            follow=True,
        )

        fact = SharingFact.objects.get(person=followed)
        assert (fact.kind, fact.on, fact.channel, fact.recorded_by) == (
            "informed",
            datetime.date(2026, 3, 2),
            "letter",
            professional_a,
        )
        page = text(response)
        assert "L'information de la personne est enregistrée." in page
        assert "Information sur le partage donnée le 02/03/2026 (par courrier)" in page
        assert TimelineEvent.objects.filter(person=followed, kind="pathway.sharing_informed").exists()

    def test_the_form_offers_withdrawal_only_during_an_objection(self, login, professional_a, membership_a, followed):
        client = login(professional_a)
        assert "La personne s'oppose au partage de son carnet" in text(client.get(sharing_url(followed)))
        assert "retire son opposition" not in text(client.get(sharing_url(followed)))

        object_(followed, membership_a)

        page = text(client.get(sharing_url(followed)))
        assert "La personne retire son opposition" in page
        assert "La personne s'oppose au partage de son carnet" not in page

    def test_a_future_date_is_refused_and_the_comment_kept(self, login, professional_a, followed):
        response = login(professional_a).post(
            sharing_url(followed),
            {"kind": "objected", "on": "2999-01-01", "channel": "letter", "comment": "Par lettre recommandée."},
        )

        assert "La date ne peut pas être dans le futur." in text(response)
        assert "Par lettre recommandée." in response.content.decode()
        followed.refresh_from_db()
        assert not followed.objects_to_sharing

    def test_the_actions_refuse_what_makes_no_sense(self, followed, membership_a):
        with pytest.raises(Conflict, match="pas d'opposition à retirer"):
            withdraw(followed, membership_a)
        object_(followed, membership_a, on=TODAY() - datetime.timedelta(days=3))
        with pytest.raises(Conflict, match="déjà enregistrée"):
            object_(followed, membership_a)
        with pytest.raises(ActionError, match="ne peut pas précéder l'opposition"):
            withdraw(followed, membership_a, on=TODAY() - datetime.timedelta(days=10))
        with pytest.raises(ActionError, match="futur"):
            objection_actions.record_information(
                followed, by=membership_a, on=TODAY() + datetime.timedelta(days=1), channel="letter"
            )

    def test_someone_outside_the_need_to_know_records_nothing(self, followed):
        with pytest.raises(Forbidden):
            object_(followed, MembershipFactory())
        followed.refresh_from_db()
        assert not followed.objects_to_sharing

    def test_the_flag_and_its_history_follow_the_facts(self, followed, membership_a):
        object_(followed, membership_a)
        withdraw(followed, membership_a)

        changes = ChangeLog.objects.filter(
            object_type="people.person", object_id=str(followed.public_id), action=ChangeLog.Action.UPDATE
        )
        assert [entry.changes["objects_to_sharing"] for entry in changes.order_by("at", "id")] == [
            [False, True],
            [True, False],
        ]
        assert objection_actions.current_objection(followed) is None
        kinds = SharingFact.objects.filter(person=followed).order_by("id").values_list("kind", flat=True)
        assert list(kinds) == ["objected", "withdrawn"]


def test_the_search_tells_an_outsider_only_who_to_ask(login, roles, followed):
    """The former intervenant now finds the person as anyone outside does: initials and whom to ask."""
    object_(followed, roles["referent"])
    intervenant = roles["intervenant_of_another_structure"]

    response = login(intervenant.user).post(reverse("entry:person_list"), {"last_name": "moreau"})

    assert "Déjà suivie : demander l'accès" in text(response)
    assert "Camille" not in response.content.decode()


def test_a_merge_keeps_the_objection_of_either_record(followed, membership_a, coordinator):
    from people.merge import merge_persons, undo_merge

    duplicate = PersonFactory(followed_by=membership_a)
    object_(duplicate, membership_a)

    record = merge_persons(survivor=followed, merged=duplicate, by=coordinator.memberships.get())
    followed.refresh_from_db()
    assert followed.objects_to_sharing
    undo_merge(record, by=coordinator.memberships.get())
    followed.refresh_from_db()
    assert not followed.objects_to_sharing
