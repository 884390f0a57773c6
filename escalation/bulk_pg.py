"""PostgreSQL accelerators of the escalation sweep (chosen by core.db.accelerated()).

A sweep batch writes thousands of ledger rows and moves hundreds of clocks: COPY for the
ledger rows (portable twin: ``bulk_create``) and one UPDATE ... FROM unnest(...) for the
clocks (portable twin: ``bulk_update``, whose CASE chains cost more). The timeline events
go through incidents.timeline.write like every other event.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from escalation.models import EscalationFire, EscalationState
from notifications.delivery_pg import copy_rows

FIRE_COLUMNS = (
    "state_id",
    "incident_id",
    "target",
    "seq",
    "level",
    "is_reminder",
    "due_at",
    "fired_at",
    "outcome",
    "superseded_by",
    "reason",
)


def insert_fires(fires: Sequence[EscalationFire]) -> None:
    copy_rows(
        EscalationFire._meta.db_table,
        FIRE_COLUMNS,
        [tuple(getattr(f, c) for c in FIRE_COLUMNS) for f in fires],
    )


def save_states(states: Sequence[EscalationState]) -> None:
    """The advanced (or ended) clocks, in one statement."""
    table = EscalationState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} AS s SET next_seq = v.seq, next_due_at = v.due,
                fired_count = v.fired, last_fired_seq = v.last,
                ended_at = v.ended, end_reason = v.reason
            FROM unnest(%s::bigint[], %s::int[], %s::timestamptz[], %s::int[], %s::int[],
                        %s::timestamptz[], %s::text[])
                AS v(id, seq, due, fired, last, ended, reason)
            WHERE s.id = v.id""",  # noqa: S608 - table name from model meta
            [
                [s.pk for s in states],
                [s.next_seq for s in states],
                [s.next_due_at for s in states],
                [s.fired_count for s in states],
                [s.last_fired_seq for s in states],
                [s.ended_at for s in states],
                [s.end_reason for s in states],
            ],
        )
