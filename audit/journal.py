"""The two ways to write the audit journals.

- ``log_access(request, obj, ...)``: every view, export or print that shows a person's data calls it.
- ``track(Model, fields=...)``: registers a model whose changes are recorded field by field.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from audit.context import current_actor
from audit.models import AccessLog, ChangeLog

_object_types = {}
# Model → (tracked fields, sensitive field names), for the writes that bypass save() (``record_creations``).
_tracked = {}


def known_object_types():
    """(label, verbose name) of the models whose reads or changes are journalled, for the filters."""
    return sorted(_object_types.items(), key=lambda item: item[1])


def register_object_type(model):
    _object_types[model._meta.label_lower] = str(model._meta.verbose_name)


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


def _value(instance, field):
    value = getattr(instance, field.attname)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def track(model, fields, sensitive=()):
    """Record creations, changes of ``fields`` and deletions of ``model`` instances in the ChangeLog.

    Values of ``sensitive`` fields are never written to the journal: only the fact that they changed.
    """
    register_object_type(model)
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
    entries = []
    for instance in instances:
        tracked, sensitive = _tracked[type(instance)]
        changes = {}
        for field in tracked:
            new = _value(instance, field)
            if new in (None, ""):
                continue
            changes[field.name] = ["•••", "•••"] if field.name in sensitive else [None, new]
        entries.append(_entry(ChangeLog, instance, user, structure, action=ChangeLog.Action.CREATE, changes=changes))
    ChangeLog.objects.bulk_create(entries)


def history_of(obj):
    return ChangeLog.objects.filter(object_type=_object_type(obj), object_id=_object_id(obj)).select_related(
        "user", "structure"
    )
