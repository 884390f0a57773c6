"""What field does when an incident moves (listed in settings.INCIDENT_LIFECYCLE)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from incidents.models import Incident
from notifications import services as notifications


def alert_new_job(incident: Incident, *, actor, now: datetime) -> None:
    """A job dispatched to a technician: they hear through the channels they already have
    (in-app, and email unless turned off). Nobody is told of a job they gave themselves;
    a re-dispatch to the same technician at the same moment writes nothing twice."""
    if incident.assignee_id is None or incident.assignee_id == getattr(actor, "pk", None):
        return

    def text(language: str) -> tuple[str, str]:
        with override(language):
            title = _("New job %(number)s") % {"number": incident.number}
            body = _("%(grade)s · %(title)s. Open My jobs to see it.") % {
                "grade": incident.grade,
                "title": incident.title,
            }
        return title, body

    notifications.notify_users(
        [incident.assignee_id],
        event="dispatched",
        step=f"field.new_job:{incident.pk}:{now:%Y%m%d%H%M%S}",
        text=text,
        url=reverse("incidents:my_jobs") + f"#job-{incident.pk}",
        now=now,
    )
