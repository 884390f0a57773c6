"""Filters of the spare-parts list pages and the API: one FilterSet per list, no filter parsed
by hand."""

import django_filters
from django.db.models import F, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spareparts.models import (
    Depot,
    OrderStatus,
    Part,
    PartCategory,
    PurchaseOrder,
    StockBalance,
    StocktakeLine,
    Transfer,
    TransferStatus,
)


class StockFilterSet(django_filters.FilterSet):
    """Parts on the stock page: search, category, low stock (at the chosen depot)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.ChoiceFilter(
        choices=PartCategory.choices,
        label=pgettext_lazy("spare part", "Category"),
        empty_label=_("All categories"),
    )
    depot = django_filters.ModelChoiceFilter(
        queryset=Depot.objects.filter(is_active=True),
        method="noop",
        label=_("Depot"),
        empty_label=_("All depots"),
    )
    low = django_filters.BooleanFilter(
        method="low_only",
        label=_("Low stock only"),
        widget=django_filters.widgets.forms.CheckboxInput,
    )

    class Meta:
        model = Part
        fields = ["q", "category", "depot", "low"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(sku__icontains=value) | Q(name__icontains=value) | Q(name_zh__icontains=value)
        )

    def noop(self, queryset, name, value):
        return queryset

    def low_only(self, queryset, name, value):
        if not value:
            return queryset
        low = StockBalance.objects.filter(low_since__isnull=False)
        depot = self.form.cleaned_data.get("depot")
        if depot:
            low = low.filter(depot=depot)
        return queryset.filter(pk__in=low.values("part_id"))


class BalanceFilterSet(django_filters.FilterSet):
    """``/api/v1/stock/``: by part (id or SKU), depot (id or code), low stock."""

    part = django_filters.NumberFilter(field_name="part_id")
    sku = django_filters.CharFilter(field_name="part__sku", lookup_expr="iexact")
    depot = django_filters.NumberFilter(field_name="depot_id")
    depot_code = django_filters.CharFilter(field_name="depot__code", lookup_expr="iexact")
    low = django_filters.BooleanFilter(method="low_only")
    available_gte = django_filters.NumberFilter(field_name="available", lookup_expr="gte")

    class Meta:
        model = StockBalance
        fields = ["part", "sku", "depot", "depot_code", "low", "available_gte"]

    def low_only(self, queryset, name, value):
        return queryset.filter(low_since__isnull=not value)


class PartFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="search_parts")
    category = django_filters.ChoiceFilter(choices=PartCategory.choices)

    class Meta:
        model = Part
        fields = ["search", "category", "tracking", "is_active"]

    def search_parts(self, queryset, name, value):
        return StockFilterSet.search(self, queryset, name, value)


class DefaultsFilterSet(django_filters.FilterSet):
    """A list page's FilterSet whose ``defaults`` apply when the request does not name the
    field at all (the first visit). A field sent empty (the "All" choice: the browser sends
    ``status=``) filters nothing."""

    defaults: dict[str, str] = {}
    # The page's filter form element: the fields name it (their ``form`` attribute), so they
    # work placed inside another form (the purchasing page's table is one).
    form_id = "list-filters"

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in self.defaults.items():
            data.setdefault(name, value)
        super().__init__(data, *args, **kwargs)
        # Ids of their own: the page's other form has fields of the same names (depot).
        self.form.auto_id = "id_filter_%s"
        for field in self.form.fields.values():
            field.widget.attrs["form"] = self.form_id

    @property
    def rows(self):
        """The filtered rows; none for an invalid filter (the form says why), never the
        unfiltered list."""
        return self.qs if self.is_valid() else self.queryset.none()


def _active_depots(request=None):
    return Depot.objects.filter(is_active=True)


class TransferFilterSet(DefaultsFilterSet):
    """The transfers page: in transit unless another status (or all) is chosen; a depot
    selects what leaves or reaches it."""

    status = django_filters.ChoiceFilter(
        choices=TransferStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    depot = django_filters.ModelChoiceFilter(
        queryset=_active_depots, method="at_depot", label=_("Depot"), empty_label=_("All depots")
    )
    defaults = {"status": TransferStatus.IN_TRANSIT}

    class Meta:
        model = Transfer
        fields = ["status", "depot"]

    def at_depot(self, queryset, name, value):
        return queryset.filter(Q(from_depot=value) | Q(to_depot=value))


OPEN_ORDER_STATUSES = (OrderStatus.DRAFT, OrderStatus.PLACED, OrderStatus.PARTIAL)


class PurchaseOrderFilterSet(DefaultsFilterSet):
    """The purchasing page's orders: open ones (draft, placed, partly received) unless a
    status (or all) is chosen; by the depot they are delivered to."""

    status = django_filters.ChoiceFilter(
        choices=[("open", pgettext_lazy("purchase orders", "Open")), *OrderStatus.choices],
        method="by_status",
        label=_("Status"),
        empty_label=_("All statuses"),
    )
    depot = django_filters.ModelChoiceFilter(
        queryset=_active_depots, label=_("Depot"), empty_label=_("All depots")
    )
    defaults = {"status": "open"}

    class Meta:
        model = PurchaseOrder
        fields = ["status", "depot"]

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_ORDER_STATUSES)
        return queryset.filter(status=value)


class StocktakeLineFilterSet(django_filters.FilterSet):
    """A count sheet's lines: all, or only the counted ones that differ from the book."""

    diff = django_filters.BooleanFilter(
        method="differences",
        label=_("Differences only"),
        widget=django_filters.widgets.forms.CheckboxInput,
    )

    class Meta:
        model = StocktakeLine
        fields = ["diff"]

    def differences(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.exclude(counted__isnull=True).exclude(counted=F("expected"))
