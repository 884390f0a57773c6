"""What logistics has to do now: the work list of their home page.

``logistics_work(user, now)`` gathers it in a fixed number of queries (two per bucket:
the count and the first few rows), whatever the size of the stock; the partial
``spareparts/partials/logistics_home.html`` renders it from the context variable
``logistics_work``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone

from core.models import in_active_language
from incidents.models import OPEN_STATUSES
from spareparts.models import (
    LowStockAlert,
    OrderStatus,
    PurchaseOrder,
    PurchaseRequest,
    RequestStatus,
    StockMove,
    Transfer,
    TransferStatus,
)

SHOWN = 5  # rows listed per bucket; the count says how many there are in all


@dataclass
class Bucket:
    count: int
    items: list = field(default_factory=list)
    url: str = ""


@dataclass
class LogisticsWork:
    now: datetime
    low_stock: Bucket
    to_receive: Bucket
    for_jobs: Bucket
    to_order: Bucket
    awaiting_receipt: Bucket

    @property
    def total(self) -> int:
        return sum(
            b.count
            for b in (
                self.low_stock,
                self.to_receive,
                self.for_jobs,
                self.to_order,
                self.awaiting_receipt,
            )
        )


def _bucket(qs, url: str) -> Bucket:
    return Bucket(count=qs.count(), items=list(qs[:SHOWN]), url=url)


def _held_for_jobs():
    """(incident, part, depot) lines still reserved for an open job: to ship or issue.
    Each row: the incident's id and number, the part's and the depot's, what is held."""
    return (
        StockMove.objects.filter(incident__isnull=False, incident__status__in=OPEN_STATUSES)
        .values(
            "incident_id",
            "incident__number",
            "part_id",
            "part__sku",
            "part__name",
            "part__name_zh",
            "depot__name",
            "depot__name_zh",
        )
        .annotate(held=Sum("reserved_delta"), since=Max("created_at"))
        .filter(held__gt=0)
        .order_by("since", "incident_id")
    )


def logistics_work(user, now: datetime | None = None) -> LogisticsWork:
    """The logistics home's work list. ``user`` is the reader (every logistics person
    sees the same list today; it is the place to narrow it to their depots)."""
    now = now or timezone.now()
    stock_url = reverse("spareparts:stock")
    orders_url = reverse("spareparts:orders")
    alerts = (
        LowStockAlert.objects.filter(acknowledged_at__isnull=True, balance__low_since__isnull=False)
        .select_related("balance__part", "balance__depot")
        .order_by("-created_at", "-id")
    )
    transfers = (
        Transfer.objects.filter(status=TransferStatus.IN_TRANSIT)
        .select_related("part", "from_depot", "to_depot")
        .order_by("shipped_at", "id")
    )
    requests = (
        PurchaseRequest.objects.filter(status__in=[RequestStatus.DRAFT, RequestStatus.SUBMITTED])
        .select_related("part", "depot")
        .order_by("created_at", "id")
    )
    orders = (
        PurchaseOrder.objects.filter(status__in=[OrderStatus.PLACED, OrderStatus.PARTIAL])
        .select_related("supplier", "depot")
        .annotate(n_lines=Count("lines"))
        .order_by("placed_at", "id")
    )
    held = _held_for_jobs()
    jobs = [
        {
            **row,
            "part_label": in_active_language(row["part__name"], row["part__name_zh"]),
            "depot_label": in_active_language(row["depot__name"], row["depot__name_zh"]),
        }
        for row in held[:SHOWN]
    ]
    return LogisticsWork(
        now=now,
        low_stock=_bucket(alerts, f"{stock_url}?low=on"),
        to_receive=_bucket(transfers, reverse("spareparts:transfers")),
        for_jobs=Bucket(count=held.count(), items=jobs),
        to_order=_bucket(requests, orders_url),
        awaiting_receipt=_bucket(orders, f"{orders_url}?status=open"),
    )
