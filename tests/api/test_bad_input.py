"""Bad input answers 400, never 500 (issue 13, finding 6): lone surrogates, JSON nested
thousands deep, texts longer than the forms allow; and a "/" in a VIN does not break pages."""

import json

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import Incident
from tests import factories
from tests.api.conftest import NEW_INCIDENT

LIST = "/api/v1/incidents/"
SURROGATE = "\\ud800"  # a JSON escape for a lone surrogate: valid JSON, not valid Unicode


def _post_raw(client, url: str, body: str, method: str = "post"):
    return getattr(client, method)(url, body.encode(), content_type="application/json")


@pytest.mark.parametrize(
    "field", ["grade", "category", "channel", "service_mode", "title", "description"]
)
def test_a_lone_surrogate_is_a_400(desk, field):
    body = json.dumps({**NEW_INCIDENT, field: "@@"}).replace('"@@"', f'"x{SURROGATE}"')
    response = _post_raw(desk, LIST, body)
    assert response.status_code == 400, response.content[:300]
    assert not Incident.objects.exists()


def test_a_lone_surrogate_in_a_key_or_a_patch_is_a_400(desk, incident):
    body = json.dumps({**NEW_INCIDENT}).replace('"grade"', f'"{SURROGATE}", "grade"', 1)
    body = body.replace(f'"{SURROGATE}", ', f'"{SURROGATE}": 1, ', 1)
    assert _post_raw(desk, LIST, body).status_code == 400
    patch = _post_raw(desk, f"{LIST}{incident.pk}/", f'{{"title": "{SURROGATE}"}}', "patch")
    assert patch.status_code == 400


def test_json_nested_thousands_deep_is_a_400(desk):
    body = '{"title": ' + "[" * 5000 + "]" * 5000 + "}"
    response = _post_raw(desk, LIST, body)
    assert response.status_code == 400
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("description", 5000), ("impact_scope", 5000), ("initial_handling", 5000)],
)
def test_api_texts_have_the_forms_limits(desk, field, limit):
    too_long = desk.post(LIST, {**NEW_INCIDENT, field: "x" * (limit + 1)}, format="json")
    assert too_long.status_code == 400
    assert field in json.dumps(too_long.json())
    assert desk.post(LIST, {**NEW_INCIDENT, field: "x" * limit}, format="json").status_code == 201


def test_a_megabyte_description_is_refused(desk):
    response = desk.post(LIST, {**NEW_INCIDENT, "description": "x" * 1024 * 1024}, format="json")
    assert response.status_code in (400, 413)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("action", "field"),
    [("notes", "text"), ("resolve", "resolution"), ("cancel", "reason"), ("confirm", "note")],
)
def test_api_action_texts_have_the_forms_limits(boss, manager, incident, action, field):
    if action == "resolve":  # from reported the transition is refused first (409)
        services.confirm_incident(incident, actor=manager)
    url = f"{LIST}{incident.pk}/{'events' if action == 'notes' else action}/"
    response = boss.post(url, {field: "x" * 5001}, format="json")
    assert response.status_code == 400, (url, response.status_code)


def test_the_forms_cap_the_report_texts(dispatcher_client, org):
    from tests.incidents.test_views import intake_data

    response = dispatcher_client.post(
        reverse("incidents:create"), intake_data(description="x" * 5001)
    )
    assert response.status_code == 422
    assert not Incident.objects.exists()


def test_a_lone_surrogate_in_a_form_is_not_a_500(dispatcher_client, org):
    # A browser cannot send one: %ED%A0%80 is not UTF-8, and Django decodes it as U+FFFD.
    body = "grade=%ED%A0%80&category=%ED%A0%80&channel=%ED%A0%80&service_mode=%ED%A0%80"
    response = dispatcher_client.post(
        reverse("incidents:create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422


def test_a_slash_in_the_vin_does_not_break_the_incident_page(dispatcher, dispatcher_client, org):
    incident = factories.report(dispatcher, asset_ref="SN/2024/77")
    response = dispatcher_client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    asset = reverse("incidents:asset", args=["SN/2024/77"])
    assert asset.encode() in response.content
    assert dispatcher_client.get(asset).status_code == 200
