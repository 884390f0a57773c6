"""The reservation on PostgreSQL: the incident's share lock, the guarded UPDATE of the
balance, the ledger row and the timeline event in ONE statement (data-modifying CTEs).

Many jobs race for one part at an emergency; every statement a reservation adds while the
hot balance row is locked (and every round trip) costs the whole queue. The statement is
server-side prepared. When no row comes back nothing was written: the caller then finds
out why (incident not open, or not enough stock) and raises.

Lock order is the same as everywhere else: the incident (``FOR SHARE``, in the ``EXISTS``
init-plan, which runs before the balance is scanned), then the balance row. The guard is
re-checked on the newest row version when the UPDATE waited for the lock, so racing callers
only get a row back while the stock covers them. The inserts read the UPDATE's ``RETURNING``
rows, so the ledger row and the event exist exactly when the balance moved: balances keep
equalling their ledger's sum.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

import psycopg
from django.db import connection, transaction

from incidents.models import OPEN_STATUSES, EventKind, Incident, IncidentEvent
from incidents.signals import incident_event
from spareparts.models import StockBalance, StockMove

_RESERVE = """
WITH i AS (
    SELECT id FROM {incident}
     WHERE id = %(incident)s AND status = ANY(%(open)s)
       FOR SHARE
), b AS (
    UPDATE {balance}
       SET reserved = reserved + %(quantity)s, updated_at = %(now)s
     WHERE part_id = %(part)s AND depot_id = %(depot)s AND available >= %(quantity)s
       AND EXISTS (SELECT 1 FROM i){guard}
 RETURNING id, on_hand - reserved AS available, reorder_point, reorder_quantity, low_since
), m AS (
    INSERT INTO {move}
           (part_id, depot_id, kind, quantity, on_hand_delta, reserved_delta, lot,
            incident_id, user_id, created_at, reason)
    SELECT %(part)s, %(depot)s, %(move_kind)s, %(quantity)s, 0, %(quantity)s, '',
           %(incident)s, %(actor)s, %(now)s, %(note)s
      FROM b
 RETURNING id
), e AS (
    INSERT INTO {event}
           (incident_id, kind, actor_id, created_at, data, text)
    SELECT %(incident)s, %(event_kind)s, %(actor)s, %(now)s,
           %(data)s::jsonb || jsonb_build_object('move', m.id), %(text)s
      FROM m
 RETURNING id
)
SELECT b.id, b.available, b.reorder_point, b.reorder_quantity, b.low_since, m.id, e.id
  FROM b, m, e
"""
_TABLES = {
    "incident": Incident._meta.db_table,
    "balance": StockBalance._meta.db_table,
    "move": StockMove._meta.db_table,
    "event": IncidentEvent._meta.db_table,
}
# Inside the caller's transaction: any reservation the stock covers.
_IN_TRANSACTION = _RESERVE.format(**_TABLES, guard="")
# A statement of its own (autocommit): only while the balance stays on the same side of
# its reorder point, so there is no low-stock work that would have to commit with it.
_ON_ITS_OWN = _RESERVE.format(
    **_TABLES,
    guard="""
       AND (reorder_point = 0
            OR (low_since IS NULL) = (available - %(quantity)s >= reorder_point))""",
)


def _prepared_cursor() -> psycopg.Cursor:
    """This connection's cursor that binds server-side and can prepare (kept per
    connection: making one per call costs more than the rest of the Python side). Django's
    cursors bind client-side (values spliced into the SQL text, parsed and planned on every
    call) and Django turns psycopg's automatic preparing off (``prepare_threshold=None``,
    for poolers). A threshold no statement reaches keeps it off for every statement but the
    ones that ask with ``prepare=True``."""
    connection.ensure_connection()
    raw = connection.connection
    cursor = _cursors.get(raw)
    if cursor is None or cursor.closed:
        if raw.prepare_threshold is None:
            raw.prepare_threshold = sys.maxsize
        cursor = _cursors[raw] = psycopg.Cursor(raw)
    return cursor


_cursors: WeakKeyDictionary[psycopg.Connection, psycopg.Cursor] = WeakKeyDictionary()


@dataclass(frozen=True)
class Reserved:
    balance_id: int
    available: int
    reorder_point: int
    reorder_quantity: int
    low_since: datetime | None
    move_id: int
    event_id: int


def reserve_in_one_statement(
    incident: Incident,
    *,
    part_id: int,
    depot_id: int,
    quantity: int,
    actor_id: int | None,
    now: datetime,
    note: str,
    data: dict,
    text: str,
    on_its_own: bool = False,
) -> Reserved | None:
    """Run the statement; None when it wrote nothing. Queues the ``incident_event`` signal
    for after the commit (as ``incidents.services`` does for every event it records).

    ``on_its_own``: the connection is in autocommit and the statement is its own
    transaction (one round trip; the hot row is unlocked by the server's commit, not after
    a round trip to this process). Then it also refuses a reservation that would cross the
    reorder point: that one needs the low-stock alert in the same transaction, so the caller
    retries it in one.
    """
    params = {
        "incident": incident.pk,
        "open": list(OPEN_STATUSES),
        "part": part_id,
        "depot": depot_id,
        "quantity": quantity,
        "actor": actor_id,
        "now": now,
        "note": note,
        "move_kind": "reserve",
        "event_kind": str(EventKind.PART_RESERVED),
        "data": json.dumps(data),
        "text": text,
    }
    cursor = _prepared_cursor()
    cursor.execute(_ON_ITS_OWN if on_its_own else _IN_TRANSACTION, params, prepare=True)
    row = cursor.fetchone()
    if row is None:
        return None
    done = Reserved(*row)
    transaction.on_commit(
        lambda: incident_event.send(
            sender=Incident,
            incident_id=incident.pk,
            event_id=done.event_id,
            kind=EventKind.PART_RESERVED,
        )
    )
    return done
