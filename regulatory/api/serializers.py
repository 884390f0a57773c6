"""Alarm API serializers: shapes and types only; what an alarm does is
regulatory.services.alarms."""

from __future__ import annotations

import json
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from incidents.api.serializers import CoordinateField
from regulatory.models import Alarm

CODE = re.compile(r"^[a-z0-9_]{1,40}$")
MAX_TYPES = 32
MAX_WINDOW_BYTES = 65536


class AlarmTypeField(serializers.CharField):
    default_error_messages = {
        "code": _("An alarm type code is lower-case letters, digits and underscores."),
    }

    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not CODE.match(value):
            self.fail("code")
        return value


class AlarmInSerializer(serializers.Serializer):
    """A GB/T 32960-style alarm: the vehicle, the level (1 to 3), its type codes
    (docs/regulatory.md), when it happened, where, and the data window around it (inline
    JSON, or a URL where the platform keeps it)."""

    vin = serializers.CharField(max_length=17, min_length=1)
    level = serializers.IntegerField(min_value=1, max_value=3)
    alarm_types = serializers.ListField(child=AlarmTypeField(), min_length=1, max_length=MAX_TYPES)
    occurred_at = DateTimeField()
    latitude = CoordinateField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = CoordinateField(min_value=-180, max_value=180, required=False, allow_null=True)
    data_window = serializers.JSONField(required=False, allow_null=True)
    data_ref = serializers.URLField(max_length=500, required=False, allow_blank=True)

    def validate_data_window(self, value):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(_("Not JSON.")) from exc
        if "\\u0000" in text:  # PostgreSQL's jsonb cannot store a NUL character
            raise serializers.ValidationError(_("Text may not contain NUL characters."))
        size = len(text.encode())
        if size > MAX_WINDOW_BYTES:
            raise serializers.ValidationError(
                _("At most %(n)d bytes: send a reference (data_ref) instead.")
                % {"n": MAX_WINDOW_BYTES}
            )
        return value

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError(
                {"longitude": [_("Send both latitude and longitude, or neither.")]}
            )
        return attrs


class AlarmIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    grade = serializers.CharField()
    status = serializers.CharField()


class AlarmSerializer(serializers.ModelSerializer):
    """An alarm as recorded: what became of it (``outcome``: created, joined, recorded,
    unknown_vehicle), the incident it created or joined, the repeats counted on it."""

    incident = serializers.SerializerMethodField()
    repeats = serializers.SerializerMethodField()
    unknown_vehicle = serializers.SerializerMethodField()
    latitude = CoordinateField(allow_null=True)
    longitude = CoordinateField(allow_null=True)
    data_ref = serializers.CharField(read_only=True)  # "" when the window came inline

    class Meta:
        model = Alarm
        fields = [
            "id",
            "received_at",
            "vin",
            "unknown_vehicle",
            "level",
            "alarm_types",
            "alarm_type",
            "occurred_at",
            "latitude",
            "longitude",
            "data_ref",
            "outcome",
            "incident",
            "repeats",
        ]
        read_only_fields = fields

    def get_unknown_vehicle(self, obj: Alarm) -> bool:
        return obj.outcome == "unknown_vehicle"

    @extend_schema_field(AlarmIncidentSerializer(allow_null=True))
    def get_incident(self, obj: Alarm) -> dict | None:
        incident = obj.incident
        if incident is None:
            return None
        return {
            "id": incident.pk,
            "number": incident.number,
            "grade": incident.grade,
            "status": incident.status,
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_repeats(self, obj: Alarm) -> int | None:
        """Alarms counted on the incident's alarm key so far (this one included)."""
        return obj.case.count if obj.case_id and obj.case else None
