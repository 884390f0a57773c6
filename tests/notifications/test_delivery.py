"""Channels, signatures, retries with backoff, integration subscriptions, the inbox."""

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse

from escalation.services import escalate_due
from incidents import services as incidents
from notifications import channels, services
from notifications.models import DeliveryAttempt, Notification, WebhookEndpoint
from tests.escalation.conftest import T0

pytestmark = pytest.mark.django_db
SECRET = "s3cret-key"


def test_signature_verifies_and_refuses_tampering_and_replay():
    body = b'{"a":1}'
    ts = int(time.time())
    sig = channels.sign(SECRET, ts, body)
    assert channels.verify_signature(SECRET, str(ts), body, sig)
    assert not channels.verify_signature(SECRET, str(ts), b'{"a":2}', sig)
    assert not channels.verify_signature("other", str(ts), body, sig)
    old = ts - channels.REPLAY_WINDOW - 1
    assert not channels.verify_signature(SECRET, str(old), body, channels.sign(SECRET, old, body))


def test_backoff_is_exponential_and_capped(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 10
    settings.NOTIFY_RETRY_CAP_SECONDS = 300
    assert [services.backoff(n).total_seconds() for n in range(1, 8)] == [
        10,
        20,
        40,
        80,
        160,
        300,
        300,
    ]


def _escalate(reported, org, **endpoint):
    WebhookEndpoint.objects.create(name="HQ robot", team=org["hq"], **endpoint)
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline + timedelta(minutes=15))  # steps 1 and 2
    return incident


def test_generic_webhook_is_signed_keyed_and_retried_after_a_500(
    reported, org, receiver, write_path
):
    hook = receiver(statuses=[500])
    incident = _escalate(reported, org, url=hook.url, secret=SECRET)
    row = Notification.objects.get(incident=incident, channel="webhook")
    assert row.step == "confirm:2"  # HQ deputies are told at step 2
    now = incident.confirm_deadline + timedelta(minutes=15)
    assert services.deliver_due(now=now) >= 1
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and "500" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=10)
    assert services.deliver_due(now=now + timedelta(seconds=9)) == 0  # not yet
    services.deliver_due(now=now + timedelta(seconds=10))
    row.refresh_from_db()
    assert row.status == "delivered"
    assert len(hook.requests) == 2
    for request in hook.requests:
        headers = request["headers"]
        assert headers["X-Aftersales-Delivery"] == row.key
        assert channels.verify_signature(
            SECRET,
            headers["X-Aftersales-Timestamp"],
            request["body"],
            headers["X-Aftersales-Signature"],
        )
    payload = json.loads(hook.requests[1]["body"])
    assert payload["id"] == row.key and payload["event"] == "incident.escalated"
    assert payload["escalation"]["level"] == 2
    assert payload["incident"]["number"] == incident.number
    attempts = list(DeliveryAttempt.objects.filter(notification=row).order_by("number"))
    assert [(a.number, a.ok, a.status_code) for a in attempts] == [(1, False, 500), (2, True, 200)]


def test_a_dead_endpoint_does_not_block_the_others(reported, org, receiver, write_path):
    live = receiver()
    WebhookEndpoint.objects.create(name="dead", team=org["hq"], url="http://127.0.0.1:9/x")
    incident = _escalate(reported, org, url=live.url)
    services.deliver_due(now=incident.confirm_deadline + timedelta(minutes=15))
    rows = {n.endpoint.name: n for n in Notification.objects.filter(channel="webhook")}
    assert rows["HQ robot"].status == "delivered"
    assert rows["dead"].status == "pending" and rows["dead"].attempts == 1


def test_delivery_gives_up_after_the_maximum_attempts(reported, org, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    incident = _escalate(reported, org, url="http://127.0.0.1:9/x")
    now = incident.confirm_deadline + timedelta(minutes=15)
    services.deliver_due(now=now)
    services.deliver_due(now=now + timedelta(hours=1))
    row = Notification.objects.get(channel="webhook")
    assert row.status == "failed" and row.attempts == 2
    assert services.deliver_due(now=now + timedelta(days=1)) == 0


def test_dingtalk_robot_is_signed_in_the_url(reported, org, receiver):
    hook = receiver(body={"errcode": 0})
    _escalate(
        reported,
        org,
        url=hook.url + "?access_token=t",
        kind="dingtalk",
        secret=SECRET,
        language="zh-hans",
    )
    services.deliver_due(now=T0 + timedelta(hours=2))
    query = parse_qs(urlparse(hook.requests[0]["path"]).query)
    assert query["access_token"] == ["t"] and query["sign"] and query["timestamp"]
    doc = json.loads(hook.requests[0]["body"])
    assert doc["msgtype"] == "markdown" and "升级" in doc["markdown"]["title"]


def test_wecom_robot_gets_markdown_and_its_error_code_fails_the_attempt(reported, org, receiver):
    hook = receiver(body={"errcode": 93000, "errmsg": "invalid webhook url"})
    _escalate(reported, org, url=hook.url, kind="wecom")
    services.deliver_due(now=T0 + timedelta(hours=2))
    doc = json.loads(hook.requests[0]["body"])
    assert doc["msgtype"] == "markdown" and "已升级" in doc["markdown"]["content"]
    row = Notification.objects.get(channel="webhook")
    assert row.status == "pending" and "93000" in row.last_error


def test_feishu_robot_gets_text_with_signature(reported, org, receiver):
    hook = receiver(body={"code": 0})
    _escalate(reported, org, url=hook.url, kind="feishu", secret=SECRET)
    services.deliver_due(now=T0 + timedelta(hours=2))
    doc = json.loads(hook.requests[0]["body"])
    assert doc["msg_type"] == "text" and doc["sign"] and doc["timestamp"]
    assert Notification.objects.get(channel="webhook").status == "delivered"


def test_email_is_sent_in_the_recipients_language(reported, org):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=org["tech_leader"], language="zh-hans")
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline)
    services.deliver_due(now=incident.confirm_deadline)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "升级" in subjects[org["tech_leader"].email]
    assert any("escalated to level 1" in s for s in subjects.values())


