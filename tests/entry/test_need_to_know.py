"""Need-to-know: outside the team, a professional learns only that the person exists and whom to ask;
asking, granting and refusing are journalled; every read of a record is in the access log."""

import pytest
from django.urls import reverse

from audit.models import AccessLog, ChangeLog
from pathway import actions as pathway_actions
from pathway.models import AccessRequest, TeamMember
from relais.actions import ActionError
from tests.factories import MembershipFactory
from tests.pages import text, without_random_ids
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

SEARCH = {"last_name": "moreau", "first_names": "camille", "birth_date": "1990-05-17"}


def logs(person, **filters):
    return AccessLog.objects.filter(object_type="people.person", object_id=str(person.public_id), **filters)


def answer(client, access_request, decision, follow=False, **extra):
    return client.post(
        reverse("entry:answer_access_request", args=[access_request.public_id]),
        {"decision": decision, **extra},
        follow=follow,
    )


class TestOutsideTheTeam:
    def test_the_search_shows_initials_birth_year_and_whom_to_ask(self, login, professional_b, followed):
        response = login(professional_b).post(reverse("entry:person_list"), SEARCH)

        body, page = response.content.decode(), text(response)
        assert "M… C…" in page
        assert "1990" in page
        assert "Déjà suivie : demander l'accès" in page
        assert reverse("entry:request_access", args=[followed.public_id]) in body
        for secret in ("Moreau", "MOREAU", "Camille", "17/05/1990", "Massy"):
            assert secret not in without_random_ids(response), secret
        assert f'href="{reverse("entry:person_detail", args=[followed.public_id])}"' not in body
        assert not logs(followed).exists()

    @pytest.mark.parametrize("name", ["person_detail", "person_edit", "diagnostic_edit", "diagnostic_history"])
    def test_the_record_is_not_found(self, login, professional_b, followed, name):
        response = login(professional_b).get(reverse(f"entry:{name}", args=[followed.public_id]))

        assert response.status_code == 404
        assert "Moreau" not in response.content.decode()

    def test_the_request_page_names_only_the_structures_that_follow(self, login, professional_b, followed):
        response = login(professional_b).get(reverse("entry:request_access", args=[followed.public_id]))

        body = without_random_ids(response)
        assert "Elle est suivie par :" in text(response)
        assert "France Travail Évry-Courcouronnes" in body
        for secret in ("Moreau", "MOREAU", "Camille", "1990", "Massy"):
            assert secret not in body, secret

    def test_someone_in_the_team_is_sent_to_the_record(self, login, professional_a, followed):
        response = login(professional_a).get(reverse("entry:request_access", args=[followed.public_id]))

        assert response["Location"] == reverse("entry:person_detail", args=[followed.public_id])


