"""The incident list: filters as the page's form sends them, search, errors, and the pieces
built on it (saved filters, bulk actions, export, live refresh)."""

import json

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
        self, org, three, dispatcher_client, manager, technician
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
        services.dispatch_incident(noise, actor=manager, assignee=technician)
        assert shown(dispatcher_client.get(LIST, {**ANY, "assignee": technician.pk})) == {noise.pk}
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


class TestQueryCount:
    def _rows(self, dispatcher, n):
        for k in range(n):
            factories.report(dispatcher, title=f"Report {k}")

    @pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "poll"])
    def test_list_query_count_is_pinned_and_does_not_grow_with_rows(
        self, org, dispatcher, dispatcher_client, django_assert_num_queries, headers
    ):
        self._rows(dispatcher, 3)
        expected = 11 if not headers else 7  # the page: its ids, then their rows
        dispatcher_client.get(LIST)  # the session's first read of reference data
        with django_assert_num_queries(expected):
            response = dispatcher_client.get(LIST, ANY, **headers)
        assert len(response.context["page"].object_list) == 3
        self._rows(dispatcher, 27)
        with django_assert_num_queries(expected):
            response = dispatcher_client.get(LIST, ANY, **headers)
        assert len(response.context["page"].object_list) == 30

    def test_the_count_reads_ids_only(self, org, dispatcher, dispatcher_client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._rows(dispatcher, 2)
        with CaptureQueriesContext(connection) as queries:
            dispatcher_client.get(LIST, {"status": ["reported", "confirmed"]})
        [count] = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "incident" in q["sql"]]
        assert "JOIN" not in count
        assert "LIMIT 2001" in count


class TestPagingByIds:
    """ListPaginator reads a page's ids, then their rows: the same rows in the same order
    as paging the joined query itself."""

    @pytest.mark.parametrize(
        "ordering", ["", "grade", "-grade", "confirm_deadline", "-reported_at"]
    )
    def test_pages_match_the_plain_paginator(self, org, dispatcher, ordering):
        from django.core.paginator import Paginator
        from django.test import RequestFactory

        from incidents.list_views import Listing, ListPaginator

        for k in range(23):
            factories.report(dispatcher, grade=["I", "II", "III"][k % 3], title=f"R{k}")
        request = RequestFactory().get(LIST, {"ordering": ordering} if ordering else {})
        request.user = dispatcher
        queryset = Listing(request).queryset
        for number in (1, 2, 3):
            by_ids = ListPaginator(queryset, 10).get_page(number)
            plain = Paginator(queryset, 10).get_page(number)
            assert [i.pk for i in by_ids] == [i.pk for i in plain.object_list]
            assert by_ids.paginator.num_pages == 3
            assert all(i.category.name for i in by_ids)  # relations came with the rows


class TestSavedFilters:
    def test_save_pick_and_delete(self, three, dispatcher, dispatcher_client):
        _fire, noise, _flat = three
        data = {**ANY, "status": ["", "confirmed"], "grade": ["II"], "name": "Level II confirmed"}
        response = dispatcher_client.post(reverse("incidents:save_filter"), data, **HTMX)
        assert response.status_code == 200
        assert "Level II confirmed" in response.content.decode()
        saved = dispatcher.saved_incident_filters.get()
        assert saved.query == "status=confirmed&grade=II"

        page = dispatcher_client.get(LIST)
        assert f'href="{LIST}?status=confirmed&amp;grade=II"' in page.content.decode()
        assert shown(dispatcher_client.get(f"{LIST}?{saved.query}")) == {noise.pk}

        dispatcher_client.post(reverse("incidents:delete_filter", args=[saved.pk]), **HTMX)
        assert not dispatcher.saved_incident_filters.exists()

    def test_the_same_name_replaces_the_filter(self, org, dispatcher, dispatcher_client):
        url = reverse("incidents:save_filter")
        dispatcher_client.post(url, {"name": "Mine", "grade": "I"}, **HTMX)
        dispatcher_client.post(url, {"name": "Mine", "grade": "III"}, **HTMX)
        assert list(dispatcher.saved_incident_filters.values_list("query", flat=True)) == [
            "grade=III"
        ]

    def test_invalid_filters_are_not_saved(self, org, dispatcher, dispatcher_client):
        response = dispatcher_client.post(
            reverse("incidents:save_filter"), {"name": "Bad", "status": "exploded"}, **HTMX
        )
        assert "not saved" in response.content.decode()
        assert not dispatcher.saved_incident_filters.exists()

    def test_another_users_filter_cannot_be_deleted(self, org, dispatcher, manager, login):
        from incidents.models import SavedFilter

        saved = SavedFilter.objects.save_for(manager, "Boss view", "grade=I")
        response = login(dispatcher).post(reverse("incidents:delete_filter", args=[saved.pk]))
        assert response.status_code == 404
        assert SavedFilter.objects.filter(pk=saved.pk).exists()


