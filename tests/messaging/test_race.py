"""Exactly once under racing workers: two threads, each with its own PostgreSQL connection,
claim and deliver the same due messages at the same time."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from messaging import services
from messaging.models import CustomerMessage, Status
from tests import factories
from tests.messaging.conftest import DAY, RECEIVED

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_racing_workers_send_each_message_exactly_once(monkeypatch, settings):
    assert connection.vendor == "postgresql"
    settings.MESSAGING_SMS_PER_PHONE_HOUR = settings.MESSAGING_SMS_PER_PHONE_DAY = 0
    incident = factories.report(now=DAY, customer_phone="13900139000")
    CustomerMessage.objects.all().delete()  # what the lifecycle hooks queued
    for n in range(60):
        services.tell_customer(incident, "received", RECEIVED, key=f"k{n}", now=DAY)
    handed: Counter = Counter()
    lock = threading.Lock()

    def provider(message):
        time.sleep(0.002)  # the provider's round trip: the workers overlap
        with lock:
            handed[message.pk] += 1
        return services.providers.Sent(f"id-{message.pk}")

    monkeypatch.setitem(services.providers.ADAPTERS, "console", provider)
    start = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]

    def worker(n: int):
        try:
            start.wait()
            while batch := services.claim_due(now=DAY, limit=7):
                for pk, claim in batch:
                    claimed[n].append(pk)
                    services.deliver(pk, claim, now=DAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(handed) == 60 and set(handed.values()) == {1}
    assert claimed[0] and claimed[1], "both workers took part"
    assert not set(claimed[0]) & set(claimed[1])
    assert CustomerMessage.objects.filter(status=Status.SENT, attempts=1).count() == 60
