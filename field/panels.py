"""What field adds to the incident page (the phone's synced actions: times, positions, an
arrival far from the site, what was not applied) and to each job card (navigation)."""

from __future__ import annotations

from django.conf import settings

from field import geo, messages
from field.models import SyncedAction
from incidents import access

SHOWN = 20


def field_panel(request, incident):
    """The phone's actions on the incident page, for anyone who may see the incident."""
    if not access.can(request.user, "view", incident):
        return None
    rows = list(
        SyncedAction.objects.filter(incident=incident)
        .select_related("user")
        .order_by("-acted_at", "-pk")[:SHOWN]
    )
    if not rows:
        return None
    reasons = {r.pk: messages.text(r.message) for r in rows if r.message}
    far = next((r for r in rows if r.far), None)
    return (
        "field/panels/incident.html",
        {
            "rows": [(r, reasons.get(r.pk, "")) for r in rows],
            "far": far,
            "far_km": settings.FIELD_FAR_ARRIVAL_M / 1000,
        },
    )


def navigation_panel(request, incident):
    """Routes to the reported location in Amap and Baidu Maps (their URI schemes, their
    coordinate systems) and the phone's default map."""
    if incident.latitude is None or incident.longitude is None:
        return None
    links = geo.navigation_links(
        float(incident.latitude), float(incident.longitude), incident.location[:60]
    )
    return ("field/panels/navigation.html", {"links": links, "job": incident})
