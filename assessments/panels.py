"""Panels on the incident page and on the technician's job card (incidents.extensions)."""

from __future__ import annotations

from django.utils import timezone

from assessments import services
from assessments.forms import SignOffForm
from assessments.models import SignOff, Survey


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
    can_sign = (
        signoff is None
        and incident.status in services.SIGNABLE_STATUSES
        and services.can_sign_off(user, incident)
    )
    return "assessments/panels/detail.html", {
        "incident": incident,
        "assessment": assessment,
        "survey": survey,
        "survey_url": services.survey_url(survey) if survey else "",
        "signoff": signoff,
        "signoff_form": SignOffForm() if can_sign else None,
        "assessable": incident.status in services.ASSESSABLE_STATUSES,
        "needs_assessment": incident.grade in services.ASSESSMENT_REQUIRED_GRADES,
        "efficiency": services.efficiency(incident),
        "now": timezone.now(),
    }


def job_panel(request, incident):
    """On the technician's phone: capture the customer's signature at resolution."""
    signoff = _signoff(incident)
    if signoff is None and not (
        incident.status in services.SIGNABLE_STATUSES
        and services.can_sign_off(request.user, incident)
    ):
        return None
    return "assessments/panels/job.html", {
        "incident": incident,
        "signoff": signoff,
        "signoff_form": SignOffForm(prefix=f"so{incident.pk}") if signoff is None else None,
    }