class TestAccessRequests:
    @pytest.fixture
    def requested(self, login, professional_b, followed):
        client = login(professional_b)
        response = client.post(
            reverse("entry:request_access", args=[followed.public_id]), {"reason": "Je la reçois demain."}
        )
        assert response.status_code == 302
        return AccessRequest.objects.get()

    def test_asking_records_a_pending_request_in_the_journal(
        self, requested, professional_b, structure_b, followed, client
    ):
        assert (requested.person, requested.requested_by, requested.structure) == (
            followed,
            professional_b,
            structure_b,
        )
        assert requested.status == AccessRequest.Status.PENDING
        change = ChangeLog.objects.get(object_type="pathway.accessrequest", object_id=str(requested.public_id))
        assert (change.action, change.user, change.structure) == (ChangeLog.Action.CREATE, professional_b, structure_b)
        assert change.changes["status"] == [None, "pending"]
        page = text(client.get(reverse("entry:person_list"), follow=True))
        assert "Votre demande d'accès est envoyée au référent et aux chargés d'orientation." in page

    def test_a_second_request_while_one_is_pending_is_refused(self, requested, client, followed, membership_b):
        response = client.post(reverse("entry:request_access", args=[followed.public_id]), {"reason": "Encore ?"})

        assert "Votre demande d'accès est en attente de réponse." in text(response)
        assert AccessRequest.objects.count() == 1
        with pytest.raises(ActionError, match="Vous avez déjà une demande d'accès en attente"):
            pathway_actions.request_access(followed, by=membership_b, reason="Encore ?")

    def test_a_request_needs_a_reason(self, login, professional_b, followed):
        response = login(professional_b).post(
            reverse("entry:request_access", args=[followed.public_id]), {"reason": " "}
        )

        assert "Ce champ est obligatoire." in text(response)
        assert not AccessRequest.objects.exists()

    def test_the_orientation_manager_grants_and_the_requester_joins_the_team(
        self, requested, login, orientation_manager, professional_b, structure_b, followed, departement
    ):
        manager_client = login(orientation_manager)
        listed = manager_client.get(reverse("entry:access_request_list"))
        assert "Je la reçois demain." in text(listed)

        response = answer(manager_client, requested, "accorder", comment="Accord pour le suivi emploi.")

        assert response["Location"] == reverse("entry:access_request_list")
        requested.refresh_from_db()
        assert (requested.status, requested.answered_by) == (AccessRequest.Status.GRANTED, orientation_manager)
        member = TeamMember.objects.get(pathway__person=followed, user=professional_b)
        assert member.structure == structure_b
        change = ChangeLog.objects.get(
            object_type="pathway.accessrequest", object_id=str(requested.public_id), action=ChangeLog.Action.UPDATE
        )
        assert (change.user, change.structure) == (orientation_manager, departement)
        assert change.changes["status"] == ["pending", "granted"]
        manager_client.force_login(professional_b)
        assert manager_client.get(reverse("entry:person_detail", args=[followed.public_id])).status_code == 200

    def test_the_referent_grants_from_the_record(
        self, requested, login, professional_a, professional_b, membership_a, structure_a, followed, orient
    ):
        orient(followed, structure_a, referent=membership_a)
        client = login(professional_a)
        detail = client.get(reverse("entry:person_detail", args=[followed.public_id]))
        assert "Demande d'accès de" in text(detail)

        answer(client, requested, "accorder", next=reverse("entry:person_detail", args=[followed.public_id]))

        assert TeamMember.objects.filter(pathway__person=followed, user=professional_b).exists()

    def test_a_refusal_keeps_the_requester_out(self, requested, login, orientation_manager, professional_b, followed):
        answer(login(orientation_manager), requested, "refuser", comment="Pas de besoin établi.")

        requested.refresh_from_db()
        assert requested.status == AccessRequest.Status.REFUSED
        assert requested.answer_comment == "Pas de besoin établi."
        assert not TeamMember.objects.filter(pathway__person=followed, user=professional_b).exists()
        change = ChangeLog.objects.get(object_id=str(requested.public_id), action=ChangeLog.Action.UPDATE)
        assert change.changes == {
            "status": ["pending", "refused"],
            "answer_comment": ["", "Pas de besoin établi."],
        }
        client = login(professional_b)
        assert client.get(reverse("entry:person_detail", args=[followed.public_id])).status_code == 404

    def test_an_answered_request_cannot_be_answered_again(self, requested, login, orientation_manager):
        client = login(orientation_manager)
        answer(client, requested, "refuser")

        response = answer(client, requested, "accorder", follow=True)

        assert "Cette demande a déjà reçu une réponse." in text(response)
        requested.refresh_from_db()
        assert requested.status == AccessRequest.Status.REFUSED

    def test_the_requester_cannot_answer_their_own_request(self, requested, client, professional_b):
        response = answer(client, requested, "accorder")

        assert response.status_code == 404
        requested.refresh_from_db()
        assert requested.status == AccessRequest.Status.PENDING

    def test_the_answer_does_not_send_elsewhere(self, requested, login, orientation_manager):
        response = answer(login(orientation_manager), requested, "refuser", next="https://exemple.com/piege")

        assert response["Location"] == reverse("entry:access_request_list")


