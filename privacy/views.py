"""Pages: the reveal control of the incident page, the managers' reveal log and the
access report (who accessed which customers' records between two dates, for a PIPL
Art. 57 notice), on screen and as CSV."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.exports import safe_row
from core.web import apply_errors, form_errors_text
from incidents.access import get_incident_for
from privacy import services
from privacy.forms import PeriodForm, RevealForm
from privacy.models import RevealLog
from privacy.templatetags.privacy import customer_contact

PAGE_SIZE = 50
DEFAULT_DAYS = 30


@login_required
@require_POST
def reveal(request, pk: int):
    """Reveal the customer of incident ``pk`` (reason required). HTMX swaps the customer
    line in place; without JS the incident page shows it in clear for the reveal window."""
    incident = get_incident_for(request, pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            services.reveal(incident, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
    if request.htmx:
        context = {"request": request, "user": request.user, "csrf_token": get_token(request)}
        context = customer_contact(context, incident, form=form if form.errors else None)
        return render(request, "privacy/customer.html", context)
    if form.errors:
        messages.error(request, form_errors_text(form))
    return redirect("incidents:detail", pk=incident.pk)


def _period(form: PeriodForm) -> tuple[datetime, datetime, int | None]:
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    start_day = data.get("start") or today - timedelta(days=DEFAULT_DAYS)
    end_day = data.get("end") or today
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, time.min, tzinfo=tz)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=tz)
    user_id = None
    if data.get("user"):
        user_id = (
            get_user_model()
            .objects.filter(username=data["user"].strip())
            .values_list("pk", flat=True)
            .first()
        ) or -1
    return start, end, user_id


@login_required
@permission_required("privacy.view_reveallog", raise_exception=True)
@require_GET
def reveal_log(request):
    form = PeriodForm(request.GET or None)
    start, end, user_id = _period(form)
    reveals = RevealLog.objects.select_related("user", "incident").order_by("-created_at", "-id")
    incident = request.GET.get("incident", "")
    if incident.isdigit():
        # One incident's reveals (the link on its page): all of them unless a period is set.
        reveals = reveals.filter(incident_id=int(incident))
    if not incident.isdigit() or request.GET.get("start") or request.GET.get("end"):
        reveals = reveals.filter(created_at__gte=start, created_at__lt=end)
    if user_id:
        reveals = reveals.filter(user_id=user_id)
    page = Paginator(reveals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/reveal_log.html",
        {"form": form, "page": page, "start": start, "end": end - timedelta(days=1)},
    )


@login_required
@permission_required("privacy.view_access_report", raise_exception=True)
@require_GET
def access_report(request):
    form = PeriodForm(request.GET or None)
    start, end, user_id = _period(form)
    if request.GET.get("format") == "csv" and (not request.GET or form.is_valid()):
        return _report_csv(start, end, user_id)
    rows = list(_first(services.access_report(start, end, user_id=user_id), PAGE_SIZE + 1))
    return render(
        request,
        "privacy/access_report.html",
        {
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "csv_url": f"{reverse('privacy:access_report')}?{_with_csv(request)}",
            "start": start,
            "end": end - timedelta(days=1),
        },
    )


def _first(iterator, n):
    for i, row in enumerate(iterator):
        if i >= n:
            return
        yield row


def _with_csv(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _report_csv(start, end, user_id) -> StreamingHttpResponse:
    from django.utils.translation import gettext as _

    writer = csv.writer(_Echo())
    head = [_("Time"), _("User"), _("Access"), _("Incidents"), _("Records"), _("Reason")]

    def stream():
        yield "\ufeff" + writer.writerow(head)
        for row in services.access_report(start, end, user_id=user_id):
            yield writer.writerow(
                safe_row(
                    [
                        timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                        row.username,
                        row.kind_label,
                        " ".join(str(i) for i in row.incident_ids),
                        row.rows,
                        row.reason,
                    ]
                )
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    name = f"customer-data-access-{start:%Y%m%d}-{end - timedelta(days=1):%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
