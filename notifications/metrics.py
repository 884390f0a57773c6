"""The outbox's figures for GET /metrics (escalation/metrics.py serves them), read from the
database at scrape time."""

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, F
from django.utils import timezone
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily

from core.metrics import histogram_buckets, newest_id_floor
from notifications.models import Channel, DeliveryStatus, Notification

WINDOW = timedelta(minutes=5)
# delivered_at has no index: the latency covers the rows delivered in the window among the
# newest RECENT_ROWS outbox rows (a delivery retried for longer may be left out).
RECENT_ROWS = 20_000
LATENCY_BOUNDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


class OutboxCollector:
    def collect(self) -> Iterator[GaugeMetricFamily | GaugeHistogramMetricFamily]:
        now = timezone.now()
        yield self.outbox()
        yield self.latency(now)

    def outbox(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "aftersales_outbox_notifications",
            "Outbox rows pending or failed, by channel",
            labels=["channel", "status"],
        )
        counts = (
            Notification.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .values("channel", "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        seen = {(row["channel"], row["status"]): row["n"] for row in counts}
        for channel in Channel.values:
            for status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
                family.add_metric([channel, str(status)], seen.get((channel, status), 0))
        return family

    def latency(self, now) -> GaugeHistogramMetricFamily:
        family = GaugeHistogramMetricFamily(
            "aftersales_delivery_latency_seconds",
            "Time from outbox row to delivery (delivered - created) of the notifications "
            "delivered in the last 5 minutes, by channel",
            labels=["channel"],
        )
        recent = Notification.objects.filter(
            pk__gte=newest_id_floor(Notification.objects.all(), RECENT_ROWS),
            status=DeliveryStatus.DELIVERED,
            delivered_at__gte=now - WINDOW,
        )
        for channel in Channel.values:
            buckets, seconds = histogram_buckets(
                recent.filter(channel=channel),
                F("delivered_at") - F("created_at"),
                LATENCY_BOUNDS,
            )
            family.add_metric([channel], buckets, seconds)
        return family
