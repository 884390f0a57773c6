"""A dispatcher sees the ranked technicians with the reasons beside each, accepts the first,
and the incident shows the job dispatched to that person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, Status
from tests import factories
from tests.dispatch.helpers import LUJIAZUI, SONGJIANG, centre, incident_at, on_shift, technician

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"


def test_the_dispatcher_accepts_the_recommended_technician(open_as, live_server):
    now = timezone.now()
    near = technician("li.near", centre("lujiazui", LUJIAZUI), first_name="Li", last_name="Near")
    far = technician("wang.far", centre("songjiang", SONGJIANG), first_name="Wang", last_name="Far")
    for person in (near, far):
        team = person.memberships.get().team
        on_shift(person, team, now - timedelta(hours=1), now + timedelta(hours=8))
    factories.UserFactory(username="desk", roles=["dispatcher"], password=PASSWORD)
    incident = incident_at(now=now, title="Car will not start")

    page = open_as("desk", password=PASSWORD)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    first = page.locator(".candidate").first
    first.wait_for()
    assert "Li Near" in first.inner_text()
    assert "3.2 km from centre · on duty · 0 open jobs" in first.inner_text()
    assert "Wang Far" in page.locator(".candidate").nth(1).inner_text()

    with page.expect_navigation():
        first.get_by_role("button", name="Accept recommendation").click()
    assert "dispatched to Li Near" in page.inner_text("body")
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.status, incident.assignee) == (Status.DISPATCHED, near)
