"""The one switch between the portable write paths and the PostgreSQL accelerators.

The portable ORM code is the reference: it runs on every database (SQLite for ``make run``
and the embedded-stack test). A few hot writes have a PostgreSQL accelerator, each in one
module whose name says so (``incidents/accel_pg.py``, ``spareparts/services/
reservation_pg.py``, ``escalation/bulk_pg.py``, ``notifications/delivery_pg.py``), each kept
because ``make bench`` shows it pays, and each tested against the portable path
(tests/conftest.py ``write_path``). Every caller asks here which one runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def accelerated(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the PostgreSQL accelerators run: on PostgreSQL, unless
    settings.WRITE_ACCELERATORS turns them off."""
    return settings.WRITE_ACCELERATORS and connections[using].vendor == "postgresql"
