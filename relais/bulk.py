"""Writing many rows of one model at once: on PostgreSQL by ``COPY`` (and one ``UPDATE`` from arrays), without a
statement of every value; elsewhere (SQLite) by ``bulk_create`` and ``bulk_update``. None calls ``save()`` nor sends
signals, as ``bulk_create`` does not: the caller writes what the signals would have (history, timeline), in bulk as
well. A constraint that fails raises Django's ``IntegrityError`` either way.

- ``insert_rows(model, constant={...}, fields=[...], rows=[...])``, for a computation over a whole département (tens
  of thousands of rows), without building a model instance per row: every row takes the ``constant`` values, then
  its own values for ``fields`` (one tuple per row, in that order). A column in neither takes its field's default,
  the same for every row (``auto_now_add`` is now); so a unique column (``public_id``) must be among ``fields``.
- ``insert(objs)``, for a batch action that has its instances (an import's people, their pathways, history and
  timeline): the same rows as ``bulk_create`` (defaults, ``auto_now_add`` dates, primary keys set on the instances),
  their primary keys drawn from the table's sequence in one query, then the rows streamed. For plain columns only: a
  model with a database default or a generated column, or instances whose primary key is set already, go through
  ``bulk_create`` on PostgreSQL too.
- ``update(objs, fields)``: what ``bulk_update`` writes, in one ``UPDATE … FROM unnest(…)`` rather than a ``CASE``
  per column over the rows.
"""

from operator import attrgetter

from django.db import connection, connections, models, router


def _fixed_fields(model, constant, fields):
    """The fields every row shares (a constant or the default); a unique one is refused."""
    varying = {model._meta.get_field(name).attname for name in fields}
    fixed = [field for field in model._meta.concrete_fields if not field.primary_key and field.attname not in varying]
    for field in fixed:
        if field.unique and field.name not in constant and field.attname not in constant:
            raise ValueError(f"{model.__name__}.{field.name} est unique : donnez sa valeur pour chaque ligne.")
    return fixed


def _columns(model, constant, fields):
    """The columns written, with the value each constant column takes (ready for the database)."""
    template = model(**constant)
    fixed = [
        (field, field.get_db_prep_save(field.pre_save(template, add=True), connection))
        for field in _fixed_fields(model, constant, fields)
    ]
    return [model._meta.get_field(name) for name in fields], fixed


def insert_rows(model, *, constant, fields, rows, ignore_conflicts=False):
    """Insert one row of ``model`` per tuple of ``rows`` (see the module). Returns how many were given. With
    ``ignore_conflicts``, a row that breaks a unique constraint is left out, as ``bulk_create`` leaves it (on
    PostgreSQL one ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING``, one array per column, plain fields
    only)."""
    rows = list(rows)
    if not rows:
        return 0
    _fixed_fields(model, constant, fields)
    if not copy_enabled(connection):
        model.objects.bulk_create(
            [model(**constant, **dict(zip(fields, row, strict=True))) for row in rows],
            batch_size=1_000,
            ignore_conflicts=ignore_conflicts,
        )
        return len(rows)
    varying, fixed = _columns(model, constant, fields)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in [*varying, *(f for f, _ in fixed)])
    constants = tuple(value for _, value in fixed)
    if ignore_conflicts:
        if not all(_is_plain(field) for field in varying):
            raise ValueError("ignore_conflicts : des champs simples seulement.")
        arrays = [[row[position] for row in rows] for position in range(len(varying))]
        casts = ", ".join(f"%s::{field.db_type(connection)}[]" for field in varying)
        fixed_types = ", ".join(f"%s::{field.db_type(connection)}" for field, _ in fixed)
        selected = f"v.*, {fixed_types}" if fixed else "v.*"
        names = ", ".join(f"c{position}" for position in range(len(varying)))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) SELECT {selected} "
                f"FROM unnest({casts}) AS v({names}) ON CONFLICT DO NOTHING",
                [*constants, *arrays],
            )
        return len(rows)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    # A value of a plain field is written as it is (psycopg adapts it), the others made ready by their field.
    prepare = [None if _is_plain(field) else field for field in varying]
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                (
                    *(
                        value if field is None else field.get_db_prep_save(value, connection)
                        for field, value in zip(prepare, row, strict=True)
                    ),
                    *constants,
                )
            )
    return len(rows)


def _is_plain(field):
    return isinstance(field, PLAIN) and not isinstance(field, models.AutoField)


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
        # The keys in one query, the table's sequence found by the same query (the same count of queries for the
        # first batch of a process as for the others).
        cursor.execute(
            "WITH sequence AS (SELECT pg_get_serial_sequence(%s, %s) AS name) "
            "SELECT nextval(sequence.name) FROM sequence, generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        # The plain fields read together (one ``attrgetter``), then the others made ready each by its field.
        plain = [field for field in fields if _is_plain(field)]
        others = [field for field in fields if not _is_plain(field)]
        fields = [*plain, *others]
        read = attrgetter(*(field.attname for field in plain)) if len(plain) > 1 else None
        rows = []
        for obj in objs:
            row = list(read(obj)) if read else [getattr(obj, field.attname) for field in plain]
            for field in others:
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
