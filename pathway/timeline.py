"""The carnet's timeline: every action of every app writes what it did here, in one table.

``record(person, kind=..., by=..., summary=...)`` is called by actions, inside their transaction; ``visible_to``
gives the events a membership may read on a carnet it may see. Kinds are registered with their French label
(``register_kind``) by the app that writes them, so that the carnet can filter by kind.
"""

import uuid
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from pathway.models import TimelineEvent, Visibility
from relais import bulk
from relais.text import fold

_kinds = {}


def register_kind(kind, label):
    """``kind`` is ``app.event``; ``label`` the French name shown in the carnet's filter."""
    _kinds[kind] = label


def kind_label(kind):
    return _kinds.get(kind, kind)


def known_kinds():
    return sorted(_kinds.items(), key=lambda item: item[1])


def kind_groups(present=None):
    """The carnet's filter: one choice per label (several kinds share one: « orientation » is proposed, decided,
    notified), as ``(slug, label, kinds)`` in alphabetical order (accents aside); only the kinds in ``present``
    when given."""
    groups = {}
    for kind, label in _kinds.items():
        if present is not None and kind not in present:
            continue
        groups.setdefault(label, []).append(kind)
    ordered = sorted(groups.items(), key=lambda item: fold(item[0]))
    return [(slugify(label), label, sorted(kinds)) for label, kinds in ordered]


def kinds_of_groups(slugs, present=None):
    """The kinds behind the filter's chosen ``slugs`` (unknown slugs are ignored)."""
    chosen = set(slugs)
    return [kind for slug, _, kinds in kind_groups(present) if slug in chosen for kind in kinds]


_listeners = []
_batch_forms = {}


def on_record(listener, batch):
    """``listener(event)`` is called after each event ``record`` writes, inside the action's transaction (the rupture
    rules use it to compute the person's alerts again once the action commits); ``batch(events)`` once for all the
    events a batch action writes (``record_all``, ``record_for_each(..., notify=True)``), each of which tells at least
    its ``person_id`` and its ``kind``."""
    _listeners.append(listener)
    _batch_forms[listener] = batch


def event(person, *, kind, by, summary, visibility=Visibility.TEAM, obj=None, data=None, at=None):
    """One unsaved event of ``person``'s timeline (``record`` saves it; a bulk writer saves many at once). ``person``
    is a Person or its primary key."""
    if kind not in _kinds:
        raise ValueError(f"Nature d'événement inconnue : {kind} (register_kind)")
    who = {"person": person} if hasattr(person, "pk") else {"person_id": person}
    return TimelineEvent(
        **who,
        kind=kind,
        at=at or timezone.now(),
        actor=getattr(by, "user", None),
        actor_structure=getattr(by, "structure", None),
        visibility=visibility,
        summary=summary[:255],
        obj_type=obj._meta.label_lower if obj is not None else "",
        obj_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")) if obj is not None else "",
        data=data or {},
    )


def record(person, *, kind, by, summary, visibility=Visibility.TEAM, obj=None, data=None, at=None):
    """Write one event on ``person``'s timeline. ``by`` is the acting membership (or SYSTEM)."""
    written = event(person, kind=kind, by=by, summary=summary, visibility=visibility, obj=obj, data=data, at=at)
    written.save()
    for listener in _listeners:
        listener(written)
    return written


def record_all(events):
    """Write the events of a batch action (built by ``event``) in one statement; each listener's batch form is called
    once with all of them (``on_record``)."""
    written = bulk.insert(events)
    _tell(written)
    return written


def _tell(events):
    if events:
        for listener in _listeners:
            _batch_forms[listener](events)


class Recorded(NamedTuple):
    """What a listener's batch form reads of each event ``record_for_each(..., notify=True)`` wrote."""

    person_id: int
    kind: str


def record_for_each(rows, *, kind, by, at, obj_type="", visibility=Visibility.TEAM, notify=False):
    """Write events of one kind, by the same actor at the same time, for many people at once (a daily computation
    over the whole département, a batch action): ``rows`` are (person id, summary, object id). No listener is
    called, unless ``notify``: then each listener's batch form, once, with a ``Recorded`` per event."""
    if kind not in _kinds:
        raise ValueError(f"Nature d'événement inconnue : {kind} (register_kind)")
    rows = list(rows)
    written = _insert_for_each(rows, kind=kind, by=by, at=at, obj_type=obj_type, visibility=visibility)
    if notify and written:
        _tell([Recorded(person_id, kind) for person_id, _, _ in rows])
    return written


def _insert_for_each(rows, *, kind, by, at, obj_type, visibility):
    return bulk.insert_rows(
        TimelineEvent,
        constant={
            "kind": kind,
            "at": at,
            "actor": getattr(by, "user", None),
            "actor_structure": getattr(by, "structure", None),
            "visibility": visibility,
            "obj_type": obj_type,
        },
        fields=["public_id", "person_id", "summary", "obj_id"],
        rows=((uuid.uuid4(), person_id, summary[:255], obj_id) for person_id, summary, obj_id in rows),
    )


def visible_to(membership, person):
    """The events of ``person``'s timeline that ``membership`` may read (the carnet itself is checked apart)."""
    events = TimelineEvent.objects.filter(person=person)
    if membership is None:
        return events.none()
    return events.filter(
        Q(visibility__in=[Visibility.PERSON, Visibility.TEAM])
        | Q(visibility=Visibility.STRUCTURE, actor_structure_id=membership.structure_id)
        | Q(visibility=Visibility.AUTHOR, actor_id=membership.user_id)
    )
