"""Each adapter against a fake of its provider on 127.0.0.1 that checks the signature and
the parameters the real one expects, and answers success, template refused or 5xx."""

import pytest

from messaging import services
from messaging.models import CustomerMessage, Reason
from tests.messaging import fakes
from tests.messaging.conftest import DAY, RECEIVED, RESOLVED

pytestmark = pytest.mark.django_db


def _send(incident, kind="resolved", params=RESOLVED, key="k"):
    services.tell_customer(incident, kind, params, key=key, now=DAY)
    services.deliver_due(now=DAY)
    return CustomerMessage.objects.get(key=key)


@pytest.fixture
def aliyun(settings):
    fake = fakes.FakeAliyun(["ok", "refuse", "down"])
    settings.MESSAGING_SMS_PROVIDER = "aliyun"
    settings.ALIYUN_SMS_ENDPOINT = fake.url
    settings.ALIYUN_SMS_ACCESS_KEY_ID = fakes.ALIYUN_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = fakes.ALIYUN_SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "售后服务"
    settings.ALIYUN_SMS_TEMPLATES = {"resolved:zh-hans": "SMS_4001", "received": "SMS_4000"}
    yield fake
    fake.close()


def test_aliyun_signed_template_and_parameters_then_refusal_then_5xx(incident, aliyun):
    sent = _send(incident, key="a")
    assert aliyun.bad == [] and sent.status == "sent"
    assert sent.provider_message_id == "9006197469364984^1"
    [params] = aliyun.accepted
    assert (params["PhoneNumbers"], params["SignName"], params["TemplateCode"]) == (
        "13800138000",
        "售后服务",
        "SMS_4001",
    )
    assert params["TemplateParam"] == RESOLVED
    assert params["OutId"] == f"{incident.pk}:a"

    refused = _send(incident, kind="received", params=RECEIVED, key="b")
    assert (refused.status, refused.reason) == ("failed", Reason.REFUSED)
    assert refused.provider_reason.startswith("isv.SMS_TEMPLATE_ILLEGAL: 模板不合法")

    down = _send(incident, key="c")
    assert (down.status, down.reason, down.attempts) == ("pending", Reason.PROVIDER_ERROR, 1)
    assert down.attempt_log.get().status_code == 503
    assert aliyun.bad == []


def test_aliyun_wrong_secret_is_caught_by_the_fake(incident, aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    message = _send(incident)
    assert aliyun.bad == ["signature"]
    assert message.status == "pending" and "SignatureDoesNotMatch" in message.provider_reason


def test_a_kind_without_template_fails_at_once(incident, aliyun):
    message = _send(incident, kind="cancelled", params={"number": "1", "service_line": "400"})
    assert (message.status, message.reason) == ("failed", Reason.NO_TEMPLATE)
    assert aliyun.requests == []


@pytest.fixture
def tencent(settings):
    fake = fakes.FakeTencent(["ok", "refuse", "down"])
    settings.MESSAGING_SMS_PROVIDER = "tencent"
    settings.TENCENT_SMS_ENDPOINT = fake.url
    settings.TENCENT_SMS_SECRET_ID = fakes.TENCENT_ID
    settings.TENCENT_SMS_SECRET_KEY = fakes.TENCENT_KEY
    settings.TENCENT_SMS_APP_ID = "1400006666"
    settings.TENCENT_SMS_SIGN_NAME = "售后服务"
    settings.TENCENT_SMS_TEMPLATES = {"resolved": "449739", "received": "449738"}
    yield fake
    fake.close()


def test_tencent_signed_positional_parameters_then_refusal_then_5xx(incident, tencent):
    sent = _send(incident, key="a")
    assert tencent.bad == [] and sent.status == "sent" and sent.provider_message_id == "5000:101"
    [body] = tencent.accepted
    assert body["PhoneNumberSet"] == ["+8613800138000"]
    assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == (
        "1400006666",
        "售后服务",
        "449739",
    )
    assert body["TemplateParamSet"] == ["AS-1", "Battery replaced", "https://s.example/y"]

    refused = _send(incident, kind="received", params=RECEIVED, key="b")
    assert (refused.status, refused.reason) == ("failed", Reason.REFUSED)
    assert refused.provider_reason.startswith("FailedOperation.TemplateIncorrectOrUnapproved")

    down = _send(incident, key="c")
    assert (down.status, down.reason) == ("pending", Reason.PROVIDER_ERROR)
    assert tencent.bad == []


def test_tencent_wrong_key_is_caught_by_the_fake(incident, tencent, settings):
    settings.TENCENT_SMS_SECRET_KEY = "wrong"
    message = _send(incident)
    assert tencent.bad == ["signature"] and message.status == "pending"
    assert message.provider_reason.startswith("AuthFailure.SignatureFailure")


def test_wechat_subscription_message_with_token(incident, settings):
    from django.core.cache import cache

    from customers.models import Customer

    cache.delete("messaging:wechat-token")
    fake = fakes.FakeWeChat(["ok", "refuse"])
    settings.MESSAGING_SMS_PROVIDER = "off"
    settings.WECHAT_API_BASE = fake.url
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = fakes.WECHAT_APP, fakes.WECHAT_SECRET
    settings.WECHAT_TEMPLATES = {"resolved": "tmpl-resolved"}
    settings.WECHAT_FIELDS = {"number": "character_string1", "summary": "thing2"}
    incident.customer = Customer.objects.create(name="Wei", wechat_id="oOPENID123")
    incident.save(update_fields=["customer"])
    try:
        sent = _send(incident, key="a")
        refused = _send(incident, key="b")
    finally:
        fake.close()
    assert fake.bad == [] and sent.channel == "wechat" and sent.status == "sent"
    [doc] = fake.accepted
    assert doc["touser"] == "oOPENID123" and doc["template_id"] == "tmpl-resolved"
    assert doc["data"]["character_string1"] == {"value": "AS-1"}
    assert doc["data"]["thing2"] == {"value": "Battery replaced"}
    assert doc["page"] == "https://s.example/y"
    assert (refused.status, refused.reason) == ("failed", Reason.REFUSED)
    assert refused.provider_reason.startswith("43101")
    # One token for both messages (kept in the cache).
    assert sum(r["path"] == "/cgi-bin/stable_token" for r in fake.requests) == 1


def test_email_through_the_smtp_backend(incident, settings):
    from customers.models import Customer

    smtp = fakes.FakeSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.MESSAGING_SMS_PROVIDER = "off"
    customer = Customer.objects.create(name="Wei", language="en")
    customer.email = "wei@example.com"  # the record has no email field yet: as if it had
    incident.customer = customer
    try:
        message = _send(incident)
    finally:
        smtp.close()
    assert message.channel == "email" and message.status == "sent"
    [(_sender, rcpts, data)] = smtp.messages
    assert rcpts == ["<wei@example.com>"]
    assert "Your report AS-1 is resolved" in data
