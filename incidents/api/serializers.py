"""Incident API serializers. Validation of shapes and types only: the rules (required
texts, transitions, permissions, deadlines) live in incidents.services."""

import math
from decimal import Decimal
from functools import cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.encoding import smart_str
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from core.api.serializers import ModelSerializer, PrebuiltFieldsMixin
from incidents.models import (
    TEXT_MAX_LENGTH,
    Category,
    Channel,
    EventKind,
    Grade,
    Incident,
    IncidentEvent,
    ServiceMode,
)
from incidents.services.rules import active_category
from teams.models import Team


class CoordinateField(serializers.FloatField):
    """A finite number rounded to the 6 decimal places the database keeps."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return Decimal(str(round(value, 6)))

    def to_representation(self, value):
        return float(value)


class CategoryField(serializers.SlugRelatedField):
    """An active category's code, looked up in the reference-data cache."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Category.objects.filter(is_active=True))
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        category = active_category(str(data))
        if category is None:
            self.fail("does_not_exist", slug_name="slug", value=smart_str(data))
        return category


def coordinate(limit: int) -> CoordinateField:
    return CoordinateField(min_value=-limit, max_value=limit, required=False, allow_null=True)


class CategorySerializer(PrebuiltFieldsMixin, ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "slug",
            "name",
            "name_zh",
            "description",
            "owning_team_kind",
            "concerned_team_kinds",
            "is_active",
        ]


class IncidentSerializer(PrebuiltFieldsMixin, ModelSerializer):
    """The read representation (also returned by every write)."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    latitude = CoordinateField(read_only=True, allow_null=True)
    longitude = CoordinateField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    service_mode = serializers.ChoiceField(
        choices=ServiceMode.choices, allow_blank=True, read_only=True
    )
    # The customer record (GET /api/v1/customers/{id}/); null when none is linked.
    customer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "status",
            "grade",
            "category",
            "title",
            "description",
            "customer_name",
            "customer_phone",
            "customer",
            "asset_ref",
            "location",
            "latitude",
            "longitude",
            "impact_scope",
            "initial_handling",
            "channel",
            "service_mode",
            "external_ref",
            "reported_at",
            "confirm_deadline",
            "arrive_deadline",
            "resolve_deadline",
            "escalation_level",
            "overdue",
            "assignee",
            "team",
            "reporter",
            "resolution",
            "cancel_reason",
            "confirmed_at",
            "dispatched_at",
            "arrived_at",
            "resolved_at",
            "closed_at",
            "cancelled_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, incident) -> bool:
        now = self.context.get("now") or timezone.now()
        return incident.is_overdue(now)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The customer as the caller may see them (settings.CUSTOMER_DATA_POLICY): masked
        # or hidden for some roles; a single incident's answer writes the access log.
        single = not isinstance(self.parent, serializers.ListSerializer)
        data["customer_name"], data["customer_phone"] = customer_data().api_customer(
            self.context.get("request"), instance, single=single
        )
        return data


@cache
def customer_data():
    return import_module(settings.CUSTOMER_DATA_POLICY)


_TEXTS = {
    "description": serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    ),
    "customer_name": serializers.CharField(required=False, allow_blank=True, max_length=120),
    "customer_phone": serializers.CharField(required=False, allow_blank=True, max_length=40),
    "asset_ref": serializers.CharField(required=False, allow_blank=True, max_length=64),
    "location": serializers.CharField(required=False, allow_blank=True, max_length=255),
    "impact_scope": serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    ),
    "initial_handling": serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH
    ),
    "external_ref": serializers.CharField(required=False, allow_blank=True, max_length=100),
}


class IncidentWriteSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    """Fields a report may carry; PATCH takes the same ones (all optional) except grade
    and reported_at (regrade is an action; the report time is history)."""

    title = serializers.CharField(max_length=200, allow_blank=True)
    category = CategoryField()
    description = _TEXTS["description"]
    customer_name = _TEXTS["customer_name"]
    customer_phone = _TEXTS["customer_phone"]
    asset_ref = _TEXTS["asset_ref"]
    location = _TEXTS["location"]
    latitude = coordinate(90)
    longitude = coordinate(180)
    impact_scope = _TEXTS["impact_scope"]
    initial_handling = _TEXTS["initial_handling"]
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    service_mode = serializers.ChoiceField(
        choices=ServiceMode.choices, required=False, allow_blank=True
    )
    external_ref = _TEXTS["external_ref"]


class IncidentCreateSerializer(IncidentWriteSerializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    reported_at = DateTimeField(required=False, allow_null=True)


class IncidentUpdateSerializer(IncidentWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class NoteSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )


class DispatchSerializer(NoteSerializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A user id.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A team id.",
    )


class ResolveSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_LENGTH)


class CancelSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_LENGTH)


class RegradeSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )


class EventSerializer(PrebuiltFieldsMixin, ModelSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)

    class Meta:
        model = IncidentEvent
        fields = ["id", "kind", "actor", "created_at", "data", "text"]
        read_only_fields = fields


class EventCreateSerializer(PrebuiltFieldsMixin, serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_LENGTH)
