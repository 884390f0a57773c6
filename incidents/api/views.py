"""Incident API: a declarative viewset; every write calls incidents.services."""

from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.idempotency import idempotent
from core.api.conditional import ETagMixin
from incidents import services
from incidents.access import get_incident_for
from incidents.api import serializers as s
from incidents.filtersets import IncidentFilterSet
from incidents.models import Category, Incident

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body returns the first response.",
)
IF_MATCH_PARAM = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; 412 if the incident changed since.",
)
CONFLICT: dict = {}  # error responses: core.api.schema.add_error_responses


class IncidentFilterBackend(DjangoFilterBackend):
    """The shared IncidentFilterSet; a stable order (newest first, ties by id)."""

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        order = list(queryset.query.order_by)
        if not request.query_params.get("ordering") or not order:
            return queryset.order_by("-reported_at", "-id")
        tiebreak = "-id" if order[-1].startswith("-") else "id"
        return queryset.order_by(*order, tiebreak)


def _action(serializer_class, summary: str, **extra):
    return extend_schema(
        request=serializer_class,
        responses={200: s.IncidentSerializer, **CONFLICT},
        summary=summary,
        **extra,
    )


@extend_schema_view(
    create=extend_schema(
        request=s.IncidentCreateSerializer,
        responses={201: s.IncidentSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    ),
    partial_update=extend_schema(
        request=s.IncidentUpdateSerializer,
        responses={200: s.IncidentSerializer, **CONFLICT},
        parameters=[IF_MATCH_PARAM],
    ),
)
class IncidentViewSet(
    ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Incidents the caller may see (a technician: their own and their teams' jobs)."""

    serializer_class = s.IncidentSerializer
    filter_backends = [IncidentFilterBackend]
    filterset_class = IncidentFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Incident.objects.restrict(self.request.user).select_related("category")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def represent(self, instance) -> dict:
        return s.IncidentSerializer(instance, context=self.get_serializer_context()).data

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @idempotent
    def create(self, request, *args, **kwargs):
        data = dict(self._input(s.IncidentCreateSerializer))
        incident = services.report_incident(
            actor=request.user,
            title=data.pop("title"),
            category=data.pop("category"),
            grade=data.pop("grade"),
            reported_at=data.pop("reported_at", None),
            **data,
        )
        location = request.build_absolute_uri(f"{request.path}{incident.pk}/")
        return self.respond(incident, status.HTTP_201_CREATED, {"Location": location})

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        data = self._input(s.IncidentUpdateSerializer)
        with transaction.atomic():
            locked = get_incident_for(
                request,
                incident.pk,
                lock=True,
                queryset=Incident.objects.select_related("category"),
            )
            self.check_precondition(request, locked)
            incident = services.update_incident(locked, actor=request.user, **data)
        return self.respond(incident)

    def _transition(self, action_name, service, serializer_class=None, **fixed):
        incident = self.get_object()
        # 403, then 409 for a status that does not allow the action, then the body's 400s.
        services.check_action(incident, action_name, self.request.user)
        data = self._input(serializer_class) if serializer_class else {}
        incident = service(incident, actor=self.request.user, **fixed, **data)
        return self.respond(incident)

    @_action(s.NoteSerializer, "reported → confirmed")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition("confirm", services.confirm_incident, s.NoteSerializer)

    @_action(s.DispatchSerializer, "confirmed/dispatched → dispatched to a user and/or team")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_to(self, request, pk=None):
        return self._transition("dispatch", services.dispatch_incident, s.DispatchSerializer)

    @_action(s.NoteSerializer, "dispatched → on_site")
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._transition("arrive", services.arrive_incident, s.NoteSerializer)

    @_action(s.ResolveSerializer, "→ resolved (resolution required)")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._transition("resolve", services.resolve_incident, s.ResolveSerializer)

    @_action(s.NoteSerializer, "resolved → closed")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition("close", services.close_incident, s.NoteSerializer)

    @_action(s.CancelSerializer, "open → cancelled (reason required)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition("cancel", services.cancel_incident, s.CancelSerializer)

    @_action(s.RegradeSerializer, "change the grade of an open incident")
    @action(detail=True, methods=["post"])
    def regrade(self, request, pk=None):
        return self._transition("regrade", services.regrade_incident, s.RegradeSerializer)

    @extend_schema(
        methods=["get"],
        responses=s.EventSerializer(many=True),
        summary="the timeline, oldest first",
        filters=False,
    )
    @extend_schema(
        methods=["post"],
        request=s.EventCreateSerializer,
        responses={201: s.EventSerializer},
        summary="add a note",
        parameters=[IDEMPOTENCY_PARAM],
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def events(self, request, pk=None):
        incident = self.get_object()
        if request.method == "POST":
            return self._add_note(request, incident)
        events = incident.events.order_by("created_at", "id")
        page = self.paginate_queryset(events)
        return self.get_paginated_response(s.EventSerializer(page, many=True).data)

    @idempotent
    def _add_note(self, request, incident):
        data = self._input(s.EventCreateSerializer)
        event = services.add_note(incident, actor=request.user, text=data["text"])
        return Response(s.EventSerializer(event).data, status=status.HTTP_201_CREATED)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Incident categories; ``category`` of an incident is a category's slug."""

    serializer_class = s.CategorySerializer
    queryset = Category.objects.all()
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filter_backends: list = []
