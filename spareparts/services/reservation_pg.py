"""PostgreSQL accelerator of ``reserve_part`` (chosen by core.db.accelerated()): the
incident's share lock, the guarded UPDATE of the balance, the ledger row and the timeline
event in ONE autocommit statement (data-modifying CTEs), one round trip.

Many jobs race for one part at an emergency; every statement a reservation adds while the
hot balance row is locked (and every round trip) costs the whole queue. The statement is
its own transaction, so the server's commit (not a round trip to this process) unlocks the
hot row. It refuses (returns None, having written nothing) whatever needs more than this
statement: an incident that is not open, too little stock (``ledger.STOCK_GUARD``), or a
reservation that crosses the reorder point (the low-stock alert must commit with it). The
caller then takes the portable path (``stock._reserve``), which raises the right error or
writes the alert.

Lock order is the same as everywhere else: the incident (``FOR SHARE``, in the ``EXISTS``
init-plan, which runs before the balance is scanned), then the balance row. The guard is
re-checked on the newest row version when the UPDATE waited for the lock. The inserts read
the UPDATE's ``RETURNING`` rows, so the ledger row and the event exist exactly when the
balance moved. The event's kind, data and text come from ``incidents.timeline``'s builder:
this module only places its values.
"""

from __future__ import annotations

import json
import sys
from weakref import WeakKeyDictionary

import psycopg
from django.db import connection

from incidents.models import OPEN_STATUSES, Incident, IncidentEvent
from spareparts.models import MoveKind, StockBalance, StockMove
from spareparts.services.ledger import STOCK_GUARD

_TEMPLATE = """
WITH i AS (
    SELECT id FROM {incident}
     WHERE id = %(incident)s AND status = ANY(%(open)s)
       FOR SHARE
), b AS (
    UPDATE {balance}
       SET reserved = reserved + %(reserved)s, updated_at = %(now)s
     WHERE part_id = %(part)s AND depot_id = %(depot)s AND {guard}
       AND EXISTS (SELECT 1 FROM i)
       AND (reorder_point = 0
            OR (low_since IS NULL) = (available - %(reserved)s >= reorder_point))
 RETURNING id
), m AS (
    INSERT INTO {move}
           (part_id, depot_id, kind, quantity, on_hand_delta, reserved_delta, lot,
            incident_id, user_id, created_at, reason)
    SELECT %(part)s, %(depot)s, %(move_kind)s, %(reserved)s, %(on_hand)s, %(reserved)s, '',
           %(incident)s, %(actor)s, %(now)s, %(note)s
      FROM b
 RETURNING id
), e AS (
    INSERT INTO {event}
           (incident_id, kind, actor_id, created_at, data, text)
    SELECT %(incident)s, %(event_kind)s, %(actor)s, %(event_at)s,
           %(data)s::jsonb || jsonb_build_object('move', m.id), %(text)s
      FROM m
)
SELECT m.id FROM m
"""
_RESERVE = _TEMPLATE.format(
    incident=Incident._meta.db_table,
    balance=StockBalance._meta.db_table,
    move=StockMove._meta.db_table,
    event=IncidentEvent._meta.db_table,
    guard=STOCK_GUARD,
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


def reserve(
    incident: Incident,
    event: IncidentEvent,
    *,
    part_id: int,
    depot_id: int,
    quantity: int,
    actor_id: int | None,
    now,
    note: str,
) -> int | None:
    """Run the statement; the new ledger row's id, or None when it wrote nothing. Outside
    a transaction only (it must be its own)."""
    if connection.in_atomic_block or not connection.get_autocommit():
        raise RuntimeError("the one-statement reservation must be its own transaction")
    params = {
        "incident": incident.pk,
        "open": list(OPEN_STATUSES),
        "part": part_id,
        "depot": depot_id,
        "on_hand": 0,
        "reserved": quantity,
        "actor": actor_id,
        "now": now,
        "note": note,
        "move_kind": MoveKind.RESERVE.value,
        "event_kind": event.kind,
        "event_at": event.created_at,
        "data": json.dumps(event.data),
        "text": event.text,
    }
    cursor = _prepared_cursor()
    cursor.execute(_RESERVE, params, prepare=True)
    row = cursor.fetchone()
    return None if row is None else row[0]