BULK = reverse("incidents:bulk")


class TestBulkActions:
    def test_confirm_two_with_one_refused_shows_each_rows_result(self, three, dispatcher_client):
        fire, noise, _flat = three
        response = dispatcher_client.post(
            BULK, {"action": "confirm", "ids": [fire.pk, noise.pk]}, **HTMX
        )
        html = response.content.decode()
        results = {r.pk: r for r in response.context["results"]}
        assert results[fire.pk].done
        assert not results[noise.pk].done
        assert "Cannot confirm an incident that is confirmed." in html
        assert "1 done, 1 refused." in html
        fire.refresh_from_db()
        assert fire.status == "confirmed"
        assert "incidents-changed" in response["HX-Trigger"]

    def test_dispatch_to_a_chosen_technician(self, three, technician, dispatcher_client):
        _fire, noise, flat = three
        response = dispatcher_client.post(
            BULK,
            {"action": "dispatch", "ids": [noise.pk, flat.pk], "assignee": technician.pk},
            **HTMX,
        )
        assert all(r.done for r in response.context["results"])
        for incident in (noise, flat):
            incident.refresh_from_db()
            assert incident.status == "dispatched"
            assert incident.assignee == technician

    def test_dispatch_without_technician_or_team_changes_nothing(self, three, dispatcher_client):
        _fire, noise, _flat = three
        response = dispatcher_client.post(BULK, {"action": "dispatch", "ids": [noise.pk]}, **HTMX)
        assert "Choose a technician or a team." in response.content.decode()
        noise.refresh_from_db()
        assert noise.status == "confirmed"

    def test_close_keeps_the_services_guards(self, three, manager, dispatcher_client):
        _fire, noise, _flat = three
        services.resolve_incident(noise, actor=manager, resolution="Replaced the bearing")
        response = dispatcher_client.post(BULK, {"action": "close", "ids": [noise.pk]}, **HTMX)
        [row] = response.context["results"]
        noise.refresh_from_db()
        # An assessment is required before closing (assessments' close guard).
        assert not row.done and row.message
        assert noise.status == "resolved"

    def test_rows_the_user_cannot_see_are_not_touched(self, three, dispatcher, technician, login):
        fire, _noise, _flat = three
        response = login(technician).post(BULK, {"action": "confirm", "ids": [fire.pk]}, **HTMX)
        [row] = response.context["results"]
        assert not row.done
        fire.refresh_from_db()
        assert fire.status == "reported"

    def test_technicians_get_no_bulk_bar(self, org, technician_client):
        html = technician_client.get(LIST).content.decode()
        assert 'id="bulk"' not in html
        assert 'name="ids"' not in html

    def test_nothing_ticked_is_an_error(self, org, dispatcher_client):
        response = dispatcher_client.post(BULK, {"action": "confirm"}, **HTMX)
        assert "Tick at least one incident." in response.content.decode()


