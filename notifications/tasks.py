"""Celery wrappers only. Deliveries fan out one task each, so a dead endpoint (which
waits for its timeout) never holds up the others."""

from celery import shared_task

from notifications import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    claimed = services.claim_due()
    for pk, attempt in claimed:
        deliver_notification.delay(pk, attempt)
    return len(claimed)


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(pk: int, attempt: int) -> bool | None:
    return services.deliver(pk, attempt)
