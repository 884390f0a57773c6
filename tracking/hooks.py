"""What tracking does when an incident moves (listed in settings.INCIDENT_LIFECYCLE): the
customer is told, each message once (its key)."""

from __future__ import annotations

from datetime import datetime

from core.types import Actor
from incidents.models import Incident
from tracking import services


def tell_received(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """report: the tracking link is made; the customer gets the number, the link and the
    service line."""
    link = services.ensure_link(incident, now=now)
    params = {
        "number": incident.number or "",
        "tracking_url": services.link_url(link),
        "service_line": services.service_line(incident),
    }
    services.tell(incident, "received", params, key=f"received:{incident.pk}", now=now)


def tell_dispatched(incident: Incident, *, actor: Actor, now: datetime) -> None:
    """dispatch: technician's given name and ETA; without an ETA yet, the message goes when
    the dispatcher sets one (tracking.services.set_eta)."""
    services.tell_dispatched(incident, now=now)


def tell_on_site(incident: Incident, *, actor: Actor, now: datetime) -> None:
    params = {"number": incident.number or "", "technician": services.technician_label(incident)}
    services.tell(incident, "on_site", params, key=f"on_site:{incident.pk}", now=now)


def tell_cancelled(incident: Incident, *, actor: Actor, now: datetime) -> None:
    params = {"number": incident.number or "", "service_line": services.service_line(incident)}
    services.tell(incident, "cancelled", params, key=f"cancelled:{incident.pk}", now=now)
