"""Merging two records of the same person, and undoing it.

Every table that points at a person says how its rows follow a merge (``register``), in the app that owns it:
a new table cannot be forgotten, since a consistency test walks the app registry and fails on a relation to
``Person`` that nobody registered. Each registration also says what the person's data export and the retention
purge (CASF art. R263-8) do with the rows, for the day those run.

A handler is a pair of functions: ``merge(survivor, merged) -> record`` moves what it must and returns a
JSON-serialisable record of what it did; ``undo(survivor, merged, record)`` puts it back. Handlers save row by row
through ``save()`` so that the change history follows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.access import is_coordinator
from people.models import Person, PersonMerge
from relais.actions import ActionError, Conflict, require, require_actor


class Export:
    """What the person's data export does with a relation's rows."""

    INCLUDED = "included"
    EXCLUDED = "excluded"


class Retention:
    """What the retention purge does with a relation's rows once the person's record is purged."""

    DELETED = "deleted"
    ANONYMISED = "anonymised"
    KEPT = "kept"


@dataclass(frozen=True)
class Relation:
    key: str
    merge: Callable
    undo: Callable
    export: str
    retention: str


_relations: dict[str, Relation] = {}


def relation_key(model, field):
    return f"{model._meta.label_lower}.{field}"


def register(model, field, *, merge, undo, export, retention):
    """Declare how rows of ``model`` pointing at a person through ``field`` follow a merge, an export, a purge."""
    key = relation_key(model, field)
    _relations[key] = Relation(key=key, merge=merge, undo=undo, export=export, retention=retention)


def registered():
    return dict(_relations)


def move_rows(model, field):
    """The common case: every row of the merged record now points at the survivor; undo points them back."""

    def merge(survivor, merged):
        moved = []
        for row in model.objects.filter(**{field: merged}).order_by("pk"):
            setattr(row, field, survivor)
            row.save(update_fields=[field])
            moved.append(row.pk)
        return moved

    def undo(survivor, merged, record):
        for row in model.objects.filter(pk__in=record or []).order_by("pk"):
            setattr(row, field, merged)
            row.save(update_fields=[field])

    return merge, undo


def ignored(reason):
    """A relation that a merge leaves as it is (``reason`` says why, for the reader of the registry)."""

    def merge(survivor, merged):
        return None

    def undo(survivor, merged, record):
        return None

    merge.reason = reason
    return merge, undo


MERGED_ALREADY = "L'un des deux dossiers a déjà été fusionné."


def merge_persons(*, survivor, merged, by):
    """A coordinator merges ``merged`` into ``survivor``: every registered relation follows, recorded so that
    ``undo_merge`` can put everything back."""
    require_actor(by)
    require(is_coordinator(by))
    if survivor.pk == merged.pk:
        raise ActionError("Choisissez deux dossiers différents.")
    with transaction.atomic():
        survivor = Person.objects.select_for_update().get(pk=survivor.pk)
        merged = Person.objects.select_for_update().get(pk=merged.pk)
        if survivor.merged_into_id or merged.merged_into_id:
            raise Conflict(MERGED_ALREADY)
        moved = {key: relation.merge(survivor, merged) for key, relation in _relations.items()}
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        record = PersonMerge(survivor=survivor, merged=merged, moved=moved, merged_by=by.user)
        record.save()
    return record


def undo_merge(merge, *, by):
    """Put both records back as they were before the merge (the relations in reverse order)."""
    require_actor(by)
    require(is_coordinator(by))
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().select_related("survivor", "merged").get(pk=merge.pk)
        if merge.undone_at:
            raise Conflict("Cette fusion a déjà été annulée.")
        for key, relation in reversed(list(_relations.items())):
            if key in merge.moved:
                relation.undo(merge.survivor, merge.merged, merge.moved[key])
        merged = merge.merged
        merged.merged_into = None
        merged.save(update_fields=["merged_into"])
        merge.undone_at = timezone.now()
        merge.undone_by = by.user
        merge.save(update_fields=["undone_at", "undone_by"])
    return merge