class TestExport:
    def test_csv_has_the_filtered_rows(self, three, dispatcher_client):
        fire, noise, flat = three
        response = dispatcher_client.get(
            reverse("incidents:export", args=["csv"]), {**ANY, "grade": ["", "I", "III"]}
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert lines[0].startswith("Number,Title,Category,Grade,Status")
        body = "\n".join(lines[1:])
        assert fire.number in body and flat.number in body
        assert noise.number not in body
        assert len(lines) == 3

    def test_csv_headers_and_words_in_chinese(self, three, dispatcher_client):
        dispatcher_client.cookies["django_language"] = "zh-hans"
        response = dispatcher_client.get(reverse("incidents:export", args=["csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        head = text.splitlines()[0]
        assert head.startswith("编号,")
        assert "Number" not in head and "Status" not in head
        assert "已确认" in text

    def test_xlsx_has_the_filtered_rows_with_chinese_headers(self, three, dispatcher_client):
        from io import BytesIO

        from openpyxl import load_workbook

        fire, _noise, _flat = three
        dispatcher_client.cookies["django_language"] = "zh-hans"
        response = dispatcher_client.get(
            reverse("incidents:export", args=["xlsx"]), {"status": "reported"}
        )
        assert response.status_code == 200
        book = load_workbook(BytesIO(b"".join(response.streaming_content)))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "编号"
        assert [r[0] for r in rows[1:]] == [fire.number]

    def test_invalid_filters_are_a_400(self, org, dispatcher_client):
        response = dispatcher_client.get(
            reverse("incidents:export", args=["csv"]), {"status": "exploded"}
        )
        assert response.status_code == 400

    def test_unknown_format_is_404(self, org, dispatcher_client):
        assert dispatcher_client.get(reverse("incidents:export", args=["pdf"])).status_code == 404


class TestLiveRefresh:
    def test_results_poll_keeps_the_filters_and_the_page(self, org, dispatcher, dispatcher_client):
        for k in range(55):
            factories.report(dispatcher, grade="II", title=f"Report {k}")
        data = {**ANY, "status": ["", "reported"], "grade": "II", "page": "2"}
        response = dispatcher_client.get(LIST, data, **HTMX)
        html = response.content.decode()
        assert 'id="results"' in html
        assert 'hx-trigger="every 3s' in html
        poll = response.context["poll_url"]
        assert poll == f"{LIST}?status=reported&grade=II&page=2"
        # The poll itself answers the same rows.
        again = dispatcher_client.get(poll, **HTMX)
        assert shown(again) == shown(response)
        assert len(shown(again)) == 5

    def test_a_new_report_is_in_the_next_poll(self, three, dispatcher, dispatcher_client):
        poll = dispatcher_client.get(LIST, {"grade": "I"}, **HTMX).context["poll_url"]
        new = factories.report(dispatcher, grade="I", title="Second fire")
        assert new.pk in shown(dispatcher_client.get(poll, **HTMX))

    def test_a_bulk_action_asks_the_list_to_refresh_and_clear_the_done_rows(
        self, three, dispatcher_client
    ):
        fire, _noise, _flat = three
        response = dispatcher_client.post(BULK, {"action": "confirm", "ids": [fire.pk]}, **HTMX)
        trigger = json.loads(response["HX-Trigger"])
        assert trigger == {"incidents-changed": True, "bulk-done": [fire.pk]}


class TestThePageForm:
    def test_the_homes_multi_status_link_ticks_each_status(self, org, dispatcher_client):
        html = dispatcher_client.get(
            LIST, {"status": ["reported", "confirmed"], "grade": "I"}
        ).content.decode()
        assert 'name="status" value="reported" checked' in html
        assert 'name="status" value="confirmed" checked' in html
        assert 'name="status" value="closed" checked' not in html
        assert 'name="status" value="" data-any checked' not in html
        assert 'name="grade" value="I" checked' in html

    def test_without_htmx_a_bulk_action_reports_each_row_as_a_message(
        self, three, dispatcher_client
    ):
        fire, noise, _flat = three
        response = dispatcher_client.post(
            BULK, {"action": "confirm", "ids": [fire.pk, noise.pk]}, follow=True
        )
        texts = [str(m) for m in response.context["messages"]]
        assert f"{fire.number}: Confirmed" in texts
        assert f"{noise.number}: Cannot confirm an incident that is confirmed." in texts
