from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from incidents import services
from incidents.models import Incident
from tests import factories
from tests.api.conftest import NEW_INCIDENT

pytestmark = pytest.mark.django_db
LIST = "/api/v1/incidents/"


def url(incident, suffix=""):
    return f"{LIST}{incident.pk}/{suffix}"


# --- create --------------------------------------------------------------------------


def test_create_returns_201_with_deadlines_and_number(desk):
    response = desk.post(LIST, NEW_INCIDENT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get(pk=body["id"])
    assert body["number"] == incident.number
    assert body["status"] == "reported"
    assert body["category"] == "product-quality"
    assert body["channel"] == "api"
    assert body["escalation_level"] == 0
    assert body["overdue"] is False
    assert body["assignee"] is None and body["team"] is None
    assert body["latitude"] == pytest.approx(31.2304)
    assert response["Location"].endswith(f"{LIST}{incident.pk}/")
    assert response["ETag"]
    assert incident.events.filter(kind="reported").exists()


def test_create_keeps_the_customers_report_time(desk):
    reported_at = timezone.now() - timedelta(hours=2)
    body = desk.post(
        LIST, {**NEW_INCIDENT, "reported_at": reported_at.isoformat()}, format="json"
    ).json()
    incident = Incident.objects.get(pk=body["id"])
    assert incident.reported_at == reported_at.replace(microsecond=reported_at.microsecond)
    assert incident.confirm_deadline == reported_at + timedelta(minutes=30)
    assert body["overdue"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"grade": "IV"}, "grade"),
        ({"category": "no-such"}, "category"),
        ({"latitude": 91}, "latitude"),
        ({"channel": "fax"}, "channel"),
        ({"reported_at": "2999-01-01T00:00:00Z"}, "reported_at"),
        ({"customer_name": "x" * 121}, "customer_name"),
    ],
)
def test_create_rejects_bad_input_with_field_errors(desk, change, field):
    response = desk.post(LIST, {**NEW_INCIDENT, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Incident.objects.exists()


def test_create_without_required_fields_lists_them(desk):
    response = desk.post(LIST, {}, format="json")
    assert response.status_code == 400
    assert {"title", "category", "grade"} <= set(response.json())


def test_malformed_json_gets_400(desk):
    response = desk.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_technician_cannot_report(tech):
    assert tech.post(LIST, NEW_INCIDENT, format="json").status_code == 403


def test_integration_role_can_report(org, key_client):
    user = factories.UserFactory(username="crm", roles=["integration"])
    assert key_client(user).post(LIST, NEW_INCIDENT, format="json").status_code == 201


# --- list and filters ----------------------------------------------------------------


def test_list_shape_and_page_size(desk, org):
    for _ in range(3):
        factories.report()
    body = desk.get(LIST, {"page_size": 2}).json()
    assert set(body) == {"next", "previous", "results"}
    assert len(body["results"]) == 2
    assert body["previous"] is None
    second = desk.get(body["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None and second["previous"]


def test_page_size_is_capped_at_200(desk, org):
    factories.report()
    assert desk.get(LIST, {"page_size": 5000}).status_code == 200


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page_size": "-1"}])
def test_bad_page_parameters_get_400(desk, params):
    assert desk.get(LIST, params).status_code == 400


def test_list_pins_its_query_count(desk, org, django_assert_max_num_queries):
    for _ in range(5):
        factories.report()
    desk.get(LIST)  # warm the key-use stamp
    with django_assert_max_num_queries(5):
        assert len(desk.get(LIST).json()["results"]) == 5


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_filters(desk, org, manager, technician):
    now = timezone.now()
    old = factories.report(
        grade="I",
        reported_at=now - timedelta(days=3),
        title="Old fire",
        category_slug="safety-accident",
        customer_name="Wang Fang",
    )
    new = factories.report(grade="III", asset_ref="VIN-NEW-1", external_ref="EXT-9")
    services.confirm_incident(new, actor=manager)
    services.dispatch_incident(new, actor=manager, assignee=technician, team=org["tech"])
    Incident.objects.filter(pk=old.pk).update(escalation_level=2)

    assert ids(desk.get(LIST, {"status": "dispatched"})) == {new.pk}
    assert ids(desk.get(LIST, {"status": ["reported", "dispatched"]})) == {old.pk, new.pk}
    assert ids(desk.get(LIST, {"grade": "I"})) == {old.pk}
    assert ids(desk.get(LIST, {"category": "safety-accident"})) == {old.pk}
    assert ids(desk.get(LIST, {"team": org["tech"].pk})) == {new.pk}
    assert ids(desk.get(LIST, {"assignee": technician.pk})) == {new.pk}
    assert ids(desk.get(LIST, {"overdue": "true"})) == {old.pk}
    assert ids(desk.get(LIST, {"overdue": "false"})) == {new.pk}
    assert ids(desk.get(LIST, {"escalated": "true"})) == {old.pk}
    assert ids(desk.get(LIST, {"escalated": "false"})) == {new.pk}
    cut = (now - timedelta(days=1)).isoformat()
    assert ids(desk.get(LIST, {"reported_after": cut})) == {new.pk}
    assert ids(desk.get(LIST, {"reported_before": cut})) == {old.pk}
    assert ids(desk.get(LIST, {"search": "fire"})) == {old.pk}
    # The customer is encrypted: found by the exact name (blind index), not by a part of it.
    assert ids(desk.get(LIST, {"search": "wang fang"})) == {old.pk}
    assert ids(desk.get(LIST, {"search": "wang"})) == set()
    assert ids(desk.get(LIST, {"search": "vin-new-1"})) == {new.pk}
    assert ids(desk.get(LIST, {"search": new.number})) == {new.pk}


def test_ordering(desk, org):
    now = timezone.now()
    a = factories.report(grade="II", reported_at=now - timedelta(hours=3))
    b = factories.report(grade="I", reported_at=now - timedelta(hours=1))
    c = factories.report(grade="III", reported_at=now - timedelta(hours=2))

    def order(value):
        return [r["id"] for r in desk.get(LIST, {"ordering": value}).json()["results"]]

    assert order("reported_at") == [a.pk, c.pk, b.pk]
    assert order("-reported_at") == [b.pk, c.pk, a.pk]
    assert order("confirm_deadline") == [a.pk, c.pk, b.pk]
    assert order("grade") == [b.pk, a.pk, c.pk]
    assert order("-grade") == [c.pk, a.pk, b.pk]
    assert [r["id"] for r in desk.get(LIST).json()["results"]] == [b.pk, c.pk, a.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nope"},
        {"grade": "V"},
        {"overdue": "maybe"},
        {"team": "x"},
        {"reported_after": "yesterday"},
        {"ordering": "title"},
        {"category": "nope"},
    ],
)
def test_invalid_filters_get_400(desk, params):
    response = desk.get(LIST, params)
    assert response.status_code == 400
    assert set(params) & set(response.json())


def test_technician_sees_only_their_jobs(org, tech, technician, manager):
    mine = factories.report()
    services.confirm_incident(mine, actor=manager)
    services.dispatch_incident(mine, actor=manager, assignee=technician)
    other = factories.report()
    assert ids(tech.get(LIST)) == {mine.pk}
    assert tech.get(url(other)).status_code == 404
    assert tech.get(url(mine)).status_code == 200


# --- detail, PATCH, ETag -------------------------------------------------------------


def test_detail_has_etag_and_honours_if_none_match(desk, incident):
    response = desk.get(url(incident))
    assert response.status_code == 200
    tag = response["ETag"]
    assert tag.startswith('"')
    again = desk.get(url(incident), HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304


def test_unknown_incident_gets_404(desk):
    assert desk.get(f"{LIST}999999/").status_code == 404
    assert desk.get(f"{LIST}abc/").status_code == 404
    assert desk.post(f"{LIST}999999/confirm/", {}).status_code == 404


def test_patch_updates_through_the_service(desk, incident):
    response = desk.patch(
        url(incident), {"title": "Charger fault", "location": "Depot 3"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Charger fault"
    assert response["ETag"] != ""
    assert incident.events.filter(kind="updated").exists()


def test_patch_with_current_if_match_succeeds(desk, incident):
    tag = desk.get(url(incident))["ETag"]
    response = desk.patch(url(incident), {"title": "New"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] != tag


def test_patch_with_stale_if_match_gets_412_and_changes_nothing(desk, incident):
    tag = desk.get(url(incident))["ETag"]
    desk.patch(url(incident), {"title": "First edit"}, format="json")
    response = desk.patch(url(incident), {"title": "Second"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    incident.refresh_from_db()
    assert incident.title == "First edit"


def test_patch_of_closed_status_gets_409(desk, incident, dispatcher):
    services.cancel_incident(incident, actor=dispatcher, reason="duplicate")
    response = desk.patch(url(incident), {"title": "x"}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()


def test_patch_rejects_blank_title(desk, incident):
    response = desk.patch(url(incident), {"title": ""}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()


def test_put_and_delete_are_not_allowed(desk, incident):
    assert desk.put(url(incident), {}, format="json").status_code == 405
    assert desk.delete(url(incident)).status_code == 405


# --- actions -------------------------------------------------------------------------


def test_full_lifecycle_through_actions(boss, org, incident, technician):
    r = boss.post(url(incident, "confirm/"), {"note": "battery pack"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = boss.post(
        url(incident, "dispatch/"),
        {"assignee": technician.pk, "team": org["tech"].pk},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert r.json()["assignee"] == technician.pk and r.json()["team"] == org["tech"].pk
    r = boss.post(url(incident, "arrive/"), {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "on_site"
    r = boss.post(url(incident, "resolve/"), {"resolution": "Swapped the BMS"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    r = boss.post(url(incident, "close/"), {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds[-5:] == ["confirmed", "dispatched", "arrived", "resolved", "closed"]


def test_actions_not_allowed_by_status_get_409(boss, incident):
    for action in ("arrive/", "close/"):
        response = boss.post(url(incident, action), {}, format="json")
        assert response.status_code == 409
        assert "detail" in response.json()
    response = boss.post(url(incident, "dispatch/"), {"team": 1}, format="json")
    assert response.status_code in (400, 409)


def test_close_of_a_reported_level_ii_incident_gets_409_not_the_assessment_guards_400(boss, org):
    reported = factories.report(grade="II")  # no assessment: the close guard would refuse
    response = boss.post(url(reported, "close/"), {}, format="json")
    assert response.status_code == 409, response.json()
    assert "detail" in response.json()
    reported.refresh_from_db()
    assert reported.status == "reported"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("confirm/", {"note": "x" * 6000}),  # too long, and already confirmed
        ("dispatch/", {}),  # nobody to dispatch to, and not confirmed yet
        ("arrive/", {"note": "x" * 6000}),
        ("resolve/", {}),  # no resolution, and not confirmed yet
        ("close/", {}),
        ("cancel/", {"reason": ""}),
        ("regrade/", {"grade": "IV"}),
    ],
)
def test_each_action_answers_409_for_the_status_before_checking_the_body(
    boss, org, manager, action, body
):
    incident = factories.report(grade="I")
    if action == "confirm/":
        services.confirm_incident(incident, actor=manager)
    if action in ("cancel/", "regrade/"):
        services.cancel_incident(incident, actor=manager, reason="duplicate")
    if action == "arrive/":
        services.confirm_incident(incident, actor=manager)  # confirmed, not dispatched
    status_before = Incident.objects.get(pk=incident.pk).status
    response = boss.post(url(incident, action), body, format="json")
    assert response.status_code == 409, (action, response.json())
    assert "detail" in response.json()
    assert Incident.objects.get(pk=incident.pk).status == status_before


def test_confirm_twice_gets_409(boss, incident):
    assert boss.post(url(incident, "confirm/"), {}).status_code == 200
    assert boss.post(url(incident, "confirm/"), {}).status_code == 409


def test_resolve_requires_a_resolution(boss, incident, manager):
    services.confirm_incident(incident, actor=manager)
    response = boss.post(url(incident, "resolve/"), {"resolution": " "}, format="json")
    assert response.status_code == 400
    assert "resolution" in response.json()
    assert boss.post(url(incident, "resolve/"), {}, format="json").status_code == 400


def test_cancel_requires_a_reason(boss, incident):
    assert boss.post(url(incident, "cancel/"), {"reason": ""}, format="json").status_code == 400
    response = boss.post(url(incident, "cancel/"), {"reason": "duplicate"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = boss.post(url(incident, "cancel/"), {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_dispatch_needs_someone(boss, incident, manager):
    services.confirm_incident(incident, actor=manager)
    response = boss.post(url(incident, "dispatch/"), {}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()
    bad = boss.post(url(incident, "dispatch/"), {"assignee": 10**9}, format="json")
    assert bad.status_code == 400


def test_regrade_recomputes_deadlines(boss, incident):
    response = boss.post(url(incident, "regrade/"), {"grade": "I"}, format="json")
    assert response.status_code == 200
    assert response.json()["grade"] == "I"


def test_technician_may_work_their_job_but_not_confirm_others(org, tech, technician, manager):
    job = factories.report()
    assert tech.post(url(job, "confirm/"), {}).status_code == 404  # not visible
    services.confirm_incident(job, actor=manager)
    services.dispatch_incident(job, actor=manager, assignee=technician)
    assert tech.post(url(job, "arrive/"), {}).status_code == 200
    assert tech.post(url(job, "cancel/"), {"reason": "no"}, format="json").status_code == 403
    r = tech.post(url(job, "resolve/"), {"resolution": "Fixed"}, format="json")
    assert r.status_code == 200


# --- events --------------------------------------------------------------------------


def test_events_timeline_oldest_first(desk, incident, dispatcher):
    services.add_note(incident, actor=dispatcher, text="Called back")
    body = desk.get(url(incident, "events/")).json()
    kinds = [e["kind"] for e in body["results"]]
    assert kinds[0] == "reported" and kinds[-1] == "note"
    note = body["results"][-1]
    assert set(note) == {"id", "kind", "actor", "created_at", "data", "text"}
    assert note["actor"] == dispatcher.pk
    assert body["results"][0]["actor"] is None  # reported by the system


def test_post_note_adds_an_event(desk, incident, dispatcher):
    response = desk.post(url(incident, "events/"), {"text": "Customer called"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert incident.events.filter(kind="note", text="Customer called").exists()


def test_post_empty_note_gets_400(desk, incident):
    response = desk.post(url(incident, "events/"), {"text": ""}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_overdue_flag_follows_the_clock(desk, incident):
    with time_machine.travel(incident.confirm_deadline + timedelta(minutes=1), tick=False):
        assert desk.get(url(incident)).json()["overdue"] is True
