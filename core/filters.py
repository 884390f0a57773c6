"""django-filter pieces shared by every app's FilterSet."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offset; PostgreSQL refuses > 15:59


class BoundedIsoDateTimeField(IsoDateTimeField):
    def clean(self, value):
        parsed = super().clean(value)
        if parsed is None:
            return parsed
        offset = parsed.utcoffset()
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR or (
            offset is not None and abs(offset) > MAX_OFFSET
        ):
            raise forms.ValidationError(
                _("Enter a time between %(start)s and %(end)s with a real UTC offset.")
                % {"start": EARLIEST_YEAR, "end": LATEST_YEAR},
                code="out_of_range",
            )
        return parsed


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 filter values within 1970-2100 and ±14 h offsets; anything else is a 400,
    never a database error."""

    field_class = BoundedIsoDateTimeField


class BoundedDateField(forms.DateField):
    def clean(self, value):
        parsed = super().clean(value)
        if parsed is not None and not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between %(start)s and %(end)s.")
                % {"start": EARLIEST_YEAR, "end": LATEST_YEAR},
                code="out_of_range",
            )
        return parsed


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField
