"""Rupture alerts: each rule opens an alert where it holds, once (idempotent), lifts it when the situation ends, after
the action that ends it as well as in the daily run; a closed alert whose rule still holds comes back after the set
delay; taking in charge, assigning and closing with a note are actions with history and timeline."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from audit.models import ChangeLog
from pathway import alert_actions, note_actions, ruptures
from pathway.alert_tasks import compute_ruptures_daily, next_run, schedule_next
from pathway.models import OPEN_ALERT_STATUSES, Alert, Note, Pathway, TimelineEvent
from relais.actions import ActionError, Conflict, Forbidden
from tests.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def days_ago(days):
    return TODAY() - datetime.timedelta(days=days)


def overdue(membership, days=50):
    """An RSA person entered ``days`` ago and not yet oriented: the six weeks have passed."""
    return PersonFactory(rsa=True, followed_by=membership, followed_by__entered_at=days_ago(days))


def followed_since(person, days, status=Pathway.Status.ORIENTED):
    """The person was oriented ``days`` ago (their contract due one month later)."""
    pathway = person.pathway
    pathway.status = status
    pathway.oriented_at = timezone.now() - datetime.timedelta(days=days)
    pathway.save()
    return pathway


def alerts(person, rule=None, **filters):
    queryset = Alert.objects.filter(person=person, **filters)
    return queryset.filter(rule=rule) if rule else queryset


@pytest.fixture
def registry():
    """Restore the rules as they were after a test that wires other models into them."""
    rules = {key: ruptures.Rule(**vars(rule)) for key, rule in ruptures._rules.items()}
    sources = dict(ruptures._contact_sources)
    signed = dict(ruptures._contract_signed)
    yield
    ruptures._rules.clear()
    ruptures._rules.update(rules)
    ruptures._contact_sources.clear()
    ruptures._contact_sources.update(sources)
    ruptures._contract_signed.clear()
    ruptures._contract_signed.update(signed)


class TestOrientationOverdue:
    def test_an_overdue_orientation_opens_one_alert_and_a_second_run_changes_nothing(self, membership_a):
        person = overdue(membership_a)
        recent = PersonFactory(rsa=True, followed_by=membership_a, followed_by__entered_at=days_ago(10))

        first = ruptures.compute()
        second = ruptures.compute()

        alert = alerts(person, "orientation_overdue").get()
        assert (alert.status, alert.since) == (Alert.Status.OPEN, person.pathway.orientation_due_on)
        assert alert.detail == f"orientation attendue avant le {person.pathway.orientation_due_on:%d/%m/%Y}"
        assert not alerts(recent).exists()
        assert first["orientation_overdue"]["opened"] == 1
        assert second["orientation_overdue"] == {"opened": 0, "resolved": 0}
        event = TimelineEvent.objects.get(person=person, kind="pathway.alert_opened")
        assert event.summary.startswith("Alerte : orientation en retard")
        assert ChangeLog.objects.filter(object_type="pathway.alert", object_id=str(alert.public_id)).exists()

    def test_the_orientation_lifts_it_as_soon_as_it_is_decided(
        self, membership_a, orient, structure_b, django_capture_on_commit_callbacks
    ):
        person = overdue(membership_a)
        ruptures.compute()

        with django_capture_on_commit_callbacks(execute=True):
            orient(person, structure_b)

        alert = alerts(person, "orientation_overdue").get()
        assert alert.status == Alert.Status.RESOLVED and alert.resolved_at is not None
        event = TimelineEvent.objects.get(person=person, kind="pathway.alert_resolved")
        assert (event.obj_id, event.summary) == (
            str(alert.public_id),
            "Alerte levée : orientation en retard (la situation a pris fin)",
        )
        change = ChangeLog.objects.get(object_id=str(alert.public_id), action=ChangeLog.Action.UPDATE)
        assert (change.object_label, change.changes) == (
            "Alerte « Orientation en retard » (levée (la situation a pris fin))",
            {"status": ["open", "resolved"]},
        )

    def test_the_database_keeps_one_open_alert_per_person_and_rule(self, membership_a):
        person = overdue(membership_a)
        Alert.objects.create(person=person, rule="orientation_overdue")

        with pytest.raises(IntegrityError):
            Alert.objects.create(person=person, rule="orientation_overdue", status=Alert.Status.IN_PROGRESS)

    def test_an_alert_opened_meanwhile_is_skipped_and_each_other_is_written_with_its_history_and_event(
        self, membership_a
    ):
        people = [overdue(membership_a) for _ in range(3)]
        rule = ruptures.get("orientation_overdue")
        Alert.objects.create(person=people[1], rule=rule.key, detail="ouverte entre-temps")

        opened = alert_actions.open_alerts(rule, [(person.pk, person.pathway.orientation_due_on) for person in people])

        assert opened == 2
        for person in (people[0], people[2]):
            alert = alerts(person, rule.key).get()
            assert (alert.status, alert.commune_id) == (Alert.Status.OPEN, person.commune_id)
            change = ChangeLog.objects.get(object_type="pathway.alert", object_id=str(alert.public_id))
            assert (change.action, change.object_label, change.changes) == (
                ChangeLog.Action.CREATE,
                "Alerte « Orientation en retard » (à traiter)",
                {"rule": [None, rule.key], "status": [None, "open"]},
            )
            event = TimelineEvent.objects.get(person=person, kind="pathway.alert_opened")
            assert (event.obj_type, event.obj_id, event.at, event.actor_id) == (
                "pathway.alert",
                str(alert.public_id),
                alert.opened_at,
                None,
            )
            assert event.summary == f"Alerte : orientation en retard ({alert.detail})"
        assert alerts(people[1], rule.key).get().detail == "ouverte entre-temps"
        assert not TimelineEvent.objects.filter(person=people[1], kind="pathway.alert_opened").exists()


class TestNoContact:
    def test_no_contact_for_sixty_days_after_the_orientation(self, membership_a, settings):
        settings.RELAIS_RUPTURE_NO_CONTACT_DAYS = 60
        late = PersonFactory(followed_by=membership_a)
        followed_since(late, 70)
        recent = PersonFactory(followed_by=membership_a)
        followed_since(recent, 20)
        just_entered = PersonFactory(followed_by=membership_a, followed_by__entered_at=days_ago(90))

        ruptures.compute(keys={"no_contact"})

        alert = alerts(late, "no_contact").get()
        assert alert.since == timezone.localtime(late.pathway.oriented_at).date()
        assert alert.detail.startswith("aucun contact individuel depuis le")
        assert not alerts(recent).exists()
        assert not alerts(just_entered, "no_contact").exists()

    def test_a_contact_note_lifts_it_at_once_an_old_one_does_not(
        self, membership_a, django_capture_on_commit_callbacks
    ):
        person = PersonFactory(followed_by=membership_a)
        followed_since(person, 120)
        with django_capture_on_commit_callbacks(execute=True):
            note_actions.write_note(
                person,
                by=membership_a,
                text="Appel sans réponse depuis.",
                kind=Note.Kind.CONTACT,
                contact_on=days_ago(90),
                contact_mode="phone",
            )
        alert = alerts(person, "no_contact").get()
        assert (alert.status, alert.since) == (Alert.Status.OPEN, days_ago(90))

        with django_capture_on_commit_callbacks(execute=True):
            note_actions.write_note(
                person,
                by=membership_a,
                text="Entretien.",
                kind=Note.Kind.CONTACT,
                contact_on=TODAY(),
                contact_mode="in_person",
            )

        alert.refresh_from_db()
        assert alert.status == Alert.Status.RESOLVED

    def test_a_follow_up_note_is_not_a_contact(self, membership_a):
        person = PersonFactory(followed_by=membership_a)
        followed_since(person, 120)
        note_actions.write_note(person, by=membership_a, text="Relance prévue.")

        ruptures.compute(keys={"no_contact"})

        assert alerts(person, "no_contact", status="open").exists()


class TestContract:
    def test_a_contract_still_due_after_its_month(self, membership_a):
        person = PersonFactory(followed_by=membership_a)
        pathway = followed_since(person, 40)
        pathway.contract_due_on = days_ago(10)
        pathway.save()

        ruptures.compute(keys={"contract_not_signed"})

        assert (
            alerts(person, "contract_not_signed").get().detail == f"contrat attendu avant le {days_ago(10):%d/%m/%Y}"
        )

    def test_a_signed_contract_lifts_it_once_the_contracts_are_wired(self, membership_a, registry):
        """Wired with a stand-in: a team row with the role « référent » plays a signed contract."""
        from pathway.models import TeamMember

        person = PersonFactory(followed_by=membership_a)
        pathway = followed_since(person, 40)
        pathway.contract_due_on = days_ago(10)
        pathway.save()
        ruptures.compute(keys={"contract_not_signed"})

        ruptures.use_contracts(model=TeamMember, pathway="pathway", status="role", signed=("referent",))
        TeamMember.objects.filter(pathway=pathway).update(role="referent")
        ruptures.compute(keys={"contract_not_signed"})

        assert alerts(person, "contract_not_signed").get().status == Alert.Status.RESOLVED
        assert ruptures.get("review_due").available


class TestMissedAppointments:
    def test_wired_to_the_appointments_and_the_contracts(self):
        assert ruptures.get("missed_appointments").available
        assert ruptures.get("review_due").available
        assert {"missed_appointments", "review_due"} <= set(ruptures.compute())

    def test_two_appointments_missed_in_a_row_open_the_alert_once_recorded(
        self, membership_a, settings, django_capture_on_commit_callbacks
    ):
        """The appointments themselves: recording the second absence computes the person's alerts after the commit;
        honouring the next one lifts it."""
        from pathway import appointment_actions
        from tests.pathway.appointment_factories import AppointmentFactory

        settings.RELAIS_RUPTURE_MISSED_APPOINTMENTS = 2
        person = PersonFactory(followed_by=membership_a)
        followed_since(person, 30)
        first, second, third = (
            AppointmentFactory(
                person=person,
                professional=membership_a.user,
                structure=membership_a.structure,
                starts_at=timezone.now() - datetime.timedelta(days=days),
            )
            for days in (12, 6, 1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            appointment_actions.mark_missed(first, by=membership_a)
        assert not alerts(person, "missed_appointments").exists()

        with django_capture_on_commit_callbacks(execute=True):
            appointment_actions.mark_missed(second, by=membership_a)
        alert = alerts(person, "missed_appointments").get()
        assert alert.is_open
        assert alert.since == timezone.localdate(first.starts_at)

        with django_capture_on_commit_callbacks(execute=True):
            appointment_actions.mark_honoured(third, by=membership_a)
        alert.refresh_from_db()
        assert not alert.is_open

    def test_two_missed_in_a_row_once_wired(self, membership_a, registry, settings):
        """Wired with a stand-in: timeline events whose kind plays the attendance of an appointment."""
        from pathway import timeline

        settings.RELAIS_RUPTURE_MISSED_APPOINTMENTS = 2
        timeline.register_kind("tests.honoured", "rendez-vous honoré")
        timeline.register_kind("tests.missed", "rendez-vous manqué")
        ruptures.use_appointments(
            model=TimelineEvent,
            person="person",
            starts_at="at",
            status="kind",
            honoured="tests.honoured",
            missed="tests.missed",
            attended=("tests.honoured", "tests.missed"),
        )
        two_missed, missed_then_honoured = (
            PersonFactory(followed_by=membership_a),
            PersonFactory(followed_by=membership_a),
        )
        for person in (two_missed, missed_then_honoured):
            followed_since(person, 30)
        for person, kinds in (
            (two_missed, ["honoured", "missed", "missed"]),
            (missed_then_honoured, ["missed", "missed", "honoured"]),
        ):
            for days, kind in zip([20, 10, 5], kinds, strict=True):
                timeline.record(
                    person,
                    kind=f"tests.{kind}",
                    by=membership_a,
                    summary=kind,
                    at=timezone.now() - datetime.timedelta(days=days),
                )

        ruptures.compute(keys={"missed_appointments", "no_contact"})

        alert = alerts(two_missed, "missed_appointments").get()
        assert alert.since == timezone.localdate(timezone.now() - datetime.timedelta(days=10))
        assert not alerts(missed_then_honoured, "missed_appointments").exists()
        # An honoured appointment is an individual contact.
        assert not alerts(two_missed, "no_contact").exists()


class TestPathwayStatus:
    def test_leaving_the_pathway_lifts_the_alerts_at_once_and_reopening_brings_them_back(
        self, membership_a, django_capture_on_commit_callbacks
    ):
        from pathway import actions as pathway_actions
        from relais.actions import SYSTEM

        person = overdue(membership_a)
        ruptures.compute()
        assert alerts(person, "orientation_overdue").get().is_open

        with django_capture_on_commit_callbacks(execute=True):
            pathway_actions.exit_pathway(person, by=SYSTEM, reason="moved_away", on=TODAY())
        assert not alerts(person, "orientation_overdue", status__in=OPEN_ALERT_STATUSES).exists()

        with django_capture_on_commit_callbacks(execute=True):
            pathway_actions.reopen_pathway(person, by=SYSTEM, reason="De retour dans le département.")
        assert alerts(person, "orientation_overdue", status__in=OPEN_ALERT_STATUSES).exists()


class TestComingBack:
    def test_a_closed_alert_whose_rule_holds_comes_back_after_the_delay(self, membership_a, settings):
        settings.RELAIS_RUPTURE_REOPEN_DAYS = 30
        person = overdue(membership_a)
        ruptures.compute()
        alert = alerts(person, "orientation_overdue").get()
        alert_actions.close(alert, by=membership_a, text="Relance du chargé d'orientation faite.")

        ruptures.compute()
        assert alerts(person, "orientation_overdue").count() == 1

        alert.refresh_from_db()
        alert.closed_at = timezone.now() - datetime.timedelta(days=31)
        alert.save()
        ruptures.compute()

        assert alerts(person, "orientation_overdue", status="open").count() == 1

    def test_a_lifted_alert_comes_back_at_once_when_the_situation_returns(self, membership_a, settings):
        person = PersonFactory(followed_by=membership_a)
        followed_since(person, 70)
        ruptures.compute(keys={"no_contact"})
        note = note_actions.write_note(
            person, by=membership_a, text="Entretien.", kind="contact", contact_on=TODAY(), contact_mode="phone"
        )
        ruptures.compute(keys={"no_contact"})
        assert alerts(person, "no_contact", status="resolved").count() == 1

        Note.objects.filter(pk=note.pk).update(contact_on=days_ago(65))
        ruptures.compute(keys={"no_contact"})

        assert alerts(person, "no_contact", status="open").count() == 1


class TestHandling:
    @pytest.fixture
    def alert(self, membership_a):
        person = overdue(membership_a)
        ruptures.compute()
        return alerts(person, "orientation_overdue").get()

    def test_taking_in_charge(self, alert, membership_a):
        taken = alert_actions.take_in_charge(alert, by=membership_a)

        assert (taken.status, taken.taken_by, taken.assigned_to) == (
            Alert.Status.IN_PROGRESS,
            membership_a.user,
            membership_a.user,
        )
        assert TimelineEvent.objects.filter(person=alert.person, kind="pathway.alert_taken").exists()
        change = ChangeLog.objects.filter(object_id=str(alert.public_id), action="update").get()
        assert change.changes["status"] == ["open", "in_progress"]

    def test_two_professionals_taking_it_at_once(self, alert, membership_a, manager):
        alert_actions.take_in_charge(alert, by=membership_a)

        with pytest.raises(Conflict, match="a pris cette alerte en charge le"):
            alert_actions.take_in_charge(alert, by=manager)

    def test_assigning_to_a_team_member_who_is_told(
        self, alert, membership_a, structure_b, mailoutbox, django_capture_on_commit_callbacks
    ):
        colleague = MembershipFactory(structure=structure_b, user__email="collegue@exemple.fr")
        member = alert.person.pathway.team.create(user=colleague.user, structure=structure_b)

        with django_capture_on_commit_callbacks(execute=True):
            assigned = alert_actions.assign(alert, by=membership_a, member=member)

        assert (assigned.assigned_to, assigned.assigned_structure) == (colleague.user, structure_b)
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["collegue@exemple.fr"]
        assert alert.person.birth_name not in mailoutbox[0].subject + mailoutbox[0].body
        assert "Mes alertes" in mailoutbox[0].body

    def test_assigning_outside_the_team_is_refused(self, alert, membership_a, followed):
        stranger = followed.pathway.team.get()

        with pytest.raises(ActionError, match="membre de l'équipe de la personne"):
            alert_actions.assign(alert, by=membership_a, member=stranger)

    def test_closing_with_a_note(self, alert, membership_a):
        closed = alert_actions.close(alert, by=membership_a, text="Le chargé d'orientation est relancé.")

        assert (closed.status, closed.closed_by) == (Alert.Status.CLOSED, membership_a.user)
        assert closed.closing_note.text == "Le chargé d'orientation est relancé."
        assert TimelineEvent.objects.filter(person=alert.person, kind="pathway.alert_closed").exists()
        with pytest.raises(Conflict, match="déjà close"):
            alert_actions.close(alert, by=membership_a, text="Encore")

    def test_someone_outside_the_need_to_know_cannot_touch_it(self, alert):
        outsider = MembershipFactory()
        for action in (alert_actions.take_in_charge, alert_actions.close):
            with pytest.raises(Forbidden):
                action(alert, by=outsider, **({"text": "x"} if action is alert_actions.close else {}))


class TestDailyRun:
    def test_the_task_computes_everything(self, membership_a):
        person = overdue(membership_a)

        result = compute_ruptures_daily.enqueue()

        assert result.return_value["orientation_overdue"]["opened"] == 1
        assert alerts(person).exists()

    def test_the_next_run_is_at_the_daily_hour(self, settings):
        settings.RELAIS_RUPTURE_DAILY_HOUR = 6
        paris = timezone.get_current_timezone()
        morning = datetime.datetime(2026, 3, 28, 5, 0, tzinfo=paris)
        evening = datetime.datetime(2026, 3, 28, 22, 0, tzinfo=paris)

        assert next_run(morning) == datetime.datetime(2026, 3, 28, 6, 0, tzinfo=paris)
        # The day after, across the change to summer time, still at six in Paris.
        assert timezone.localtime(next_run(evening)).replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 6, 0)

    def test_an_immediate_queue_schedules_nothing(self):
        assert schedule_next() is None

    def test_the_database_queue_holds_one_next_run(self, settings):
        """What ``migrate`` does (post_migrate) and each run does after itself: one run waits, at the daily hour."""
        from django_tasks_db.models import DBTaskResult

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

        first = schedule_next()
        again = schedule_next()

        waiting = DBTaskResult.objects.get(task_path="pathway.alert_tasks.compute_ruptures_daily")
        assert first is not None and again is None
        assert waiting.run_after == next_run()

    def test_the_command_reports_each_rule(self, membership_a):
        overdue(membership_a)
        output = StringIO()

        call_command("compute_ruptures", stdout=output)

        text = output.getvalue()
        assert "Orientation en retard : 1 ouverte(s), 0 levée(s)" in text
        assert "Rendez-vous manqués : 0 ouverte(s), 0 levée(s)" in text
        assert "Alertes de rupture calculées en" in text
