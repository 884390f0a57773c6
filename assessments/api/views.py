"""Assessment API under /api/v1/assessments/: declarative viewsets; writes call
assessments.services."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.idempotency import idempotent
from assessments import services
from assessments.api import serializers as s
from assessments.evaluation import evaluate
from assessments.filtersets import (
    AssessmentFilterSet,
    CorrectiveActionFilterSet,
    EvaluationFilterSet,
)
from assessments.models import Assessment, CorrectiveAction, Drill, Survey
from core.api.conditional import ETagMixin
from incidents.access import require_perm
from incidents.models import Incident

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body returns the first response.",
)


def _require(view, perm: str) -> None:
    """The policy's ``require_perm`` for the view's user (none while the schema is drawn)."""
    if not getattr(view, "swagger_fake_view", False):
        require_perm(view.request.user, perm)


class _Base(ETagMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


EVALUATION_PARAMS = [
    OpenApiParameter(
        "start", str, description="First day (YYYY-MM-DD, local); default: the current quarter."
    ),
    OpenApiParameter("end", str, description="Last day, inclusive."),
    OpenApiParameter("category", str),
    OpenApiParameter("grade", str),
    OpenApiParameter("team", int),
    OpenApiParameter("service_centre", int),
]


@extend_schema_view(
    create=extend_schema(
        request=s.AssessmentCreateSerializer,
        responses={201: s.AssessmentSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    ),
    partial_update=extend_schema(
        request=s.AssessmentWriteSerializer, responses={200: s.AssessmentSerializer}
    ),
)
class AssessmentViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Assessments of resolved incidents. ``submit: true`` makes one final (Level I and II
    incidents cannot be closed before)."""

    serializer_class = s.AssessmentSerializer
    filterset_class = AssessmentFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        _require(self, "assessments.view_assessment")
        visible = Incident.objects.restrict(self.request.user).values("pk")
        return (
            Assessment.objects.filter(incident__in=visible)
            .select_related("incident")
            .prefetch_related("actions")
            .order_by("-created_at", "-id")
        )

    @idempotent
    def create(self, request, *args, **kwargs):
        data = dict(self._input(s.AssessmentCreateSerializer))
        assessment = services.save_assessment(data.pop("incident"), actor=request.user, **data)
        return self.respond(assessment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        self.check_precondition(request, assessment)
        data = self._input(s.AssessmentWriteSerializer)
        current = {k: getattr(assessment, k) for k in ("cause", "customer_feedback", "summary")}
        fields = {k: data[k] if k in request.data else v for k, v in current.items()}
        assessment = services.save_assessment(
            assessment.incident, actor=request.user, submit=data["submit"], **fields
        )
        return self.respond(assessment)

    @extend_schema(
        request=s.CorrectiveActionCreateSerializer,
        responses={201: s.CorrectiveActionSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def actions(self, request, pk=None):
        assessment = self.get_object()
        data = self._input(s.CorrectiveActionCreateSerializer)
        created = services.add_corrective_action(actor=request.user, assessment=assessment, **data)
        return Response(
            s.CorrectiveActionSerializer(created, context=self.get_serializer_context()).data,
            status=201,
        )

    @extend_schema(
        parameters=EVALUATION_PARAMS,
        responses={200: dict},
        filters=False,
        summary="KPIs of the incidents reported in a period",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def evaluation(self, request):
        _require(self, "assessments.view_evaluation")
        filterset = EvaluationFilterSet(
            request.query_params, queryset=Incident.objects.restrict(request.user)
        )
        period = filterset.period
        result = evaluate(filterset.qs, period)
        return Response(
            {
                "start": period.start,
                "end": period.end,
                "total": _clean(result["total"]),
                "weekly": [{"week": m, **_clean(row)} for m, row in result["weekly"]],
                "by_grade": {k: _clean(v) for k, v in result["by_grade"].items()},
                "by_category": {k: _clean(v) for k, v in result["by_category"].items()},
            }
        )


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("sum_")}


class CorrectiveActionViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Corrective actions of assessments and drills; ``?overdue=true`` lists overdue ones."""

    serializer_class = s.CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilterSet

    def get_queryset(self):
        _require(self, "assessments.view_correctiveaction")
        return CorrectiveAction.objects.order_by("due_date", "id")

    @extend_schema(request=s.ActionStatusSerializer, responses={200: s.CorrectiveActionSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = self._input(s.ActionStatusSerializer)
        updated = services.set_action_status(self.get_object(), actor=request.user, **data)
        return self.respond(updated)


class SurveyViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Satisfaction surveys (read-only; the token is never exposed here)."""

    serializer_class = s.SurveySerializer
    filterset_fields = ["incident"]

    def get_queryset(self):
        _require(self, "assessments.view_survey")
        visible = Incident.objects.restrict(self.request.user).values("pk")
        return Survey.objects.filter(incident__in=visible).order_by("-created_at", "-id")


@extend_schema_view(
    create=extend_schema(
        request=s.DrillCreateSerializer,
        responses={201: s.DrillSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    )
)
class DrillViewSet(_Base, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Emergency drills: plan, then record results; findings become corrective actions."""

    serializer_class = s.DrillSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        _require(self, "assessments.view_drill")
        return Drill.objects.prefetch_related(
            "measurements", "actions", "participants", "teams"
        ).order_by("-scheduled_at", "-id")

    @idempotent
    def create(self, request, *args, **kwargs):
        data = self._input(s.DrillCreateSerializer)
        drill = services.plan_drill(actor=request.user, **data)
        return self.respond(drill, status.HTTP_201_CREATED)

    @extend_schema(request=s.DrillResultsSerializer, responses={200: s.DrillSerializer})
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        data = self._input(s.DrillResultsSerializer)
        drill = services.record_drill_results(
            self.get_object(),
            actor=request.user,
            measurements=data["measurements"],
            findings=data["findings"],
        )
        return self.respond(drill)

    @extend_schema(
        request=s.CorrectiveActionCreateSerializer,
        responses={201: s.CorrectiveActionSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def findings(self, request, pk=None):
        data = self._input(s.CorrectiveActionCreateSerializer)
        created = services.add_corrective_action(
            actor=request.user, drill=self.get_object(), **data
        )
        return Response(
            s.CorrectiveActionSerializer(created, context=self.get_serializer_context()).data,
            status=201,
        )
