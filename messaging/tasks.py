"""Celery wrappers only. Kicks collapse like the notifications' (one waiting at a time);
the periodic ``deliver_due`` (beat, every 5 s) finds whatever a lost kick left, and the
messages deferred to the morning."""

import logging

from celery import shared_task
from django.core.cache import cache

from messaging import services

log = logging.getLogger(__name__)

KICK_KEY = "messaging:kick-pending"
KICK_SECONDS = 10


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    cache.delete(KICK_KEY)  # a commit from now on may kick again
    return services.deliver_batches()


def kick() -> None:
    """Ask a worker to deliver now, unless a kick is already waiting. Only an accelerator:
    with the broker down, the periodic ``deliver_due`` finds the rows later."""
    try:
        if not cache.add(KICK_KEY, 1, timeout=KICK_SECONDS):
            return
        deliver_due.apply_async(retry=False, expires=KICK_SECONDS)
    except Exception:  # the broker may be down; the outbox keeps the work
        log.warning("broker unavailable; customer messages wait for the next sweep", exc_info=True)
