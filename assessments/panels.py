"""Panels on the incident page and on the technician's job card (incidents.extensions)."""

from __future__ import annotations

from django.utils import timezone

from assessments import services
from assessments.models import SignOff, Survey, TechnicianSignOff


def _signoff(incident) -> SignOff | None:
    return SignOff.objects.filter(incident=incident).select_related("captured_by").first()


def detail_panel(request, incident):
    """Assessment, survey link, sign-off and the report exports of one incident."""
    user = request.user
    if not (
        user.has_perm("assessments.view_assessment") or user.has_perm("assessments.view_signoff")
    ):
        return None
    assessment = getattr(incident, "assessment", None) if hasattr(incident, "pk") else None
    survey = Survey.objects.filter(incident=incident).first()
    signoff = _signoff(incident)
    technician_signoff = TechnicianSignOff.objects.filter(incident=incident).first()
    can_sign = (
        incident.status in services.SIGNABLE_STATUSES
        and (signoff is None or technician_signoff is None)
        and services.can_sign_off(user, incident)
    )
    return "assessments/panels/detail.html", {
        "incident": incident,
        "assessment": assessment,
        "survey": survey,
        "survey_url": services.survey_url(survey) if survey else "",
        "signoff": signoff,
        "technician_signoff": technician_signoff,
        "can_sign": can_sign,
        "assessable": incident.status in services.ASSESSABLE_STATUSES,
        "needs_assessment": incident.grade in services.ASSESSMENT_REQUIRED_GRADES,
        "efficiency": services.efficiency(incident),
        "now": timezone.now(),
    }


def job_panel(request, incident):
    """On the technician's phone, for an open job: the signatures come after resolving
    (they are taken on the written resolution, on the incident's signing page)."""
    if not services.can_sign_off(request.user, incident):
        return None
    return "assessments/panels/job.html", {"incident": incident}
