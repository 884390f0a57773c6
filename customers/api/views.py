from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.crypto import blind_index
from customers import phones, services
from customers.api.serializers import CustomerCreateSerializer, CustomerSerializer
from customers.models import Customer, CustomerPhone


class CanViewCustomers(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("customers.view_customer"))


class CustomerFilterSet(django_filters.FilterSet):
    """Exact filters: names and phones are encrypted, matched by their blind indexes."""

    phone = django_filters.CharFilter(method="by_phone", help_text="Exact phone, any format.")
    name = django_filters.CharFilter(method="by_name", help_text="Exact name.")

    class Meta:
        model = Customer
        fields: list[str] = []

    def by_phone(self, queryset, name, value):
        digits = phones.normalise(value)
        if not digits:
            return queryset.none()
        return queryset.filter(phones__number_bidx=blind_index("phone", digits))

    def by_name(self, queryset, name, value):
        key = blind_index("name", value)
        return queryset.filter(name_bidx=key) if key else queryset.none()


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers (issue 15): list with exact `phone` and `name` filters, read one, create.
    Merged-away records are listed only by id (their `merged_into` names the kept one)."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("-is_primary", "id"))
    ).order_by("-id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilterSet

    def get_permissions(self):
        return [*super().get_permissions(), CanViewCustomers()]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.filter(merged_into=None)
        return queryset

    @extend_schema(request=CustomerCreateSerializer, responses={201: CustomerSerializer})
    def create(self, request, *args, **kwargs):
        incoming = CustomerCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            customer = services.create_customer(actor=request.user, **incoming.validated_data)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        customer = self.get_queryset().get(pk=customer.pk)
        data = CustomerSerializer(customer, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
