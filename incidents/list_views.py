"""The incident list page and what works on its rows: filters, search, paging, saved
filters, bulk actions and export.

Every read goes through the shared IncidentFilterSet (the API uses the same one). An
invalid filter is shown as an error with no rows, never silently as the unfiltered list.
Bulk actions call the incident services row by row, so each row is judged by the same
rules as on its own page, and each row's outcome is shown.
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.pagination import CappedPaginator
from core.roles import TECHNICIAN
from core.web import SERVICE_ERRORS, error_text
from incidents import exports, services
from incidents.filtersets import IncidentFilterSet
from incidents.forms import DispatchForm
from incidents.list_forms import BulkActionForm, SavedFilterForm
from incidents.models import Category, Grade, Incident, SavedFilter, Status
from teams.models import Team

PAGE_SIZE = 50
# The results poll: often enough that a new report shows within 5 s.
POLL_SECONDS = 3
FILTER_KEYS = tuple(IncidentFilterSet.base_filters)
BULK_PERMS = (
    "incidents.confirm_incident",
    "incidents.dispatch_incident",
    "incidents.close_incident",
)


def filter_query(data) -> str:
    """The filters of ``data`` as a query string: known keys only, "Any" values dropped."""
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [v for v in data.getlist(key) if v.strip()]
        if values:
            query.setlist(key, values)
    return query.urlencode()


class ListPaginator(CappedPaginator):
    """Counts matching ids only, up to 2,000 (40 pages; narrow the filters or export for
    more). Without the page's joined relations PostgreSQL can count from an index alone:
    at 1M incidents the open-status count drops from 112 ms to 8 ms, and the lower cap
    bounds a count that has to scan (grade I: 90 ms at 10,000, 25 ms at 2,000), as well
    as the deepest OFFSET."""

    cap = 2_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    def page(self, number):
        """The page's ids first, then their rows: PostgreSQL finds the ids in the sort
        order from an index alone, and reads (and joins) 50 rows, not every match. With
        the relations joined, at 1M incidents it sorted all 29,652 open overdue rows to
        keep 50 (552 ms; 9 ms now)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().in_bulk(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class Listing:
    """The incidents a request's filters select, or the filters' errors."""

    def __init__(self, request, data=None):
        data = request.GET if data is None else data
        self.base = Incident.objects.restrict(request.user).with_list_relations()
        self.filter = IncidentFilterSet(data or None, queryset=self.base, request=request)
        self.valid = not self.filter.is_bound or self.filter.is_valid()
        self.ordered = bool(data.get("ordering"))
        self.query = filter_query(data)

    @property
    def errors(self) -> list[tuple[str, list[str]]]:
        """(field label, messages) in the reader's language, for the page to show."""
        if self.valid:
            return []
        fields = self.filter.form.fields
        return [
            (str(fields[name].label) if name in fields else "", list(messages))
            for name, messages in self.filter.form.errors.items()
        ]

    def value(self, name: str):
        """A valid filter's cleaned value (None when not set or not valid)."""
        return self.filter.form.cleaned_data.get(name) if self.filter.is_bound else None

    @property
    def queryset(self):
        if not self.valid:
            return self.base.none()
        qs = self.filter.qs if self.filter.is_bound else self.base
        if not self.ordered:
            # The incident_reported index (-reported_at, -id) serves this order.
            return qs.order_by("-reported_at", "-id")
        # A stable order for paging: ties broken by id in the sort's direction.
        order = list(qs.query.order_by)
        tiebreak = "-id" if order and order[-1].startswith("-") else "id"
        return qs.order_by(*order, tiebreak)


def _results_context(request, listing: Listing) -> dict:
    """What the results partial needs; the same queries for the page and its poll."""
    page = ListPaginator(listing.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    search = (request.GET.get("search") or "").strip()
    asset_match = ""
    if listing.valid and search and listing.base.for_asset(search).exists():
        asset_match = search
    poll = QueryDict(listing.query, mutable=True)
    if page.number > 1:
        poll["page"] = page.number
    return {
        "filter": listing.filter,
        "filter_errors": listing.errors,
        "page": page,
        "now": timezone.now(),
        "asset_match": asset_match,
        "query": listing.query,
        "poll_url": f"{reverse('incidents:list')}?{poll.urlencode()}",
        "poll_seconds": POLL_SECONDS,
        "selectable": _can_bulk(request.user),
    }


def _can_bulk(user) -> bool:
    return any(user.has_perm(perm) for perm in BULK_PERMS)


def _technicians(extra=None) -> list:
    people = list(
        get_user_model()
        .objects.filter(groups__name=TECHNICIAN, is_active=True)
        .order_by("first_name", "username")
    )
    if extra is not None and extra not in people:
        people.append(extra)
    return people


def _page_context(request, listing: Listing) -> dict:
    selected = {key: [v for v in request.GET.getlist(key) if v] for key in ("status", "grade")}
    return {
        **_results_context(request, listing),
        "statuses": Status.choices,
        "grades": Grade.choices,
        "selected": selected,
        "categories": list(Category.objects.all()),
        "teams": list(Team.objects.active().order_by("name")),
        "technicians": _technicians(listing.value("assignee")),
        "saved_filters": list(request.user.saved_incident_filters.all()),
        "saved_form": SavedFilterForm(user=request.user),
        "bulk_form": BulkActionForm(),
    }


@login_required
@require_GET
def incident_list(request):
    listing = Listing(request)
    if request.htmx:
        return render(
            request, "incidents/partials/list_table.html", _results_context(request, listing)
        )
    return render(request, "incidents/list.html", _page_context(request, listing))


# --- saved filters ------------------------------------------------------------------


def _saved_filters(request, form=None):
    context = {
        "saved_filters": list(request.user.saved_incident_filters.all()),
        "saved_form": form or SavedFilterForm(user=request.user),
        "saved_open": True,
    }
    return render(request, "incidents/partials/saved_filters.html", context)


@login_required
@require_POST
def save_filter(request):
    """Save the filters the list shows now (the filter form's fields come with the
    name) under a name; saving under an existing name replaces it."""
    form = SavedFilterForm(request.POST, user=request.user)
    listing = Listing(request, data=request.POST)
    if not listing.valid:
        form.add_error(None, _("These filters are not valid, so they were not saved."))
    if form.is_valid():
        SavedFilter.objects.save_for(request.user, form.cleaned_data["name"], listing.query)
        form = None
    if not request.htmx:
        return redirect(f"{reverse('incidents:list')}?{listing.query}")
    return _saved_filters(request, form)


@login_required
@require_POST
def delete_filter(request, pk: int):
    get_object_or_404(request.user.saved_incident_filters, pk=pk).delete()
    if not request.htmx:
        return redirect("incidents:list")
    return _saved_filters(request)


# --- bulk actions -------------------------------------------------------------------


@dataclass
class RowResult:
    pk: int
    incident: Incident | None
    done: bool
    message: str


# The list's bulk actions and the service each runs per row (BulkActionForm offers these).
BULK_SERVICES = {
    "confirm": services.confirm_incident,
    "dispatch": services.dispatch_incident,
    "close": services.close_incident,
}


def _act(action: str, incident: Incident, *, actor, note: str, dispatch: dict):
    return BULK_SERVICES[action](incident, actor=actor, note=note, **dispatch)


def run_bulk(action: str, ids: list[int], *, user, note: str = "", dispatch=None):
    """``action`` on each incident of ``ids`` the user may see, one service call (and one
    transaction) per row: a refused row does not undo the others."""
    found = Incident.objects.restrict(user).in_bulk(ids)
    results = []
    for pk in ids:
        incident = found.get(pk)
        if incident is None:
            results.append(RowResult(pk, None, False, _("Not found.")))
            continue
        try:
            incident = _act(action, incident, actor=user, note=note, dispatch=dispatch or {})
        except SERVICE_ERRORS as exc:
            results.append(RowResult(pk, incident, False, error_text(exc)))
        else:
            results.append(RowResult(pk, incident, True, str(incident.get_status_display())))
    return results


@login_required
@require_POST
def bulk_action(request):
    form = BulkActionForm(request.POST)
    dispatch_form = None
    errors: list[str] = []
    results: list[RowResult] = []
    if form.is_valid():
        data = form.cleaned_data
        dispatch = {}
        if data["action"] == "dispatch":
            dispatch_form = DispatchForm(request.POST)
            if dispatch_form.is_valid():
                dispatch = {
                    "assignee": dispatch_form.cleaned_data["assignee"],
                    "team": dispatch_form.cleaned_data["team"],
                }
            else:
                errors = [e for errs in dispatch_form.errors.values() for e in errs]
        if not errors:
            results = run_bulk(
                data["action"], data["ids"], user=request.user, note=data["note"], dispatch=dispatch
            )
    else:
        errors = [e for errs in form.errors.values() for e in errs]
    if not request.htmx:
        for message in errors:
            messages.error(request, message)
        for row in results:
            label = row.incident.number if row.incident else f"#{row.pk}"
            (messages.success if row.done else messages.error)(request, f"{label}: {row.message}")
        return redirect("incidents:list")
    context = {
        "errors": errors,
        "results": results,
        "done": sum(r.done for r in results),
        "refused": sum(not r.done for r in results),
    }
    response = render(request, "incidents/partials/bulk_results.html", context)
    done = [r.pk for r in results if r.done]
    if done:
        response["HX-Trigger"] = json.dumps({"incidents-changed": True, "bulk-done": done})
    return response


# --- export -------------------------------------------------------------------------


@login_required
@require_GET
def export(request, fmt: str):
    """The filtered list as CSV (streamed) or XLSX, with headers in the reader's language."""
    if fmt not in exports.FORMATS:
        raise Http404
    listing = Listing(request)
    if not listing.valid:
        lines = [f"{label}: {' '.join(msgs)}".lstrip(": ") for label, msgs in listing.errors]
        return HttpResponse(
            "\n".join([_("These filters cannot be applied:"), *lines]),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return exports.FORMATS[fmt](listing.queryset, user=request.user)
