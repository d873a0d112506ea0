"""The carnet of a person with everything on it — appointments to come and past, a signed contract and its amendment
in preparation, a social review due, referrals to services, open and closed alerts, notes, the information given,
access requests waiting, a long timeline — reads at most nineteen queries, and as many for a large file as for a
small one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offer import actions as offer_actions
from pathway import actions as pathway_actions
from pathway import contract_actions, note_actions, objection_actions
from pathway.models import Alert, Appointment, TimelineEvent, Visibility
from tests.entry.factories import DiagnosticFactory, answers
from tests.factories import MembershipFactory
from tests.offer.factories import ServiceFactory
from tests.pathway.appointment_factories import AppointmentFactory
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
BOUND = 19


def fill(pathway, referent, colleague, size, today):
    """``size`` of each thing the carnet shows, on a social pathway accompanied by ``referent``."""
    person = pathway.person
    contract = contract_actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
    objective = contract_actions.add_objective(contract, by=referent, referential_key="obtain_driving_licence")
    contract_actions.add_action(
        objective, by=referent, referential_key="driving_school_enrolment", who="person", due_on=today + 30 * DAY
    )
    contract_actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="in_person")
    contract_actions.amend_contract(contract, by=referent)
    now = timezone.now()
    for index in range(size):
        for when, status in ((now + (index + 1) * DAY, "planned"), (now - (index + 1) * DAY, "honoured")):
            AppointmentFactory(
                person=person,
                starts_at=when,
                status=status,
                professional=referent.user if index % 2 else colleague.user,
                structure=referent.structure,
            )
        offer_actions.send_referral(person, ServiceFactory(), by=referent, message=f"Orientation {index}")
        note_actions.write_note(person, by=colleague if index % 2 else referent, text=f"Note {index}.")
        pathway_actions.request_access(person, by=MembershipFactory(), reason=f"Demande {index}")
        Alert.objects.create(
            person=person,
            commune=person.commune,
            rule="no_contact",
            status=Alert.Status.RESOLVED,
            resolved_at=now,
            since=today - (index + 1) * DAY,
            detail=f"Alerte levée {index}",
        )
    for rule in ("no_contact", "missed_appointments", "review_due"):
        Alert.objects.create(person=person, commune=person.commune, rule=rule, since=today, detail="Alerte ouverte")
    DiagnosticFactory(person=person, answers=answers(mobility="fort", housing="moyen"), done_by=referent.user)
    objection_actions.record_information(person, by=referent, on=today, channel="interview")
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            person=person,
            kind="pathway.identity_updated",
            at=now - index * DAY,
            actor=referent.user,
            actor_structure=referent.structure,
            visibility=Visibility.TEAM,
            summary=f"Événement {index}",
        )
        for index in range(size * 20)
    )


def carnet_queries(client, person):
    url = reverse("pathway:carnet", args=[person.public_id])
    client.get(url)  # The session's idle timeout is renewed once a minute: measure the page, not that.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, captured


def test_a_full_carnet_reads_at_most_nineteen_queries_whatever_its_size(client, accompany, referent, colleague, today):
    client.force_login(referent.user)
    counts = []
    for size in (2, 12):
        pathway = accompany(referent, pathway_type="social")
        pathway_actions.add_team_member(pathway.person, by=referent, member=colleague)
        fill(pathway, referent, colleague, size, today)
        response, captured = carnet_queries(client, pathway.person)
        page = response.content.decode()
        assert Appointment.objects.filter(person=pathway.person).count() == 2 * size
        assert "Demande d'accès de" in page
        assert "mobilité" in page
        assert f"Note {size - 1}." in page, page[page.find("Notes") :][:3000]
        counts.append(len(captured))
        assert len(captured) <= BOUND, "\n".join(query["sql"] for query in captured.captured_queries)
    assert counts[0] == counts[1], counts
