"""Stocktakes: count sheets whose differences post as adjustments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.types import Actor
from spareparts.exceptions import InvalidStockState, StocktakeNeedsConfirmation
from spareparts.models import (
    Depot,
    Part,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
)
from spareparts.services.common import _require
from spareparts.services.stock import adjust_stock

# --- stocktakes --------------------------------------------------------------------------


def open_stocktake(
    *,
    depot: Depot,
    actor: Actor,
    parts: Iterable[Part] | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Stocktake:
    """A count sheet for ``depot``: one line per part (all active parts by default) with
    the book quantity at this moment."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    with transaction.atomic():
        take = Stocktake.objects.create(
            depot=depot, created_by=actor, created_at=now, reason=(reason or "")[:255]
        )
        balances = StockBalance.objects.filter(depot=depot, part__is_active=True)
        if parts is not None:
            balances = balances.filter(part__in=list(parts))
        StocktakeLine.objects.bulk_create(
            [
                StocktakeLine(stocktake=take, part_id=b.part_id, expected=b.on_hand)
                for b in balances.only("part_id", "on_hand")
            ],
            batch_size=2000,
        )
    return take


def record_counts(stocktake: Stocktake, counts: dict[int, int | None], *, actor: Actor) -> int:
    """Enter counted quantities by part id (None clears a count). Returns lines changed."""
    _require(actor, "spareparts.move_stock")
    if stocktake.status != StocktakeStatus.OPEN:
        raise InvalidStockState(_("This stocktake is closed."))
    changed = 0
    with transaction.atomic():
        for part_id, counted in counts.items():
            if counted is not None and int(counted) < 0:
                raise ValidationError(_("A count cannot be negative."))
            changed += StocktakeLine.objects.filter(stocktake=stocktake, part_id=part_id).update(
                counted=counted
            )
    return changed


def large_differences(stocktake: Stocktake) -> list[StocktakeLine]:
    """Counted lines whose difference is more than ``SPAREPARTS_STOCKTAKE_CONFIRM_OVER``
    units either way (0: every difference), largest first."""
    over = settings.SPAREPARTS_STOCKTAKE_CONFIRM_OVER
    lines = stocktake.lines.select_related("part").exclude(counted__isnull=True)
    big = [line for line in lines if line.difference and abs(line.difference) > over]
    return sorted(big, key=lambda line: -abs(line.difference or 0))


def post_stocktake(
    stocktake: Stocktake,
    *,
    actor: Actor,
    reason: str,
    confirmed: bool = False,
    now: datetime | None = None,
) -> list[StockMove]:
    """Turn every counted difference into an adjustment with ``reason``. The difference is
    counted - book quantity at opening, applied to today's balance (moves since the count
    are kept). Uncounted lines change nothing. Differences over the confirmation
    threshold raise ``StocktakeNeedsConfirmation`` (nothing written) unless ``confirmed``."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the adjustments.")]})
    moves: list[StockMove] = []
    with transaction.atomic():
        if not confirmed and (big := large_differences(stocktake)):
            raise StocktakeNeedsConfirmation(big)
        updated = Stocktake.objects.filter(pk=stocktake.pk, status=StocktakeStatus.OPEN).update(
            status=StocktakeStatus.POSTED, posted_at=now, reason=reason[:255]
        )
        if not updated:
            raise InvalidStockState(_("This stocktake is closed."))
        lines = stocktake.lines.select_related("part").exclude(counted__isnull=True)
        for line in lines:
            if line.difference:
                moves += adjust_stock(
                    part=line.part,
                    depot=stocktake.depot,
                    delta=line.difference,
                    reason=f"{stocktake}: {reason}",
                    actor=actor,
                    now=now,
                    stocktake=stocktake,
                )
    stocktake.refresh_from_db()
    return moves


def cancel_stocktake(stocktake: Stocktake, *, actor: Actor) -> None:
    _require(actor, "spareparts.move_stock")
    if not Stocktake.objects.filter(pk=stocktake.pk, status=StocktakeStatus.OPEN).update(
        status=StocktakeStatus.CANCELLED
    ):
        raise InvalidStockState(_("This stocktake is closed."))
