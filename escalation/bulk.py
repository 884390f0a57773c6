"""Batch writes for the sweep. On PostgreSQL rows go in by COPY (the sweep writes thousands
of rows per batch; building model instances and INSERT statements cost more than the
database work); elsewhere (SQLite in development) through bulk_create."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


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


def next_ids(table: str, n: int) -> list[int]:
    """Reserve ``n`` primary keys of ``table`` (one query), so COPY can carry them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [r[0] for r in cursor.fetchall()]


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
