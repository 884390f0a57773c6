"""Emergency drills (演练): plan, record measured response times and findings; findings
become corrective actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import services
from assessments.exceptions import AssessmentError
from assessments.forms import (
    CorrectiveActionForm,
    DrillForm,
    DrillResultsForm,
    MeasurementFormSet,
)
from assessments.models import Drill, MeasureStep
from core.exceptions import NOT_ALLOWED
from core.web import apply_errors


@login_required
@permission_required("assessments.view_drill", raise_exception=True)
def drill_list(request):
    drills = Drill.objects.prefetch_related("teams").order_by("-scheduled_at")[:200]
    return render(request, "assessments/drills.html", {"drills": drills})


@login_required
@permission_required("assessments.add_drill", raise_exception=True)
def drill_create(request):
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            drill = services.plan_drill(actor=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Drill planned."))
            return redirect("assessments:drill", pk=drill.pk)
    return render(
        request,
        "assessments/drill_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


def _initial_measurements(drill: Drill) -> list[dict]:
    existing = [
        {
            "step": m.step,
            "label": m.label,
            "target_minutes": m.target_minutes,
            "measured_minutes": m.measured_minutes,
        }
        for m in drill.measurements.all()
    ]
    return existing or [
        {"step": s}
        for s in (
            MeasureStep.CONFIRM,
            MeasureStep.DISPATCH,
            MeasureStep.ARRIVE,
            MeasureStep.RESOLVE,
        )
    ]


def _context(drill, results=None, formset=None, action_form=None) -> dict:
    return {
        "drill": drill,
        "results_form": results or DrillResultsForm(initial={"findings": drill.findings}),
        "formset": formset or MeasurementFormSet(initial=_initial_measurements(drill), prefix="m"),
        "action_form": action_form or CorrectiveActionForm(),
        "actions": drill.actions.select_related("owner"),
        "today": timezone.localdate(),
    }


@login_required
@permission_required("assessments.view_drill", raise_exception=True)
def drill_detail(request, pk: int):
    drill = get_object_or_404(Drill.objects.prefetch_related("participants", "teams"), pk=pk)
    if request.method != "POST":
        return render(request, "assessments/drill.html", _context(drill))
    if "add_action" in request.POST:
        return _add_finding(request, drill)
    if not request.user.has_perm("assessments.change_drill"):
        messages.error(request, str(NOT_ALLOWED))
        return redirect("assessments:drill", pk=drill.pk)
    results = DrillResultsForm(request.POST)
    formset = MeasurementFormSet(request.POST, prefix="m")
    if results.is_valid() and formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data.get("measured_minutes") is not None
        ]
        try:
            services.record_drill_results(
                drill,
                actor=request.user,
                measurements=rows,
                findings=results.cleaned_data["findings"],
            )
        except ValidationError as exc:
            apply_errors(results, exc)
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Drill results saved."))
            return redirect("assessments:drill", pk=drill.pk)
    return render(
        request,
        "assessments/drill.html",
        _context(drill, results=results, formset=formset),
        status=422,
    )


def _add_finding(request, drill):
    form = CorrectiveActionForm(request.POST)
    if not request.user.has_perm("assessments.add_correctiveaction"):
        messages.error(request, str(NOT_ALLOWED))
        return redirect("assessments:drill", pk=drill.pk)
    if form.is_valid():
        try:
            services.add_corrective_action(actor=request.user, drill=drill, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Corrective action added."))
            return redirect("assessments:drill", pk=drill.pk)
    return render(request, "assessments/drill.html", _context(drill, action_form=form), status=422)
