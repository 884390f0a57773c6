import logging
import os
import signal
import threading
import time

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_prerun,
    worker_ready,
    worker_shutting_down,
)

from core.logging import incident_var, request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The sweep has a queue, and a worker, of its own (Procfile: `-Q escalation`), so nothing
# else (a burst of delivery kicks, a slow report) can stand in front of it. Everything else
# goes to the default queue, which the delivery worker consumes.
ESCALATION_QUEUE = "escalation"
app.conf.task_routes = {"escalation.tasks.*": {"queue": ESCALATION_QUEUE}}
# Beat schedules only while it holds the database lease, so two or more beats may run (one
# per machine); `celery beat -S ...` overrides it (core/beat.py).
app.conf.beat_scheduler = "core.beat:LeaseScheduler"
# Workers retry a lost broker every second, not after Celery's back-off of up to 30 s.
app.conf.worker_consumer = "core.worker:PromptConsumer"

log = logging.getLogger("aftersales.worker")


@worker_ready.connect
def _say_where_links_point(**kwargs):
    """Links in messages are built from SITE_URL; a wrong one sends people to a dead port."""
    from django.conf import settings

    log.warning("links in messages point at %s", settings.SITE_URL)


# --- logs: the settings' format, and each task's request id and incident ---------------------
@setup_logging.connect
def _django_logging(**kwargs):
    """Workers and beat log as the web does (settings.LOGGING: JSON lines in production),
    not in Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@before_task_publish.connect
def _pass_log_context(headers=None, **kwargs):
    """A task sent while handling a request (or another task) carries its request id and
    incident number in the message headers."""
    if headers is not None:
        if request_id_var.get():
            headers.setdefault("request_id", request_id_var.get())
        if incident_var.get():
            headers.setdefault("incident", incident_var.get())


@task_prerun.connect
def _task_log_context(task_id=None, task=None, **kwargs):
    """The task's records carry the sender's request id (else the task id) and incident."""
    request = getattr(task, "request", None)
    request_id_var.set(getattr(request, "request_id", None) or task_id or "")
    incident_var.set(getattr(request, "incident", None) or "")


# --- the watchdog ------------------------------------------------------------------------
# A prefork pool process that dies after a task was handed to it but before it took the
# task loses it without a trace: no error, no time limit (those start when the task is
# taken). The worker keeps it reserved for ever, and with acks_late and a prefetch of one
# per process it fetches nothing more: it answers `inspect` and consumes nothing. The
# watchdog (a thread in the worker's main process) sees a task reserved and never started
# for CELERY_WORKER_STUCK_SECONDS and stops the worker: its unacknowledged messages go back
# to the broker and the supervisor (make run: supervisord; production: systemd or the
# orchestrator) starts a fresh one. Tasks that run too long are ended by the pool's time
# limit (CELERY_TASK_TIME_LIMIT).

_stopping = threading.Event()


def stuck_requests(first_seen: dict[str, float], now: float, limit: float) -> list[str]:
    """Ids of the requests reserved and not started for more than ``limit`` seconds;
    ``first_seen`` (request id → when first seen waiting) is updated in place."""
    from celery.worker import state

    for _ in range(3):  # the worker's loop may change the set while we copy it
        try:
            waiting = [r.id for r in list(state.reserved_requests) if r.time_start is None]
            break
        except RuntimeError:
            continue
    else:
        return []
    for gone in set(first_seen) - set(waiting):
        del first_seen[gone]
    for request_id in waiting:
        first_seen.setdefault(request_id, now)
    return [rid for rid, seen in first_seen.items() if now - seen > limit]


def _watch(limit: float, interval: float) -> None:
    first_seen: dict[str, float] = {}
    while not _stopping.wait(interval):
        stuck = stuck_requests(first_seen, time.monotonic(), limit)
        if stuck:
            log.error(
                "watchdog: %d task(s) reserved and not started for %.0f s (%s): the pool "
                "lost them; stopping this worker so that it is restarted",
                len(stuck),
                limit,
                ", ".join(stuck[:5]),
            )
            _stopping.set()
            os.kill(os.getpid(), signal.SIGTERM)
            # A wedged pool may not let a warm shutdown finish (this thread dies with the
            # process if it does).
            time.sleep(limit)
            log.error("watchdog: the worker did not stop; exiting now")
            os._exit(70)


@worker_ready.connect
def _start_watchdog(**kwargs):
    from django.conf import settings

    limit = settings.CELERY_WORKER_STUCK_SECONDS
    if limit:
        _stopping.clear()
        threading.Thread(
            target=_watch, args=(float(limit), min(2.0, limit / 4)), daemon=True
        ).start()


@worker_shutting_down.connect
def _stop_watchdog(**kwargs):
    _stopping.set()
