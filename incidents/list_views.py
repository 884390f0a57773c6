"""The incident list page and what works on its rows: filters, search, paging.

Every read goes through the shared IncidentFilterSet (the API uses the same one). An
invalid filter is shown as an error with no rows, never silently as the unfiltered list.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core.pagination import CappedPaginator
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident

PAGE_SIZE = 50


class Listing:
    """The incidents a request's filters select, or the filters' errors."""

    def __init__(self, request, data=None):
        data = request.GET if data is None else data
        self.base = Incident.objects.visible_to(request.user).with_list_relations()
        self.filter = IncidentFilterSet(data or None, queryset=self.base, request=request)
        self.valid = not self.filter.is_bound or self.filter.is_valid()
        self.ordered = bool(data.get("ordering"))

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

    @property
    def queryset(self):
        if not self.valid:
            return self.base.none()
        qs = self.filter.qs if self.filter.is_bound else self.base
        if not self.ordered:
            return qs.order_by("-reported_at", "-id")
        # A stable order for paging: ties broken by id in the sort's direction.
        order = list(qs.query.order_by)
        tiebreak = "-id" if order and order[-1].startswith("-") else "id"
        return qs.order_by(*order, tiebreak)


def _list_context(request, listing: Listing) -> dict:
    page = CappedPaginator(listing.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    search = (request.GET.get("search") or "").strip()
    asset_match = ""
    if listing.valid and search and listing.base.for_asset(search).exists():
        asset_match = search
    return {
        "filter": listing.filter,
        "filter_errors": listing.errors,
        "page": page,
        "now": timezone.now(),
        "asset_match": asset_match,
    }


@login_required
def incident_list(request):
    listing = Listing(request)
    context = _list_context(request, listing)
    template = "incidents/partials/list_table.html" if request.htmx else "incidents/list.html"
    return render(request, template, context)
