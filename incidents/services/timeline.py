"""The append-only timeline: every service writes its event through here."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from incidents.models import (
    Incident,
    IncidentEvent,
)
from incidents.signals import incident_event


def _record(incident: Incident, kind: str, **fields) -> IncidentEvent:
    """Write the event ``_new_event()`` builds and announce it after commit."""
    event = _new_event(incident, kind, **fields)
    event.save(force_insert=True)
    _announce(incident, event)
    return event


def _new_event(
    incident: Incident,
    kind: str,
    *,
    actor=None,
    now: datetime,
    data: dict | None = None,
    text: str = "",
) -> IncidentEvent:
    """An unsaved event, for writers that insert several rows at once; ``_announce()`` it
    once written."""
    return IncidentEvent(
        incident=incident, kind=kind, actor=actor, created_at=now, data=data or {}, text=text
    )


def _announce(incident: Incident, event: IncidentEvent) -> None:
    """Send ``incident_event`` once the transaction that wrote ``event`` commits."""
    transaction.on_commit(
        lambda: incident_event.send(
            sender=Incident, incident_id=incident.pk, event_id=event.pk, kind=event.kind
        )
    )


def record_event(
    incident: Incident,
    kind: str,
    *,
    actor=None,
    now: datetime | None = None,
    data: dict | None = None,
    text: str = "",
) -> IncidentEvent:
    """Append an event to ``incident``'s timeline, for other apps' services (parts moves,
    escalations, notifications). Call it inside the caller's transaction."""
    return _record(incident, kind, actor=actor, now=now or timezone.now(), data=data, text=text)
