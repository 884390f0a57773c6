import django_filters
from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets

from core.api.conditional import ETagMixin
from teams.api.serializers import TeamSerializer
from teams.models import Membership, Team, TeamKind


class TeamFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=TeamKind.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Team
        fields: list[str] = []


class TeamViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """The command structure: HQ, response groups, service centres and partners, with their
    members and each member's role (leader, deputy, member)."""

    serializer_class = TeamSerializer
    queryset = Team.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("role", "user__username"),
        )
    ).order_by("kind", "name", "id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = TeamFilterSet
    lookup_value_regex = "[^/]+"
