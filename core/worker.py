"""The Celery worker's consumer, reconnecting promptly after a broker outage.

Celery retries a lost broker connection with a back-off that grows by 2 s per try up to
30 s, so a worker that lost Redis for a minute may wait another 16 s (30 s after longer
outages) before it consumes again, and every sweep waits with it. Escalation must catch up
within seconds of the broker's return (issue 14), so this consumer retries every
RETRY_SECONDS instead: one cheap connection attempt per worker, not a storm.
config/celery.py makes it the workers' consumer (``worker_consumer``).
"""

import functools

from celery.worker.consumer import Consumer

RETRY_SECONDS = 1.0


class PromptConsumer(Consumer):
    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=RETRY_SECONDS,
            interval_step=0,
            interval_max=RETRY_SECONDS,
        )
        return super().ensure_connected(conn)
