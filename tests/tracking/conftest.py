from datetime import UTC, datetime, timedelta

import pytest

from incidents import services as incident_services
from tests import factories

# 10:00 in Shanghai: outside the SMS quiet hours.
DAY = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return DAY + timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def _service_line(settings):
    settings.SERVICE_LINE_PHONE = "400-555-0199"
    settings.MESSAGING_SMS_PROVIDER = "console"


@pytest.fixture
def reported(org):
    """A Level II report, as the system, at DAY."""
    return factories.report(grade="II", reported_at=DAY, now=DAY, customer_phone="138 0013 8000")


@pytest.fixture
def confirmed(reported):
    return incident_services.confirm_incident(reported, actor=None, now=at(5))


@pytest.fixture
def dispatched(confirmed, technician):
    """Dispatched to the technician (given name Ming: 'Zhang Ming' would be Ming)."""
    type(technician).objects.filter(pk=technician.pk).update(first_name="李明")
    technician.refresh_from_db()
    return incident_services.dispatch_incident(
        confirmed, actor=None, assignee=technician, now=at(10)
    )
