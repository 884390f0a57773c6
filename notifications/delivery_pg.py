"""PostgreSQL accelerators of the outbox (chosen by core.db.accelerated()).

- ``insert_ignoring_conflicts``: an escalation sweep writes thousands of outbox rows per
  batch; COPY into a per-session staging table, then one INSERT ... ON CONFLICT DO NOTHING,
  costs less than building model instances and a bulk INSERT (portable twin:
  ``bulk_create(ignore_conflicts=True)``).
- ``claim_due``: one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING
  claims a batch in one round trip, racing loops taking disjoint rows (portable twin: a
  conditional UPDATE per row).
- ``exclusive`` (core/locks_pg.py, shared with messaging): an advisory lock keeps one
  delivery loop at a time (portable twin: none; SQLite has one writer anyway).

``copy_rows`` is shared with escalation/bulk_pg.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from core.locks_pg import exclusive  # noqa: F401 - the one advisory-lock helper (moved to core)


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def copy_rows(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([_cell(v) for v in row])


def insert_ignoring_conflicts(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """COPY into a per-session staging table, then INSERT ... ON CONFLICT DO NOTHING."""
    if not rows:
        return
    stage = f"{table}_stage"
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {cols} FROM {table} WITH NO DATA"
        )
    copy_rows(stage, columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "  # noqa: S608 - our names
            f"ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"TRUNCATE {stage}")


def claim_due(table: str, *, now: datetime, lease_until: datetime, limit: int) -> list:
    """(id, attempt) of up to ``limit`` pending rows due at ``now``, claimed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET attempts = attempts + 1, next_attempt_at = %s
            WHERE id IN (SELECT id FROM {table} WHERE status = 'pending'
                         AND next_attempt_at <= %s ORDER BY next_attempt_at
                         LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING id, attempts""",  # noqa: S608 - table name from model meta
            [lease_until, now, limit],
        )
        return [(pk, attempt) for pk, attempt in cursor.fetchall()]
