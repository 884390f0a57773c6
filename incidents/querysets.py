from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q


class IncidentQuerySet(models.QuerySet):
    def open(self) -> IncidentQuerySet:
        return self.filter(status__in=["reported", "confirmed", "dispatched", "on_site"])

    def overdue(self, now: datetime) -> IncidentQuerySet:
        """Open incidents whose current target (confirm, arrive or resolve) has passed.

        ``next_deadline`` is kept by the services as the deadline of the open milestone, so
        this reads one partial index.
        """
        return self.filter(next_deadline__lt=now)

    def not_overdue(self, now: datetime) -> IncidentQuerySet:
        return self.exclude(next_deadline__lt=now)

    def escalated(self) -> IncidentQuerySet:
        return self.filter(escalation_level__gt=0)

    def for_asset(self, asset_ref: str) -> IncidentQuerySet:
        # Asset references are stored upper-case (services.normalize_fields), so this is an
        # equality the asset index serves.
        return self.filter(asset_ref=asset_ref.strip().upper())

    def with_list_relations(self) -> IncidentQuerySet:
        return self.select_related("category", "assignee", "team")

    def visible_to(self, user) -> IncidentQuerySet:
        """Everything for roles that see all incidents; otherwise the user's jobs and their
        teams' jobs (technicians)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.has_perm("incidents.view_all_incidents"):
            return self
        team_ids = user.memberships.values("team_id")
        return self.filter(Q(assignee=user) | Q(team_id__in=team_ids))

    def jobs_for(self, user) -> IncidentQuerySet:
        """A technician's open jobs: assigned to them, or to one of their teams with no one
        assigned yet (any member may take it)."""
        team_ids = user.memberships.values("team_id")
        return self.filter(
            Q(assignee=user) | Q(assignee__isnull=True, team_id__in=team_ids),
            status__in=["confirmed", "dispatched", "on_site"],
        )
