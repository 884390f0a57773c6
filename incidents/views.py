"""Browser pages of the incident desk. Thin: form → service → redirect or render."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pagination import CappedPaginator
from core.web import SERVICE_ERRORS, apply_errors, error_text, form_errors_text, safe_next
from customers import display as customer_display
from customers.services import find_by_phone as find_customer
from incidents import services
from incidents.access import get_incident_for
from incidents.exceptions import IncidentError
from incidents.extensions import detail_panels, render_job_cards, render_panels
from incidents.forms import (
    ACTION_FORMS,
    DirectiveProgressForm,
    EditReportForm,
    NoteForm,
    PhotoForm,
    ReportForm,
)
from incidents.models import OPEN_STATUSES, Directive, Grade, Incident, ResponsePolicy
from incidents.services import lookup

PAGE_SIZE = 50
# How often an open incident's page asks whether it changed (people wait for a confirmation
# or an arrival: it shows within this many seconds, under the 5 s users asked for).
LIVE_SECONDS = 4
# Session flag: a report was just saved, so the browser may drop its local draft (intake.js).
DRAFT_SAVED = "intake_draft_saved"


def _policy_minutes() -> dict:
    policies = {p.grade: p for p in ResponsePolicy.objects.all()}
    return {
        grade: (policies.get(grade) or services.policy_for(grade)).confirm_minutes
        for grade in Grade.values
    }


@login_required
@permission_required("incidents.report_incident", raise_exception=True)
def incident_create(request):
    form = ReportForm(request.POST or None, initial={"channel": "hotline"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                actor=request.user,
                title=data["title"],
                category=data["category"],
                grade=data["grade"],
                reported_at=data.get("reported_at"),
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Report %(n)s logged.") % {"n": incident.number})
            # The incident page tells the browser to drop its local draft of this form.
            request.session[DRAFT_SAVED] = True
            return redirect("incidents:detail", pk=incident.pk)
    if form.is_bound:
        form.focus_first_error()
    return render(
        request,
        "incidents/form.html",
        {"form": form, "policy_minutes": _policy_minutes(), **_preview(form)},
        status=422 if form.is_bound else 200,
    )


def _preview(form) -> dict:
    """The deadline preview for the grade already chosen (kept after a failed submit)."""
    grade = form["grade"].value() if form.is_bound else None
    if grade not in Grade.values:
        return {"deadlines": None}
    reported_at = form.cleaned_data.get("reported_at") if hasattr(form, "cleaned_data") else None
    now = timezone.now()
    if not reported_at or reported_at > now:
        reported_at = now
    return {"deadlines": services.compute_deadlines(grade, reported_at), "grade": grade, "now": now}


INLINE_FIELDS = ("title", "customer_phone", "asset_ref", "latitude", "longitude", "reported_at")


@login_required
@permission_required("incidents.report_incident", raise_exception=True)
@require_POST
def validate_field(request, name: str):
    """HTMX: re-render one intake field with its errors as the dispatcher leaves it."""
    if name not in INLINE_FIELDS:
        raise Http404
    form = ReportForm(request.POST)
    form.is_valid()
    bound = form[name]
    errors = form.errors.get(name) if request.POST.get(name) else None
    return render(
        request, "incidents/partials/inline_field.html", {"field": bound, "errors": errors}
    )


@login_required
@permission_required("incidents.report_incident", raise_exception=True)
@require_GET
def caller_history(request):
    """HTMX: as the phone or VIN is typed, the caller's and vehicle's earlier incidents, and
    a warning with a link when one of them is still open."""
    phone = request.GET.get("customer_phone", "")
    history = lookup.caller_history(
        Incident.objects.restrict(request.user),
        phone=phone,
        asset_ref=request.GET.get("asset_ref", ""),
    )
    return render(
        request,
        "incidents/partials/caller_history.html",
        {
            "history": history,
            "now": timezone.now(),
            **_caller_customer(request, phone),
        },
    )


CUSTOMER_HISTORY = 5


def _caller_customer(request, phone: str) -> dict:
    """The customer record of the phone being typed (one read on the phones' unique blind
    index), as the dispatcher may see it, with their latest incidents, open ones first."""
    found = find_customer(phone) if lookup.looks_like_phone(phone) else None
    if found is None:
        return {"customer": None}
    open_first = Case(When(status__in=OPEN_STATUSES, then=0), default=1)
    incidents = list(
        Incident.objects.restrict(request.user)
        .filter(customer=found)
        .order_by(open_first, "-reported_at")[:CUSTOMER_HISTORY]
    )
    return {
        "customer": found,
        "customer_shown": customer_display.shown(request.user, found),
        "customer_incidents": incidents,
        "customer_picked": request.GET.get("customer") == str(found.pk),
    }


@login_required
@require_GET
def deadline_preview(request):
    """HTMX: the confirm/arrive/resolve deadlines for the grade and time being typed."""
    grade = request.GET.get("grade")
    if grade not in Grade.values:
        return HttpResponse("")
    reported_at = parse_datetime(request.GET.get("reported_at") or "") or timezone.now()
    if timezone.is_naive(reported_at):
        reported_at = timezone.make_aware(reported_at)
    deadlines = services.compute_deadlines(grade, reported_at)
    return render(
        request,
        "incidents/partials/deadline_preview.html",
        {"deadlines": deadlines, "grade": grade, "now": timezone.now()},
    )


@login_required
@require_GET
def keyboard(request):
    """The keyboard help and the go-to box (shortcuts.js fetches it on the first "?")."""
    example = f"{settings.INCIDENT_NUMBER_PREFIX}-{timezone.localdate():%Y%m%d}-000042"
    return render(request, "incidents/partials/keyboard.html", {"example_number": example})


@login_required
@require_GET
def goto(request):
    """Jump to an incident by its number, typed in full or as its last digits."""
    text = (request.GET.get("number") or "").strip()
    incident = lookup.by_number(Incident.objects.restrict(request.user), text) if text else None
    if incident is not None:
        return redirect(incident_url(incident))
    if text:
        messages.info(request, _("No incident numbered %(text)s.") % {"text": text})
    return redirect(f"{reverse('incidents:list')}?{urlencode({'search': text})}")


@login_required
def incident_detail(request, pk: int):
    incident = get_incident_for(
        request,
        pk,
        queryset=Incident.objects.select_related("category", "assignee", "team", "reporter"),
    )
    context = _detail_context(request, incident)
    context["draft_saved"] = request.session.pop(DRAFT_SAVED, False)
    return render(request, "incidents/detail.html", context)


def _live_version(incident, last_event_id) -> str:
    """Changes whenever what the live parts of the incident page show changes: a transition
    or edit (``updated_at``) or a new timeline event (its id)."""
    return f"{incident.updated_at.isoformat()}/{last_event_id or 0}"


@login_required
@require_GET
def incident_live(request, pk: int):
    """HTMX poll of the incident page: 204 while nothing changed (two queries), else its
    pills, deadlines and timeline to swap in place. The page stops asking once the incident
    is closed or cancelled (the poller is rendered without a trigger)."""
    incident = get_incident_for(request, pk)
    last = incident.events.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    version = _live_version(incident, last)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    events = incident.events.select_related("actor").order_by("created_at", "id")
    context = {
        "incident": incident,
        "events": events,
        "now": timezone.now(),
        "live_version": version,
        "live_seconds": LIVE_SECONDS,
        "shown_status": request.GET.get("s") or incident.status,
        "oob": True,
    }
    return render(request, "incidents/partials/live.html", context)


def _detail_context(request, incident, **forms):
    actions = services.allowed_actions(incident, request.user)
    action_forms = {
        name: forms.get(name) or ACTION_FORMS[name]() for name in actions if name in ACTION_FORMS
    }
    events = list(incident.events.select_related("actor").order_by("created_at", "id"))
    directives = incident.directives.select_related("team").prefetch_related("notes__author")
    return {
        "incident": incident,
        "events": events,
        "directives": directives,
        "photos": incident.photos.all(),
        "actions": actions,
        "action_forms": action_forms,
        "note_form": forms.get("note") or NoteForm(),
        "photo_form": forms.get("photo") or PhotoForm(),
        "now": timezone.now(),
        "panels": render_panels(detail_panels, request, incident),
        "live_version": _live_version(incident, events[-1].pk if events else None),
        "live_seconds": LIVE_SECONDS,
        "shown_status": incident.status,
        # Only the incidents this user may see (the asset page lists the same ones).
        "asset_count": (
            Incident.objects.restrict(request.user).for_asset(incident.asset_ref).count()
            if incident.asset_ref
            else 0
        ),
    }


# Each action of the incident page: its form (incidents.forms.ACTION_FORMS) and the service
# it calls, with the form's cleaned data as the service's keyword arguments.
ACTION_SERVICES = {
    "confirm": services.confirm_incident,
    "dispatch": services.dispatch_incident,
    "arrive": services.arrive_incident,
    "resolve": services.resolve_incident,
    "close": services.close_incident,
    "cancel": services.cancel_incident,
    "regrade": services.regrade_incident,
}


def _run_action(request, incident, action: str, data: dict):
    return ACTION_SERVICES[action](incident, actor=request.user, **data)


@login_required
@require_POST
def incident_action(request, pk: int, action: str):
    incident = get_incident_for(request, pk)
    if action not in ACTION_SERVICES:
        raise Http404
    try:  # the status before the form: a refused action is said as such, not as field errors
        services.check_action(incident, action, request.user)
    except IncidentError as exc:
        messages.error(request, str(exc))
        return redirect(safe_next(request, incident_url(incident)))
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return redirect(safe_next(request, incident_url(incident)))
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            changed = _run_action(request, incident, action, form.cleaned_data)
        except IncidentError as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return _invalid(request, incident, action, form)
        else:
            messages.success(request, _done(action, changed))
            # The job card sends a resolved job on to the sign-off, where the summary is.
            return redirect(safe_next(request, incident_url(incident), field="then"))
        return redirect(safe_next(request, incident_url(incident)))
    return _invalid(request, incident, action, form)


def _done(action: str, incident) -> str:
    """What an action did, for the message after it: "AS-… confirmed."."""
    n = incident.number
    if action == "dispatch":
        person = incident.assignee and (
            incident.assignee.get_full_name() or incident.assignee.username
        )
        whom = " · ".join(w for w in (person, incident.team and incident.team.label) if w)
        return _("%(number)s dispatched to %(whom)s.") % {"number": n, "whom": whom}
    if action == "regrade":
        return _("%(number)s regraded to %(grade)s.") % {
            "number": n,
            "grade": incident.get_grade_display(),
        }
    said = {
        "confirm": _("%(number)s confirmed."),
        "arrive": _("Arrival on site recorded for %(number)s."),
        "resolve": _("%(number)s resolved."),
        "close": _("%(number)s closed."),
        "cancel": _("%(number)s cancelled."),
    }
    return said[action] % {"number": n}


def _invalid(request, incident, name: str, form):
    """A form with errors. Posted from another page (it carries ``next``, e.g. My jobs on a
    phone): back there with the errors as a message. Posted from the incident page: that
    page again, with the errors on the form."""
    if request.POST.get("next"):
        messages.error(request, form_errors_text(form))
        return redirect(safe_next(request, incident_url(incident)))
    context = _detail_context(request, incident, **{name: form})
    if name in ACTION_FORMS:
        context["open_action"] = name
    return render(request, "incidents/detail.html", context, status=422)


def incident_url(incident) -> str:
    return reverse("incidents:detail", args=[incident.pk])


@login_required
@require_POST
def add_note(request, pk: int):
    incident = get_incident_for(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(incident, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Note added to %(number)s.") % {"number": incident.number})
            return redirect(safe_next(request, incident_url(incident)))
    return _invalid(request, incident, "note", form)


@login_required
@require_POST
def add_photo(request, pk: int):
    incident = get_incident_for(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(
                incident,
                actor=request.user,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Photo added to %(number)s.") % {"number": incident.number})
            return redirect(safe_next(request, incident_url(incident)))
    return _invalid(request, incident, "photo", form)


@login_required
def incident_edit(request, pk: int):
    # 404 before 403: whether an incident exists is not told to someone who may not see it.
    incident = get_incident_for(request, pk, "update")
    form = EditReportForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        # The ModelForm wrote the cleaned values onto ``incident``; reload it so the service
        # compares against the stored row, and let the service do the write.
        changes = form.changes()
        incident.refresh_from_db()
        try:
            services.update_incident(incident, actor=request.user, **changes)
        except IncidentError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Report %(number)s updated.") % {"number": incident.number})
            return redirect(incident_url(incident))
    if form.is_bound:
        form.focus_first_error()
    status = 422 if request.method == "POST" else 200
    return render(
        request, "incidents/edit.html", {"form": form, "incident": incident}, status=status
    )


@login_required
def asset_history(request, asset_ref: str):
    incidents = (
        Incident.objects.restrict(request.user)
        .for_asset(asset_ref)
        .with_list_relations()
        .order_by("-reported_at", "-id")
    )
    page = CappedPaginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/asset.html",
        {"asset_ref": asset_ref.upper(), "page": page, "now": timezone.now()},
    )


MY_JOBS_LIMIT = 30


@login_required
def my_jobs(request):
    jobs = (
        Incident.objects.jobs_for(request.user)
        .select_related("category")
        .order_by("next_deadline", "reported_at")
    )
    recent = Incident.objects.filter(
        assignee=request.user,
        status__in=["resolved", "closed"],
        resolved_at__gte=timezone.now() - timedelta(days=7),
    ).order_by("-resolved_at")[:10]
    # The most urgent first, a phone's worth: each card renders its panels, so a technician
    # (or a team) with hundreds of open jobs must not get them all on one page.
    jobs = list(jobs[: MY_JOBS_LIMIT + 1])
    more = len(jobs) > MY_JOBS_LIMIT
    jobs = jobs[:MY_JOBS_LIMIT]
    render_job_cards(request, jobs)
    return render(
        request,
        "incidents/my_jobs.html",
        {
            "jobs": jobs,
            "more": more,
            "all_jobs_url": reverse("incidents:list")
            + f"?assignee={request.user.pk}&status=confirmed&status=dispatched&status=on_site",
            "recent": recent,
            "now": timezone.now(),
            "photo_form": PhotoForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def directive_progress(request, pk: int):
    directive = get_object_or_404(Directive.objects.select_related("incident", "team"), pk=pk)
    if not Incident.objects.restrict(request.user).filter(
        pk=directive.incident_id
    ).exists() and not (request.user.memberships.filter(team_id=directive.team_id).exists()):
        raise Http404
    form = DirectiveProgressForm(request.POST)
    if form.is_valid():
        try:
            services.report_directive_progress(
                directive,
                actor=request.user,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"] or None,
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Progress recorded."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect(safe_next(request, incident_url(directive.incident)))
