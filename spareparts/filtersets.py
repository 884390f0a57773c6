"""Filters shared by the stock page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spareparts.models import Depot, Part, PartCategory, StockBalance


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
