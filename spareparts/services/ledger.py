"""The balance row and the ledger: the one guarded UPDATE every move goes through.

Each move runs in one transaction and appends to the ledger (``StockMove``) and moves the
matching ``StockBalance`` row with ONE guarded UPDATE::

    UPDATE balance SET on_hand = on_hand + d_on, reserved = reserved + d_res
     WHERE part = p AND depot = d AND on_hand + d_on - reserved - d_res >= 0
                                  AND reserved + d_res >= 0
    RETURNING ...

Balance rows exist before anything moves against them (they are created with the part or
the depot), so there is no insert-on-first-use race: PostgreSQL has no gap locks, and two
"first" reservations that each insert a row could both succeed. The UPDATE takes the row
lock, re-checks the guard on the newest version, and of racing callers only those the stock
covers get a row back; the others get ``NotEnoughStock``. The ledger rows are written before
the UPDATE so the hot row is locked only for the UPDATE and the COMMIT.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from django.db import connection
from django.utils.translation import gettext as _

from core.types import Actor
from spareparts.exceptions import NotEnoughStock
from spareparts.models import (
    Depot,
    Part,
    StockBalance,
    StockMove,
)
from spareparts.services.alerts import _follow_reorder_point

_BALANCE = StockBalance._meta.db_table
# The one guard of every stock move (the reservation accelerator uses it too): after the
# move neither available stock (on hand minus reserved) nor the reserved count is negative.
STOCK_GUARD = (
    "on_hand + %(on_hand)s - reserved - %(reserved)s >= 0 AND reserved + %(reserved)s >= 0"
)
_GUARDED_UPDATE = f"""
    UPDATE {_BALANCE}
       SET on_hand = on_hand + %(on_hand)s, reserved = reserved + %(reserved)s,
           updated_at = %(now)s
     WHERE part_id = %(part)s AND depot_id = %(depot)s AND {STOCK_GUARD}
 RETURNING id, on_hand - reserved, reorder_point, reorder_quantity, low_since
"""  # noqa: S608 - the table name is ours, every value is a parameter


# --- the balance row ---------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceChange:
    balance_id: int
    available: int


def ensure_balances(
    *, parts: Iterable[Part] | None = None, depots: Iterable[Depot] | None = None
) -> int:
    """Create the missing balance rows for ``parts`` x every depot or ``depots`` x every
    part (idempotent). Runs when a part or depot is created, before any move can need it."""
    part_list = list(parts) if parts is not None else list(Part.objects.all())
    depot_list = list(depots) if depots is not None else list(Depot.objects.all())
    rows = [
        StockBalance(
            part=p,
            depot=d,
            reorder_point=p.default_reorder_point,
            reorder_quantity=p.default_reorder_quantity,
        )
        for p in part_list
        for d in depot_list
    ]
    created = StockBalance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(created)


def _move_balance(
    part: Part,
    depot: Depot,
    *,
    on_hand: int = 0,
    reserved: int = 0,
    now: datetime,
    requested: int = 0,
) -> BalanceChange:
    """The one guarded UPDATE. Raises NotEnoughStock when the guard refuses it."""
    with connection.cursor() as cursor:
        cursor.execute(
            _GUARDED_UPDATE,
            {
                "on_hand": on_hand,
                "reserved": reserved,
                "now": now,
                "part": part.pk,
                "depot": depot.pk,
            },
        )
        row = cursor.fetchone()
    if row is None:
        _refuse(part, depot, on_hand=on_hand, reserved=reserved, requested=requested)
    balance_id, available, reorder_point, reorder_quantity, low_since = row
    _follow_reorder_point(
        balance_id,
        part=part,
        depot=depot,
        available=available,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
        low_since=low_since,
        now=now,
    )
    return BalanceChange(balance_id, available)


def _refuse(
    part: Part, depot: Depot, *, on_hand: int = 0, reserved: int = 0, requested: int = 0
) -> NoReturn:
    """The guard refused a move: raise NotEnoughStock with what the balance holds now."""
    current = (
        StockBalance.objects.filter(part=part, depot=depot)
        .values_list("on_hand", "reserved")
        .first()
    )
    if current is not None and reserved < 0 and current[1] + reserved < 0:
        raise NotEnoughStock(
            part,
            depot,
            -reserved,
            current[1],
            what=_("Only %(n)s of %(part)s are reserved at %(depot)s.")
            % {"n": current[1], "part": part.sku, "depot": depot.label},
        )
    available = current[0] - current[1] if current else 0
    raise NotEnoughStock(part, depot, requested or abs(on_hand) or reserved, available)


def _moves(
    part: Part,
    depot: Depot,
    kind: str,
    lots: Sequence[tuple[str, int]],
    *,
    sign_on: int,
    sign_res: int,
    now: datetime,
    actor: Actor = None,
    incident=None,
    reason: str = "",
    reserved_total: int | None = None,
    **links,
) -> list[StockMove]:
    """Ledger rows for one move: one per serial or batch. ``reserved_total`` spreads a
    reservation change that differs from the quantity (an issue partly from stock)."""
    rows = []
    res_left = reserved_total
    for lot, qty in lots:
        res = qty if res_left is None else min(qty, res_left)
        if res_left is not None:
            res_left -= res
        rows.append(
            StockMove(
                part=part,
                depot=depot,
                kind=kind,
                quantity=qty,
                on_hand_delta=sign_on * qty,
                reserved_delta=sign_res * res,
                lot=lot,
                incident=incident,
                user=actor,
                created_at=now,
                reason=(reason or "")[:255],
                **links,
            )
        )
    return StockMove.objects.bulk_create(rows)
