"""The team: the référent adds intervenants from any structure (structure first, then the member), who are told
once the change is committed; a member leaves with a reason."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.notifications import send_digests
from pathway import actions
from pathway.access import can_view_person
from pathway.models import TeamMember, TimelineEvent
from relais.actions import Forbidden
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import field_error, input_value, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def accompanied(followed, orient, structure_b, membership_b):
    """Camille Moreau, accompanied by professional B (mission locale); professional A (France Travail) in her team."""
    orient(followed, structure_b, referent=membership_b, notify=False)
    return followed


@pytest.fixture
def housing():
    """An association of another territory, with a housing counsellor and a member who left."""
    association = StructureFactory(name="Logement d'Abord 91")
    counsellor = MembershipFactory(
        structure=association, job_title="Conseillère logement", user__first_name="Inès", user__last_name="Rolland"
    )
    MembershipFactory(structure=association, inactive=True, user__first_name="Ancien", user__last_name="Membre")
    return counsellor


def add_url(person):
    return reverse("pathway:team_add", args=[person.public_id])


class TestAddingAnIntervenant:
    def test_the_structure_is_chosen_first_then_its_active_members_are_offered(
        self, login, professional_b, accompanied, housing
    ):
        client = login(professional_b)

        form = client.get(add_url(accompanied)).content.decode()
        options = client.get(reverse("pathway:member_options"), {"structure": str(housing.structure.public_id)})

        assert f'hx-get="{reverse("pathway:member_options")}"' in form
        assert "Inès Rolland – Conseillère logement" in text(options)
        assert "Ancien Membre" not in text(options)
        assert "Inès Rolland" not in form  # Never the whole département at once.
        assert "Choisir d'abord la structure" in text(
            client.get(reverse("pathway:member_options"), {"structure": "pas-un-identifiant"})
        )

    def test_the_referent_adds_a_professional_of_another_structure_who_is_told(
        self, login, professional_b, accompanied, housing, django_capture_on_commit_callbacks
    ):
        client = login(professional_b)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                add_url(accompanied),
                {
                    "structure": str(housing.structure.public_id),
                    "member": str(housing.public_id),
                    "mission": "accompagnement logement",
                },
                follow=True,
            )

        member = TeamMember.objects.get(pathway__person=accompanied, user=housing.user, ended_at=None)
        assert (member.structure, member.role, member.mission) == (
            housing.structure,
            TeamMember.Role.INTERVENANT,
            "accompagnement logement",
        )
        page = text(response)
        assert "Inès Rolland (Logement d'Abord 91) rejoint l'équipe ; un courriel l'en informe." in page
        assert "Inès Rolland – Logement d'Abord 91 (intervenant : accompagnement logement)" in page
        assert TimelineEvent.objects.filter(
            person=accompanied,
            kind="pathway.team_joined",
            summary="Inès Rolland (Logement d'Abord 91) rejoint l'équipe (accompagnement logement)",
        ).exists()
        [message] = mail.outbox
        assert message.to == [housing.user.email]
        assert message.subject == "Relais – Vous rejoignez l'équipe de suivi d'une personne"
        assert "Moreau" not in message.subject + message.body
        assert reverse("pathway:carnet", args=[accompanied.public_id]) in message.body
        assert can_view_person(housing, accompanied)

    def test_a_professional_who_chose_the_daily_digest_reads_it_there(
        self, membership_b, accompanied, housing, django_capture_on_commit_callbacks
    ):
        housing.user.notification_frequency = User.NotificationFrequency.DAILY
        housing.user.save()

        with django_capture_on_commit_callbacks(execute=True):
            actions.add_team_member(accompanied, by=membership_b, member=housing, mission="logement")

        assert mail.outbox == []  # nothing at once: the digest will carry it
        send_digests()
        [digest] = [message for message in mail.outbox if message.to == [housing.user.email]]
        assert "Vous rejoignez l'équipe de suivi d'une personne" in digest.body
        assert reverse("pathway:carnet", args=[accompanied.public_id]) in digest.body
        assert "Moreau" not in digest.body

    def test_nothing_is_sent_for_a_change_rolled_back(self, membership_b, accompanied, housing):
        # Outside the captured callbacks, the test's transaction never commits: nothing leaves.
        actions.add_team_member(accompanied, by=membership_b, member=housing)

        assert mail.outbox == []

    def test_someone_already_in_the_team_is_refused_next_to_the_field(
        self, login, professional_b, membership_a, accompanied
    ):
        response = login(professional_b).post(
            add_url(accompanied),
            {
                "structure": str(membership_a.structure.public_id),
                "member": str(membership_a.public_id),
                "mission": "x",
            },
        )

        assert field_error(response, "member") == f"{membership_a.user} fait déjà partie de l'équipe."
        assert input_value(response, "mission") == "x"
        assert TeamMember.objects.filter(pathway__person=accompanied, user=membership_a.user).count() == 1

    def test_a_member_of_another_structure_than_the_chosen_one_is_refused(
        self, login, professional_b, accompanied, housing, structure_a
    ):
        response = login(professional_b).post(
            add_url(accompanied), {"structure": str(structure_a.public_id), "member": str(housing.public_id)}
        )

        assert field_error(response, "member") == "Ce professionnel n'est pas un membre actif de la structure choisie."
        assert not TeamMember.objects.filter(user=housing.user).exists()

    def test_an_intervenant_does_not_manage_the_team(self, login, professional_a, membership_a, accompanied, housing):
        assert login(professional_a).get(add_url(accompanied)).status_code == 403
        with pytest.raises(Forbidden):
            actions.add_team_member(accompanied, by=membership_a, member=housing)


class TestLeavingTheTeam:
    def end_url(self, person, member):
        return reverse("pathway:team_end", args=[person.public_id, member.public_id])

    def test_the_referent_removes_an_intervenant_with_a_reason(
        self, login, professional_b, professional_a, membership_a, accompanied
    ):
        member = TeamMember.objects.get(pathway__person=accompanied, user=professional_a)

        response = login(professional_b).post(
            self.end_url(accompanied, member),
            {"reason": "accompagnement terminé", "detail": "emploi trouvé"},
            follow=True,
        )

        member.refresh_from_db()
        assert member.ended_at is not None
        assert member.end_reason == "accompagnement terminé (emploi trouvé)"
        page = text(response)
        assert f"{professional_a} a quitté l'équipe." in page
        assert "Anciens membres de l'équipe (1)" in page
        assert f"{professional_a} quitte l'équipe : accompagnement terminé (emploi trouvé)" in page
        assert not can_view_person(membership_a, accompanied)

    def test_another_reason_needs_its_precision(self, login, professional_b, professional_a, accompanied):
        member = TeamMember.objects.get(pathway__person=accompanied, user=professional_a)

        response = login(professional_b).post(self.end_url(accompanied, member), {"reason": "autre"})

        assert field_error(response, "detail") == "Précisez pourquoi ce professionnel quitte l'équipe."
        member.refresh_from_db()
        assert member.ended_at is None

    def test_an_intervenant_leaves_by_themself(self, login, professional_a, accompanied):
        member = TeamMember.objects.get(pathway__person=accompanied, user=professional_a)

        response = login(professional_a).post(
            self.end_url(accompanied, member), {"reason": "relais pris par un autre intervenant"}, follow=True
        )

        assert response.request["PATH_INFO"] == reverse("pathway:caseload")
        assert "Vous avez quitté l'équipe" in text(response)

    def test_an_intervenant_cannot_remove_another(self, login, professional_a, accompanied, housing, membership_b):
        actions.add_team_member(accompanied, by=membership_b, member=housing)
        other = TeamMember.objects.get(pathway__person=accompanied, user=housing.user)

        response = login(professional_a).post(self.end_url(accompanied, other), {"reason": "accompagnement terminé"})

        assert response.status_code == 403
        other.refresh_from_db()
        assert other.ended_at is None

    def test_the_referent_leaves_only_through_a_handover(self, login, professional_b, accompanied):
        member = TeamMember.objects.get(pathway__person=accompanied, user=professional_b)

        response = login(professional_b).post(
            self.end_url(accompanied, member), {"reason": "accompagnement terminé"}, follow=True
        )

        assert "Le référent unique quitte l'équipe par un changement de référent." in text(response)
        member.refresh_from_db()
        assert member.ended_at is None
