from __future__ import annotations

from datetime import datetime

from django.db import models

from incidents import access


class IncidentQuerySet(models.QuerySet):
    def open(self) -> IncidentQuerySet:
        # Exactly the condition of the incident_open_reported index, which holds what the
        # desk counts and lists: PostgreSQL reads open incidents from it without the table.
        # (Adding "next_deadline is set", true of the same rows, made it guess 30 times too
        # few rows and sort every open incident to show 15: 700 -> 9 ms at 1M incidents.)
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

    def restrict(self, user, action: str = "view") -> IncidentQuerySet:
        """The incidents ``user`` may take ``action`` on (the policy: incidents/access.py)."""
        return access.restrict(self, user, action)

    def jobs_for(self, user) -> IncidentQuerySet:
        """A technician's open jobs: their own jobs (access.py ``own_job``) being worked
        (the My jobs page)."""
        return self.restrict(user, "own_job").filter(
            status__in=["confirmed", "dispatched", "on_site"]
        )
