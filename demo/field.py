# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Demo field work (DEMO ONLY): what the technicians' phones sent.

``load()`` runs after the demo incidents exist: every technician has a last position near
their service centre's jobs (the dispatcher's map shows them); one dispatched job gets an
arrival recorded 6 km from the reported location (flagged on its page); another gets a
queue the phone kept offline for half an hour (arrival, two notes), synced now, so its page
shows the phone's times beside the server's. All through field.services, as the phone's
sync does. Idempotent: any synced action is the marker.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from field import services
from field.models import SyncedAction
from incidents.models import Incident, Status


def load() -> None:
    if SyncedAction.objects.exists():
        return
    now = timezone.now()
    _positions(now)
    # Not the demo login's jobs: "technician" keeps a dispatched job to arrive at.
    jobs = list(
        Incident.objects.filter(
            status=Status.DISPATCHED, assignee__isnull=False, latitude__isnull=False
        )
        .exclude(assignee__username="technician")
        .order_by("pk")[:2]
    )
    if jobs:
        _far_arrival(jobs[0], now)
    if len(jobs) > 1:
        _offline_queue(jobs[1], now)


def _near(incident: Incident, north_m: float, east_m: float, accuracy: float) -> dict:
    lat = float(incident.latitude or 0) + north_m / 111_320
    lon = float(incident.longitude or 0) + east_m / 95_000  # about 31°N
    return {
        "status": "ok",
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
        "accuracy": accuracy,
    }


def _positions(now) -> None:
    technicians = get_user_model().objects.filter(groups__name="technician", is_active=True)
    for n, tech in enumerate(technicians.order_by("pk")):
        job = Incident.objects.filter(assignee=tech, latitude__isnull=False).order_by("-pk").first()
        if job is None:
            continue
        fix = _near(job, 300 * (n % 5) - 600, 400 * (n % 3) - 400, 20 + 5 * n)
        services.record_position(
            tech,
            services.Position(
                Decimal(str(fix["latitude"])), Decimal(str(fix["longitude"])), fix["accuracy"]
            ),
            at=now - timedelta(minutes=3 + 7 * n),
        )


def _action(kind: str, job: Incident, at, data=None, position=None) -> dict:
    return {
        "key": uuid.uuid4().hex,
        "kind": kind,
        "job": job.pk,
        "device_at": at.isoformat(),
        "data": data or {},
        "position": position,
    }


def _far_arrival(job: Incident, now) -> None:
    at = now - timedelta(minutes=4)
    services.sync_actions(
        job.assignee,
        [_action("arrive", job, at, position=_near(job, 4_000, 4_500, 35))],
        sent_at=now,
        received_at=now,
    )


def _offline_queue(job: Incident, now) -> None:
    start = now - timedelta(minutes=35)
    queue = [
        _action("arrive", job, start, position=_near(job, 60, -40, 12)),
        _action(
            "note", job, start + timedelta(minutes=6), {"text": "地下车库无信号，已离线记录。"}
        ),
        _action(
            "note",
            job,
            start + timedelta(minutes=18),
            {"text": "Coolant pump replaced; test drive OK. 更换冷却泵，试车正常。"},
        ),
    ]
    services.sync_actions(job.assignee, queue, sent_at=now, received_at=now)
