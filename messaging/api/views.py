"""GET /api/v1/incidents/{id}/messages/: the customer-message log of one incident, oldest
first, for anyone who may see the incident (incidents.access; 404 otherwise)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from incidents.access import get_incident_for
from messaging.api.serializers import CustomerMessageSerializer
from messaging.models import CustomerMessage


@extend_schema(summary="the messages sent to the customer, oldest first", tags=["incidents"])
class IncidentMessageList(generics.ListAPIView):
    serializer_class = CustomerMessageSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerMessage.objects.none()
        incident = get_incident_for(self.request, self.kwargs["pk"])
        return incident.customer_messages.order_by("created_at", "id")
