"""The pathway closes (exit, with a reason and a date) and reopens: both are actions, on the timeline and in the
history; bad input is refused next to its field, nothing typed lost."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import ChangeLog
from pathway import actions
from pathway.models import ExitReason, Pathway, TimelineEvent
from relais.actions import ActionError, Conflict, Forbidden
from tests.pages import field_error, input_value, text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate  # read when a test runs: a run may cross midnight in Paris


def exit_url(person):
    return reverse("pathway:exit", args=[person.public_id])


def reopen_url(person):
    return reverse("pathway:reopen", args=[person.public_id])


@pytest.fixture
def accompanied(followed, orient, structure_b, membership_b):
    orient(followed, structure_b, referent=membership_b, notify=False)
    return followed


class TestExit:
    def test_the_referent_closes_the_pathway_with_a_reason_and_a_date(
        self, login, professional_b, accompanied, structure_b
    ):
        Pathway.objects.filter(person=accompanied).update(entered_at=TODAY() - datetime.timedelta(days=90))
        client = login(professional_b)
        on = TODAY() - datetime.timedelta(days=2)

        response = client.post(
            exit_url(accompanied), {"reason": "durable_employment", "detail": "CDI", "on": on.isoformat()}, follow=True
        )

        pathway = Pathway.objects.get(person=accompanied)
        assert (pathway.status, pathway.exit_reason, pathway.exit_detail, pathway.exited_on) == (
            Pathway.Status.EXITED,
            ExitReason.DURABLE_EMPLOYMENT,
            "CDI",
            on,
        )
        page = text(response)
        assert f"Le parcours de {accompanied} est clos." in page
        exited = "Sortie" if accompanied.sex == "F" else "Sorti" if accompanied.sex == "M" else "Sorti(e)"
        assert f"{exited} du parcours le {on:%d/%m/%Y} : emploi durable (CDI)." in page
        assert "Rouvrir le parcours" in page
        event = TimelineEvent.objects.get(person=accompanied, kind="pathway.exited")
        assert event.summary == f"Sortie du parcours le {on:%d/%m/%Y} : emploi durable (CDI)"
        assert (event.actor, event.actor_structure) == (professional_b, structure_b)
        change = ChangeLog.objects.filter(object_type="pathway.pathway", changes__has_key="exit_reason").get()
        assert change.changes["status"] == ["accompanied", "exited"]

    def test_another_reason_needs_its_precision(self, login, professional_b, accompanied):
        response = login(professional_b).post(exit_url(accompanied), {"reason": "other", "on": TODAY().isoformat()})

        assert field_error(response, "detail") == "Précisez le motif de sortie."
        assert input_value(response, "on") == TODAY().isoformat()
        assert Pathway.objects.get(person=accompanied).is_active

    def test_a_date_in_the_future_is_refused(self, login, professional_b, accompanied):
        tomorrow = TODAY() + datetime.timedelta(days=1)

        response = login(professional_b).post(
            exit_url(accompanied), {"reason": "training", "on": tomorrow.isoformat()}
        )

        assert field_error(response, "on") == "La date de sortie ne peut pas être dans le futur."
        assert Pathway.objects.get(person=accompanied).is_active

    def test_a_date_before_the_entry_is_refused_with_the_entry_date(self, login, professional_b, accompanied):
        pathway = Pathway.objects.get(person=accompanied)
        before = pathway.entered_at - datetime.timedelta(days=1)

        response = login(professional_b).post(
            exit_url(accompanied), {"reason": "moved_away", "on": before.isoformat()}
        )

        assert (
            f"La date de sortie ne peut pas précéder l'entrée dans le parcours ({pathway.entered_at:%d/%m/%Y})."
            in text(response)
        )
        assert input_value(response, "on") == before.isoformat()
        assert Pathway.objects.get(person=accompanied).is_active

    def test_closing_twice_is_told_not_done_twice(self, membership_b, accompanied):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=TODAY())

        with pytest.raises(Conflict, match="déjà clos depuis le"):
            actions.exit_pathway(accompanied, by=membership_b, reason="moved_away", on=TODAY())
        assert Pathway.objects.get(person=accompanied).exit_reason == "training"

    def test_an_intervenant_may_not_close_the_pathway_of_an_oriented_person(
        self, login, professional_a, membership_a, accompanied
    ):
        assert login(professional_a).get(exit_url(accompanied)).status_code == 403
        with pytest.raises(Forbidden):
            actions.exit_pathway(accompanied, by=membership_a, reason="training", on=TODAY())
        assert Pathway.objects.get(person=accompanied).is_active

    def test_before_any_orientation_the_team_records_a_departure(self, login, professional_a, membership_a, followed):
        login(professional_a).post(exit_url(followed), {"reason": "moved_away", "on": TODAY().isoformat()})

        assert Pathway.objects.get(person=followed).status == Pathway.Status.EXITED

    def test_the_database_refuses_an_exit_without_reason(self, accompanied):
        with pytest.raises(IntegrityError), transaction.atomic():
            Pathway.objects.filter(person=accompanied).update(status=Pathway.Status.EXITED)

    def test_a_closed_pathway_takes_no_new_intervenant_nor_orientation(self, membership_b, accompanied, manager):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=TODAY())

        with pytest.raises(ActionError, match="clos"):
            actions.add_team_member(accompanied, by=manager, member=manager)


class TestReopening:
    def test_reopening_takes_up_with_the_same_referent(self, login, professional_b, membership_b, accompanied):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=TODAY())

        response = login(professional_b).post(
            reopen_url(accompanied), {"reason": "Fin de la formation, retour vers l'emploi."}, follow=True
        )

        pathway = Pathway.objects.get(person=accompanied)
        assert (pathway.status, pathway.referent, pathway.exit_reason, pathway.exited_on) == (
            Pathway.Status.ACCOMPANIED,
            professional_b,
            "",
            None,
        )
        assert f"Le parcours de {accompanied} est rouvert." in text(response)
        kinds = list(TimelineEvent.objects.filter(person=accompanied).values_list("kind", flat=True)[:2])
        assert kinds == ["pathway.reopened", "pathway.exited"]
        assert "Parcours rouvert : Fin de la formation, retour vers l'emploi." in text(response)

    def test_a_person_never_oriented_is_entered_again(self, membership_a, followed):
        actions.exit_pathway(followed, by=membership_a, reason="moved_away", on=TODAY())

        pathway = actions.reopen_pathway(followed, by=membership_a, reason="Revenue dans le département.")

        assert pathway.status == Pathway.Status.ENTERED

    def test_a_reason_is_needed(self, login, professional_b, membership_b, accompanied):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=TODAY())

        response = login(professional_b).post(reopen_url(accompanied), {"reason": " "})

        assert field_error(response, "reason") == "Ce champ est obligatoire."
        assert Pathway.objects.get(person=accompanied).status == Pathway.Status.EXITED

    def test_an_archived_pathway_cannot_be_reopened(self, membership_b, accompanied):
        actions.exit_pathway(accompanied, by=membership_b, reason="training", on=TODAY())
        Pathway.objects.filter(person=accompanied).update(status=Pathway.Status.ARCHIVED)

        with pytest.raises(ActionError, match="archivé"):
            actions.reopen_pathway(accompanied, by=membership_b, reason="Retour")

    def test_an_active_pathway_has_nothing_to_reopen(self, login, professional_b, accompanied):
        response = login(professional_b).get(reopen_url(accompanied), follow=True)

        assert "Ce parcours est en cours : il n'y a rien à rouvrir." in text(response)
