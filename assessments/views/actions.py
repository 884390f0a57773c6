"""Corrective actions across assessments and drills; overdue ones stand out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import services
from assessments.filtersets import CorrectiveActionFilterSet
from assessments.forms import ActionStatusForm
from assessments.models import CorrectiveAction
from core.web import SERVICE_ERRORS, error_text, safe_next


@login_required
def action_list(request):
    """Every corrective action for those who may view them; an owner without that
    permission sees their own (they move them along)."""
    data = request.GET.copy()
    if "status" not in data:
        data.setlist("status", ["open", "in_progress"])
    base = CorrectiveAction.objects.select_related(
        "owner", "assessment__incident", "drill"
    ).order_by("due_date", "pk")
    if not request.user.has_perm("assessments.view_correctiveaction"):
        base = base.filter(owner=request.user)
        if not base.exists():
            raise PermissionDenied
    filterset = CorrectiveActionFilterSet(data, queryset=base)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "assessments/actions.html",
        {
            "filter": filterset,
            "page": page,
            "today": today,
            "overdue_count": services.overdue_actions(today).count(),
            "status_form": ActionStatusForm(),
        },
    )


@login_required
@require_POST
def action_status(request, pk: int):
    action = get_object_or_404(CorrectiveAction, pk=pk)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_action_status(
                action, actor=request.user, status=form.cleaned_data["status"]
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("“%(d)s” is now %(s)s.")
                % {"d": action.description[:60], "s": action.get_status_display()},
            )
    return redirect(safe_next(request, "/assessments/actions/"))
