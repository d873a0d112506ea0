"""Rupture rules: early warnings that a person may be lost between two partners. Each rule is written here, in code,
with its threshold (a setting) shown in the interface; other apps register theirs (``register``) or feed the
existing ones (``register_contact_source``, ``use_appointments``, ``use_contracts``).

A rule's ``holds(today)`` is a queryset of active pathways where the situation holds, annotated with ``since``: the
day the situation started. ``compute`` compares it with the open alerts, set against set (a few queries per rule for
the whole département): it opens an alert where the rule holds and none is open (not within
``RELAIS_RUPTURE_REOPEN_DAYS`` of a closure), lifts the open alerts whose situation ended. It runs every day
(``pathway.alert_tasks``, the ``compute_ruptures`` command) and, for one person, after each action whose timeline
event may change a situation (``Rule.triggers``).

Wiring the appointments and the contracts (built in their own modules): in their app's ``ready()``, call

    ruptures.use_appointments(model=Appointment, person="person", starts_at="starts_at", status="status")
    ruptures.use_contracts(model=EngagementContract, pathway="pathway", status="status", signed=("signed",),
                           review_on="review_on")

with their field names; ``wire_known_models`` does it by itself when the models exist with these names. Until then,
the two rules that read them are listed with their threshold and said to be not yet computed.
"""

import fnmatch
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from pathway import timeline
from pathway.models import OPEN_ALERT_STATUSES, Alert, Note, Pathway

logger = logging.getLogger(__name__)

ACTIVE = [Pathway.Status.ENTERED, Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED]
FOLLOWED = [Pathway.Status.ORIENTED, Pathway.Status.ACCOMPANIED]
FLOOR = date(1900, 1, 1)


@dataclass
class Rule:
    """``label`` names the situation; ``threshold()`` says when it becomes an alert (read from the settings, so
    that the interface shows the value in force); ``detail(since)`` describes one alert, without personal data."""

    key: str
    label: str
    threshold: callable
    detail: callable
    holds: callable = None
    triggers: tuple = ()
    not_yet: str = ""
    order: int = 100
    extra: dict = field(default_factory=dict)

    @property
    def available(self):
        return self.holds is not None

    def triggered_by(self, kind):
        return any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.triggers)


_rules: dict[str, Rule] = {}
_contact_sources: dict[str, callable] = {}
_contract_signed: dict[str, callable] = {}


def register(rule):
    """Declare a rule (or replace the one of the same key)."""
    _rules[rule.key] = rule
    return rule


def rules():
    return sorted(_rules.values(), key=lambda rule: (rule.order, rule.label))


def get(key):
    return _rules.get(key)


def rule_label(key):
    rule = _rules.get(key)
    return rule.label if rule else key


def active_pathways():
    return Pathway.objects.filter(status__in=ACTIVE, person__merged_into__isnull=True)


def _day(value):
    return f"{value:%d/%m/%Y}" if value else "date inconnue"


# --- No individual contact -----------------------------------------------------------------------------------------


def register_contact_source(key, latest_day):
    """``latest_day()`` is a queryset giving the day of the person's latest individual contact of one kind, for
    ``OuterRef("person_id")`` (a pathway's person), as a one-row ``values(<a date>)``: the no-contact rule reads it."""
    _contact_sources[key] = latest_day


def _latest_contact_note():
    return (
        Note.objects.filter(person_id=OuterRef("person_id"), kind=Note.Kind.CONTACT)
        .order_by("-contact_on")
        .values("contact_on")[:1]
    )


register_contact_source("notes", _latest_contact_note)


def _no_contact(today):
    """Followed pathways (oriented or accompanied) whose latest individual contact — or their orientation, when
    there was none since — is older than the threshold. ``since``: that day."""
    threshold = today - timedelta(days=settings.RELAIS_RUPTURE_NO_CONTACT_DAYS)
    start = Coalesce(TruncDate("oriented_at"), F("entered_at"), output_field=DateField())
    contacts = [
        Coalesce(Subquery(source(), output_field=DateField()), Value(FLOOR), output_field=DateField())
        for source in _contact_sources.values()
    ]
    since = Greatest(start, *contacts, output_field=DateField()) if contacts else start
    return active_pathways().filter(status__in=FOLLOWED).annotate(since=since).filter(since__lt=threshold)


register(
    Rule(
        key="no_contact",
        label="Aucun contact individuel",
        threshold=lambda: (
            f"aucun contact individuel (rendez-vous honoré ou note de contact) depuis "
            f"{settings.RELAIS_RUPTURE_NO_CONTACT_DAYS} jours avec une personne orientée ou accompagnée"
        ),
        detail=lambda since: f"aucun contact individuel depuis le {_day(since)}",
        holds=_no_contact,
        triggers=("pathway.contact", "pathway.oriented", "pathway.referent_designated"),
        order=10,
    )
)


# --- Missed appointments (the appointments' module wires it) -------------------------------------------------------


