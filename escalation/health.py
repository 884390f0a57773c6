"""What /readyz asks of escalation (settings.READINESS_CHECKS, core/health.py): has a sweep
completed lately, and is any due step late. Each check returns a dict with ``ok``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from escalation.models import EscalationState, SweepRun


def record_sweep(*, finished_at: datetime, duration_ms: int, fired: int) -> None:
    """One row, updated by every completed sweep (racing sweeps: the last writer wins)."""
    SweepRun.objects.update_or_create(
        id=1, defaults={"finished_at": finished_at, "duration_ms": duration_ms, "fired": fired}
    )


def sweep_recent(now: datetime | None = None) -> dict:
    """Not ok when the last completed sweep is older than READY_SWEEP_INTERVALS sweep
    intervals (or none has completed)."""
    now = now or timezone.now()
    limit = settings.READY_SWEEP_INTERVALS * settings.ESCALATION_SWEEP_SECONDS
    last = SweepRun.objects.filter(id=1).values_list("finished_at", flat=True).first()
    if last is None:
        return {"ok": False, "reason": "no sweep has completed", "limit_seconds": limit}
    age = (now - last).total_seconds()
    result: dict = {"ok": age <= limit, "age_seconds": round(age, 1), "limit_seconds": limit}
    if not result["ok"]:
        result["reason"] = "the last completed sweep is too old"
    return result


def due_steps_on_time(now: datetime | None = None) -> dict:
    """Not ok when the oldest due escalation step is more than READY_ESCALATION_LATE_SECONDS
    late."""
    now = now or timezone.now()
    limit = settings.READY_ESCALATION_LATE_SECONDS
    oldest = (
        EscalationState.objects.filter(next_due_at__lte=now)
        .order_by("next_due_at")
        .values_list("next_due_at", flat=True)
        .first()
    )
    late = (now - oldest).total_seconds() if oldest else 0.0
    result: dict = {
        "ok": late <= limit,
        "oldest_late_seconds": round(late, 1),
        "limit_seconds": limit,
    }
    if not result["ok"]:
        result["reason"] = "a due escalation step is late"
        result["due_now"] = EscalationState.objects.filter(
            next_due_at__lte=now - timedelta(seconds=limit)
        ).count()
    return result
