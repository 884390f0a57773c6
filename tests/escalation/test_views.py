"""The live dashboard, its one-click actions and the incident page panel."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation import services
from incidents.models import Status
from tests.escalation.conftest import T0

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def test_dashboard_url_is_mounted():
    assert reverse("escalation:dashboard") == URL


def _escalated_board(reported, n):
    incidents = [reported("III") for _ in range(n)]
    services.escalate_due(now=T0 + timedelta(minutes=46))
    return incidents


@pytest.mark.parametrize("n", [2, 12])
def test_dashboard_runs_a_constant_number_of_queries(
    reported, manager_client, django_assert_num_queries, n
):
    _escalated_board(reported, n)
    # 4 for session, user and permissions, 2 for the navigation (roles, read once per request)
    # and the bell, 8 for the board (new Level I first), 1 for the team filter's choices.
    with time_machine.travel(T0 + timedelta(minutes=47), tick=False), django_assert_num_queries(15):
        response = manager_client.get(URL)
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_filtered_htmx_poll_runs_a_constant_number_of_queries(
    reported, manager_client, django_assert_num_queries, org, n
):
    _escalated_board(reported, n)
    team = org["service_centre"]
    with time_machine.travel(T0 + timedelta(minutes=47), tick=False), django_assert_num_queries(13):
        response = manager_client.get(
            URL, {"team": team.pk, "grade": ["I", "III"]}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200


def test_a_new_level_one_incident_is_first_with_a_banner(reported, manager_client):
    late = _escalated_board(reported, 3)
    with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
        new = reported("I")
        html = manager_client.get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="banner-grade-i"' in html and f'data-new-grade-i="{new.pk}"' in html
    assert html.index(f'id="row-{new.pk}"') < html.index(f'id="row-{late[0].pk}"')


def test_filter_by_grade_and_counts_link_to_the_list(reported, manager_client):
    _escalated_board(reported, 2)
    with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
        two = reported("II")
        html = manager_client.get(URL, {"grade": "II"}).content.decode()
    assert f'id="row-{two.pk}"' in html and html.count('id="row-') == 1
    assert "/incidents/?status=reported&amp;status=confirmed" in html
    assert "grade=II&amp;escalated=true" in html
    assert 'hx-get="/dashboard/?grade=II"' in html


def test_wall_display_has_no_navigation_and_refreshes_itself(reported, manager_client):
    _escalated_board(reported, 1)
    html = manager_client.get(URL, {"wall": "1"}).content.decode()
    assert 'class="wall"' in html and "mainnav" not in html
    assert 'hx-get="/dashboard/?wall=1"' in html and 'hx-trigger="every 5s"' in html


def test_confirm_and_acknowledge_read_differently_in_chinese(reported, manager, manager_client):
    from incidents import services as incidents

    waiting = _escalated_board(reported, 1)[0]
    other = reported("II")
    incidents.confirm_incident(other, actor=manager, now=T0 + timedelta(minutes=1))
    other.refresh_from_db()
    services.escalate_due(now=other.arrive_deadline)
    manager_client.cookies["django_language"] = "zh-hans"
    with time_machine.travel(other.arrive_deadline, tick=False):
        html = manager_client.get(URL).content.decode()
    assert waiting.number in html
    assert "确认事件" in html and "签收升级" in html


def test_dashboard_lists_overdue_escalated_first_with_step_and_who_was_told(
    reported, manager_client, org
):
    late = _escalated_board(reported, 1)[0]
    with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
        fresh = reported("II")
        response = manager_client.get(URL)
    html = response.content.decode()
    assert html.index(late.number) < html.index(fresh.number)
    assert "level 2" in html
    assert org["deputies"][0].get_full_name() in html
    assert 'hx-trigger="every 5s"' in html


def test_htmx_poll_returns_only_the_board(reported, manager_client):
    _escalated_board(reported, 1)
    response = manager_client.get(URL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_one_click_confirm_from_the_dashboard(reported, manager_client):
    incident = _escalated_board(reported, 1)[0]
    response = manager_client.post(
        reverse("escalation:confirm", args=[incident.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.status == Status.CONFIRMED
    assert incident.escalation_level == 0


def test_confirm_twice_shows_an_error_not_a_500(reported, manager_client):
    incident = _escalated_board(reported, 1)[0]
    url = reverse("escalation:confirm", args=[incident.pk])
    manager_client.post(url)
    response = manager_client.post(url, follow=True)
    assert response.status_code == 200
    assert "Cannot confirm" in response.content.decode()


def test_one_click_acknowledge_stops_an_arrive_escalation(reported, manager, manager_client):
    from incidents import services as incidents

    incident = reported("II")
    incidents.confirm_incident(incident, actor=manager, now=T0 + timedelta(minutes=1))
    incident.refresh_from_db()
    services.escalate_due(now=incident.arrive_deadline)
    response = manager_client.post(reverse("escalation:acknowledge", args=[incident.pk]))
    assert response.status_code == 302
    assert services.escalate_due(now=incident.arrive_deadline + timedelta(hours=5)) == 0


def test_technicians_cannot_see_the_dashboard(technician_client):
    assert technician_client.get(URL).status_code == 403


def test_dashboard_in_chinese(reported, manager_client):
    _escalated_board(reported, 1)
    manager_client.cookies["django_language"] = "zh-hans"
    html = manager_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "升级看板" in html
    assert "今日" in html


def test_incident_page_shows_steps_due_vs_fired_and_who_was_told(reported, manager_client, org):
    incident = _escalated_board(reported, 1)[0]
    html = manager_client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'id="escalation-panel"' in html
    # The sweep came at 46 min: step 1 (due at 30) was superseded by step 2 (due at 45),
    # which fired 1 min late and told step 1's audience too.
    assert "Confirm, step 1" in html and "step 2 fired instead" in html
    assert "1 min" in html
    assert 'id="notifications-panel"' in html
    assert "Confirm, step 2" in html and org["deputies"][0].get_full_name() in html
