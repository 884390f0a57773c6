"""What escalation adds to the incident page (incidents.extensions.detail_panels)."""

from escalation import querysets


def incident_panel(request, incident):
    """incidents.extensions.detail_panels: steps due vs fired, with their lateness."""
    data = querysets.incident_escalation(incident)
    if not data["states"]:
        return None
    return "escalation/panel.html", data
