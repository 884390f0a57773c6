"""Integration events (created, changed, resolved) written to the webhook outbox in the
transaction of the change. Each hook is listed in settings.INCIDENT_LIFECYCLE; the fourth
event, ``escalated``, comes from the escalation sweep. A hook writes nothing (and asks no
query: the subscribers are cached) when no endpoint subscribes to its event."""

from __future__ import annotations

from datetime import datetime

from incidents.models import Incident
from notifications import services


def integration_created(incident: Incident, *, actor, now: datetime) -> None:
    services.notify_integration_event(incident, "created", step="created", now=now)


def integration_resolved(incident: Incident, *, actor, now: datetime) -> None:
    services.notify_integration_event(incident, "resolved", step="resolved", now=now)


def _changed(incident: Incident, action: str, now: datetime) -> None:
    # The step makes each change its own delivery (an incident changes many times).
    step = f"{action}:{now.timestamp():.6f}"
    services.notify_integration_event(incident, "changed", step=step, now=now)


def integration_confirmed(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "confirm", now)


def integration_dispatched(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "dispatch", now)


def integration_arrived(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "arrive", now)


def integration_closed(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "close", now)


def integration_cancelled(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "cancel", now)


def integration_regraded(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "regrade", now)


def integration_updated(incident: Incident, *, actor, now: datetime) -> None:
    _changed(incident, "update", now)


def customer_message_outcome(message, event: str, *, now: datetime) -> None:
    """settings.MESSAGING_OUTCOME_HOOKS: a customer message was delivered or failed
    (``message_delivered`` / ``message_failed``); the payload names it, without the
    customer's address."""
    services.notify_integration_event(
        message.incident,
        event,
        step=f"message:{message.pk}:{event}",
        now=now,
        extra={
            "customer_message": {
                "id": message.pk,
                "occasion": message.key,
                "kind": message.kind,
                "channel": message.channel,
                "provider": message.provider,
                "status": message.status,
                "reason": message.reason,
                "provider_reason": message.provider_reason,
                "attempts": message.attempts,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
        },
    )
