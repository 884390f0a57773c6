"""The survey's reminder and dimensions, follow-ups of low scores, return visits (回访) and
customer service's call list."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import customer_tasks, services
from assessments.exceptions import TaskDone
from assessments.models import CustomerTask, Survey, TaskKind
from incidents import services as incident_services
from messaging.models import CustomerMessage
from notifications.models import Notification
from tests.factories import UserFactory

FIVES = {"response_speed": 5, "technician_attitude": 5, "repair_quality": 5}


@pytest.fixture(autouse=True)
def _service_line(settings):
    settings.SERVICE_LINE_PHONE = "400-555-0199"
    settings.SURVEY_REMINDER_HOURS = 24
    settings.RETURN_VISIT_DAYS = 7
    settings.CUSTOMER_TASK_GRACE_HOURS = 24


@pytest.fixture
def service(db):
    return UserFactory(username="cs", roles=["customer_service"])


def _closed(resolved_incident, manager, grade="II"):
    incident = resolved_incident(grade)
    closed_at = incident.resolved_at + timedelta(hours=2)
    services.save_assessment(
        incident, actor=manager, cause="Worn.", summary="Replaced.", submit=True, now=closed_at
    )
    return incident_services.close_incident(incident, actor=manager, now=closed_at)


def test_resolve_tells_the_customer_with_the_survey_link_once(resolved_incident):
    incident = resolved_incident("III")
    survey = Survey.objects.get(incident=incident)
    [message] = CustomerMessage.objects.filter(incident=incident, kind="resolved")
    assert message.params["survey_url"] == services.survey_url(survey)
    assert message.params["summary"] == "Fixed."
    assert survey.sent_at == incident.resolved_at
    services.send_survey(survey)  # again: the key makes it once
    assert CustomerMessage.objects.filter(incident=incident, kind="resolved").count() == 1


def test_one_reminder_after_24_hours_if_unanswered(resolved_incident):
    survey = Survey.objects.get(incident=resolved_incident("III"))
    answered = Survey.objects.get(incident=resolved_incident("III", customer_phone="13900001111"))
    services.answer_survey(answered.token, rating=5, **FIVES, now=answered.created_at)
    with time_machine.travel(survey.created_at + timedelta(hours=23), tick=False):
        assert services.remind_surveys() == 0
    with time_machine.travel(survey.created_at + timedelta(hours=24, minutes=1), tick=False):
        assert services.remind_surveys() == 1
        assert services.remind_surveys() == 0
    with time_machine.travel(survey.created_at + timedelta(days=3), tick=False):
        assert services.remind_surveys() == 0
    [reminder] = CustomerMessage.objects.filter(kind="survey_reminder")
    assert reminder.incident_id == survey.incident_id
    assert reminder.params["survey_url"].endswith(f"/survey/{survey.token}/")


def test_the_survey_stores_every_dimension(resolved_incident):
    survey = Survey.objects.get(incident=resolved_incident("III"))
    services.answer_survey(
        survey.token,
        rating=4,
        response_speed=5,
        technician_attitude=4,
        repair_quality=3,
        comment="ok",
        now=survey.created_at,
    )
    survey.refresh_from_db()
    assert [s for _label, s in survey.scores()] == [5, 4, 3, 4]
    assert not CustomerTask.objects.exists()  # nothing at or below 2
    with pytest.raises(ValidationError):
        services.answer_survey(survey.token, rating=4, response_speed=9, now=survey.created_at)


def test_a_low_score_in_any_dimension_opens_a_follow_up_at_once(
    resolved_incident, service, django_capture_on_commit_callbacks
):
    survey = Survey.objects.get(incident=resolved_incident("III"))
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_survey(
            survey.token, rating=4, **{**FIVES, "technician_attitude": 2}, now=survey.created_at
        )
    task = CustomerTask.objects.get(incident=survey.incident)
    assert (task.kind, task.due_at, task.survey) == (TaskKind.FOLLOW_UP, survey.created_at, survey)
    assert Notification.objects.filter(user=service, event="survey_follow_up").exists()
    work = customer_tasks.work_list(service, survey.created_at)
    assert work["due"] == [task]


def test_a_level_ii_close_plans_a_return_visit_7_days_later(resolved_incident, manager, service):
    incident = _closed(resolved_incident, manager, "II")
    task = CustomerTask.objects.get(incident=incident, kind=TaskKind.RETURN_VISIT)
    assert task.due_at == incident.closed_at + timedelta(days=7)
    six_days = customer_tasks.work_list(service, incident.closed_at + timedelta(days=6))
    assert six_days["due"] == [] and six_days["overdue"] == []
    assert customer_tasks.work_list(service, task.due_at)["due"] == [task]
    late = customer_tasks.work_list(service, task.due_at + timedelta(hours=25))
    assert late["overdue"] == [task]


def test_a_level_iii_close_plans_no_return_visit(resolved_incident, manager):
    incident = resolved_incident("III")
    incident_services.close_incident(incident, actor=manager, now=incident.resolved_at)
    assert not CustomerTask.objects.filter(incident=incident).exists()


def test_the_call_is_recorded_once(resolved_incident, manager, service, technician):
    task = CustomerTask.objects.get(incident=_closed(resolved_incident, manager))
    with pytest.raises(ValidationError):  # not reached: say when to try again
        customer_tasks.record_call(task, actor=service, outcome="not_reached", note="")
    with pytest.raises(ValidationError):
        customer_tasks.record_call(task, actor=service, outcome="maybe")
    customer_tasks.record_call(task, actor=service, outcome="reached", satisfied=True, note="ok")
    task.refresh_from_db()
    assert (task.outcome, task.satisfied, task.done_by) == ("reached", True, service)
    with pytest.raises(TaskDone):
        customer_tasks.record_call(task, actor=service, outcome="refused", note="x")
    assert task.incident.events.filter(text__contains="Return visit").exists()


def test_the_call_list_page_and_recording_a_call(client, resolved_incident, manager, service):
    task = CustomerTask.objects.get(incident=_closed(resolved_incident, manager))
    client.force_login(service)
    with time_machine.travel(task.due_at + timedelta(minutes=1), tick=False):
        page = client.get(reverse("assessments:customer_tasks"))
        home = client.get(reverse("home"))
        refused = client.post(
            reverse("assessments:record_call", args=[task.pk]), {"outcome": "not_reached"}
        )
        done = client.post(
            reverse("assessments:record_call", args=[task.pk]),
            {"outcome": "reached", "satisfied": "yes", "note": "All good."},
        )
        after = client.get(reverse("assessments:customer_tasks"))
    assert task.incident.number in page.content.decode()
    assert task.incident.number in home.content.decode()
    assert refused.status_code == 422
    assert done.status_code == 302
    assert "All good." in after.content.decode()
    task.refresh_from_db()
    assert task.satisfied is True


def test_a_technician_has_no_call_list(client, technician):
    client.force_login(technician)
    assert client.get(reverse("assessments:customer_tasks")).status_code == 403
