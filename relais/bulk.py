"""Many rows written at once, the fastest way the database offers.

``insert(objs)`` writes unsaved model instances of one model as ``bulk_create`` would (the same rows, the same
defaults, ``auto_now_add`` dates and primary keys set on the instances), on PostgreSQL by ``COPY``: their primary
keys drawn from the table's sequence in one query, then the rows streamed in one statement, which spares Django's
compilation of a many-valued ``INSERT`` and the database its parsing. Elsewhere (SQLite) it is ``bulk_create``
itself. A constraint that fails raises Django's ``IntegrityError`` either way.

For plain columns only: a model with a database default or a generated column, or instances whose primary key is
set already, go through ``bulk_create`` on PostgreSQL too.
"""

from django.db import connections, models, router

# Below this many rows, COPY's extra query for the keys costs more than it saves.
MINIMUM_FOR_COPY = 2
# Fields whose value is written as the instance holds it (psycopg adapts it): no ``get_db_prep_save`` needed.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.UUIDField,
    models.ForeignKey,
)
_sequences = {}


def _copyable(model):
    opts = model._meta
    if opts.parents or not isinstance(opts.pk, models.AutoField):
        return False
    return not any(
        getattr(field, "generated", False) or field.db_default is not models.NOT_PROVIDED
        for field in opts.concrete_fields
    )


def copy_enabled(connection):
    return connection.vendor == "postgresql"


def insert(objs):
    """Write ``objs`` (unsaved instances of one model) and return them, their primary keys set."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if (
        not copy_enabled(connection)
        or len(objs) < MINIMUM_FOR_COPY
        or not _copyable(model)
        or any(obj.pk is not None for obj in objs)
    ):
        return model._default_manager.using(alias).bulk_create(objs)
    opts = model._meta
    fields = list(opts.concrete_fields)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
    with connection.cursor() as cursor:
        sequence = _sequences.get((alias, opts.db_table))
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [opts.db_table, opts.pk.column])
            sequence = _sequences[(alias, opts.db_table)] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        plain = [isinstance(field, PLAIN) and not isinstance(field, models.AutoField) for field in fields]
        rows = []
        for obj in objs:
            row = []
            for field, is_plain in zip(fields, plain, strict=True):
                if is_plain:
                    row.append(getattr(obj, field.attname))
                else:
                    row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
            rows.append(row)
        quote = connection.ops.quote_name
        statement = f"COPY {quote(opts.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def update(objs, fields):
    """Write ``fields`` (names) of ``objs`` (saved instances of one model) as ``bulk_update`` would; on PostgreSQL
    in one ``UPDATE … FROM unnest(…)``, one array per column, rather than a ``CASE`` per column over the rows."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    opts = model._meta
    written = [opts.get_field(name) for name in fields]
    if not copy_enabled(connection) or not all(
        getattr(field, "concrete", False) and not field.primary_key and not isinstance(field, models.JSONField)
        for field in written
    ):
        return model._default_manager.using(alias).bulk_update(objs, fields)
    columns = [opts.pk, *written]
    quote = connection.ops.quote_name
    arrays = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs] for field in columns]
    casts = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in written)
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({casts}) AS v({names}) WHERE {table}.{pk} = v.{pk}",
            arrays,
        )
        return cursor.rowcount
