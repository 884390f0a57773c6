"""The append-only timeline: every service writes its event through here."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from incidents.models import (
    Incident,
    IncidentEvent,
    render_said,
)
from incidents.signals import incident_event


class Said:
    """Words the system writes on a timeline, kept as their message id and parameters so
    each reader sees them in their own language (``IncidentEvent.display_text``); the
    event's ``text`` holds them in LANGUAGE_CODE for the API and exports. Mark the id with
    ``gettext_noop`` so makemessages finds it; parameters must be JSON values."""

    def __init__(self, msgid: str, **params) -> None:
        self.msgid, self.params = msgid, params


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
    text: str | Said = "",
) -> IncidentEvent:
    """An unsaved event, for writers that insert several rows at once; ``_announce()`` it
    once written."""
    if isinstance(text, Said):
        data = {**(data or {}), "said": [text.msgid, text.params]}
        with override(settings.LANGUAGE_CODE):
            text = render_said(text.msgid, text.params)
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
    text: str | Said = "",
) -> IncidentEvent:
    """Append an event to ``incident``'s timeline, for other apps' services (parts moves,
    escalations, notifications). Call it inside the caller's transaction."""
    return _record(incident, kind, actor=actor, now=now or timezone.now(), data=data, text=text)
