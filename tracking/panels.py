"""The incident page's tracking panel: the customer's link, the ETA (set, change, its
history, the prompt when it passed), and a complaint's outcome for customer service."""

from __future__ import annotations

from django.utils import timezone

from incidents import access
from incidents.models import Status
from tracking import services
from tracking.forms import ComplaintOutcomeForm, EtaForm
from tracking.models import ComplaintOutcome, TrackingLink


def detail_panel(request, incident):
    user = request.user
    if not (access.can(user, "dispatch", incident) or user.has_perm("tracking.view_trackinglink")):
        return None  # the desk's and customer service's panel, not the technician's
    now = timezone.now()
    link = TrackingLink.objects.filter(incident=incident).first()
    history = services.eta_history(incident)
    current = history[0].new_eta if history else None
    can_set = incident.status in services.ETA_STATUSES and access.can(user, "dispatch", incident)
    outcome = None
    can_approve = False
    if services.is_complaint(incident):
        outcome = ComplaintOutcome.objects.filter(incident=incident).first()
        can_approve = (
            outcome is None
            and incident.status in (Status.RESOLVED, Status.CLOSED)
            and user.has_perm("tracking.approve_complaintoutcome")
        )
    return "tracking/panels/detail.html", {
        "incident": incident,
        "link_url": services.link_url(link) if link else "",
        "link_expires": services.link_expires_at(incident),
        "eta": current if incident.status in services.ETA_STATUSES else None,
        "history": history,
        "lapsed": bool(current and current < now and incident.status in services.ETA_STATUSES),
        "can_set_eta": can_set,
        "eta_form": EtaForm(
            initial={"eta": timezone.localtime(current).strftime("%Y-%m-%dT%H:%M")}
            if current
            else None
        ),
        "is_complaint": services.is_complaint(incident),
        "outcome": outcome,
        "can_approve": can_approve,
        "outcome_form": ComplaintOutcomeForm(initial={"text": incident.resolution[:500]}),
    }
