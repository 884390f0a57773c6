"""The incident page's "N incidents on this asset" counts only incidents the reader may
see (issue 13, finding 9): a technician of one centre does not learn of the other centre's
jobs on the same vehicle."""

import pytest
from django.urls import reverse

from incidents import services
from tests import factories

pytestmark = pytest.mark.django_db

VIN = "LSVAU2180N2000777"


def _job(dispatcher, technician, team):
    incident = factories.report(dispatcher, asset_ref=VIN)
    services.confirm_incident(incident, actor=dispatcher)
    return services.dispatch_incident(incident, actor=dispatcher, assignee=technician, team=team)


def test_asset_count_leaves_out_incidents_the_reader_cannot_see(
    org, dispatcher, technician, other_technician, technician_client, dispatcher_client
):
    mine = _job(dispatcher, technician, org["service_centre"])
    _job(dispatcher, other_technician, org["service_centre_2"])
    _job(dispatcher, other_technician, org["service_centre_2"])

    page = technician_client.get(reverse("incidents:detail", args=[mine.pk]))
    assert page.context["asset_count"] == 1
    assert "1 incident on this asset" in page.content.decode()

    # The desk sees every incident, so all three.
    page = dispatcher_client.get(reverse("incidents:detail", args=[mine.pk]))
    assert page.context["asset_count"] == 3
