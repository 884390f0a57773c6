"""Goods received against purchase orders, after incoming inspection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.types import Actor
from spareparts.exceptions import InvalidStockState
from spareparts.models import (
    MoveKind,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Tracking,
)
from spareparts.services.common import _lots, _require, serial_on_hand
from spareparts.services.ledger import _move_balance, _moves
from spareparts.services.purchasing import _move_order


@dataclass
class InspectedLine:
    """What incoming inspection found for one order line."""

    line: PurchaseOrderLine
    accepted: int
    rejected: int = 0
    reason: str = ""
    lots: Sequence[str] = ()


def receive_order(
    order: PurchaseOrder,
    *,
    lines: Sequence[InspectedLine],
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Receipt:
    """Goods arrived and were inspected: accepted units go into the order's depot (one
    ledger row per serial or batch, linked to the receipt line, for traceability); rejected
    units are recorded with their reason and never enter stock. The order becomes partially
    or fully received."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status not in (OrderStatus.PLACED, OrderStatus.PARTIAL):
            raise InvalidStockState(_("Only a placed order can be received."))
        receipt = Receipt.objects.create(
            order=order, received_by=actor, received_at=now, note=(note or "")[:255]
        )
        for item in lines:
            _receive_line(order, receipt, item, actor=actor, now=now)
        if not receipt.lines.exists():
            raise ValidationError(_("Enter the quantities received."))
        left = order.lines.filter(accepted__lt=F("quantity") - F("rejected")).exists()
        _move_order(
            order,
            [order.status],
            OrderStatus.PARTIAL if left else OrderStatus.RECEIVED,
            actor=actor,
            now=now,
            text=str(receipt),
        )
    return receipt


def _receive_line(order, receipt, item: InspectedLine, *, actor: Actor, now) -> None:
    line = PurchaseOrderLine.objects.select_related("part").get(pk=item.line.pk, order=order)
    accepted, rejected = int(item.accepted or 0), int(item.rejected or 0)
    if accepted < 0 or rejected < 0:
        raise ValidationError(_("Quantities cannot be negative."))
    if not accepted and not rejected:
        return
    if accepted + rejected > line.outstanding:
        raise ValidationError(
            _("%(part)s: only %(n)s are still expected.")
            % {"part": line.part.sku, "n": line.outstanding}
        )
    reason = (item.reason or "").strip()
    if rejected and not reason:
        raise ValidationError(_("%(part)s: say why units were rejected.") % {"part": line.part.sku})
    pairs = (
        _lots(line.part, accepted, item.lots, required=line.part.tracking != Tracking.NONE)
        if accepted
        else []
    )
    if line.part.tracking == Tracking.SERIAL:
        dupes = [lot for lot, _q in pairs if serial_on_hand(line.part, lot) > 0]
        if dupes:
            raise ValidationError(_("Already in stock: %(s)s") % {"s": ", ".join(dupes)})
    rline = ReceiptLine.objects.create(
        receipt=receipt,
        order_line=line,
        accepted=accepted,
        rejected=rejected,
        rejection_reason=reason[:255],
        lots=[lot for lot, _q in pairs if lot],
    )
    PurchaseOrderLine.objects.filter(pk=line.pk).update(
        accepted=F("accepted") + accepted, rejected=F("rejected") + rejected
    )
    if accepted:
        _moves(
            line.part,
            order.depot,
            MoveKind.RECEIVE,
            pairs,
            sign_on=1,
            sign_res=0,
            now=now,
            actor=actor,
            reason=str(order),
            receipt_line=rline,
        )
        _move_balance(line.part, order.depot, on_hand=accepted, now=now)
