from datetime import UTC, datetime, timedelta

import pytest

from incidents import services as incident_services
from incidents.models import Incident
from tests import factories


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def walk(
    grade: str,
    reported_at: datetime,
    *,
    confirm=None,
    dispatch=None,
    arrive=None,
    resolve=None,
    cancel=None,
    team=None,
    escalation: int = 0,
    **fields,
) -> Incident:
    """Report an incident and take it through the services at the given minutes after the
    report (None: never)."""
    incident = factories.report(grade=grade, reported_at=reported_at, now=reported_at, **fields)

    def at(minutes):
        return reported_at + timedelta(minutes=minutes)

    if confirm is not None:
        incident_services.confirm_incident(incident, actor=None, now=at(confirm))
    if dispatch is not None:
        incident_services.dispatch_incident(incident, actor=None, team=team, now=at(dispatch))
    if arrive is not None:
        incident_services.arrive_incident(incident, actor=None, now=at(arrive))
    if resolve is not None:
        incident_services.resolve_incident(
            incident, actor=None, resolution="Fixed.", now=at(resolve)
        )
    if cancel is not None:
        incident_services.cancel_incident(incident, actor=None, reason="Duplicate.", now=at(cancel))
    if escalation:
        Incident.objects.filter(pk=incident.pk).update(escalation_level=escalation)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def resolved_incident(org):
    def make(grade="I", **kwargs):
        reported = kwargs.pop("reported_at", utc(2026, 11, 2, 2, 0))
        return walk(
            grade,
            reported,
            confirm=10,
            dispatch=20,
            arrive=60,
            resolve=120,
            team=org["service_centre"],
            **kwargs,
        )

    return make
