"""Celery wrappers only.

``deliver_due`` claims due deliveries in small batches and sends each batch on a few
threads, so a dead endpoint (which waits for its timeout) holds up one thread, not the
others.

Kicks collapse: a commit that writes outbox rows asks for a delivery (``kick``) only when
no kick is already waiting. The waiting mark is a cache key added atomically with a short
TTL and removed when a ``deliver_due`` starts; the message itself expires after the same
TTL. So a burst of thousands of commits leaves at most one kick in the broker (per cache:
one per machine with Redis as the cache, one per process with the local-memory cache), and
nothing queues in front of anything. If the mark outlives a lost message, the periodic
``deliver_due`` (every 5 s, beat) still finds the rows.
"""

import logging

from celery import shared_task
from django.core.cache import cache

from notifications import services

log = logging.getLogger(__name__)

KICK_KEY = "notifications:kick-pending"
KICK_SECONDS = 10


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    cache.delete(KICK_KEY)  # a commit from now on may kick again
    return services.deliver_batches()


def kick() -> None:
    """Ask a worker to deliver now, unless a kick is already waiting. Only an accelerator:
    if the broker (or the cache) is down, the periodic ``deliver_due`` finds the rows
    later, so a failure here is logged and ignored."""
    try:
        if not cache.add(KICK_KEY, 1, timeout=KICK_SECONDS):
            return
        deliver_due.apply_async(retry=False, expires=KICK_SECONDS)
    except Exception:  # the broker may be down; the outbox keeps the work
        log.warning("broker unavailable; notifications wait for the next sweep", exc_info=True)
