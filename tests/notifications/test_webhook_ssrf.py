"""Webhooks cannot reach inside the network (issue 13, finding 3): loopback, private,
link-local, multicast and reserved targets are refused when saved and again when sent,
after DNS resolution, unless WEBHOOK_ALLOWED_HOSTS names them; a reply's body is never
stored; redirects are not followed."""

import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation.services import escalate_due
from notifications import services
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://localhost:8000/admin/",
    "http://2130706433/",  # 127.0.0.1 written as one number
]


@pytest.fixture(autouse=True)
def _no_allow_list(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []


def _endpoint(url: str) -> WebhookEndpoint:
    return WebhookEndpoint(name="x", url=url, language="en")


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_targets_are_refused_when_saved(url):
    with pytest.raises(ValidationError) as err:
        _endpoint(url).full_clean()
    assert "url" in err.value.message_dict


def test_public_targets_and_allowed_hosts_are_accepted(settings):
    _endpoint("https://oapi.dingtalk.com/robot/send?access_token=t").full_clean()
    _endpoint("http://93.184.216.34/hook").full_clean()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    _endpoint("http://127.0.0.1:9000/hook").full_clean()


def test_the_admin_refuses_an_internal_target(admin_client):
    response = admin_client.post(
        "/admin/notifications/webhookendpoint/add/",
        {"name": "meta", "kind": "generic", "url": INTERNAL[1], "events": "[]", "language": "en"},
    )
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def _escalate(reported, org, url):
    # Saved directly (as an old row or a name whose address changed since it was saved).
    WebhookEndpoint.objects.create(name="HQ robot", team=org["hq"], url=url)
    incident = reported("III")
    now = incident.confirm_deadline + timedelta(minutes=15)
    escalate_due(now=now)
    return incident, now


@pytest.fixture
def resolves_to_loopback(monkeypatch):
    """hooks.example.com resolves to 127.0.0.1 (DNS rebinding, or a careless record)."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.example.com" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_a_name_resolving_to_loopback_is_refused_when_sent(
    reported, org, receiver, resolves_to_loopback
):
    hook = receiver()
    url = hook.url.replace("127.0.0.1", "hooks.example.com")
    incident, now = _escalate(reported, org, url)
    services.deliver_due(now=now)
    row = Notification.objects.get(incident=incident, channel="webhook")
    assert hook.requests == []
    assert row.status != "delivered" and "refused" in row.last_error


def test_an_allowed_host_is_delivered(reported, org, receiver, resolves_to_loopback, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com"]
    hook = receiver()
    incident, now = _escalate(reported, org, hook.url.replace("127.0.0.1", "hooks.example.com"))
    services.deliver_due(now=now)
    assert Notification.objects.get(incident=incident, channel="webhook").status == "delivered"
    assert len(hook.requests) == 1


def test_a_reply_body_is_never_stored_and_redirects_are_not_followed(
    reported, org, receiver, settings
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = receiver(statuses=[500, 302], body={"leak": "root:x:0:0 internal-data"})
    incident, now = _escalate(reported, org, hook.url)
    services.deliver_due(now=now)
    services.deliver_due(now=now + timedelta(hours=1))
    row = Notification.objects.get(incident=incident, channel="webhook")
    errors = [row.last_error, *DeliveryAttempt.objects.values_list("error", flat=True)]
    assert any("500" in e for e in errors) and any("302" in e for e in errors)
    assert not any("internal-data" in e for e in errors)
    assert len(hook.requests) == 2 and row.status != "delivered"
