import pytest
import time_machine
from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Survey
from tests.assessments.conftest import utc


@pytest.fixture
def survey(resolved_incident):
    return Survey.objects.get(incident=resolved_incident("I", customer_name="张伟"))


def test_survey_page_is_public_and_in_the_customers_language(client, survey):
    url = reverse("assessments:survey", args=[survey.token])
    with time_machine.travel(survey.created_at, tick=False):
        response = client.get(url)
        english = client.get(url, {"lang": "en"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body
    assert "您对我们的服务满意吗" in body
    assert "How satisfied" in english.content.decode()


def test_survey_page_answers_once(client, survey):
    url = reverse("assessments:survey", args=[survey.token])
    with time_machine.travel(survey.created_at, tick=False):
        first = client.post(url, {"rating": "5", "comment": "很好"})
        second = client.post(url, {"rating": "1"})
    assert first.status_code == 200
    assert second.status_code == 409
    survey.refresh_from_db()
    assert survey.rating == 5


def test_survey_page_refuses_expired_and_guessed_tokens(client, survey):
    with time_machine.travel(survey.expires_at, tick=False):
        expired = client.post(reverse("assessments:survey", args=[survey.token]), {"rating": "5"})
    assert expired.status_code == 410
    guessed = client.get(reverse("assessments:survey", args=["x" * 43]))
    assert guessed.status_code == 404
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_incident_page_shows_the_survey_link_for_the_dispatcher(dispatcher_client, survey):
    with time_machine.travel(survey.created_at, tick=False):
        response = dispatcher_client.get(reverse("incidents:detail", args=[survey.incident_id]))
    assert survey.token in response.content.decode()


def test_assessment_form_submits_and_close_then_works(manager_client, resolved_incident):
    incident = resolved_incident("II")
    url = reverse("assessments:assessment", args=[incident.pk])
    bad = manager_client.post(url, {"cause": "", "summary": "", "submit": "1"})
    assert bad.status_code == 422
    ok = manager_client.post(url, {"cause": "Fuse", "summary": "Replaced fuse", "submit": "1"})
    assert ok.status_code == 302
    assert Assessment.objects.get(incident=incident).is_submitted
    manager_client.post(reverse("incidents:action", args=[incident.pk, "close"]), {})
    incident.refresh_from_db()
    assert incident.status == "closed"


def test_overdue_actions_stand_out_on_the_list(manager_client, resolved_incident, manager):
    assessment = services.save_assessment(
        resolved_incident("I"), actor=manager, cause="c", summary="s", submit=True
    )
    services.add_corrective_action(
        actor=manager,
        assessment=assessment,
        owner=manager,
        description="Late one",
        due_date=utc(2026, 1, 1).date(),
    )
    response = manager_client.get(reverse("assessments:actions"))
    body = response.content.decode()
    assert 'class="overdue"' in body
    assert "Late one" in body


def test_service_report_and_assessment_print_and_pdf(manager_client, resolved_incident):
    incident = resolved_incident("I", customer_name="张伟", title="电池无法充电")
    for name in ("service_report", "assessment_print"):
        page = manager_client.get(reverse(f"assessments:{name}", args=[incident.pk]))
        assert page.status_code == 200
        assert incident.number in page.content.decode()
    for name in ("service_report_pdf", "assessment_pdf"):
        pdf = manager_client.get(reverse(f"assessments:{name}", args=[incident.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert b"STSong-Light" in pdf.content


def test_drill_pages(manager_client):
    response = manager_client.post(
        reverse("assessments:drill_create"),
        {
            "title": "Drill",
            "scenario": "Bus fire",
            "grade": "I",
            "scheduled_at": "2026-12-01T09:00",
        },
    )
    assert response.status_code == 302
    detail = manager_client.get(response["Location"])
    assert detail.status_code == 200
    assert "Bus fire" in detail.content.decode()


def test_survey_page_keeps_the_origin_of_its_own_post(client, survey):
    """ "no-referrer" made Chromium post with "Origin: null", which the CSRF check refuses;
    "same-origin" keeps the token out of other sites' Referer and the form working."""
    with time_machine.travel(survey.created_at, tick=False):
        response = client.get(reverse("assessments:survey", args=[survey.token]))
    body = response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert 'content="no-referrer"' not in body
    assert '<meta name="referrer" content="same-origin">' in body


def test_unknown_and_used_survey_links_answer_in_the_readers_language(client, survey):
    guessed = client.get(
        reverse("assessments:survey", args=["x" * 43]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"
    )
    assert guessed.status_code == 404
    assert "链接无效" in guessed.content.decode()
    with time_machine.travel(survey.created_at, tick=False):
        services.answer_survey(survey.token, rating=5)
        used = client.post(reverse("assessments:survey", args=[survey.token]), {"rating": "3"})
    assert used.status_code == 409
    assert "您已经作答" in used.content.decode()
