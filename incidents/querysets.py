from __future__ import annotations

from datetime import datetime

from django.db import models

from incidents import access


class IncidentQuerySet(models.QuerySet):
    def open(self) -> IncidentQuerySet:
        # The services keep ``next_deadline`` set exactly while an incident is open; saying
        # so lets PostgreSQL count open incidents from the partial index
        # escalation_open_incidents without reading the table (the desk's counts: 300 ms
        # -> 16 ms at 1M incidents, 30k open).
        return self.filter(
            status__in=["reported", "confirmed", "dispatched", "on_site"],
            next_deadline__isnull=False,
        )

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

    def restrict(self, user, action: str = "view") -> IncidentQuerySet:
        """The incidents ``user`` may take ``action`` on (the policy: incidents/access.py)."""
        return access.restrict(self, user, action)

    def visible_to(self, user) -> IncidentQuerySet:
        """Alias of ``restrict(user, "view")`` for callers not yet moved over."""
        return self.restrict(user, "view")

    def jobs_for(self, user) -> IncidentQuerySet:
        """A technician's open jobs: their own jobs (access.py ``own_job``) being worked."""
        return self.restrict(user, "own_job").filter(
            status__in=["confirmed", "dispatched", "on_site"]
        )