def test_personal_webhook_follows_its_user(reported, org, receiver):
    hook = receiver()
    WebhookEndpoint.objects.create(name="mine", user=org["commander"], url=hook.url)
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline + timedelta(minutes=30))
    steps = set(Notification.objects.filter(channel="webhook").values_list("step", flat=True))
    assert steps == {"confirm:3"}


def test_integration_receives_only_the_events_it_subscribes_to(reported, org, manager, t0):
    WebhookEndpoint.objects.create(
        name="CRM", url="http://127.0.0.1:9/crm", events=["created", "resolved", "escalated"]
    )
    incident = reported("III")
    incidents.confirm_incident(incident, actor=manager, now=t0 + timedelta(minutes=1))
    incidents.resolve_incident(
        incident, actor=manager, resolution="ok", now=t0 + timedelta(minutes=2)
    )
    events = list(Notification.objects.filter(incident=incident).values_list("event", flat=True))
    assert sorted(events) == ["created", "resolved"]


def test_integration_changed_event_on_each_transition(reported, org, manager, t0, write_path):
    WebhookEndpoint.objects.create(name="CRM", url="http://127.0.0.1:9/crm", events=["changed"])
    incident = reported("III")
    incidents.confirm_incident(incident, actor=manager, now=t0 + timedelta(minutes=1))
    incidents.dispatch_incident(
        incident, actor=manager, team=org["service_centre"], now=t0 + timedelta(minutes=2)
    )
    rows = Notification.objects.filter(incident=incident, event="changed")
    assert rows.count() == 2
    assert {r.payload["event"] for r in rows} == {"incident.changed"}


def test_a_detail_edit_writes_its_changed_event_in_the_edit_transaction(reported, manager, t0):
    WebhookEndpoint.objects.create(name="CRM", url="http://127.0.0.1:9/crm", events=["changed"])
    incident = reported("III")
    incidents.update_incident(
        incident, actor=manager, title="Corrected title", now=t0 + timedelta(minutes=1)
    )
    # This test's transaction never commits, so on_commit callbacks never run: the outbox
    # row can only come from inside update_incident's own transaction.
    rows = Notification.objects.filter(incident=incident, event="changed")
    assert rows.count() == 1
    assert rows.get().payload["event"] == "incident.changed"


def test_the_same_step_never_makes_a_second_notification(reported, org, write_path):
    from escalation.services import FiredStep

    incident = reported("III")
    escalate_due(now=incident.confirm_deadline)
    before = Notification.objects.count()
    step = FiredStep(
        incident,
        "confirm",
        1,
        1,
        ["group_leader", "dispatcher_on_duty"],
        False,
        incident.confirm_deadline,
        incident.confirm_deadline,
        incident.confirm_deadline,
    )
    services.notify_escalations([step], now=incident.confirm_deadline)
    assert Notification.objects.count() == before


def test_inbox_lists_marks_read_and_counts_unread(reported, org, login):
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline + timedelta(minutes=15))
    client = login(org["deputies"][0])
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert response.context["unread_notifications"] == 1
    assert f"{incident.number} escalated to level 2" in response.content.decode()
    client.post(reverse("notifications:mark_read"))
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 0


def test_inbox_in_chinese(reported, org, login):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=org["deputies"][0], language="zh-hans")
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline + timedelta(minutes=15))
    client = login(org["deputies"][0])
    html = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    html = html.decode()
    assert "全部标为已读" in html and "已升级至第 2 级" in html


def test_preferences_are_saved(login, org):
    client = login(org["commander"])
    client.post(reverse("notifications:preferences"), {"language": "zh-hans", "email_enabled": ""})
    pref = org["commander"].notification_pref
    assert pref.language == "zh-hans" and pref.email_enabled is False


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (3, "3 s", "3 秒"),
        (59, "59 s", "59 秒"),
        (60, "1 min", "1 分钟"),
        (3725, "1 h 02 min", None),
    ],
)
def test_lateness_reads_seconds_under_a_minute_not_zero_minutes(seconds, en, zh):
    from notifications.messages import lateness

    assert lateness(seconds, "en") == en
    if zh:
        assert lateness(seconds, "zh-hans") == zh
