"""Writing many rows of one model at once, for a computation over a whole département (tens of thousands of rows):
on PostgreSQL by ``COPY``, without building a model instance per row nor a statement of every value; elsewhere
(SQLite) by ``bulk_create``. Neither calls ``save()`` nor sends signals, as ``bulk_create`` does not: the caller
writes what the signals would have (history, timeline), in bulk as well.

``insert_rows(model, constant={...}, fields=[...], rows=[...])``: every row takes the ``constant`` values, then its
own values for ``fields`` (one tuple per row, in that order). A column in neither takes its field's default, the same
for every row (``auto_now_add`` is now); so a unique column (``public_id``) must be among ``fields``.
"""

from django.db import connection


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


def insert_rows(model, *, constant, fields, rows):
    """Insert one row of ``model`` per tuple of ``rows`` (see the module). Returns how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    _fixed_fields(model, constant, fields)
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**constant, **dict(zip(fields, row, strict=True))) for row in rows], batch_size=1_000
        )
        return len(rows)
    varying, fixed = _columns(model, constant, fields)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in [*varying, *(f for f, _ in fixed)])
    constants = tuple(value for _, value in fixed)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                (
                    *(field.get_db_prep_save(value, connection) for field, value in zip(varying, row, strict=True)),
                    *constants,
                )
            )
    return len(rows)
