"""Serializer fields shared by every app's API."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST_YEAR = 1970
LATEST_YEAR = 2100


class DateTimeField(serializers.DateTimeField):
    """ISO 8601 times within the years 1970 to 2100.

    Outside that range time zones have odd historical offsets (Asia/Shanghai in 1890 was
    UTC+08:05:43), which are not valid RFC 3339 offsets, and no after-sales record is that
    old or that far ahead anyway.
    """

    default_error_messages = {
        "out_of_range": _("Enter a time between {start} and {end}."),
    }

    def to_internal_value(self, value) -> datetime:
        parsed = super().to_internal_value(value)
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            self.fail("out_of_range", start=EARLIEST_YEAR, end=LATEST_YEAR)
        return parsed
