"""The ways to write the audit journals.

- ``log_access(request, obj, ...)``: every view, export or print that shows a person's data calls it.
- ``log_search(request, ...)``: every search for people, whatever it found, on a row of its own.
- ``track(Model, fields=...)``: registers a model whose changes are recorded field by field.
"""

import uuid
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from audit.context import current_actor
from audit.models import AccessLog, ChangeLog
from relais import bulk
from relais.phone import format_phone

# The object type of a search's own row in the access log: a search is journalled, not what was typed.
SEARCH = "search"

_object_types = {SEARCH: "recherche de personnes"}
# The journalled models, and how to reach from each to the people it concerns: object type → (model, lookups).
_models = {}
_person_lookups = {}
# Model → (tracked fields, sensitive field names), for the writes that bypass save() (``record_creations``).
_tracked = {}


def known_object_types():
    """(label, verbose name) of the models whose reads or changes are journalled, for the filters."""
    return sorted(_object_types.items(), key=lambda item: item[1])


def register_object_type(model, person=None):
    """Journal ``model``; ``person`` is the lookup from it to the person it concerns ("pk" for the person itself,
    "person", "pathway__person"…, a tuple when it concerns several): their identity is then shown in the
    journals only to the readers who may see them."""
    label = model._meta.label_lower
    _object_types[label] = str(model._meta.verbose_name)
    _models[label] = model
    if person:
        _person_lookups[label] = (person,) if isinstance(person, str) else tuple(person)


def object_type_name(object_type):
    return _object_types.get(object_type, object_type)


def field_label(object_type, name):
    """The French label of a journalled field (« date de naissance » for ``birth_date``)."""
    model = _models.get(object_type)
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def concerns_people(entry):
    return entry.object_type in _person_lookups


def people_concerned(entries):
    """{(object type, object id): ids of the people concerned} for the entries about people's records.

    One query per type of record on the page (not per entry). An entry whose record is gone or whose id is
    not one of its type's is absent: it concerns someone unknown, whom nobody may see.
    """
    wanted = defaultdict(set)
    for entry in entries:
        if concerns_people(entry):
            wanted[entry.object_type].add(entry.object_id)
    found = {}
    for object_type, object_ids in wanted.items():
        model, lookups = _models[object_type], _person_lookups[object_type]
        id_field = model._meta.get_field("public_id") if _has_public_id(model) else model._meta.pk
        ids = [value for value in (_as_id(id_field, object_id) for object_id in object_ids) if value is not None]
        if not ids:
            continue
        for object_id, *persons in model._default_manager.filter(**{f"{id_field.name}__in": ids}).values_list(
            id_field.name, *lookups
        ):
            found[(object_type, str(object_id))] = {person for person in persons if person is not None}
    return found


def _has_public_id(model):
    return any(field.name == "public_id" for field in model._meta.concrete_fields)


def _as_id(field, value):
    try:
        value = field.to_python(value)
    except ValidationError:
        return None
    if isinstance(value, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and value < low) or (high is not None and value > high):
            return None
    return value


def _object_type(obj):
    return obj._meta.label_lower


def _object_id(obj):
    return str(getattr(obj, "public_id", None) or obj.pk)


def _entry(model, obj, user, structure, **fields):
    """An unsaved journal row about ``obj``, by ``user`` acting for ``structure``."""
    return model(
        user=user,
        structure=structure,
        object_type=_object_type(obj),
        object_id=_object_id(obj),
        object_label=str(obj)[:200],
        **fields,
    )


def _reader(request):
    membership = getattr(request, "membership", None)
    user = request.user if request.user.is_authenticated else None
    return user, (membership.structure if membership else None)


def log_access(request, obj, action=AccessLog.Action.VIEW, detail=""):
    """Record that the requesting user read ``obj`` (a model instance) acting for their current structure."""
    entry = _entry(AccessLog, obj, *_reader(request), action=action, detail=detail[:255])
    entry.save()
    return entry


def log_access_many(request, objects, action=AccessLog.Action.VIEW, detail=""):
    """Record one access per object (a list page that shows several people), in one query."""
    user, structure = _reader(request)
    AccessLog.objects.bulk_create(
        [_entry(AccessLog, obj, user, structure, action=action, detail=detail[:255]) for obj in objects]
    )


def log_search(request, *, label, criteria, shown=(), outside=0, shown_detail="résultat de recherche"):
    """Record one search on a row of its own, whatever it found, and a search access to each person shown.

    The search's row says which criteria were filled in (``criteria``: their labels, never what was typed),
    how many people the reader may open among the results (``shown``, each also journalled) and how many
    outside their need-to-know the search revealed (``outside``): fishing for a birth date or an identifier
    leaves a trace. One query.
    """
    user, structure = _reader(request)
    detail = (
        f"Critères : {', '.join(criteria)}. "
        f"Résultats : {len(shown)} dans le besoin d'en connaître, {outside} hors du besoin d'en connaître."
    )
    search = AccessLog(
        user=user,
        structure=structure,
        action=AccessLog.Action.SEARCH,
        object_type=SEARCH,
        object_id=str(uuid.uuid4()),
        object_label=label[:200],
        detail=detail[:255],
    )
    rows = [
        _entry(AccessLog, obj, user, structure, action=AccessLog.Action.SEARCH, detail=shown_detail[:255])
        for obj in shown
    ]
    AccessLog.objects.bulk_create([search, *rows])
    return search


def _value(instance, field):
    value = getattr(instance, field.attname)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def track(model, fields, sensitive=(), person=None):
    """Record creations, changes of ``fields`` and deletions of ``model`` instances in the ChangeLog.

    Values of ``sensitive`` fields are never written to the journal: only the fact that they changed. ``person``
    says which person a record concerns (see ``register_object_type``).
    """
    register_object_type(model, person=person)
    tracked = [model._meta.get_field(name) for name in fields]
    _tracked[model] = (tracked, frozenset(sensitive))

    tracked_names = {field.name for field in tracked} | {field.attname for field in tracked}

    def remember(sender, instance, raw=False, update_fields=None, **kwargs):
        untouched = update_fields is not None and not tracked_names.intersection(update_fields)
        if raw or untouched or instance._state.adding or instance.pk is None:
            instance._audit_before = None
            return
        before = sender._default_manager.filter(pk=instance.pk).values(*[field.attname for field in tracked]).first()
        instance._audit_before = before

    def record(sender, instance, created, raw=False, update_fields=None, **kwargs):
        if raw or (update_fields is not None and not tracked_names.intersection(update_fields)):
            return
        before = getattr(instance, "_audit_before", None)
        changes = {}
        for field in tracked:
            if update_fields is not None and field.name not in update_fields and field.attname not in update_fields:
                continue
            new = _value(instance, field)
            old = None if created or before is None else before.get(field.attname)
            if not created and before is not None and old == getattr(instance, field.attname):
                continue
            if created and new in (None, ""):
                continue
            if field.name in sensitive:
                changes[field.name] = ["•••", "•••"]
            else:
                changes[field.name] = [
                    old if old is None or isinstance(old, (bool, int, float, str)) else str(old),
                    new,
                ]
        if not created and not changes:
            return
        action = ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE
        _entry(ChangeLog, instance, *current_actor(), action=action, changes=changes).save()

    def record_delete(sender, instance, **kwargs):
        _entry(ChangeLog, instance, *current_actor(), action=ChangeLog.Action.DELETE).save()

    uid = f"audit-{model._meta.label_lower}"
    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(record, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(record_delete, sender=model, weak=False, dispatch_uid=uid)


def record_creations(instances):
    """The creation entries ``track`` writes on ``save()``, for tracked instances written together by
    ``bulk_create`` (a batch action): the same content, in one statement."""
    user, structure = current_actor()
    # Written as rows rather than ChangeLog instances (a batch writes thousands), one statement per type in a row.
    groups = []
    for instance in instances:
        if not groups or type(instance) is not groups[-1][0]:
            groups.append((type(instance), []))
        groups[-1][1].append(instance)
    for model, group in groups:
        tracked, sensitive = _tracked[model]
        fields = [(field, field.name in sensitive) for field in tracked]
        rows = []
        for instance in group:
            changes = {}
            for field, is_sensitive in fields:
                new = _value(instance, field)
                if new in (None, ""):
                    continue
                changes[field.name] = ["•••", "•••"] if is_sensitive else [None, new]
            rows.append((_object_id(instance), str(instance)[:200], changes))
        bulk.insert_rows(
            ChangeLog,
            constant={
                "user": user,
                "structure": structure,
                "object_type": model._meta.label_lower,
                "action": ChangeLog.Action.CREATE,
            },
            fields=["object_id", "object_label", "changes"],
            rows=rows,
        )


def tracked_values(instance):
    """What ``track`` compares of ``instance`` before a change: {attname: value} of its tracked fields."""
    tracked, _ = _tracked[type(instance)]
    return {field.attname: getattr(instance, field.attname) for field in tracked}


def record_updates(changes):
    """The change entries ``track`` writes on ``save()``, for tracked instances written together by ``bulk_update``
    (a batch action): ``changes`` holds (values before, as ``tracked_values`` gave them, instance after); an
    instance whose tracked fields did not change has no entry, as with ``save()``. One statement."""
    user, structure = current_actor()
    entries = []
    for before, instance in changes:
        tracked, sensitive = _tracked[type(instance)]
        differences = {}
        for field in tracked:
            old = before.get(field.attname)
            if old == getattr(instance, field.attname):
                continue
            if field.name in sensitive:
                differences[field.name] = ["•••", "•••"]
            else:
                differences[field.name] = [
                    old if old is None or isinstance(old, (bool, int, float, str)) else str(old),
                    _value(instance, field),
                ]
        if differences:
            entries.append(
                _entry(ChangeLog, instance, user, structure, action=ChangeLog.Action.UPDATE, changes=differences)
            )
    bulk.insert(entries)
    return entries


def history_of(obj):
    return ChangeLog.objects.filter(object_type=_object_type(obj), object_id=_object_id(obj)).select_related(
        "user", "structure"
    )


# Shown instead of a sensitive value, and instead of the name of a person the reader may not see.
MASKED = "•••"


def readable_changes(entries, visible_people=()):
    """Give each change-log entry ``shown_changes``: [(French label, before, after)] as a reader understands them.

    Choices show their label, yes/no fields « oui »/« non », dates and times in French (local time), and a
    related record its name instead of its id: one query per type of related record on the page, never one per
    entry. A related person is named only when their id is in ``visible_people``.
    """
    wanted = defaultdict(set)
    for entry in entries:
        model = _models.get(entry.object_type)
        for name, values in _changes(entry):
            field = _field(model, name)
            if _is_reference(field):
                wanted[field.related_model].update(value for value in values if value not in (None, "", MASKED))
    names = {}
    for related, ids in wanted.items():
        pk = related._meta.pk
        ids = [value for value in (_as_id(pk, raw) for raw in ids) if value is not None]
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, str(obj.pk))] = str(obj)
    for entry in entries:
        model = _models.get(entry.object_type)
        entry.shown_changes = []
        for name, values in _changes(entry):
            field = _field(model, name)
            label = str(field.verbose_name) if field is not None else name
            entry.shown_changes.append((label, *(_readable(field, value, names, visible_people) for value in values)))
    return entries


def _changes(entry):
    changes = getattr(entry, "changes", None) or {}
    return [
        (name, values if isinstance(values, list) and len(values) == 2 else [None, None])
        for name, values in changes.items()
    ]


def _is_reference(field):
    return field is not None and bool(field.many_to_one or field.one_to_one)


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _readable(field, value, names, visible_people):
    if value == MASKED:
        return "valeur protégée"
    if value is None or value == "" or field is None:
        return value
    if _is_reference(field):
        related = field.related_model
        if related._meta.label_lower == "people.person" and _as_id(related._meta.pk, value) not in visible_people:
            return "personne (identité masquée)"
        return names.get((related, str(value)), f"{related._meta.verbose_name} (supprimé)")
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() in ("BooleanField", "NullBooleanField") or isinstance(value, bool):
        return "oui" if value else "non"
    if field.get_internal_type() == "DateTimeField" and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "d/m/Y H:i")
    if field.get_internal_type() == "DateField" and isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return formats.date_format(day, "d/m/Y")
    if "phone" in field.name and isinstance(value, str):
        return format_phone(value)
    if isinstance(value, float):
        return formats.number_format(value)
    return value
