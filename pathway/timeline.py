"""The carnet's timeline: every action of every app writes what it did here, in one table.

``record(person, kind=..., by=..., summary=...)`` is called by actions, inside their transaction; ``visible_to``
gives the events a membership may read on a carnet it may see. Kinds are registered with their French label
(``register_kind``) by the app that writes them, so that the carnet can filter by kind.
"""

from django.db.models import Q
from django.utils import timezone

from pathway.models import TimelineEvent, Visibility

_kinds = {}


def register_kind(kind, label):
    """``kind`` is ``app.event``; ``label`` the French name shown in the carnet's filter."""
    _kinds[kind] = label


def kind_label(kind):
    return _kinds.get(kind, kind)


def known_kinds():
    return sorted(_kinds.items(), key=lambda item: item[1])


def record(person, *, kind, by, summary, visibility=Visibility.TEAM, obj=None, data=None, at=None):
    """Write one event on ``person``'s timeline. ``by`` is the acting membership (or SYSTEM)."""
    event = build(person, kind=kind, by=by, summary=summary, visibility=visibility, obj=obj, data=data, at=at)
    event.save()
    return event


def build(person, *, kind, by, summary, visibility=Visibility.TEAM, obj=None, data=None, at=None):
    """The event ``record`` writes, unsaved: a batch action writes many with ``bulk_create``."""
    if kind not in _kinds:
        raise ValueError(f"Nature d'événement inconnue : {kind} (register_kind)")
    return TimelineEvent(
        person=person,
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
