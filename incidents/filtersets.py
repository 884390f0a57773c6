"""One FilterSet for incidents, shared by the list page, the dashboard and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import MultipleChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.filters import IsoDateTimeFilter
from incidents.models import Category, Grade, Incident, Status
from incidents.services.lookup import looks_like_phone, name_index, phone_index
from teams.models import Team

SEARCH_ID_CAP = 2000
BOOL_CHOICES = (("true", _("Yes")), ("false", _("No")))


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanChoiceFilter(django_filters.TypedChoiceFilter):
    """``true``/``false`` as a select on pages and a boolean in the API schema."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", BOOL_CHOICES)
        kwargs.setdefault("coerce", lambda v: v == "true")
        super().__init__(*args, **kwargs)


class AnyOrMultipleChoiceField(MultipleChoiceField):
    """Several choices, where an empty value is the form's "Any" option: no filter.

    ``status=&status=reported`` (the page's "Any" box next to a ticked status) is
    ``["reported"]``; ``status=`` alone is no filter. Unknown values are still errors.
    """

    def clean(self, value):
        if isinstance(value, list | tuple):
            value = [v for v in value if v not in ("", None)]
        return super().clean(value)


class AnyOrMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = AnyOrMultipleChoiceField


class IncidentFilterSet(django_filters.FilterSet):
    # distinct=False: these filter one column of the incident itself, so no join can
    # duplicate rows, and a DISTINCT over a million wide rows would sort all of them.
    status = AnyOrMultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    grade = AnyOrMultipleChoiceFilter(choices=Grade.choices, label=_("Grade"), distinct=False)
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", label=_("Category")
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    assignee = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.all(), label=_("Assignee")
    )
    overdue = BooleanChoiceFilter(method="filter_overdue", label=_("Overdue"))
    escalated = BooleanChoiceFilter(method="filter_escalated", label=_("Escalated"))
    reported_after = IsoDateTimeFilter(
        field_name="reported_at", lookup_expr="gte", label=_("Reported after")
    )
    reported_before = IsoDateTimeFilter(
        field_name="reported_at", lookup_expr="lt", label=_("Reported before")
    )
    asset = django_filters.CharFilter(method="filter_asset", label=_("VIN / serial number"))
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("reported_at", "reported_at"),
            ("confirm_deadline", "confirm_deadline"),
            ("grade", "grade"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        return queryset.overdue(now) if value else queryset.not_overdue(now)

    def filter_escalated(self, queryset, name, value):
        return (
            queryset.filter(escalation_level__gt=0)
            if value
            else queryset.filter(escalation_level=0)
        )

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Numbers and asset references are stored upper-case: equality on their indexes.
        # The title uses a trigram GIN index on PostgreSQL (migration 0004). The customer's
        # name and phone are encrypted: an exact name or phone is found through its blind
        # index (core/crypto.py), never a part of one.
        match = (
            Q(number=value.upper())
            | Q(asset_ref=value.upper())
            | Q(external_ref=value)
            | Q(title__icontains=value)
            | Q(customer_name_bidx=name_index(value))
        )
        if looks_like_phone(value):
            match |= Q(customer_phone_bidx=phone_index(value))
        # Ordered by date, PostgreSQL would walk the date index hoping to meet matches
        # early, which reads the whole table when there are few or none. So find the
        # matches first (bitmap scans of the indexes above); only when there are many is
        # the ordered walk the faster plan.
        ids = list(
            Incident.objects.filter(match)
            .order_by()
            .values_list("pk", flat=True)[: SEARCH_ID_CAP + 1]
        )
        if len(ids) <= SEARCH_ID_CAP:
            return queryset.filter(pk__in=ids)
        return queryset.filter(match)

    def filter_asset(self, queryset, name, value):
        return queryset.for_asset(value)
