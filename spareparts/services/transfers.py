"""Transfers between depots: out when shipped, in when received or cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.types import Actor
from spareparts.exceptions import InvalidStockState
from spareparts.models import (
    Depot,
    MoveKind,
    Part,
    Tracking,
    Transfer,
    TransferStatus,
)
from spareparts.services.common import _lots, _positive, _require, _require_serials_at
from spareparts.services.ledger import _move_balance, _moves


def ship_transfer(
    *,
    part: Part,
    from_depot: Depot,
    to_depot: Depot,
    quantity: int,
    actor: Actor,
    lots: Sequence[str] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Transfer:
    """Take stock out of ``from_depot``; it is in transit until received."""
    now = now or timezone.now()
    _require(actor, "spareparts.move_stock")
    quantity = _positive(quantity)
    if from_depot.pk == to_depot.pk:
        raise ValidationError({"to_depot": [_("Choose a different destination depot.")]})
    pairs = _lots(part, quantity, lots, required=part.tracking == Tracking.SERIAL)
    with transaction.atomic():
        _require_serials_at(part, from_depot, pairs)
        transfer = Transfer.objects.create(
            part=part,
            from_depot=from_depot,
            to_depot=to_depot,
            quantity=quantity,
            lots=[lot for lot, _q in pairs if lot],
            note=(note or "")[:255],
            shipped_by=actor,
            shipped_at=now,
        )
        _moves(
            part,
            from_depot,
            MoveKind.TRANSFER_OUT,
            pairs,
            sign_on=-1,
            sign_res=0,
            now=now,
            actor=actor,
            reason=note,
            transfer=transfer,
        )
        _move_balance(part, from_depot, on_hand=-quantity, now=now, requested=quantity)
    return transfer


def _finish_transfer(
    transfer: Transfer, depot_attr: str, status: str, *, actor: Actor, now: datetime
) -> Transfer:
    with transaction.atomic():
        updated = Transfer.objects.filter(pk=transfer.pk, status=TransferStatus.IN_TRANSIT).update(
            status=status, received_by=actor, received_at=now
        )
        if not updated:
            raise InvalidStockState(_("This transfer is no longer in transit."))
        transfer.refresh_from_db()
        depot = getattr(transfer, depot_attr)
        pairs = [(lot, 1) for lot in transfer.lots] or [("", transfer.quantity)]
        if transfer.lots and transfer.part.tracking != Tracking.SERIAL:
            pairs = [(transfer.lots[0], transfer.quantity)]
        _moves(
            transfer.part,
            depot,
            MoveKind.TRANSFER_IN,
            pairs,
            sign_on=1,
            sign_res=0,
            now=now,
            actor=actor,
            transfer=transfer,
            reason=gettext_noop("Transfer cancelled") if status == TransferStatus.CANCELLED else "",
        )
        _move_balance(transfer.part, depot, on_hand=transfer.quantity, now=now)
    return transfer


def receive_transfer(transfer: Transfer, *, actor: Actor, now: datetime | None = None) -> Transfer:
    """The shipment arrived: into the destination's stock."""
    _require(actor, "spareparts.move_stock")
    return _finish_transfer(
        transfer, "to_depot", TransferStatus.RECEIVED, actor=actor, now=now or timezone.now()
    )


def cancel_transfer(transfer: Transfer, *, actor: Actor, now: datetime | None = None) -> Transfer:
    """The shipment came back: into the source's stock again."""
    _require(actor, "spareparts.move_stock")
    return _finish_transfer(
        transfer, "from_depot", TransferStatus.CANCELLED, actor=actor, now=now or timezone.now()
    )
