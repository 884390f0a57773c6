from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.idempotency import idempotent
from accounts.api.permissions import KeyScope
from core.api.conditional import ETagMixin
from incidents.access import get_incident_for
from incidents.models import Incident
from spareparts import services
from spareparts.api import serializers as s
from spareparts.filtersets import BalanceFilterSet, PartFilterSet
from spareparts.models import Depot, Part, StockBalance

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key and body returns the first response.",
)


def requires(perm: str):
    class HasPerm(permissions.BasePermission):
        def has_permission(self, request, view):
            return request.user.has_perm(perm)

    HasPerm.__name__ = f"Has_{perm.replace('.', '_')}"
    return HasPerm


class PartViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """The spare-parts catalogue. Filters: ``search`` (SKU or name), ``category``,
    ``tracking``, ``is_active``."""

    serializer_class = s.PartSerializer
    queryset = Part.objects.order_by("sku", "id")
    filterset_class = PartFilterSet
    permission_classes = [KeyScope, requires("spareparts.view_part")]


class DepotViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """Depots at HQ and the service centres."""

    serializer_class = s.DepotSerializer
    queryset = Depot.objects.order_by("kind", "code", "id")
    filter_backends: list = []
    permission_classes = [KeyScope, requires("spareparts.view_depot")]


class StockViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """Stock per part and depot: ``on_hand``, ``reserved``, ``available``. Filters: ``part``
    (id), ``sku``, ``depot`` (id), ``depot_code``, ``low``, ``available_gte``."""

    serializer_class = s.StockSerializer
    queryset = StockBalance.objects.select_related("part", "depot").order_by("part_id", "depot_id")
    filterset_class = BalanceFilterSet
    permission_classes = [KeyScope, requires("spareparts.view_stockbalance")]


class IncidentPartsView(APIView):
    """``GET``: what the incident holds per part and depot (reserved now, issued net of
    returns). ``POST`` {part, depot, quantity}: reserve for the incident; 409 when fewer
    are available (or the incident is not open), nothing reserved then."""

    permission_classes = [KeyScope]

    def _incident(self, request, pk: int) -> Incident:
        return get_incident_for(request, pk)

    @extend_schema(responses=s.IncidentPartSerializer(many=True))
    def get(self, request, pk: int):
        rows = services.parts_for_incident(self._incident(request, pk))
        return Response(
            {
                "next": None,
                "previous": None,
                "results": s.IncidentPartSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        request=s.ReserveSerializer,
        responses={201: s.MoveSerializer},
        parameters=[IDEMPOTENCY_PARAM],
    )
    @idempotent
    def post(self, request, pk: int):
        incident = self._incident(request, pk)
        data = s.ReserveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        move = services.reserve_part(incident, actor=request.user, **data.validated_data)
        return Response(s.MoveSerializer(move).data, status=status.HTTP_201_CREATED)
