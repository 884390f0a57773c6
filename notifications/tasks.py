"""Celery wrappers only.

``deliver_due`` claims due deliveries in small batches and sends each batch on a few
threads, so a dead endpoint (which waits for its timeout) holds up one thread, not the
others, and the queue never fills with thousands of tiny tasks that would delay the
escalation sweep behind them.
"""

from celery import shared_task

from notifications import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    return services.deliver_batches()
