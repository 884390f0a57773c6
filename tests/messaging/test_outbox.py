"""The outbox: once per (incident, key, channel, recipient), in the customer's language,
the rules (consent, opt-out, quiet hours, rate limit), retries then failure."""

from datetime import timedelta

import pytest

from customers.models import Customer, CustomerPhone
from messaging import services
from messaging.models import CustomerMessage, Reason, Status
from messaging.providers import ProviderError
from tests.messaging.conftest import DAY, NIGHT, RECEIVED, RESOLVED

pytestmark = pytest.mark.django_db


def test_one_sms_per_occasion_and_a_repeat_writes_nothing(incident):
    first = services.tell_customer(incident, "received", RECEIVED, key="received", now=DAY)
    again = services.tell_customer(incident, "received", RECEIVED, key="received", now=DAY)
    assert [(m.channel, m.status, m.address) for m in first] == [("sms", "pending", "13800138000")]
    assert again == []
    assert CustomerMessage.objects.count() == 1
    assert "AS-1" in first[0].text and first[0].language == "zh-hans"


def test_bad_calls_are_refused(incident):
    with pytest.raises(ValueError, match="unknown"):
        services.tell_customer(incident, "hello", {}, key="x")
    with pytest.raises(ValueError, match="survey_url"):
        services.tell_customer(incident, "resolved", {"number": "1", "summary": "s"}, key="x")
    # An empty value is given (a service line not configured): the message still goes.
    assert services.tell_customer(
        incident, "cancelled", {"number": "1", "service_line": ""}, key="x"
    )


def test_no_mobile_no_message(db):
    from tests import factories

    landline = factories.report(now=DAY, customer_phone="010 1234 5678")
    assert services.tell_customer(landline, "received", RECEIVED, key="r", now=DAY) == []


def test_console_delivery_logs_the_masked_phone_and_records_the_attempt(incident, caplog):
    services.tell_customer(incident, "resolved", RESOLVED, key="resolved", now=DAY)
    with caplog.at_level("INFO", logger="aftersales.messaging"):
        assert services.deliver_due(now=DAY) == 1
    message = CustomerMessage.objects.get()
    assert (message.status, message.attempts, message.sent_at) == ("sent", 1, DAY)
    assert message.attempt_log.get().ok
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text
    assert "Battery replaced" in caplog.text


def test_english_customer_gets_english(incident):
    customer = Customer.objects.create(name="Wei", language="en")
    CustomerPhone.objects.create(customer=customer, number="13900139000", is_primary=True)
    incident.customer = customer
    incident.save(update_fields=["customer"])
    [message] = services.tell_customer(incident, "resolved", RESOLVED, key="r", now=DAY)
    assert message.language == "en" and message.address == "13900139000"
    assert message.text.startswith("Your report AS-1 is resolved")


def test_quiet_hours_defer_to_eight_in_the_morning_not_drop(incident):
    [message] = services.tell_customer(incident, "received", RECEIVED, key="r", now=NIGHT)
    assert (message.status, message.reason) == ("pending", Reason.QUIET_HOURS)
    assert message.next_attempt_at == DAY - timedelta(hours=2) + timedelta(days=1)  # 08:00 +08
    assert services.deliver_due(now=NIGHT + timedelta(hours=1)) == 0
    assert services.deliver_due(now=message.next_attempt_at) == 1
    assert CustomerMessage.objects.get().status == "sent"


def test_safety_incidents_and_legal_messages_go_at_night(db):
    from tests import factories

    safety = factories.report(now=NIGHT, category_slug="safety-accident")
    [message] = services.tell_customer(safety, "received", RECEIVED, key="r", now=NIGHT)
    assert message.urgent and message.next_attempt_at == NIGHT and not message.reason
    other = factories.report(now=NIGHT, customer_phone="13700137000")
    [legal] = services.tell_customer(
        other,
        "complaint_outcome",
        {"number": "1", "outcome": "ok"},
        key="c",
        now=NIGHT,
        legally_required=True,
    )
    assert legal.next_attempt_at == NIGHT


