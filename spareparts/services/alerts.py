"""Low stock: once per crossing of the reorder point, an alert and a draft request."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.types import Actor
from spareparts.models import (
    Depot,
    LowStockAlert,
    Part,
    RequestSource,
    StockBalance,
)
from spareparts.services.common import _require
from spareparts.services.purchasing import _create_request

log = logging.getLogger(__name__)


def _raise_low_stock(
    balance_id: int,
    *,
    part: Part,
    depot: Depot,
    available: int,
    reorder_point: int,
    reorder_quantity: int,
    now: datetime,
) -> None:
    """Available fell below the reorder point: ``low_since`` flips with a conditional
    UPDATE, so once per crossing there is one alert and one draft request."""
    flipped = StockBalance.objects.filter(
        pk=balance_id, low_since__isnull=True, reorder_point__gt=0, available__lt=F("reorder_point")
    ).update(low_since=now)
    if not flipped:
        return  # a concurrent checker raised it, or stock came back meanwhile
    request = _create_request(
        part=part,
        depot=depot,
        quantity=max(reorder_quantity, reorder_point - available, 1),
        source=RequestSource.LOW_STOCK,
        actor=None,
        now=now,
    )
    alert = LowStockAlert.objects.create(
        balance_id=balance_id,
        available=available,
        reorder_point=reorder_point,
        created_at=now,
        request=request,
    )
    transaction.on_commit(lambda: notify_low_stock(alert.pk))


def notify_low_stock(alert_id: int) -> None:
    """Tell logistics (in-app, and email where they take it), each in their language; the
    alert list on the stock page shows the same."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from notifications.services import notify_users

    alert = LowStockAlert.objects.select_related("balance__part", "balance__depot").get(pk=alert_id)
    part, depot = alert.balance.part, alert.balance.depot

    def text(language: str) -> tuple[str, str]:
        with override(language):
            title = _("Low stock: %(part)s at %(depot)s") % {
                "part": f"{part.sku} {part.label}",
                "depot": depot.label,
            }
            body = _("%(available)s available, below the reorder point of %(point)s.") % {
                "available": alert.available,
                "point": alert.reorder_point,
            }
            if alert.request_id:
                body += " " + _("A draft purchase request was made.")
        return title, body

    logistics = get_user_model().objects.filter(groups__name="logistics")
    try:
        notify_users(
            logistics.values_list("pk", flat=True),
            event="low_stock",
            step=f"low_stock:{alert.pk}",
            text=text,
            url=settings.SITE_URL + reverse("spareparts:part", args=[part.pk]),
        )
    except Exception:  # a notification must never break a stock move
        log.exception("low-stock notification failed for alert %s", alert_id)


def _follow_reorder_point(
    balance_id: int,
    *,
    part: Part,
    depot: Depot,
    available: int,
    reorder_point: int,
    reorder_quantity: int,
    low_since,
    now: datetime,
) -> None:
    """Flip ``low_since`` when available crossed the reorder point (either way)."""
    if not reorder_point:
        return
    if available < reorder_point and low_since is None:
        _raise_low_stock(
            balance_id,
            part=part,
            depot=depot,
            available=available,
            reorder_point=reorder_point,
            reorder_quantity=reorder_quantity,
            now=now,
        )
    elif available >= reorder_point and low_since is not None:
        StockBalance.objects.filter(
            pk=balance_id, low_since__isnull=False, available__gte=F("reorder_point")
        ).update(low_since=None)


def acknowledge_alert(alert: LowStockAlert, *, actor: Actor, now: datetime | None = None) -> None:
    _require(actor, "spareparts.move_stock")
    LowStockAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now(), acknowledged_by=actor
    )
