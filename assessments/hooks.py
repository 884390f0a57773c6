"""What assessments do when an incident moves (listed in settings.INCIDENT_LIFECYCLE and
INCIDENT_CLOSE_GUARDS)."""

from __future__ import annotations

from datetime import datetime

from assessments import customer_tasks, services
from incidents.models import Incident


def send_survey(incident: Incident, *, actor, now: datetime) -> None:
    """resolve: every resolved incident gets its survey; the customer is told it is
    resolved, with the survey link (the customer message ``resolved``)."""
    services.create_survey(incident, now=now)


def plan_return_visit(incident: Incident, *, actor, now: datetime) -> None:
    """close: Level I and II incidents get a return visit for customer service."""
    customer_tasks.plan_return_visit(incident, now=now)


def assessment_submitted(incident: Incident) -> None:
    """close guard: Level I and II incidents need a submitted assessment to close."""
    services.require_assessment_to_close(incident)
