"""Only technicians are given jobs (issue 13, finding 9): the dispatch service refuses any
other active user, so the page, the API (400 with the reason) and the admin say the same."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from accounts.services import create_api_key
from incidents import services
from incidents.models import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(org, dispatcher):
    incident = factories.report(dispatcher)
    return services.confirm_incident(incident, actor=dispatcher)


@pytest.mark.parametrize("roles", [[], ["dispatcher"], ["manager"], ["logistics"], ["legal"]])
def test_the_service_refuses_a_user_without_the_technician_role(confirmed, dispatcher, roles):
    someone = factories.UserFactory(username="someone", roles=roles)
    with pytest.raises(ValidationError) as refused:
        services.dispatch_incident(confirmed, actor=dispatcher, assignee=someone)
    assert refused.value.message_dict == {"assignee": ["Only a technician can be given a job."]}
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED and confirmed.assignee is None


def test_a_technician_is_given_the_job(confirmed, dispatcher, technician):
    services.dispatch_incident(confirmed, actor=dispatcher, assignee=technician)
    confirmed.refresh_from_db()
    assert confirmed.status == Status.DISPATCHED and confirmed.assignee == technician


def test_the_api_answers_400_with_the_reason(confirmed, dispatcher, manager):
    _key, raw = create_api_key(dispatcher, name="desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = client.post(
        f"/api/v1/incidents/{confirmed.pk}/dispatch/", {"assignee": manager.pk}, format="json"
    )
    assert response.status_code == 400
    assert "Only a technician can be given a job." in str(response.json())
    confirmed.refresh_from_db()
    assert confirmed.assignee is None


def test_the_reason_is_in_the_readers_language(confirmed, dispatcher, manager):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.dispatch_incident(confirmed, actor=dispatcher, assignee=manager)
    assert refused.value.message_dict == {"assignee": ["只能把任务分派给技师。"]}
