# ruff: noqa: RUF001 - the Chinese pages use full-width punctuation
"""The delivery log on the incident page, the API's message log, the providers' TD reply
callbacks, and the integration webhooks on delivered / failed."""

import json

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import CustomerMessage, PhoneOptOut, Reason
from messaging.providers import ProviderError
from tests import factories
from tests.messaging.conftest import DAY, NIGHT, RECEIVED, RESOLVED

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(incident, monkeypatch):
    """Four messages: sent, failed with the provider's reason, waiting for the morning,
    not sent (opted out)."""
    services.tell_customer(incident, "received", RECEIVED, key="received", now=DAY)
    services.deliver_due(now=DAY)

    def refuse(message):
        raise ProviderError("isv.SMS_TEMPLATE_ILLEGAL: 模板不合法", reason=Reason.REFUSED)

    monkeypatch.setitem(services.providers.ADAPTERS, "console", refuse)
    services.tell_customer(incident, "resolved", RESOLVED, key="resolved", now=DAY)
    services.deliver_due(now=DAY)
    services.tell_customer(incident, "resolved", RESOLVED, key="night", now=NIGHT)
    other = factories.report(now=DAY, customer_phone="13700137000")
    services.opt_out_phone("13700137000", source="desk", now=DAY)
    services.tell_customer(other, "received", RECEIVED, key="r", now=DAY)
    return incident


def test_delivery_log_panel_in_english_and_chinese(logged, dispatcher_client):
    url = reverse("incidents:detail", args=[logged.pk])
    html = dispatcher_client.get(url).content.decode()
    assert "Messages to the customer" in html
    assert "138****8000" in html and "13800138000" not in html
    for text in ("Sent", "Failed", "1 attempt", "Quiet hours: waits until morning", "模板不合法"):
        assert text in html
    dispatcher_client.cookies["django_language"] = "zh-hans"
    html = dispatcher_client.get(url).content.decode()
    for text in (
        "发给客户的消息",
        "已发送",
        "失败",
        "尝试 1 次",
        "免打扰时段：早上再发",
        "报修已受理",
    ):
        assert text in html


def test_api_message_log_masked_and_only_for_who_may_see(logged, dispatcher_client, technician):
    from django.test import Client

    url = f"/api/v1/incidents/{logged.pk}/messages/"
    data = dispatcher_client.get(url).json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [(r["occasion"], r["status"]) for r in rows] == [
        ("received", "sent"),
        ("resolved", "failed"),
        ("night", "pending"),
    ]
    assert rows[1]["provider_reason"].startswith("isv.SMS_TEMPLATE_ILLEGAL")
    assert rows[0]["to"] == "138****8000" and "13800138000" not in json.dumps(data)
    outsider = Client()
    outsider.force_login(technician)
    assert outsider.get(url).status_code == 404
    assert dispatcher_client.get("/api/v1/incidents/999999/messages/").status_code == 404


def test_td_reply_unsubscribes_through_the_secret_url(incident, client, settings):
    settings.MESSAGING_INBOUND_TOKEN = "s3cret-token"
    [waiting] = services.tell_customer(incident, "received", RECEIVED, key="r", now=NIGHT)
    body = json.dumps(
        [
            {
                "phone_number": "13800138000",
                "content": "TD",
                "send_time": "2026-11-30 23:40:00",
                "dest_code": "1234",
                "sequence_id": 1,
            }
        ]
    )
    wrong = client.post("/messaging/inbound/aliyun/guess/", body, content_type="application/json")
    assert wrong.status_code == 404
    answer = client.post(
        "/messaging/inbound/aliyun/s3cret-token/", body, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["code"] == 0
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == ("suppressed", Reason.OPTED_OUT)
    incident.customer.refresh_from_db()
    assert incident.customer.sms_opt_out
    bad = client.post(
        "/messaging/inbound/tencent/s3cret-token/", "[1]", content_type="application/json"
    )
    assert bad.status_code == 400
    tencent = json.dumps({"mobile": "13600136000", "nationcode": "86", "text": "退订", "time": 1})
    ok = client.post(
        "/messaging/inbound/tencent/s3cret-token/", tencent, content_type="application/json"
    )
    assert ok.json() == {"result": 0, "errmsg": "OK"}
    assert PhoneOptOut.objects.count() == 1  # a phone with no customer record


def test_integration_webhooks_on_delivered_and_failed(incident, settings, monkeypatch):
    from notifications import services as notifications
    from notifications.models import WebhookEndpoint
    from tests.notifications.receiver import Receiver

    settings.MESSAGING_OUTCOME_HOOKS = ["notifications.hooks.customer_message_outcome"]
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = Receiver()
    WebhookEndpoint.objects.create(
        name="CRM", url=receiver.url, secret="k", events=["message_delivered", "message_failed"]
    )
    services.tell_customer(incident, "received", RECEIVED, key="ok", now=DAY)
    services.deliver_due(now=DAY)

    def refuse(message):
        raise ProviderError("FailedOperation.TemplateIncorrectOrUnapproved", reason=Reason.REFUSED)

    monkeypatch.setitem(services.providers.ADAPTERS, "console", refuse)
    services.tell_customer(incident, "resolved", RESOLVED, key="bad", now=DAY)
    services.deliver_due(now=DAY)
    try:
        notifications.deliver_due()
    finally:
        receiver.close()
    payloads = [json.loads(r["body"]) for r in receiver.requests]
    assert sorted(p["event"] for p in payloads) == [
        "incident.message_delivered",
        "incident.message_failed",
    ]
    failed = next(p for p in payloads if p["event"] == "incident.message_failed")
    assert failed["customer_message"]["occasion"] == "bad"
    assert failed["customer_message"]["provider_reason"].startswith("FailedOperation")
    assert "13800138000" not in json.dumps(payloads)
    assert CustomerMessage.objects.filter(status="sent").count() == 1
