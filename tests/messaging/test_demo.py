"""The demo's customer messages: every state of the delivery log, once."""

import pytest

from demo import messaging as demo_messaging
from messaging.models import CustomerMessage
from tests import factories

pytestmark = pytest.mark.django_db


def test_demo_shows_every_state_and_loads_once(settings):
    settings.MESSAGING_QUIET_HOURS = (0.0, 0.0)  # whatever the hour the test runs at
    for n in range(4):
        factories.report(customer_phone=f"1370013700{n}")
    demo_messaging.load()
    demo = CustomerMessage.objects.filter(key__startswith="demo:")
    states = set(demo.values_list("status", "reason"))
    assert {
        ("sent", ""),
        ("failed", "refused"),
        ("pending", "rate_limit"),
        ("suppressed", "opted_out"),
        ("suppressed", "consent_revoked"),
    } <= states
    failed = demo.get(status="failed")
    assert failed.provider_reason.startswith("isv.SMS_TEMPLATE_ILLEGAL")
    count = demo.count()
    demo_messaging.load()
    assert demo.count() == count