def use_appointments(
    *,
    model,
    person="person",
    starts_at="starts_at",
    status="status",
    honoured="honoured",
    missed="missed",
    attended=("honoured", "missed", "excused"),
    triggers=("*appointment*",),
):
    """The appointments exist: an honoured one counts as an individual contact, and the missed-appointments rule
    is computed. ``person`` is the path from an appointment to its person (``"pathway__person"``, say)."""

    def latest_honoured():
        return (
            model.objects.filter(**{person: OuterRef("person_id"), status: honoured})
            .order_by(f"-{starts_at}")
            .annotate(day=TruncDate(starts_at))
            .values("day")[:1]
        )

    register_contact_source("appointments", latest_honoured)
    no_contact = _rules["no_contact"]
    no_contact.triggers = tuple({*no_contact.triggers, *triggers})

    def missed_in_a_row(today):
        """The latest N appointments whose attendance is recorded (honoured, missed, excused) were all missed: at
        least N missed since the latest one attended or excused. Found set against set (the missed appointments
        with nothing attended after them, counted by person), not by reading each pathway's latest appointments."""
        count = settings.RELAIS_RUPTURE_MISSED_APPOINTMENTS
        now = timezone.now()
        past = model.objects.filter(**{f"{starts_at}__lt": now})
        attended_after = past.filter(
            **{
                person: OuterRef(person),
                f"{status}__in": [value for value in attended if value != missed],
                f"{starts_at}__gt": OuterRef(starts_at),
            }
        )
        in_a_row = (
            past.filter(**{status: missed})
            .exclude(Exists(attended_after))
            .values(person)
            .annotate(missed_count=Count("pk"))
            .filter(missed_count__gte=count)
            .values(person)
        )

        def latest():
            return model.objects.filter(
                **{person: OuterRef("person_id"), f"{status}__in": attended, f"{starts_at}__lt": now}
            ).order_by(f"-{starts_at}")

        # The day of the oldest of the N, read for the persons found only.
        oldest = Subquery(latest().annotate(day=TruncDate(starts_at)).values("day")[count - 1 : count])
        return (
            active_pathways()
            .filter(person_id__in=in_a_row)
            .annotate(since=Coalesce(oldest, F("entered_at"), output_field=DateField()))
        )

    rule = _rules["missed_appointments"]
    rule.holds = missed_in_a_row
    rule.triggers = tuple(triggers)


register(
    Rule(
        key="missed_appointments",
        label="Rendez-vous manqués",
        threshold=lambda: (
            f"{settings.RELAIS_RUPTURE_MISSED_APPOINTMENTS} rendez-vous manqués de suite, sans "
            "rendez-vous honoré ni excusé entre eux"
        ),
        detail=lambda since: f"rendez-vous manqués de suite depuis le {_day(since)}",
        not_yet="les rendez-vous ne sont pas encore enregistrés dans Relais",
        order=20,
    )
)


# --- The contrat d'engagement --------------------------------------------------------------------------------------


def _contract_not_signed(today):
    """Followed pathways whose contract was due (one month after the notified orientation) and is not signed."""
    pathways = (
        active_pathways().filter(status__in=FOLLOWED, contract_due_on__lt=today).annotate(since=F("contract_due_on"))
    )
    for signed in _contract_signed.values():
        pathways = pathways.exclude(signed())
    return pathways


register(
    Rule(
        key="contract_not_signed",
        label="Contrat d'engagement non signé",
        threshold=lambda: (
            "contrat d'engagement non signé un mois après la notification de l'orientation "
            "(Code du travail, art. D5411-14-1)"
        ),
        detail=lambda since: f"contrat attendu avant le {_day(since)}",
        holds=_contract_not_signed,
        triggers=("pathway.oriented", "entry.orientation_notified", "*contract*"),
        order=30,
    )
)


def use_contracts(
    *,
    model,
    pathway="pathway",
    status="status",
    signed=("signed",),
    review_on="review_on",
    triggers=("*contract*",),
):
    """The contracts exist: a signed one lifts the contract rule, and the review rule is computed (the review date
    of the contract in force has passed)."""

    def has_signed():
        return Q(pk__in=model.objects.filter(**{f"{status}__in": signed}).values(pathway))

    _contract_signed["contracts"] = has_signed

    def review_passed(today):
        latest_review = Subquery(
            model.objects.filter(**{pathway: OuterRef("pk"), f"{status}__in": signed, f"{review_on}__isnull": False})
            .order_by(f"-{review_on}")
            .values(review_on)[:1],
            output_field=DateField(),
        )
        return active_pathways().annotate(since=latest_review).filter(since__lt=today)

    rule = _rules["review_due"]
    rule.holds = review_passed
    rule.triggers = tuple(triggers)


register(
    Rule(
        key="review_due",
        label="Date de révision dépassée",
        threshold=lambda: (
            "la date de révision du contrat d'engagement (pour un parcours social, la révision avec "
            "France Travail, CASF art. L262-31) est passée"
        ),
        detail=lambda since: f"révision prévue le {_day(since)}",
        not_yet="les contrats d'engagement ne sont pas encore enregistrés dans Relais",
        order=40,
    )
)


