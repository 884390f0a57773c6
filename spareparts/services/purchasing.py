"""Purchase requests and orders (drafts, submission, placing, cancelling)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.types import Actor
from incidents.models import Incident
from spareparts.exceptions import InvalidStockState
from spareparts.models import (
    Depot,
    OrderStatus,
    Part,
    PurchaseEvent,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequest,
    RequestSource,
    RequestStatus,
)
from spareparts.services.common import _positive, _require, _require_parts_for

# --- purchasing --------------------------------------------------------------------------


def _purchase_event(*, request=None, order=None, status: str, actor: Actor, now, text: str = ""):
    PurchaseEvent.objects.create(
        request=request,
        order=order,
        status=status,
        actor=actor,
        created_at=now,
        text=(text or "")[:255],
    )


def _create_request(
    *, part, depot, quantity, source, actor: Actor, now, incident=None, note: str = ""
) -> PurchaseRequest:
    request = PurchaseRequest.objects.create(
        part=part,
        depot=depot,
        quantity=quantity,
        source=source,
        incident=incident,
        note=(note or "")[:255],
        requested_by=actor,
        created_at=now,
    )
    _purchase_event(
        request=request,
        status=RequestStatus.DRAFT,
        actor=actor,
        now=now,
        text=source,  # the code: shown as its label in the reader's language
    )
    return request


def create_purchase_request(
    *,
    part: Part,
    depot: Depot,
    quantity: int,
    actor: Actor,
    incident: Incident | None = None,
    note: str = "",
    now: datetime | None = None,
) -> PurchaseRequest:
    """A draft request to buy ``quantity`` of ``part`` for ``depot``: from a job when
    ``incident`` is given, else by hand. (Low stock drafts its own.)"""
    now = now or timezone.now()
    if incident is None:
        _require(actor, "spareparts.manage_purchasing")
    else:
        _require_parts_for(actor, incident)
    quantity = _positive(quantity)
    source = RequestSource.JOB if incident else RequestSource.MANUAL
    with transaction.atomic():
        return _create_request(
            part=part,
            depot=depot,
            quantity=quantity,
            source=source,
            incident=incident,
            actor=actor,
            now=now,
            note=note,
        )


def _move_request(
    request: PurchaseRequest,
    frm: Sequence[str],
    to: str,
    *,
    actor: Actor,
    now,
    text: str = "",
    **fields,
) -> PurchaseRequest:
    updated = PurchaseRequest.objects.filter(pk=request.pk, status__in=frm).update(
        status=to, **fields
    )
    if not updated:
        raise InvalidStockState(
            _("This purchase request cannot move to %(s)s.") % {"s": RequestStatus(to).label}
        )
    _purchase_event(request=request, status=to, actor=actor, now=now, text=text)
    request.refresh_from_db()
    return request


def submit_purchase_request(
    request: PurchaseRequest, *, actor: Actor, now: datetime | None = None
) -> PurchaseRequest:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_request(
            request,
            [RequestStatus.DRAFT],
            RequestStatus.SUBMITTED,
            actor=actor,
            now=now or timezone.now(),
        )


def cancel_purchase_request(
    request: PurchaseRequest, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> PurchaseRequest:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_request(
            request,
            [RequestStatus.DRAFT, RequestStatus.SUBMITTED],
            RequestStatus.CANCELLED,
            actor=actor,
            now=now or timezone.now(),
            text=reason,
        )


def create_purchase_order(
    *,
    supplier,
    depot: Depot,
    lines: Sequence[tuple[Part, int, Decimal | int | None]] = (),
    requests: Sequence[PurchaseRequest] = (),
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> PurchaseOrder:
    """A draft order to ``supplier`` delivering to ``depot``: explicit ``lines``
    (part, quantity, unit price) plus one line per request, which become ``ordered``."""
    now = now or timezone.now()
    _require(actor, "spareparts.manage_purchasing")
    if not lines and not requests:
        raise ValidationError(_("An order needs at least one line."))
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            supplier=supplier,
            depot=depot,
            created_by=actor,
            created_at=now,
            note=(note or "")[:255],
        )
        for part, quantity, price in lines:
            PurchaseOrderLine.objects.create(
                order=order, part=part, quantity=_positive(quantity), unit_price=price or 0
            )
        for request in requests:
            line = PurchaseOrderLine.objects.create(
                order=order,
                part=request.part,
                quantity=request.quantity,
                unit_price=request.part.unit_cost,
            )
            _move_request(
                request,
                [RequestStatus.DRAFT, RequestStatus.SUBMITTED],
                RequestStatus.ORDERED,
                actor=actor,
                now=now,
                text=str(order),
                order_line=line,
            )
        _purchase_event(order=order, status=OrderStatus.DRAFT, actor=actor, now=now)
    return order


def _move_order(
    order: PurchaseOrder,
    frm: Sequence[str],
    to: str,
    *,
    actor: Actor,
    now,
    text: str = "",
    **fields,
) -> PurchaseOrder:
    updated = PurchaseOrder.objects.filter(pk=order.pk, status__in=frm).update(status=to, **fields)
    if not updated:
        raise InvalidStockState(
            _("This purchase order cannot move to %(s)s.") % {"s": OrderStatus(to).label}
        )
    _purchase_event(order=order, status=to, actor=actor, now=now, text=text)
    order.refresh_from_db()
    return order


def place_order(
    order: PurchaseOrder, *, actor: Actor, now: datetime | None = None
) -> PurchaseOrder:
    now = now or timezone.now()
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        return _move_order(
            order, [OrderStatus.DRAFT], OrderStatus.PLACED, actor=actor, now=now, placed_at=now
        )


def cancel_order(
    order: PurchaseOrder, *, actor: Actor, reason: str = "", now: datetime | None = None
) -> PurchaseOrder:
    _require(actor, "spareparts.manage_purchasing")
    with transaction.atomic():
        if order.receipts.exists():
            raise InvalidStockState(_("Goods were already received on this order."))
        return _move_order(
            order,
            [OrderStatus.DRAFT, OrderStatus.PLACED],
            OrderStatus.CANCELLED,
            actor=actor,
            now=now or timezone.now(),
            text=reason,
        )
