from datetime import UTC, datetime

import pytest

from messaging.models import CustomerMessage
from tests import factories

# 10:00 in Shanghai (02:00 UTC): outside the quiet hours.
DAY = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
# 23:30 in Shanghai.
NIGHT = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)

RECEIVED = {"number": "AS-1", "tracking_url": "https://t.example/x", "service_line": "400-800"}
RESOLVED = {"number": "AS-1", "summary": "Battery replaced", "survey_url": "https://s.example/y"}


@pytest.fixture
def incident(db):
    incident = factories.report(now=DAY, reported_at=DAY, customer_phone="138 0013 8000")
    # What the lifecycle hooks (tracking) queued on report: each test tells its own.
    CustomerMessage.objects.all().delete()
    return incident


@pytest.fixture(autouse=True)
def _console(settings):
    settings.MESSAGING_SMS_PROVIDER = "console"
    settings.MESSAGING_OUTCOME_HOOKS = []
