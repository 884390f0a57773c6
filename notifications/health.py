"""What /readyz asks of the outbox (settings.READINESS_CHECKS, core/health.py)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from notifications.models import DeliveryStatus, Notification


def outbox_on_time(now: datetime | None = None) -> dict:
    """Not ok when pending deliveries have been due for more than
    READY_OUTBOX_OVERDUE_SECONDS (a row being sent is leased into the future, so it does not
    count); says how many per channel."""
    now = now or timezone.now()
    limit = settings.READY_OUTBOX_OVERDUE_SECONDS
    overdue = (
        Notification.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lt=now - timedelta(seconds=limit)
        )
        .values("channel")
        .annotate(n=Count("id"))
        .order_by("channel")
    )
    by_channel = {row["channel"]: row["n"] for row in overdue}
    result: dict = {"ok": not by_channel, "overdue": by_channel, "limit_seconds": limit}
    if by_channel:
        result["reason"] = "deliveries are overdue"
    return result
