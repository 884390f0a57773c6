"""PostgreSQL accelerator of the report insert (chosen by core.db.accelerated()).

The portable path (incidents/services/lifecycle.py ``_insert_report``) inserts the incident,
then UPDATEs its number (which embeds the id), then inserts its directives: the new row is
written twice, and every index of the table with it. Here the ids come from the sequences
first (one query), so the number and every link are known before anything is written, and
the incident and its directives go in with ONE statement (a data-modifying CTE per row).
Both run inside the report's transaction; the timeline events and the hooks follow through
their usual paths. ``tests/incidents/test_report_paths.py`` holds the two paths to the same
rows.

Like ``bulk_create()``, this writes through the fields (``pre_save()``,
``get_db_prep_save()``) and sends no model signals (no receiver listens to these models).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection
from django.db.models import Model

from incidents.models import Directive, Incident

# model -> the name of its primary key's sequence
_sequences: dict[type[Model], str] = {}


def insert_report(
    incident: Incident,
    directives: Sequence[Directive],
    *,
    number: Callable[[Incident], str],
    words: Callable[[Incident, Sequence[Directive]], None],
) -> None:
    """Give ``incident`` and ``directives`` their ids, ``number`` and ``words`` (which need
    the id), and INSERT them all in one statement."""
    rows: list[Model] = [incident, *directives]
    _reserve_ids(rows)
    incident.number = number(incident)
    for directive in directives:
        directive.incident = incident  # now that it has its id
    words(incident, directives)
    _insert(rows)


def _sequence(model: type[Model]) -> str:
    if model not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            _sequences[model] = cursor.fetchone()[0]
    return _sequences[model]


def _reserve_ids(rows: Sequence[Model]) -> None:
    names = [_sequence(type(row)) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["nextval(%s::regclass)"] * len(names)), names)
        for row, pk in zip(rows, cursor.fetchone(), strict=True):
            row.pk = pk


def _insert(rows: Sequence[Model]) -> None:
    """One INSERT statement for rows of several models, parents first, ids set."""
    qn = connection.ops.quote_name
    parts: list[str] = []
    params: list = []
    for n, row in enumerate(rows):
        meta = row._meta
        fields = [f for f in meta.concrete_fields if not f.generated]
        slots = []
        for field in fields:
            value = field.get_db_prep_save(field.pre_save(row, add=True), connection)
            # A new row's many empty columns are written as NULL, not as parameters: psycopg
            # caches the parsing of a statement only up to 50 parameters.
            if value is None:
                slots.append("NULL")
            else:
                slots.append("%s")
                params.append(value)
        columns = ", ".join(qn(f.column) for f in fields)
        table, values = qn(meta.db_table), ", ".join(slots)
        parts.append(f"r{n} AS (INSERT INTO {table} ({columns}) VALUES ({values}))")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT 1", params)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
