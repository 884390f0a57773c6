"""A PostgreSQL session advisory lock taken without waiting: one delivery loop at a time
(notifications' outbox, messaging's customer messages). Moved here from
notifications/delivery_pg.py so that both outboxes call one helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def exclusive(key: int) -> Iterator[bool]:
    """Yields whether this session holds advisory lock ``key`` (not waiting for it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
