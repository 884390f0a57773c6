"""A real worker and beat deliver signed webhooks to a receiver on 127.0.0.1."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import channels
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from tests import factories
from tests.escalation.procs import Procs, broker_url, flush, wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SECRET = "integration-secret"


@pytest.fixture
def procs(tmp_path):
    flush(broker_url())
    running = Procs(tmp_path)
    yield running
    running.stop_all()


def test_worker_delivers_signed_webhooks_and_retries_after_a_500(procs, receiver):
    org = factories.make_org()
    hook = receiver(statuses=[500])
    WebhookEndpoint.objects.create(
        name="HQ", team=org["hq"], url=hook.url, secret=SECRET, language="en"
    )
    now = timezone.now()
    incident = factories.report(grade="III", reported_at=now - timedelta(minutes=46), now=now)
    # The receiver is on 127.0.0.1, which webhooks may reach only when allowed.
    procs.worker(
        "w1", concurrency=2, NOTIFY_RETRY_BASE_SECONDS=1, WEBHOOK_ALLOWED_HOSTS="127.0.0.1"
    )
    procs.beat("b1", ESCALATION_SWEEP_SECONDS=1)

    def delivered():
        row = Notification.objects.filter(incident=incident, channel="webhook").first()
        return row if row and row.status == "delivered" else None

    row = wait_for(delivered, 60)
    assert row, procs.log("w1")[-3000:]
    assert len(hook.requests) == 2  # the 500, then the retry
    keys = {r["headers"]["X-Aftersales-Delivery"] for r in hook.requests}
    assert keys == {row.key}  # the same key on the retry: a receiver can drop repeats
    for request in hook.requests:
        h = request["headers"]
        assert channels.verify_signature(
            SECRET, h["X-Aftersales-Timestamp"], request["body"], h["X-Aftersales-Signature"]
        )
    body = json.loads(hook.requests[-1]["body"])
    assert body["escalation"] == {**body["escalation"], "target": "confirm", "step": 2, "level": 2}
    attempts = DeliveryAttempt.objects.filter(notification=row).order_by("number")
    assert [(a.ok, a.status_code) for a in attempts] == [(False, 500), (True, 200)]
