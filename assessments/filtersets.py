"""FilterSets shared by the evaluation page, its drill-down, its exports and the API."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.evaluation import METRIC_LABELS, Period, current_quarter, metric_q
from assessments.models import ActionStatus, AssessmentStatus, CorrectiveAction
from core.filters import DateFilter, IsoDateTimeFilter
from incidents.models import Category, Grade, Incident
from teams.models import Membership, Team, TeamKind


class EvaluationFilterSet(django_filters.FilterSet):
    """The incidents of an evaluation: reported within [start, end] (local dates, current
    quarter by default), narrowed by category, grade, team and service centre; ``metric``
    and ``week`` pick the incidents behind one figure."""

    start = DateFilter(
        method="filter_noop",
        label=pgettext_lazy("evaluation period", "From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = DateFilter(
        method="filter_noop",
        label=pgettext_lazy("evaluation period", "To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        label=_("Category"),
        empty_label=_("All categories"),
    )
    grade = django_filters.ChoiceFilter(
        choices=Grade.choices, label=_("Grade"), empty_label=_("All grades")
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), label=_("Team"), empty_label=_("All teams")
    )
    service_centre = django_filters.ModelChoiceFilter(
        queryset=Team.objects.filter(kind=TeamKind.SERVICE_CENTRE),
        method="filter_centre",
        label=_("Service centre"),
        empty_label=_("All service centres"),
    )
    metric = django_filters.ChoiceFilter(
        choices=list(METRIC_LABELS.items()),
        method="filter_metric",
        label=_("Figure"),
        widget=forms.HiddenInput,
    )
    week = DateFilter(method="filter_week", label=_("Week of"), widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, *args, now=None, **kwargs):
        self.now = now or timezone.now()
        super().__init__(data, *args, **kwargs)

    @property
    def period(self) -> Period:
        default = current_quarter(self.now)
        data = self._clean_data()
        start = data.get("start") or default.start
        end = data.get("end") or (
            default.end if not data.get("start") else max(start, timezone.localdate(self.now))
        )
        if end < start:
            start, end = end, start
        return Period(start, end)

    def _clean_data(self) -> dict:
        """The valid part of the input (an invalid field is ignored, not fatal)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return getattr(self.form, "cleaned_data", {})

    def filter_queryset(self, queryset):
        period = self.period
        queryset = queryset.filter(reported_at__gte=period.start_at, reported_at__lt=period.end_at)
        return super().filter_queryset(queryset)

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_centre(self, queryset, name, value):
        members = Membership.objects.filter(team=value, user_id=OuterRef("assignee_id"))
        return queryset.filter(Q(team=value) | Q(Exists(members)))

    def filter_metric(self, queryset, name, value):
        try:
            return queryset.filter(metric_q(value, self.now))
        except KeyError:
            return queryset.none()

    def filter_week(self, queryset, name, value):
        monday = value - timedelta(days=value.weekday())
        week = Period(monday, monday + timedelta(days=6))
        return queryset.filter(reported_at__gte=week.start_at, reported_at__lt=week.end_at)

    def link_params(self) -> dict:
        """The filters as query parameters, for links to the incidents behind a figure."""
        period = self.period
        params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
        data = self._clean_data()
        for name in ("category", "grade", "team", "service_centre"):
            value = data.get(name)
            if value:
                params[name] = (
                    getattr(value, "slug", None)
                    if name == "category"
                    else (getattr(value, "pk", value))
                )
        return params


class CorrectiveActionFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner"))
    assessment = django_filters.NumberFilter(field_name="assessment_id")
    drill = django_filters.NumberFilter(field_name="drill_id")

    class Meta:
        model = CorrectiveAction
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = Q(status__in=["open", "in_progress"], due_date__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class AssessmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    incident = django_filters.NumberFilter(field_name="incident_id")
    grade = django_filters.ChoiceFilter(field_name="incident__grade", choices=Grade.choices)
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
