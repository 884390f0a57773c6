"""``/api/v1/alarms/``: a monitoring platform posts telematics alarms; the desk lists them
(``?outcome=unknown_vehicle`` for the alarms of vehicles not on file)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from regulatory import services
from regulatory.api import serializers as s
from regulatory.models import Alarm, Outcome

POST_PERM = "incidents.report_incident"
VIEW_PERM = "regulatory.view_alarm"


class AlarmFilterSet(django_filters.FilterSet):
    vin = django_filters.CharFilter(field_name="vin", lookup_expr="iexact")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)

    class Meta:
        model = Alarm
        fields = ["vin", "outcome"]


class AlarmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AlarmSerializer
    queryset = Alarm.objects.select_related("incident", "case").order_by("-received_at", "-id")
    filterset_class = AlarmFilterSet

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        perm = POST_PERM if self.action == "create" else VIEW_PERM
        if not request.user.has_perm(perm):
            raise PermissionDenied

    @extend_schema(
        request=s.AlarmInSerializer,
        responses={202: s.AlarmSerializer},
        summary="Ingest a telematics alarm",
        description=(
            "Every alarm is recorded (202 with the record). For a vehicle on file, the rule "
            "of its types and level opens an incident, joins the open incident of the same "
            "vehicle and type (counted, never a second incident), or only records it; an "
            "alarm for a VIN not on file is recorded and flagged (outcome unknown_vehicle)."
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer = s.AlarmInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alarm = services.ingest_alarm(
            services.AlarmIn(**serializer.validated_data), actor=request.user
        )
        return Response(s.AlarmSerializer(alarm).data, status=status.HTTP_202_ACCEPTED)