def test_revoked_consent_stops_all_but_legally_required(incident):
    customer = Customer.objects.create(name="Wei", consent=False)
    incident.customer = customer
    incident.save(update_fields=["customer"])
    [plain] = services.tell_customer(incident, "received", RECEIVED, key="r", now=DAY)
    [legal] = services.tell_customer(
        incident,
        "complaint_outcome",
        {"number": "1", "outcome": "ok"},
        key="c",
        now=DAY,
        legally_required=True,
    )
    assert (plain.status, plain.reason) == ("suppressed", Reason.CONSENT_REVOKED)
    assert legal.status == "pending"


def test_opt_out_suppresses_pending_and_later_sms(incident):
    [waiting] = services.tell_customer(incident, "received", RECEIVED, key="r", now=NIGHT)
    assert services.opt_out_phone("+86 138 0013 8000", source="sms", now=NIGHT)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == ("suppressed", Reason.OPTED_OUT)
    incident.refresh_from_db()
    [later] = services.tell_customer(incident, "resolved", RESOLVED, key="s", now=DAY)
    assert (later.status, later.reason) == ("suppressed", Reason.OPTED_OUT)


def test_per_phone_rate_limit_defers(incident, settings):
    settings.MESSAGING_SMS_PER_PHONE_HOUR = 2
    for n in range(3):
        services.tell_customer(incident, "received", RECEIVED, key=f"r{n}", now=DAY)
    services.deliver_due(now=DAY)
    statuses = sorted(CustomerMessage.objects.values_list("status", "reason"))
    assert statuses == [("pending", "rate_limit"), ("sent", ""), ("sent", "")]
    deferred = CustomerMessage.objects.get(status="pending")
    assert deferred.next_attempt_at == DAY + timedelta(hours=1)


def test_provider_down_retries_with_backoff_then_fails_with_its_reason(
    incident, settings, monkeypatch
):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    settings.MESSAGING_RETRY_BASE_SECONDS = 30

    def down(message):
        raise ProviderError("HTTP 503", code="503", status_code=503)

    monkeypatch.setitem(services.providers.ADAPTERS, "console", down)
    services.tell_customer(incident, "received", RECEIVED, key="r", now=DAY)
    now = DAY
    for expected_wait in (30, 60):
        assert services.deliver_due(now=now) == 1
        message = CustomerMessage.objects.get()
        assert message.status == "pending" and message.provider_reason == "HTTP 503"
        assert message.next_attempt_at == now + timedelta(seconds=expected_wait)
        now = message.next_attempt_at
    services.deliver_due(now=now)
    message = CustomerMessage.objects.get()
    assert (message.status, message.attempts, message.reason) == ("failed", 3, "provider_error")
    assert message.attempt_log.count() == 3
    assert incident.status == "reported"  # the incident goes on


def test_template_refused_fails_at_once(incident, monkeypatch):
    def refuse(message):
        raise ProviderError("isv.SMS_TEMPLATE_ILLEGAL: bad", reason=Reason.REFUSED)

    monkeypatch.setitem(services.providers.ADAPTERS, "console", refuse)
    services.tell_customer(incident, "received", RECEIVED, key="r", now=DAY)
    services.deliver_due(now=DAY)
    message = CustomerMessage.objects.get()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.provider_reason == "isv.SMS_TEMPLATE_ILLEGAL: bad"


def test_a_stale_claim_writes_nothing(incident):
    services.tell_customer(incident, "received", RECEIVED, key="r", now=DAY)
    [(pk, claim)] = services.claim_due(now=DAY)
    # The lease runs out (the worker hung); another worker claims it again and sends it.
    later = DAY + services.LEASE
    [(_, second)] = services.claim_due(now=later)
    assert services.deliver(pk, second, now=later) is True
    assert services.deliver(pk, claim, now=later) is None
    message = CustomerMessage.objects.get()
    assert (message.status, message.attempts, message.claims) == ("sent", 1, 2)
