# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Demo tracking, survey dimensions and customer service's calls (DEMO ONLY).

``load()`` runs after the demo incidents, assessments and surveys exist: every open
incident has its tracking link; one dispatched job's ETA has passed (the dispatcher's
prompt shows on its page), another's is ahead; return visits are due, overdue and done
(the low survey score's follow-up comes from demo/assessments.py's answers).
Idempotent: an incident with an ETA is the marker.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import customer_tasks
from assessments import services as assessments
from assessments.models import CustomerTask, TaskKind
from incidents import services as incident_services
from incidents.models import OPEN_STATUSES, Incident, Status
from tracking import services
from tracking.models import Eta


def load() -> None:
    if Eta.objects.exists():
        return
    now = timezone.now()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_LOGINS)}
    for incident in Incident.objects.filter(status__in=OPEN_STATUSES, tracking_link=None):
        services.ensure_link(incident, now=incident.reported_at)
    _etas(users["dispatcher"], now)
    _close_one_more(users["manager"], now)
    _return_visits(users["customer_service"], now)


_LOGINS = ("dispatcher", "manager", "customer_service")


def _close_one_more(manager, now) -> None:
    """A third closed Level I/II incident (assessed, then closed): three return visits."""
    incident = (
        Incident.objects.filter(status=Status.RESOLVED, grade__in=["I", "II"])
        .order_by("resolved_at")
        .first()
    )
    if incident is None:
        return
    assessments.save_assessment(
        incident,
        actor=manager,
        cause="接触器老化。Worn contactor.",
        summary="更换接触器，复测正常。Contactor replaced, retested.",
        submit=True,
        now=now,
    )
    incident_services.close_incident(incident, actor=manager, now=now)


def _etas(dispatcher, now) -> None:
    """The oldest dispatched job: its ETA passed 25 minutes ago with nobody on site. The
    next one: expected in 40 minutes, once moved (a history of two)."""
    jobs = list(Incident.objects.filter(status=Status.DISPATCHED).order_by("dispatched_at")[:2])
    if jobs:
        lapsed = jobs[0]
        set_at = max(lapsed.dispatched_at, now - timedelta(hours=1))
        services.set_eta(lapsed, actor=dispatcher, eta=now - timedelta(minutes=25), now=set_at)
    if len(jobs) > 1:
        ahead = jobs[1]
        set_at = max(ahead.dispatched_at, now - timedelta(minutes=30))
        services.set_eta(ahead, actor=dispatcher, eta=now + timedelta(minutes=20), now=set_at)
        services.set_eta(ahead, actor=dispatcher, eta=now + timedelta(minutes=40), now=now)


def _return_visits(agent, now) -> None:
    """The closed Level I/II incidents' return visits, as if closed 9, 7 and 10 days ago:
    one overdue, one due today, one done (reached, satisfied)."""
    visits = list(
        CustomerTask.objects.filter(kind=TaskKind.RETURN_VISIT, done_at=None).order_by("pk")[:3]
    )
    shifts = (timedelta(days=-2), timedelta(hours=-2), timedelta(days=-3))
    for task, shift in zip(visits, shifts, strict=False):
        CustomerTask.objects.filter(pk=task.pk).update(due_at=now + shift)
    if len(visits) == 3:
        visits[2].refresh_from_db()
        customer_tasks.record_call(
            visits[2],
            actor=agent,
            outcome="reached",
            satisfied=True,
            note="客户表示车辆运行正常，对处理速度满意。",
            now=now - timedelta(days=2, hours=20),
        )
