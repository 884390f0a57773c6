"""The customer's tracking page (public, no login, phone first) and the desk's two forms
(the ETA, the complaint outcome) posted from the incident page's tracking panel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments.models import Survey
from core.web import form_errors_text, run_service
from incidents.access import get_incident_for
from incidents.models import Status
from messaging.services import language_of
from tracking import services
from tracking.forms import ComplaintOutcomeForm, EtaForm

LANGUAGES = dict(settings.LANGUAGES)
# The customer's page stops asking for updates once nothing more will change for them.
FINAL_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


def _language(request, incident) -> str:
    chosen = request.GET.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if incident is not None:
        return language_of(incident)
    return translation.get_language_from_request(request)


def _render(request, language: str, template: str, context: dict, status: int = 200):
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "lang": language, "languages": settings.LANGUAGES},
            status=status,
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is the secret: no Referer carries it anywhere (the page posts no form).
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def page(request, token: str):
    """Status steps, ETA, technician's given name, service line, the customer's own report;
    the survey once resolved. HTMX polls for the status part until nothing more changes."""
    now = timezone.now()
    link = services.open_link(token)
    incident = link.incident if link else None
    language = _language(request, incident)
    if link is None or incident is None:
        return _render(request, language, "tracking/page.html", {"state": "unknown"}, 404)
    if services.is_expired(incident, now):
        return _render(request, language, "tracking/page.html", {"state": "expired"}, 410)
    context = _page_context(incident, token, language, now)
    if request.htmx:
        return _render(request, language, "tracking/partials/status.html", context)
    return _render(request, language, "tracking/page.html", {**context, "state": "open"})


def _page_context(incident, token: str, language: str, now) -> dict:
    survey = None
    if incident.status in (Status.RESOLVED, Status.CLOSED):
        survey = Survey.objects.filter(incident=incident).first()
    eta = services.current_eta(incident) if incident.status in services.ETA_STATUSES else None
    with translation.override(language):
        team = incident.team.label if incident.team else ""
    return {
        "incident": incident,
        "steps": services.steps(incident),
        "eta": eta,
        "eta_lapsed": bool(eta and eta < now),
        "technician": services.given_name(incident.assignee),
        "team": team,
        "service_line": services.service_line(incident),
        "survey": survey if survey and not survey.answered_at and survey.expires_at > now else None,
        "survey_answered": bool(survey and survey.answered_at),
        "poll": incident.status not in FINAL_STATUSES,
        "poll_seconds": settings.TRACKING_POLL_SECONDS,
        "poll_url": f"?lang={language}",
        "token": token,
        "now": now,
    }


@login_required
@require_POST
def set_eta(request, pk: int):
    incident = get_incident_for(request, pk, "dispatch")
    form = EtaForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        run_service(
            request,
            lambda: services.set_eta(incident, actor=request.user, eta=form.cleaned_data["eta"]),
            _("Expected arrival of %(number)s set.") % {"number": incident.number},
        )
    return redirect("incidents:detail", pk=incident.pk)


@login_required
@require_POST
def approve_outcome(request, pk: int):
    incident = get_incident_for(request, pk)
    form = ComplaintOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        run_service(
            request,
            lambda: services.approve_complaint_outcome(
                incident, actor=request.user, text=form.cleaned_data["text"]
            ),
            _("Outcome approved; the customer is told."),
        )
    return redirect("incidents:detail", pk=incident.pk)
