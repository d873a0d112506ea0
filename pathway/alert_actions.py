"""Actions on rupture alerts. The computation (``pathway.ruptures``, acting as SYSTEM) opens and lifts them, in bulk:
over a whole département it writes tens of thousands at once, so it writes their change history and timeline events
in bulk too, each table in one statement per batch (``relais.bulk.insert_rows``: ``COPY`` on PostgreSQL; like
``bulk_create``, it skips the signals of ``audit.journal.track``, whose entries are written here in the same form). A
professional who sees the carnet takes an alert in charge, assigns it to a team member, or closes it with a note: one
action each, with history and timeline.
"""

import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from audit.context import current_actor
from audit.models import ChangeLog
from pathway import note_actions, timeline
from pathway.access import can_handle_alert, can_view_person
from pathway.models import OPEN_ALERT_STATUSES, Alert, Note, TeamMember, Visibility
from pathway.ruptures import rule_label
from people.models import Person
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor
from relais.bulk import insert_rows

for _kind in ("opened", "taken", "assigned", "closed", "resolved"):
    timeline.register_kind(f"pathway.alert_{_kind}", "alerte")

BATCH = 2_000
NOT_OPEN = "Cette alerte est déjà {status} : rechargez la page pour voir son état."
TAKEN_BY_ANOTHER = (
    "{user} a pris cette alerte en charge le {at:%d/%m/%Y à %H:%M} : confiez-la-vous si vous la reprenez."
)
NOT_IN_TEAM = "Une alerte se confie à un membre de l'équipe de la personne."
CANNOT_SEE = "{user} ne voit plus ce carnet (la personne s'oppose au partage, ou son appartenance a pris fin)."


def _journal(action, label, rows):
    """The change history of alerts written in bulk, in the form ``audit.journal.track`` gives it: ``rows`` are
    (public id, changes); ``label`` names them all (the rule and the status they now have)."""
    user, structure = current_actor()
    insert_rows(
        ChangeLog,
        constant={
            "user": user,
            "structure": structure,
            "object_type": Alert._meta.label_lower,
            "object_label": label[:200],
            "action": action,
        },
        fields=["object_id", "changes"],
        rows=[(str(public_id), changes) for public_id, changes in rows],
    )


def _write_opened(rule, rows, communes):
    """The alerts of ``rule`` for these (person id, since), their history and their timeline events, each written in
    one statement (``COPY`` on PostgreSQL): the first run over a département opens tens of thousands."""
    now = timezone.now()
    alerts = [
        (uuid.uuid4(), person_id, communes.get(person_id), since, rule.detail(since)[:255])
        for person_id, since in rows
    ]
    insert_rows(
        Alert,
        constant={"rule": rule.key, "status": Alert.Status.OPEN, "opened_at": now},
        fields=["public_id", "person_id", "commune_id", "since", "detail"],
        rows=alerts,
    )
    created = {"rule": [None, rule.key], "status": [None, Alert.Status.OPEN]}
    _journal(
        ChangeLog.Action.CREATE,
        str(Alert(rule=rule.key, status=Alert.Status.OPEN)),
        [(public_id, created) for public_id, *_ in alerts],
    )
    timeline.record_for_each(
        [
            (person_id, f"Alerte : {rule.label.lower()} ({detail})", str(public_id))
            for public_id, person_id, _, _, detail in alerts
        ],
        kind="pathway.alert_opened",
        by=SYSTEM,
        at=now,
        obj_type=Alert._meta.label_lower,
    )


def open_alerts(rule, rows):
    """SYSTEM: open an alert of ``rule`` for each (person id, since) of ``rows``. Returns how many were opened;
    one opened meanwhile by a concurrent computation (the unique constraint) is skipped."""
    opened = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        communes = dict(
            Person.objects.filter(pk__in=[person_id for person_id, _ in chunk]).values_list("pk", "commune_id")
        )
        try:
            with transaction.atomic():
                _write_opened(rule, chunk, communes)
            opened += len(chunk)
        except IntegrityError:
            for row in chunk:
                try:
                    with transaction.atomic():
                        _write_opened(rule, [row], communes)
                    opened += 1
                except IntegrityError:
                    continue
    return opened


def follow_communes(person_ids=None):
    """SYSTEM: the open alerts carry their person's current commune (a person who moved, a merged record). Returns
    how many were brought up to date; nothing the second time."""
    alerts = Alert.objects.filter(status__in=OPEN_ALERT_STATUSES)
    if person_ids is not None:
        alerts = alerts.filter(person_id__in=person_ids)
    stale = alerts.filter(Q(commune__isnull=True) | ~Q(commune_id=F("person__commune_id")))
    return Alert.objects.filter(pk__in=stale.values("pk")).update(
        commune_id=Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("commune_id")[:1])
    )


