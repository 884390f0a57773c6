"""Pages of the regulatory panel: start the reports, mark casualties, the report form
(print it, then record it as filed). Incidents are fetched through the access policy
(404 for one the user may not see)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.web import SERVICE_ERRORS, apply_errors, error_text, form_errors_text, run_service
from incidents.access import get_incident_for
from regulatory import services
from regulatory.forms import ReportForm, SevereForm, StartForm
from regulatory.models import RegulatoryCase, RegulatoryReport


def _back(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk]) + "#regulatory-panel"


@login_required
@require_POST
def start(request, pk: int):
    incident = get_incident_for(request, pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form, labels=True))
        return redirect(_back(incident))
    run_service(
        request,
        lambda: services.open_case(
            incident,
            rule=form.cleaned_data["rule"],
            actor=request.user,
            occurred_at=form.cleaned_data["occurred_at"],
            severe=form.cleaned_data["severe"],
        ),
        _("The reports to the regulator are due; their clocks are running."),
    )
    return redirect(_back(incident))


@login_required
@require_POST
def severe(request, pk: int):
    incident = get_incident_for(request, pk)
    case = RegulatoryCase.objects.filter(incident=incident).first()
    if case is None:
        raise Http404
    form = SevereForm(request.POST)
    form.is_valid()  # a boolean: always valid
    run_service(
        request,
        lambda: services.set_severe(
            case, severe=form.cleaned_data.get("severe", False), actor=request.user
        ),
        _("Saved; the first report's due time is counted again."),
    )
    return redirect(_back(incident))


@login_required
@permission_required("regulatory.view_regulatoryreport", raise_exception=True)
def report(request, pk: int):
    found = RegulatoryReport.objects.select_related("case__rule", "filed_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    incident = get_incident_for(request, found.case.incident_id)
    found.case.incident = incident
    if found.filed_at is not None:
        form = ReportForm(initial={**found.content, "reference": found.reference})
    else:
        form = ReportForm(request.POST or None, initial=services.prefill(found))
    if request.method == "POST" and found.filed_at is None and form.is_valid():
        data = dict(form.cleaned_data)
        reference = data.pop("reference")
        try:
            services.file_report(found, actor=request.user, content=data, reference=reference)
        except SERVICE_ERRORS as exc:
            if hasattr(exc, "error_dict"):
                apply_errors(form, exc)  # type: ignore[arg-type]
            else:
                messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Recorded as filed; its clock has stopped."))
            return redirect(_back(incident))
    return render(
        request,
        "regulatory/report.html",
        {
            "report": found,
            "case": found.case,
            "incident": incident,
            "form": form,
            "may_file": request.user.has_perm(services.reports.FILE_PERM)
            and found.filed_at is None,
            "now": timezone.now(),
        },
    )
