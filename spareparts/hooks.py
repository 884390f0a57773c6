"""What spare parts do when an incident moves (listed, in order, in
settings.INCIDENT_LIFECYCLE; each runs inside the transition's transaction)."""

from __future__ import annotations

from datetime import datetime

from incidents.models import Incident
from spareparts.services import lifecycle


def reserve_replacement_unit(incident: Incident, *, actor, now: datetime) -> None:
    """report, confirm, dispatch: a whole-unit replacement job reserves its unit (once)."""
    if lifecycle.wants_unit_replacement(incident):
        lifecycle.on_unit_replacement(incident, actor=actor, now=now)


def release_reservations(incident: Incident, *, actor, now: datetime) -> None:
    """close: what the job still holds reserved goes back to available stock."""
    lifecycle.on_incident_closed(incident, actor=actor, now=now)


def release_on_cancel(incident: Incident, *, actor, now: datetime) -> None:
    """cancel: reservations go back and the failed-unit return is dropped."""
    lifecycle.on_incident_cancelled(incident, actor=actor, now=now)
