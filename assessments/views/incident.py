"""Per incident: the assessment form, corrective actions, sign-off, survey link, and the
service report and assessment as printable pages and PDFs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import reports, services
from assessments.exceptions import AssessmentError
from assessments.forms import (
    AssessmentForm,
    CorrectiveActionForm,
    SignOffForm,
    TechnicianSignatureForm,
)
from assessments.models import Assessment, Survey
from assessments.views.common import incident_page, incident_url
from core.web import apply_errors, error_text, safe_next


def _assessment_context(request, incident, form=None, action_form=None) -> dict:
    assessment = Assessment.objects.filter(incident=incident).first()
    if form is None:
        initial = {}
        if assessment:
            initial = {
                "cause": assessment.cause,
                "summary": assessment.summary,
                "customer_feedback": assessment.customer_feedback,
            }
        form = AssessmentForm(initial=initial)
    return {
        "incident": incident,
        "assessment": assessment,
        "form": form,
        "action_form": action_form or CorrectiveActionForm(),
        "efficiency": services.efficiency(incident),
        "survey": Survey.objects.filter(incident=incident).first(),
        "actions": assessment.actions.select_related("owner") if assessment else [],
        "assessable": incident.status in services.ASSESSABLE_STATUSES,
        "today": timezone.localdate(),
    }


@login_required
@incident_page("assessments.view_assessment")
def assessment(request, incident):
    if request.method != "POST":
        return render(
            request, "assessments/assessment.html", _assessment_context(request, incident)
        )
    form = AssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.save_assessment(
                incident, actor=request.user, submit="submit" in request.POST, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except AssessmentError as exc:
            messages.error(request, str(exc))
            return redirect("assessments:assessment", pk=incident.pk)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            return redirect("assessments:assessment", pk=incident.pk)
        else:
            messages.success(
                request,
                _("Assessment submitted.") if "submit" in request.POST else _("Draft saved."),
            )
            return redirect("assessments:assessment", pk=incident.pk)
    return render(
        request,
        "assessments/assessment.html",
        _assessment_context(request, incident, form=form),
        status=422,
    )


@login_required
@require_POST
@incident_page("assessments.add_correctiveaction")
def add_action(request, incident):
    form = CorrectiveActionForm(request.POST)
    assessment = Assessment.objects.filter(incident=incident).first()
    if assessment is None:
        try:  # an action needs its assessment: start a draft
            assessment = services.save_assessment(incident, actor=request.user)
        except (AssessmentError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return redirect("assessments:assessment", pk=incident.pk)
    if form.is_valid():
        try:
            services.add_corrective_action(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Corrective action added."))
            return redirect("assessments:assessment", pk=incident.pk)
    return render(
        request,
        "assessments/assessment.html",
        _assessment_context(request, incident, action_form=form),
        status=422,
    )


@login_required
@require_POST
@incident_page()
def signoff(request, incident):
    prefix = request.POST.get("prefix") or None
    form = SignOffForm(request.POST, prefix=prefix)
    default = incident_url(incident)
    if form.is_valid():
        try:
            services.record_signoff(incident, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except (AssessmentError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request, _("%(n)s: the customer's sign-off is recorded.") % {"n": incident.number}
            )
            return redirect(safe_next(request, default))
    if form.errors and safe_next(request, default) == reverse(
        "assessments:sign", args=[incident.pk]
    ):
        # Back on the signing page with what was typed (the customer's name) and the error.
        context = _sign_context(request, incident, signoff_form=form)
        return render(request, "assessments/sign.html", context, status=422)
    for message in (m for errors in form.errors.values() for m in errors):
        messages.error(request, message)
    return redirect(safe_next(request, default))


def _sign_context(request, incident, **forms) -> dict:
    data = reports.report_data(incident)
    resolved = incident.status in services.SIGNABLE_STATUSES and bool(incident.resolution)
    may_sign = services.can_sign_off(request.user, incident)
    return {
        "incident": incident,
        "data": data,
        "parts": data.parts,
        "resolved": resolved,
        "signoff": data.signoff,
        "technician_signoff": data.technician_signoff,
        "technician_form": forms.get("technician_form") or TechnicianSignatureForm(),
        "signoff_form": forms.get("signoff_form") or SignOffForm(),
        "can_sign_technician": resolved
        and data.technician_signoff is None
        and services.may_sign_as_technician(request.user, incident),
        "can_sign_customer": resolved and data.signoff is None and may_sign,
    }


@login_required
@incident_page()
def sign(request, incident):
    """On the technician's phone: the work summary (cause, work done, parts), then the
    technician's and the customer's signatures, offered once the resolution is written."""
    if not services.can_sign_off(request.user, incident) and not request.user.has_perm(
        "assessments.view_signoff"
    ):
        raise Http404
    return render(request, "assessments/sign.html", _sign_context(request, incident))


@login_required
@require_POST
@incident_page()
def technician_signoff(request, incident):
    form = TechnicianSignatureForm(request.POST)
    form.is_valid()
    try:
        services.record_technician_signoff(
            incident, actor=request.user, signature=form.cleaned_data.get("signature", "")
        )
    except ValidationError as exc:
        apply_errors(form, exc)
    except (AssessmentError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("%(n)s: your signature is on the report.") % {"n": incident.number}
        )
        return redirect("assessments:sign", pk=incident.pk)
    context = _sign_context(request, incident, technician_form=form)
    return render(request, "assessments/sign.html", context, status=422)


@login_required
@require_POST
@incident_page("assessments.change_survey")
def survey_sent(request, incident):
    survey = Survey.objects.filter(incident=incident).first()
    if survey is None:
        survey = services.create_survey(incident) if incident.resolved_at else None
    if survey:
        services.mark_survey_sent(survey, actor=request.user)
        messages.success(request, _("Marked as sent."))
    return redirect(incident_url(incident))


def _printable(request, incident, template: str):
    data = reports.report_data(incident)
    return render(request, template, {"data": data, "incident": incident, "now": timezone.now()})


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@login_required
@incident_page()
def service_report(request, incident):
    return _printable(request, incident, "assessments/service_report.html")


@require_GET
@login_required
@incident_page()
def service_report_pdf(request, incident):
    pdf = reports.service_report_pdf(reports.report_data(incident), request=request)
    return _pdf(pdf, f"{incident.number}-service-report.pdf")


@require_GET
@login_required
@incident_page("assessments.view_assessment")
def assessment_print(request, incident):
    return _printable(request, incident, "assessments/assessment_print.html")


@require_GET
@login_required
@incident_page("assessments.view_assessment")
def assessment_pdf(request, incident):
    pdf = reports.assessment_pdf(reports.report_data(incident), request=request)
    return _pdf(pdf, f"{incident.number}-assessment.pdf")


def assessment_url(incident) -> str:
    return reverse("assessments:assessment", args=[incident.pk])
