"""core/pg_timestamps.py: psycopg's C loader reads timestamptz values exactly as Django's
own (pure-Python) loader does."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from core.pg_timestamps import loader_for

VALUES = [
    "2026-11-30 05:16:38.966123+00",
    "2026-01-01 00:00:00.5+08",
    "2025-12-31 23:59:59.999999-05:30",
    "2024-02-29 12:00:00+00",
    "1999-12-31 16:00:00+08",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59+00",
]


def _read(loader_class):
    with connection.cursor() as cursor:
        cursor.connection.adapters.register_loader("timestamptz", loader_class)
        cursor.execute(
            "SELECT v::timestamptz FROM unnest(%s::text[]) AS v UNION ALL SELECT NULL", [VALUES]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_new_connections_read_timestamps_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, psycopg.pq.Format.TEXT)
    assert psycopg.pq.__impl__ == "binary"  # requirements.txt: psycopg[binary]
    assert loader is loader_for(connection.timezone)
    assert issubclass(loader, BaseTzLoader) and loader.timezone == datetime.UTC


@pytest.mark.django_db
def test_the_c_loader_reads_what_djangos_loader_reads():
    plain = type("Plain", (BaseTzLoader,), {"timezone": connection.timezone})
    try:
        fast_values = _read(loader_for(connection.timezone))
        plain_values = _read(plain)
    finally:
        connection.close()  # the next test's connection registers its own loader again
    assert fast_values == plain_values
    assert [v.tzinfo for v in fast_values[:-1]] == [datetime.UTC] * len(VALUES)
    assert fast_values[1] == datetime.datetime(2025, 12, 31, 16, 0, 0, 500000, tzinfo=datetime.UTC)
    assert fast_values[-1] is None
