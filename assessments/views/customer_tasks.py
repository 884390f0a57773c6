"""Customer service's calls: return visits (回访) and follow-ups of low survey scores,
overdue first, then due, then the latest done; each open one records its call here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import customer_tasks
from assessments.forms import CallForm
from assessments.models import CustomerTask
from core.web import SERVICE_ERRORS, apply_errors, error_text
from incidents.models import Incident


@login_required
@permission_required("assessments.view_customertask", raise_exception=True)
def task_list(request, *, form: CallForm | None = None, failed: int | None = None, status=200):
    now = timezone.now()
    work = customer_tasks.work_list(request.user, now)
    return render(
        request,
        "assessments/customer_tasks.html",
        {
            **work,
            "now": now,
            "form": CallForm(),
            "failed": failed,
            "failed_form": form,
            "can_record": request.user.has_perm("assessments.change_customertask"),
        },
        status=status,
    )


@login_required
@require_POST
def record_call(request, pk: int):
    visible = Incident.objects.restrict(request.user).values("pk")
    task = (
        CustomerTask.objects.filter(pk=pk, incident__in=visible).select_related("incident").first()
    )
    if task is None:
        raise Http404
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            customer_tasks.record_call(task, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except SERVICE_ERRORS as exc:  # done meanwhile, or not allowed
            messages.error(request, error_text(exc))
            return redirect("assessments:customer_tasks")
        else:
            messages.success(
                request, _("Call recorded for %(number)s.") % {"number": task.incident.number}
            )
            return redirect("assessments:customer_tasks")
    return task_list(request, form=form, failed=task.pk, status=422)