# --- Orientation overdue -------------------------------------------------------------------------------------------


def _orientation_overdue(today):
    return (
        active_pathways()
        .filter(status=Pathway.Status.ENTERED, orientation_due_on__lt=today)
        .annotate(since=F("orientation_due_on"))
    )


register(
    Rule(
        key="orientation_overdue",
        label="Orientation en retard",
        threshold=lambda: (
            "orientation non décidée six semaines après que le Département a appris l'ouverture du "
            "droit au RSA (CASF, art. D262-65-2)"
        ),
        detail=lambda since: f"orientation attendue avant le {_day(since)}",
        holds=_orientation_overdue,
        triggers=("pathway.entered", "pathway.oriented", "pathway.identity_updated"),
        order=50,
    )
)


# --- Wiring the models of the other modules, when they exist --------------------------------------------------------


def _model_with(name, fields):
    for model in apps.get_models():
        if model.__name__ == name:
            names = {model_field.name for model_field in model._meta.get_fields()}
            return model if set(fields) <= names else None
    return None


def wire_known_models():
    """Wire the appointments and contracts if their models exist with the names of the glossary (see the module's
    docstring for an explicit call with other names). Called once, when the apps are ready."""
    if get("missed_appointments").holds is None:
        appointment = _model_with("Appointment", ["person", "starts_at", "status"])
        if appointment is not None:
            use_appointments(model=appointment)
    if get("review_due").holds is None:
        contract = _model_with("EngagementContract", ["pathway", "status", "review_on"])
        if contract is not None:
            use_contracts(model=contract)


# --- Computing -----------------------------------------------------------------------------------------------------


def compute(*, today=None, person_ids=None, keys=None):
    """Open and lift the alerts of every available rule (or of ``keys``), for everyone or for ``person_ids``.
    Idempotent: a second run the same day changes nothing. Returns {rule key: {"opened": n, "resolved": n}}."""
    from pathway import alert_actions

    today = today or timezone.localdate()
    reopen_after = timezone.now() - timedelta(days=settings.RELAIS_RUPTURE_REOPEN_DAYS)
    summary = {}
    for rule in rules():
        if not rule.available or (keys is not None and rule.key not in keys):
            continue
        holding = rule.holds(today)
        current = Alert.objects.filter(rule=rule.key, status__in=OPEN_ALERT_STATUSES)
        closed = Alert.objects.filter(rule=rule.key, status=Alert.Status.CLOSED, closed_at__gt=reopen_after)
        if person_ids is not None:
            holding = holding.filter(person_id__in=person_ids)
            current = current.filter(person_id__in=person_ids)
            closed = closed.filter(person_id__in=person_ids)
        holding = dict(holding.values_list("person_id", "since"))
        current = dict(current.values_list("person_id", "pk"))
        recently_closed = set(closed.values_list("person_id", flat=True))
        to_open = [
            (person_id, since)
            for person_id, since in holding.items()
            if person_id not in current and person_id not in recently_closed
        ]
        to_resolve = [pk for person_id, pk in current.items() if person_id not in holding]
        opened = alert_actions.open_alerts(rule, sorted(to_open))
        resolved = alert_actions.resolve_alerts(rule, sorted(to_resolve))
        summary[rule.key] = {"opened": opened, "resolved": resolved}
    alert_actions.follow_communes(person_ids)
    return summary


def compute_for(person_id, keys=None):
    """The alerts of one person, after an action changed their situation."""
    return compute(person_ids=[person_id], keys=keys)


def _recompute_after_commit(person_id, keys):
    try:
        compute_for(person_id, keys=keys)
    except Exception:  # The action itself succeeded: the daily run will catch up.
        logger.exception("Calcul des alertes de rupture après une action : échec")


def _recompute_many_after_commit(person_ids, keys):
    try:
        compute(person_ids=person_ids, keys=keys)
    except Exception:  # The action itself succeeded: the daily run will catch up.
        logger.exception("Calcul des alertes de rupture après une action groupée : échec")


# A pathway that closes or reopens changes every situation: its open alerts are lifted, or may open again.
STATUS_KINDS = ("pathway.exited", "pathway.reopened")


def _keys_after(kind):
    return frozenset(
        rule.key for rule in rules() if rule.available and (kind in STATUS_KINDS or rule.triggered_by(kind))
    )


def _after_event(event):
    keys = _keys_after(event.kind)
    if keys:
        transaction.on_commit(partial(_recompute_after_commit, event.person_id, set(keys)))


def _after_events(events):
    """A batch action's events: the alerts of all their people computed again together, once it commits."""
    people_by_keys = {}
    for event in events:
        keys = _keys_after(event.kind)
        if keys:
            people_by_keys.setdefault(keys, set()).add(event.person_id)
    for keys, person_ids in people_by_keys.items():
        transaction.on_commit(partial(_recompute_many_after_commit, sorted(person_ids), set(keys)))


timeline.on_record(_after_event, batch=_after_events)
