"""GET /api/v1/incidents/{id}/candidates/: the dispatch recommendation."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.params import positive_int
from dispatch.api.serializers import RankingSerializer
from dispatch.services import rank_candidates
from incidents.access import get_incident_for

MAX_LIMIT = 100


class IncidentCandidatesView(APIView):
    """Technicians and partner teams ranked for an incident (best first), each with its
    score and reasons; those a hard filter left out (out-of-action centre, NEV work
    without a valid HV qualification) are listed apart with the reason. Needs the right
    to dispatch the incident; 404 for an incident the caller may not see."""

    @extend_schema(
        operation_id="incidents_candidates",
        tags=["incidents"],
        parameters=[
            OpenApiParameter("limit", int, description="How many of each list (1-100, 20).")
        ],
        responses=RankingSerializer,
    )
    def get(self, request, pk: int):
        limit = positive_int(
            request.query_params.get("limit"), default=20, maximum=MAX_LIMIT, name="limit"
        )
        incident = get_incident_for(request, pk, "dispatch")
        ranking = rank_candidates(incident, limit=limit)
        return Response(RankingSerializer(ranking).data)