class TestEveryReadIsLogged:
    """Each page showing a person's data writes who read it, for which structure, and how."""

    def assert_logged(self, person, user, structure, action=AccessLog.Action.VIEW, count=1):
        entries = list(logs(person))
        assert len(entries) == count
        assert all((e.user, e.structure, e.action) == (user, structure, action) for e in entries)
        assert entries[0].object_label == str(person)
        return entries[0]

    @pytest.mark.parametrize(
        ("name", "detail"),
        [
            ("person_detail", ""),
            ("person_edit", "modification de l'identité"),
            ("diagnostic_edit", "diagnostic"),
            ("diagnostic_history", "historique des diagnostics"),
        ],
    )
    def test_pages_of_the_record(self, login, professional_a, structure_a, followed, name, detail):
        login(professional_a).get(reverse(f"entry:{name}", args=[followed.public_id]))

        assert self.assert_logged(followed, professional_a, structure_a).detail == detail

    def test_diagnostic_detail(self, login, professional_a, structure_a, membership_a, followed, propose):
        diagnostic = propose(followed, membership_a).diagnostic

        login(professional_a).get(reverse("entry:diagnostic_detail", args=[followed.public_id, diagnostic.public_id]))

        assert self.assert_logged(followed, professional_a, structure_a).detail == "diagnostic n° 1"

    def test_the_letter_is_a_print(self, login, orientation_manager, departement, followed, structure_b, orient):
        orientation = orient(followed, structure_b)

        login(orientation_manager).get(reverse("entry:letter", args=[followed.public_id, orientation.public_id]))

        self.assert_logged(followed, orientation_manager, departement, action=AccessLog.Action.PRINT)

    def test_search_results_are_searches_of_visible_people_only(
        self, login, professional_a, structure_a, followed, membership_b
    ):
        other = PersonFactory(birth_name="Moreau", first_names="Camille", followed_by=membership_b)

        login(professional_a).post(reverse("entry:person_list"), SEARCH)

        self.assert_logged(followed, professional_a, structure_a, action=AccessLog.Action.SEARCH)
        assert not logs(other).exists()

    def test_my_caseload(self, login, professional_a, structure_a, followed, membership_a, membership_b):
        mine = PersonFactory(followed_by=membership_a)
        not_mine = PersonFactory(followed_by=membership_b)

        login(professional_a).get(reverse("entry:person_list"))

        self.assert_logged(followed, professional_a, structure_a)
        self.assert_logged(mine, professional_a, structure_a)
        assert not logs(not_mine).exists()

    def test_the_orientation_worklist(self, login, orientation_manager, departement, followed):
        login(orientation_manager).get(reverse("entry:worklist"))

        assert self.assert_logged(followed, orientation_manager, departement).detail == "liste des orientations"

    def test_access_requests_to_answer(self, login, orientation_manager, departement, followed, membership_b):
        pathway_actions.request_access(followed, by=membership_b, reason="Je la reçois demain.")

        login(orientation_manager).get(reverse("entry:access_request_list"))

        self.assert_logged(followed, orientation_manager, departement)

    def test_the_candidates_shown_before_a_creation(self, login, professional_a, structure_a, followed):
        login(professional_a).post(
            reverse("entry:person_create"),
            {
                "birth_name": "Moreau",
                "first_names": "Camille",
                "birth_date": "1990-05-17",
                "commune": "91377",
                "entry_date": "2026-01-05",
            },
        )

        self.assert_logged(followed, professional_a, structure_a, action=AccessLog.Action.SEARCH)

    def test_the_structure_acted_for_is_the_one_chosen(self, login, professional_a, followed, structure_b):
        other = MembershipFactory(user=professional_a, structure=structure_b)
        PersonFactory.reset_sequence()
        TeamMember.objects.filter(pathway__person=followed).update(structure=structure_b)
        client = login(professional_a)
        client.post(reverse("accounts:switch_structure"), {"membership": str(other.public_id)})

        client.get(reverse("entry:person_detail", args=[followed.public_id]))

        self.assert_logged(followed, professional_a, structure_b)
