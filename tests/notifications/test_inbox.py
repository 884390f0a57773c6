"""The inbox and the incident page read in the reader's language, grouped per incident."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalation.services import escalate_due
from notifications.models import Notification

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


def _zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def _escalated(reported, minutes=(0, 15, 30, 60, 90, 120)):
    incident = reported("III")
    for m in minutes:
        escalate_due(now=incident.confirm_deadline + m * MIN)
    return incident


def test_notification_stores_a_message_id_and_parameters_not_a_sentence(reported, org):
    incident = _escalated(reported, (0,))
    note = Notification.objects.filter(incident=incident, channel="inapp").first()
    assert note.message == "escalation.step"
    assert note.params["number"] == incident.number
    assert note.params["level"] == 1 and note.params["target"] == "confirm"


def test_inbox_renders_an_english_notification_in_the_readers_language(reported, org, client):
    leader = org["tech_leader"]
    _escalated(reported, (0,))  # leader's preference: English (the default)
    client.force_login(leader)
    html = _zh(client).get(reverse("notifications:list")).content.decode()
    assert "升级到 1 级" in html or "升级至 1 级" in html or "升级" in html
    assert "escalated to level" not in html


def test_inbox_groups_notifications_per_incident_with_a_count(reported, org, client):
    first = _escalated(reported)
    second = _escalated(reported, (0,))
    commander = org["commander"]
    client.force_login(commander)
    html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="note-group') == 1 + (1 if told_commander(second) else 0)
    mine = Notification.objects.filter(user=commander, channel="inapp", incident=first).count()
    assert mine >= 3
    assert f'data-count="{mine}"' in html


def told_commander(incident):
    return Notification.objects.filter(incident=incident, user__username="commander").exists()


def test_marking_a_group_read_marks_every_notification_of_that_incident(reported, org, client):
    incident = _escalated(reported)
    other = _escalated(reported, (0, 15, 30))
    commander = org["commander"]
    client.force_login(commander)
    response = client.post(reverse("notifications:mark_read"), {"incident": incident.pk})
    assert response.status_code == 302
    unread = Notification.objects.filter(user=commander, channel="inapp", read_at__isnull=True)
    assert set(unread.values_list("incident_id", flat=True)) == {other.pk}


def test_incident_page_collapses_repeated_reminders_and_reads_steps_in_words(
    reported, manager_client
):
    incident = _escalated(reported)  # steps 1-3 and reminders 4-6
    html = manager_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "confirm:4" not in html and "confirm:1" not in html
    assert "Confirm, step 1" in html
    assert "3 reminders" in html
    html = _zh(manager_client).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "提醒 3 次" in html
    assert "Level III" not in html and "missed confirm" not in html


def test_panel_lateness_reads_in_units_not_raw_seconds(reported, manager_client):
    incident = reported("III")
    escalate_due(now=incident.confirm_deadline + 14 * MIN + 5 * timedelta(seconds=1))
    html = manager_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "14 min" in html
    assert "845" not in html


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (45, "45 s", "45 秒"),
        (960, "16 min", "16 分钟"),
        (3600, "1 h", "1 小时"),
        (3900, "1 h 05 min", "1 小时 05 分钟"),
        (90000, "1 d 1 h", "1 天 1 小时"),
    ],
)
def test_durations_read_in_units_in_both_languages(seconds, en, zh):
    from django.utils.translation import override

    from escalation.labels import duration

    assert duration(seconds) == en
    with override("zh-hans"):
        assert duration(seconds) == zh