def resolve_alerts(rule, pks):
    """SYSTEM: the situation of these open alerts ended (a contact, a decided orientation…): they are lifted."""
    resolved = 0
    now = timezone.now()
    label = str(Alert(rule=rule.key, status=Alert.Status.RESOLVED))
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            alerts = list(
                Alert.objects.select_for_update()
                .filter(pk__in=pks[start : start + BATCH], status__in=OPEN_ALERT_STATUSES)
                .values_list("pk", "public_id", "person_id", "status")
            )
            Alert.objects.filter(pk__in=[pk for pk, *_ in alerts]).update(
                status=Alert.Status.RESOLVED, resolved_at=now
            )
            _journal(
                ChangeLog.Action.UPDATE,
                label,
                [(public_id, {"status": [status, Alert.Status.RESOLVED]}) for _, public_id, _, status in alerts],
            )
            timeline.record_for_each(
                [
                    (person_id, f"Alerte levée : {rule.label.lower()} (la situation a pris fin)", str(public_id))
                    for _, public_id, person_id, _ in alerts
                ],
                kind="pathway.alert_resolved",
                by=SYSTEM,
                at=now,
                obj_type=Alert._meta.label_lower,
            )
            resolved += len(alerts)
    return resolved


def _locked(alert, by):
    require_actor(by)
    require(by is not SYSTEM, "Une alerte est traitée par un professionnel.")
    locked = Alert.objects.select_for_update(of=("self",)).select_related("person", "taken_by").get(pk=alert.pk)
    require(can_handle_alert(by, locked))
    if not locked.is_open:
        raise Conflict(NOT_OPEN.format(status=locked.get_status_display()))
    return locked


def take_in_charge(alert, *, by):
    """``by`` handles the alert: it is theirs (in their « Mes alertes »), in progress."""
    with transaction.atomic():
        locked = _locked(alert, by)
        if locked.status == Alert.Status.IN_PROGRESS:
            if locked.taken_by_id == by.user_id:
                return locked
            raise Conflict(TAKEN_BY_ANOTHER.format(user=locked.taken_by, at=timezone.localtime(locked.taken_at)))
        now = timezone.now()
        locked.status = Alert.Status.IN_PROGRESS
        locked.taken_by, locked.taken_at = by.user, now
        locked.assigned_to, locked.assigned_structure = by.user, by.structure
        locked.assigned_by, locked.assigned_at = by.user, now
        locked.save()
        timeline.record(
            locked.person,
            kind="pathway.alert_taken",
            by=by,
            summary=f"Alerte prise en charge par {by.user} : {rule_label(locked.rule).lower()}",
            obj=locked,
        )
    return locked


def _tell_assignee(alert_id, user_id):
    """The assignee learns that an alert waits for them; neither the subject nor the body names the person."""
    alert = Alert.objects.select_related("assigned_to").get(pk=alert_id)
    if alert.assigned_to_id != user_id or not alert.assigned_to.email:
        return
    url = f"{settings.SITE_URL}{reverse('pathway:my_alerts')}"
    send_mail(
        "Relais : une alerte de rupture vous est confiée",
        f"Bonjour,\n\nUne alerte « {rule_label(alert.rule)} » vous est confiée dans Relais.\n"
        f"Retrouvez-la dans « Mes alertes » : {url}\n",
        None,
        [alert.assigned_to.email],
    )


def assign(alert, *, by, member):
    """Confide the alert to ``member``, an active member of the person's team who sees the carnet; they are told."""
    with transaction.atomic():
        locked = _locked(alert, by)
        member = TeamMember.objects.select_related("user", "structure", "pathway").get(pk=member.pk)
        if member.pathway.person_id != locked.person_id or member.ended_at is not None:
            raise ActionError(NOT_IN_TEAM)
        membership = Membership.objects.filter(
            user_id=member.user_id, structure_id=member.structure_id, is_active=True
        ).first()
        if membership is None or not can_view_person(membership, locked.person):
            raise ActionError(CANNOT_SEE.format(user=member.user))
        if locked.assigned_to_id == member.user_id and locked.assigned_structure_id == member.structure_id:
            return locked
        locked.assigned_to, locked.assigned_structure = member.user, member.structure
        locked.assigned_by, locked.assigned_at = by.user, timezone.now()
        locked.save()
        timeline.record(
            locked.person,
            kind="pathway.alert_assigned",
            by=by,
            summary=f"Alerte confiée à {member.user} ({member.structure.name}) : {rule_label(locked.rule).lower()}",
            obj=locked,
        )
        if member.user_id != by.user_id:
            after_commit(_tell_assignee, locked.pk, member.user_id)
    return locked


def close(
    alert,
    *,
    by,
    text,
    kind=Note.Kind.FOLLOW_UP,
    visibility=Visibility.TEAM,
    sensitive=False,
    contact_on=None,
    contact_mode="",
):
    """Close the alert with a note on the carnet saying what was done (a contact note when the person was reached).
    If the situation still holds, the alert comes back after ``RELAIS_RUPTURE_REOPEN_DAYS``."""
    with transaction.atomic():
        locked = _locked(alert, by)
        note = note_actions.write_note(
            locked.person,
            by=by,
            text=text,
            kind=kind,
            visibility=visibility,
            sensitive=sensitive,
            contact_on=contact_on,
            contact_mode=contact_mode,
        )
        locked.status = Alert.Status.CLOSED
        locked.closed_by, locked.closed_at, locked.closing_note = by.user, timezone.now(), note
        locked.save()
        timeline.record(
            locked.person,
            kind="pathway.alert_closed",
            by=by,
            summary=f"Alerte close par {by.user} : {rule_label(locked.rule).lower()}",
            obj=locked,
        )
    return locked
