"""The incident list: filters as the page's form sends them, search, errors, and the pieces
built on it (saved filters, bulk actions, export, live refresh)."""

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Incident
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("incidents:list")
HTMX = {"HTTP_HX_REQUEST": "true"}

# What the filter form sends when every select is left on "Any" and the search is empty.
ANY = {
    "search": "",
    "status": "",
    "grade": "",
    "category": "",
    "team": "",
    "assignee": "",
    "escalated": "",
    "overdue": "",
    "ordering": "",
}


def shown(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    return {i.pk for i in response.context["page"].object_list}


@pytest.fixture
def three(org, dispatcher, manager):
    """A Level I report, a confirmed Level II and a dispatched Level III."""
    fire = factories.report(dispatcher, grade="I", title="Charger fire in depot")
    noise = factories.report(dispatcher, grade="II", title="Motor noise at speed")
    services.confirm_incident(noise, actor=manager)
    flat = factories.report(dispatcher, grade="III", title="Flat tyre on ring road")
    services.confirm_incident(flat, actor=manager)
    services.dispatch_incident(flat, actor=manager, team=org["service_centre"])
    return fire, noise, flat


class TestFiltersAsTheFormSendsThem:
    def test_any_options_mean_no_filter(self, three, dispatcher_client):
        assert shown(dispatcher_client.get(LIST, ANY)) == {i.pk for i in three}

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_status_and_grade_chosen_after_any_filter_the_rows(
        self, three, dispatcher_client, headers
    ):
        _fire, noise, _flat = three
        # The "Any" option stays in the query next to the chosen value.
        data = {**ANY, "status": ["", "confirmed"], "grade": ["", "II"]}
        assert shown(dispatcher_client.get(LIST, data, **headers)) == {noise.pk}

    def test_several_statuses_and_grades(self, three, dispatcher_client):
        fire, _noise, flat = three
        data = {**ANY, "status": ["reported", "dispatched"], "grade": ["I", "III"]}
        assert shown(dispatcher_client.get(LIST, data)) == {fire.pk, flat.pk}

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_search_that_matches_nothing_shows_the_empty_state(
        self, three, dispatcher_client, headers
    ):
        response = dispatcher_client.get(LIST, {**ANY, "search": "zzz-nothing"}, **headers)
        assert shown(response) == set()
        assert "No incidents match." in response.content.decode()

    def test_search_for_a_title_word_finds_that_row(self, three, dispatcher_client):
        _fire, noise, _flat = three
        assert shown(dispatcher_client.get(LIST, {**ANY, "search": "noise"})) == {noise.pk}

    def test_team_assignee_escalated_and_overdue_from_the_page(
        self, org, three, dispatcher_client, manager
    ):
        fire, noise, flat = three
        Incident.objects.filter(pk=fire.pk).update(escalation_level=1)
        assert shown(dispatcher_client.get(LIST, {**ANY, "escalated": "true"})) == {fire.pk}
        assert shown(dispatcher_client.get(LIST, {**ANY, "escalated": "false"})) == {
            noise.pk,
            flat.pk,
        }
        team = org["service_centre"].pk
        assert shown(dispatcher_client.get(LIST, {**ANY, "team": team})) == {flat.pk}
        services.dispatch_incident(noise, actor=manager, assignee=manager)
        assert shown(dispatcher_client.get(LIST, {**ANY, "assignee": manager.pk})) == {noise.pk}
        assert shown(dispatcher_client.get(LIST, {**ANY, "overdue": "true"})) == set()


class TestInvalidFilters:
    BAD = {"status": "exploded", "reported_after": "yesterday"}

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_invalid_filter_shows_the_error_and_no_rows(self, three, dispatcher_client, headers):
        response = dispatcher_client.get(LIST, {**ANY, **self.BAD}, **headers)
        assert shown(response) == set()
        html = response.content.decode()
        assert 'role="alert"' in html
        assert "exploded" in html
        assert "Status" in html
        for incident in three:
            assert incident.number not in html

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
    def test_the_error_reads_in_chinese(self, three, dispatcher_client, headers):
        dispatcher_client.cookies["django_language"] = "zh-hans"
        response = dispatcher_client.get(LIST, {**ANY, "status": "exploded"}, **headers)
        html = response.content.decode()
        assert shown(response) == set()
        assert "状态" in html
        assert "以下筛选条件无效" in html
        assert "Select a valid choice" not in html
        assert "cannot be applied" not in html
        assert "status:" not in html

    def test_the_api_still_answers_400(self, three, manager):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(manager)
        response = api.get("/api/v1/incidents/", {"status": "exploded"})
        assert response.status_code == 400
        assert "status" in response.json()
        # ... and an empty value is no filter there either.
        response = api.get("/api/v1/incidents/", {"status": "", "grade": ""})
        assert response.status_code == 200
        assert len(response.json()["results"]) == 3
