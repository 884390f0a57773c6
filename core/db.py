"""Writing a set of new rows, of several models, in as few round trips as the database
allows: the report path writes an incident, its timeline events, directives and first
escalation clock together.

On PostgreSQL ``reserve_pks()`` takes primary keys from the tables' sequences in one query,
so every link (and the incident number, which embeds the id) is known before anything is
written, and ``insert_new()`` then writes all the rows with one statement (one
data-modifying CTE per row). Elsewhere (SQLite, ``make run``) ``reserve_pks()`` reserves
nothing and ``insert_new()`` saves each row in turn: the caller learns ids by inserting.

Both go through the model's fields (``pre_save()``, ``get_db_prep_save()``) exactly as
``Model.save()`` does, and send ``pre_save``/``post_save``. What they do not do is call an
overridden ``save()`` or take query expressions as values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

# (alias, model) -> the name of its primary key's sequence
_sequences: dict[tuple[str, type[Model]], str] = {}
# (alias, model, with primary key) -> (fields, "INSERT INTO t (columns) VALUES", returning)
_statements: dict[tuple[str, type[Model], bool], tuple[list, str, str]] = {}


def _alias(objs: Sequence[Model]) -> str:
    aliases = {router.db_for_write(type(obj), instance=obj) for obj in objs}
    if len(aliases) != 1:
        raise ValueError(f"rows for more than one database: {sorted(aliases)}")
    return aliases.pop()


def _uses_sequences(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def writes_in_one_statement(model: type[Model]) -> bool:
    """Whether ``reserve_pks()`` and ``insert_new()`` write ``model``'s rows (and rows of
    other models in the same database) with one statement, atomic without a transaction."""
    return _uses_sequences(router.db_for_write(model))


def _sequence(alias: str, model: type[Model]) -> str:
    key = (alias, model)
    if key not in _sequences:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            name = cursor.fetchone()[0]
        if name is None:
            raise ValueError(f"{model._meta.label}'s primary key has no sequence")
        _sequences[key] = name
    return _sequences[key]


def reserve_pks(*objs: Model) -> bool:
    """Give each unsaved ``obj`` without a primary key the next value of its table's
    sequence, all in one query. Returns False, reserving nothing, where the database has no
    sequences; the ids then come from the INSERTs."""
    todo = [obj for obj in objs if obj.pk is None]
    if not todo:
        return True
    alias = _alias(todo)
    if not _uses_sequences(alias):
        return False
    names = [_sequence(alias, type(obj)) for obj in todo]
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["nextval(%s::regclass)"] * len(names)), names)
        for obj, pk in zip(todo, cursor.fetchone(), strict=True):
            obj.pk = pk
    return True


def _statement(alias: str, model: type[Model], with_pk: bool) -> tuple[list, str, str]:
    key = (alias, model, with_pk)
    if key not in _statements:
        meta = model._meta
        if meta.parents:
            raise TypeError(f"{meta.label}: multi-table inheritance is not supported")
        qn = connections[alias].ops.quote_name
        fields = [
            f
            for f in meta.local_concrete_fields
            if not f.generated and (with_pk or f is not meta.pk)
        ]
        head = "INSERT INTO {} ({}) VALUES".format(
            qn(meta.db_table), ", ".join(qn(f.column) for f in fields)
        )
        returning = "" if with_pk else f" RETURNING {qn(meta.pk.column)}"
        _statements[key] = (fields, head, returning)
    return _statements[key]


def insert_new(objs: Iterable[Model]) -> None:
    """INSERT new model instances, parents before the rows that point at them.

    Foreign keys are taken from the related objects first (as ``save()`` does), rows
    without a primary key get theirs from the database, and every instance ends up saved
    (``_state.adding`` False). On PostgreSQL this is one statement, so the rows are written
    all or none even outside a transaction; elsewhere each row is saved in turn, so call it
    inside ``transaction.atomic()`` when the rows must commit together.
    """
    objs = list(objs)
    if not objs:
        return
    alias = _alias(objs)
    if not _uses_sequences(alias):
        for obj in objs:
            obj.save(force_insert=True, using=alias)
        return
    connection = connections[alias]
    parts: list[str] = []
    params: list = []
    returning: list[tuple[int, Model]] = []
    for n, obj in enumerate(objs):
        model = type(obj)
        if not obj._state.adding:
            raise ValueError(f"{model._meta.label} {obj.pk} is already saved")
        obj._prepare_related_fields_for_save(operation_name="save")
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        fields, head, tail = _statement(alias, model, obj.pk is not None)
        slots = []
        for field in fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{model._meta.label}.{field.name}: expressions need save()")
            value = field.get_db_prep_save(value, connection)
            # A new row's many empty columns are written as NULL, not as parameters: psycopg
            # caches the parsing of a statement only up to 50 parameters.
            if value is None:
                slots.append("NULL")
            else:
                slots.append("%s")
                params.append(value)
        if obj.pk is None:
            returning.append((n, obj))
        parts.append(f"r{n} AS ({head} ({', '.join(slots)}){tail})")
    qn = connection.ops.quote_name
    tail = ", ".join(
        f"(SELECT {qn(type(obj)._meta.pk.column)} FROM r{n})"  # noqa: S608 - quoted
        for n, obj in returning
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {tail or 'NULL'}", params)
        pks = cursor.fetchone()
    if returning:
        for (_, obj), pk in zip(returning, pks, strict=True):
            obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
        post_save.send(
            sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=alias
        )
